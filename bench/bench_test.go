package bench

import (
	"flag"
	"strconv"
	"sync"
	"testing"

	"gatehouse.dev/gatehouse/internal/workload"
)

var all = flag.Bool("bench.all", false, "run every system at every size, ignoring System.MaxSize")

var (
	workloadsMu sync.Mutex
	workloads   = map[string]*workload.Workload{}
)

// loadWorkload generates a workload once per test binary (seconds at
// 100,000 statements; -count runs every benchmark again).
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

// BenchmarkCheck/<workload>/<size>/<system> times one authorization check.
// The system's policy is built and its requests prepared before timing, and
// its answer to every request is checked against the workload's expected
// decision; the loop then cycles through the requests.
func BenchmarkCheck(b *testing.B) {
	for _, name := range workload.Names {
		b.Run(name, func(b *testing.B) {
			for _, size := range workload.Sizes {
				b.Run(strconv.Itoa(size), func(b *testing.B) {
					for _, sys := range Systems {
						b.Run(sys.Name, func(b *testing.B) {
							if !sys.Runs(name, size) && !*all {
								b.Skipf("%s is not run on %s at %d statements (see docs/benchmarks.md); -bench.all runs it", sys.Name, name, size)
							}
							w := loadWorkload(name, size)
							check, err := sys.Prepare(w)
							if err != nil {
								b.Fatal(err)
							}
							if err := Verify(check, w); err != nil {
								b.Fatalf("%s on %s/%d: %v", sys.Name, name, size, err)
							}
							b.ReportAllocs()
							i := 0
							for b.Loop() {
								if _, err := check(i); err != nil {
									b.Fatal(err)
								}
								if i++; i == len(w.Requests) {
									i = 0
								}
							}
						})
					}
				})
			}
		})
	}
}

// TestSystemsAgree checks every system against the model on the small
// workloads, so that a rendering mistake shows up without running
// benchmarks.
func TestSystemsAgree(t *testing.T) {
	for _, name := range workload.Names {
		for _, size := range []int{10, 1000} {
			w := loadWorkload(name, size)
			for _, sys := range Systems {
				t.Run(name+"/"+strconv.Itoa(size)+"/"+sys.Name, func(t *testing.T) {
					check, err := sys.Prepare(w)
					if err != nil {
						t.Fatal(err)
					}
					if err := Verify(check, w); err != nil {
						t.Fatal(err)
					}
				})
			}
		}
	}
}

func TestVerifyDetectsMismatch(t *testing.T) {
	w := loadWorkload("rbac", 10)
	always := func(int) (bool, error) { return true, nil }
	if err := Verify(always, w); err == nil {
		t.Error("Verify accepted a checker that allows everything")
	}
}
