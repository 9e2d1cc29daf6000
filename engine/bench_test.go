package engine_test

// Benchmarks of the engine on the workloads of docs/benchmarks.md. The
// side-by-side comparison with cedar-go, OPA and casbin lives in the separate
// bench module; these are the engine's own numbers, run with
//
//	go test ./engine -run '^$' -bench 'Decide|Compile' -count 5

import (
	"fmt"
	"strconv"
	"sync"
	"testing"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/internal/workload"
)

var (
	workloadsMu sync.Mutex
	workloads   = map[string]*workload.Workload{}
)

// loadWorkload generates a workload once per test binary: at 100,000
// statements generation takes seconds, and -count runs each benchmark again.
func loadWorkload(name string, size int) *workload.Workload {
	workloadsMu.Lock()
	defer workloadsMu.Unlock()
	key := name + "/" + strconv.Itoa(size)
	w, ok := workloads[key]
	if !ok {
		w = workload.MustGenerate(name, size)
		workloads[key] = w
	}
	return w
}

// forEachWorkload runs f as the sub-benchmark <workload>/<size> for every
// workload and size.
func forEachWorkload(b *testing.B, f func(b *testing.B, w *workload.Workload)) {
	for _, name := range workload.Names {
		b.Run(name, func(b *testing.B) {
			for _, size := range workload.Sizes {
				b.Run(strconv.Itoa(size), func(b *testing.B) {
					f(b, loadWorkload(name, size))
				})
			}
		})
	}
}

// BenchmarkDecide measures one decision. The policies are compiled and the
// requests built before timing; the engine's answer to every request is
// checked against the workload's expected decision first; the loop then
// cycles through the requests.
func BenchmarkDecide(b *testing.B) {
	forEachWorkload(b, func(b *testing.B, w *workload.Workload) {
		e, err := engine.Compile(w.EnginePolicies())
		if err != nil {
			b.Fatalf("compile: %v", err)
		}
		reqs := w.EngineRequests()
		if err := checkDecisions(e, w, reqs); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			e.Decide(reqs[i])
			if i++; i == len(reqs) {
				i = 0
			}
		}
	})
}

// BenchmarkCompile measures compiling a workload's documents (already
// parsed) into an engine.
func BenchmarkCompile(b *testing.B) {
	forEachWorkload(b, func(b *testing.B, w *workload.Workload) {
		policies := w.EnginePolicies()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := engine.Compile(policies); err != nil {
				b.Fatalf("compile: %v", err)
			}
		}
	})
}

// checkDecisions compares the engine's decisions with the expected ones and
// describes the first few differences.
func checkDecisions(e *engine.Engine, w *workload.Workload, reqs []*engine.Request) error {
	var bad []string
	n := 0
	for i, r := range reqs {
		want := w.Requests[i].Allow
		if got := e.Decide(r).Allowed(); got != want {
			n++
			if len(bad) < 3 {
				bad = append(bad, fmt.Sprintf("request %d %+v: engine allow=%v, expected %v", i, w.Requests[i], got, want))
			}
		}
	}
	if n > 0 {
		return fmt.Errorf("%s/%d: %d of %d decisions differ from the workload's expected ones, e.g.\n%v", w.Name, w.Size, n, len(reqs), bad)
	}
	return nil
}
