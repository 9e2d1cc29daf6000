// Package bench compares gatehouse's engine with cedar-go, OPA and casbin on
// the workloads of docs/benchmarks.md (package internal/workload of the main
// module). It is a separate Go module so that the main module never depends
// on a peer; .ci/run does not build it.
//
// Each [System] renders a workload's abstract model into its own policy
// form — the form an expert in that system would write for speed — and
// prepares the workload's requests, so that the benchmark loop times only
// the decision. Every system's answers are checked against the model's
// expected decisions before it is timed (bench_test.go).
//
// Run everything, and redraw the chart, with bench/run.sh.
package bench
