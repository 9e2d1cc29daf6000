#!/usr/bin/env bash
# bench/run.sh — produce every number, table and the chart of
# docs/benchmarks.md. Run from anywhere; takes about 15–25 minutes on two
# cores. Timed runs want a quiet machine: nothing else compiling or testing.
#
#   COUNT=5 BENCHTIME=1s bench/run.sh
#   bench/run.sh --render    # only redraw the chart and the doc's tables from
#                            # the existing results*.txt
#
# Writes, in bench/:
#   machine.txt            go version, CPU, load average at the start
#   results.txt            go test -bench output of BenchmarkCheck (all systems)
#   engine-results.txt     go test -bench output of the engine's BenchmarkDecide and BenchmarkCompile
#   results.benchstat.txt  benchstat of results.txt (medians, confidence intervals)
#   engine.benchstat.txt   benchstat of engine-results.txt
#   table.txt               medians and ratios to gatehouse, as Markdown
#   workloads.txt           what each workload looks like at each size
# and ../docs/benchmarks.png, the chart.
set -euo pipefail
cd "$(dirname "$0")"

COUNT=${COUNT:-5}
BENCHTIME=${BENCHTIME:-1s}
BENCHSTAT=${BENCHSTAT:-benchstat}
if ! command -v "$BENCHSTAT" >/dev/null; then
	go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
	BENCHSTAT="$(go env GOPATH)/bin/benchstat"
fi

if [ "${1:-}" != "--render" ]; then
{
	go version
	lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|L2|L3)'
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > machine.txt

go test -run '^$' -bench '^BenchmarkCheck$' -count "$COUNT" -benchtime "$BENCHTIME" -timeout 6h . | tee results.txt
(cd .. && go test -run '^$' -bench '^Benchmark(Decide|Compile)$' -count "$COUNT" -benchtime "$BENCHTIME" -timeout 6h ./engine) | tee engine-results.txt
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> machine.txt
fi

"$BENCHSTAT" results.txt > results.benchstat.txt
"$BENCHSTAT" engine-results.txt > engine.benchstat.txt
go run ./cmd/chart -in results.txt -out ../docs/benchmarks.png -table table.txt
go run ./cmd/workloads > workloads.txt

# Splice the generated parts into docs/benchmarks.md between its
# <!-- NAME:BEGIN --> and <!-- NAME:END --> markers. The prose around them
# (targets hit or missed) is written by hand from these numbers.
splice() { # splice NAME FILE
	awk -v name="$1" -v file="$2" '
		$0 == "<!-- " name ":BEGIN -->" { print; while ((getline line < file) > 0) print line; skip = 1; next }
		$0 == "<!-- " name ":END -->" { skip = 0 }
		!skip { print }
	' ../docs/benchmarks.md > ../docs/benchmarks.md.tmp
	mv ../docs/benchmarks.md.tmp ../docs/benchmarks.md
}
{ echo '```'; cat machine.txt; echo '```'; } > machine.md
{ echo '```'; cat engine.benchstat.txt; echo '```'; } > engine.md
splice MACHINE machine.md
splice TABLE table.txt
splice ENGINE engine.md
splice WORKLOADS workloads.txt
rm machine.md engine.md
