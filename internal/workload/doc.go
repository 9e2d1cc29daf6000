// Package workload generates the benchmark workloads of docs/benchmarks.md:
// deterministic policy sets of 10 to 100,000 statements together with a list
// of requests and the decision each one must get.
//
// A workload is an abstract model (a list of [Statement] values and a list of
// [Request] values). The model decides requests itself with a plain linear
// reading of IAM's rules ([Workload.Decide]), so that every system under
// benchmark — gatehouse and the peers in the separate bench module — can be
// checked against the same expected answers before it is timed. The model is
// rendered as gatehouse IAM policy documents here ([Workload.Documents],
// [Workload.PolicyJSON]) and into each peer's own form by the bench module.
//
// Generation uses math/rand/v2 with a seed derived from the workload name and
// size, so a workload is the same on every machine and in every run.
// The package is for benchmarks and tests only; it uses the standard library
// and the policy and engine packages.
package workload
