#!/usr/bin/env bash
# bench/run.sh — produce every number, table and the chart of
# docs/benchmarks.md. Run from anywhere; takes about 15–25 minutes on two
# cores. Timed runs want a quiet machine: nothing else compiling or testing.
#
#   COUNT=5 BENCHTIME=1s bench/run.sh
#
# Writes, in bench/:
#   machine.txt            go version, CPU, load average at the start
#   results.txt            go test -bench output of BenchmarkCheck (all systems)
#   engine-results.txt     go test -bench output of the engine's BenchmarkDecide and BenchmarkCompile
#   results.benchstat.txt  benchstat of results.txt (medians, confidence intervals)
#   engine.benchstat.txt   benchstat of engine-results.txt
#   table.md               medians and ratios to gatehouse, as Markdown
#   workloads.md           what each workload looks like at each size
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

{
	go version
	lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|L2|L3)'
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > machine.txt

go test -run '^$' -bench '^BenchmarkCheck$' -count "$COUNT" -benchtime "$BENCHTIME" -timeout 6h . | tee results.txt
(cd .. && go test -run '^$' -bench '^Benchmark(Decide|Compile)$' -count "$COUNT" -benchtime "$BENCHTIME" -timeout 6h ./engine) | tee engine-results.txt
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> machine.txt

"$BENCHSTAT" results.txt > results.benchstat.txt
"$BENCHSTAT" engine-results.txt > engine.benchstat.txt
go run ./cmd/chart -in results.txt -out ../docs/benchmarks.png -table table.md
go run ./cmd/workloads > workloads.md
