#!/usr/bin/env bash
# bench/load.sh — the HTTP service benchmark of docs/benchmarks.md
# ("HTTP service (issue 3)"). Run from anywhere; takes about 7 minutes.
#
# Builds gatehouse and the load generator (bench/load), starts
# `gatehouse serve` on loopback from a fresh data directory with the
# decision log on (every decision is written to the SQLite database; set
# DECISION_LOG=FILE to also stream it as JSON lines), loads a store through
# the HTTP API (`load setup`: the LoopBack roles scenario grown into a shop,
# 1,000 users mapped to roles, a check-only API key), and measures, each
# REPEAT times:
#   1. single checks (POST /v1/stores/default/check) as fast as CONNS
#      keep-alive connections get answers;
#   2. batches of 100 checks (POST .../check/batch) on BATCH_CONNS
#      connections;
#   3. single checks at a fixed rate of half the median of 1 (open loop),
#      for the latency at half the maximum load;
# then, once each, single checks at the fixed rates of SWEEP (where the
# latency target holds);
# then the same 1 and 2 with wrk (when installed) as a cross-check, and
# stops the server. The generator runs on the same machine and shares its
# cores with the server. Run it on a quiet machine: other work on the
# cores shows up as lower throughput and longer tails.
#
#   bench/load.sh
#   DURATION=20s REPEAT=3 CONNS=32 BATCH_CONNS=8 NICE=-19 SWEEP="1000 2000 5000" bench/load.sh
#   PROFILE=1 bench/load.sh    # serve through `load serve` (the same code,
#                              # plus pprof) and write a CPU profile of the
#                              # server under each load to bench/load-*.pprof
#
# Writes bench/load-results.jsonl (one JSON object per run, from
# `load run -json`) and bench/load-results.txt (the text of every run, the
# wrk output, the machine and the load average).
set -euo pipefail
cd "$(dirname "$0")"
BENCH=$PWD

DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-3s}
REPEAT=${REPEAT:-3}
CONNS=${CONNS:-32}
BATCH_CONNS=${BATCH_CONNS:-8}
USERS=${USERS:-1000}
LISTEN=${LISTEN:-127.0.0.1:8421}
PPROF=${PPROF:-127.0.0.1:6061}
NICE=${NICE:--19}
SWEEP=${SWEEP:-1000 2000 5000}
PROFILE=${PROFILE:-}
DECISION_LOG=${DECISION_LOG:-}
URL=http://$LISTEN

work=$(mktemp -d)
server_pid=
cleanup() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid"
		wait "$server_pid" || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# nice -n -19 needs root; without it, run at the normal priority.
prio=(nice -n "$NICE")
if ! nice -n "$NICE" true 2>/dev/null || [ "$(nice -n "$NICE" nice)" != "$NICE" ]; then
	echo "load.sh: cannot run at nice $NICE; running at the normal priority" >&2
	prio=()
fi

(cd .. && go build -o "$work/gatehouse" ./cmd/gatehouse)
go build -o "$work/load" ./load
load=$work/load

export GATEHOUSE_ADMIN_KEY=${GATEHOUSE_ADMIN_KEY:-loadbench-admin-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')}
serve_flags=(--listen "$LISTEN" --data "$work/data" --log-level warn)
[ -n "$DECISION_LOG" ] && serve_flags+=(--decision-log "$DECISION_LOG")
if [ -n "$PROFILE" ]; then
	"${prio[@]}" "$load" serve -pprof "$PPROF" -- "${serve_flags[@]}" 2>"$work/serve.log" &
else
	"${prio[@]}" "$work/gatehouse" serve "${serve_flags[@]}" 2>"$work/serve.log" &
fi
server_pid=$!

"$load" setup -url "$URL" -users "$USERS" -key-out "$work/key" 2>&1 | tee "$work/setup.txt"
export GATEHOUSE_KEY=$(cat "$work/key")

txt=$BENCH/load-results.txt
jsonl=$BENCH/load-results.jsonl
: > "$jsonl"
{
	echo "# bench/load.sh at $(date -u +%FT%TZ)"
	go version
	lscpu | grep -E '^(Model name|CPU\(s\))'
	echo "server: $([ -n "$PROFILE" ] && echo "load serve (pprof)" || echo "gatehouse serve"), priority: ${prio[*]:-normal}, decision log: database${DECISION_LOG:+ and $DECISION_LOG}"
	echo "settings: DURATION=$DURATION WARMUP=$WARMUP REPEAT=$REPEAT CONNS=$CONNS BATCH_CONNS=$BATCH_CONNS USERS=$USERS SWEEP=\"$SWEEP\""
	cat "$work/setup.txt"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
} > "$txt"

# profile NAME: a 10 s CPU profile of the server, in the background, from
# 4 s into the run.
profile() {
	[ -n "$PROFILE" ] || return 0
	(sleep 4 && curl -s -o "$BENCH/load-$1.pprof" "http://$PPROF/debug/pprof/profile?seconds=10") &
}

run() { # run LABEL FLAGS...
	local label=$1
	shift
	"${prio[@]}" "$load" run -url "$URL" -duration "$DURATION" -warmup "$WARMUP" -users "$USERS" \
		-label "$label" -json "$jsonl" "$@" | tee -a "$txt"
	echo | tee -a "$txt"
}

# median FIELD LABEL: the median of a number field of the runs labelled LABEL.
median() {
	grep "\"label\":\"$2\"" "$jsonl" | grep -o "\"$1\":[0-9.e+]*" | cut -d: -f2 | sort -g |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

for i in $(seq "$REPEAT"); do
	[ "$i" = 1 ] && profile single-max
	run single-max -conns "$CONNS"
done
for i in $(seq "$REPEAT"); do
	[ "$i" = 1 ] && profile batch-max
	run batch100-max -conns "$BATCH_CONNS" -batch 100
done
max=$(median requests_per_s single-max)
half=$(awk -v m="$max" 'BEGIN { printf "%d", m / 2 }')
echo "half of the median maximum ($(printf %.0f "$max")/s): $half/s" | tee -a "$txt"
echo | tee -a "$txt"
for i in $(seq "$REPEAT"); do
	[ "$i" = 1 ] && profile single-half
	run single-half -conns "$CONNS" -rate "$half"
done

# Where the latency target holds: single checks at lower fixed rates.
for r in $SWEEP; do
	run "single-rate$r" -conns "$CONNS" -rate "$r"
done

if command -v wrk >/dev/null; then
	"$load" bodies -n 4096 > "$work/single.jsonl"
	"$load" bodies -n 512 -batch 100 > "$work/batch.jsonl"
	cpu() { curl -s "$URL/metrics" | awk '$1 == "process_cpu_seconds_total" { print $2 }'; }
	wrkrun() { # wrkrun LABEL CONNS BODIES PATH
		local c0 c1
		# A first run fills the decision log queue, as the generator's
		# warm-up does, so that the measured one does not run into an
		# empty queue of 65,536 entries.
		"${prio[@]}" wrk -t2 -c"$2" -d"$WARMUP" -s "$BENCH/load.lua" "$URL" -- "$3" "$4" "$GATEHOUSE_KEY" >/dev/null
		c0=$(cpu)
		{
			echo "$1 (wrk -t2 -c$2 -d$DURATION, load average $(cut -d' ' -f1-3 /proc/loadavg))"
			"${prio[@]}" wrk -t2 -c"$2" -d"$DURATION" --latency -s "$BENCH/load.lua" "$URL" -- "$3" "$4" "$GATEHOUSE_KEY"
		} 2>&1 | tee -a "$txt"
		c1=$(cpu)
		echo "server cpu s: $(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f", b - a }')" | tee -a "$txt"
		echo | tee -a "$txt"
	}
	wrkrun wrk-single-max "$CONNS" "$work/single.jsonl" /v1/stores/default/check
	wrkrun wrk-batch100-max "$BATCH_CONNS" "$work/batch.jsonl" /v1/stores/default/check/batch
fi

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$txt"
grep -iE 'level=(warn|error)' "$work/serve.log" | head -20 >> "$txt" || true
echo "load.sh: results in $txt and $jsonl" >&2
