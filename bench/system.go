package bench

import (
	"fmt"

	"gatehouse.dev/gatehouse/internal/workload"
)

// Checker decides the i'th request of the workload it was prepared for.
type Checker func(i int) (bool, error)

// System is one authorization system under benchmark.
type System struct {
	// Name is the benchmark's last name element: gatehouse, cedar, opa or
	// casbin.
	Name string
	// Prepare renders w for the system and prepares its requests. All the
	// work that a real deployment does once per policy set or once per
	// incoming request outside the authorization call happens here.
	Prepare func(w *workload.Workload) (Checker, error)
	// MaxSize is the largest statement count the system is run at (0: no
	// limit): above it one benchmark cell takes more than a minute to set up
	// or to check (docs/benchmarks.md says which).
	MaxSize int
}

// Systems lists the systems in the order the benchmarks run them.
var Systems = []System{
	{Name: "gatehouse", Prepare: prepareGatehouse},
	{Name: "cedar", Prepare: prepareCedar},
	{Name: "opa", Prepare: prepareOPA},
	{Name: "casbin", Prepare: prepareCasbin, MaxSize: 10_000},
}

// Verify decides every request of w with c and compares the answers with
// the model's expected decisions, describing the first few differences.
func Verify(c Checker, w *workload.Workload) error {
	var bad []string
	n := 0
	for i := range w.Requests {
		got, err := c(i)
		if err != nil {
			return fmt.Errorf("request %d: %w", i, err)
		}
		if want := w.Requests[i].Allow; got != want {
			n++
			if len(bad) < 3 {
				bad = append(bad, fmt.Sprintf("request %d %+v: allow=%v, expected %v", i, w.Requests[i], got, want))
			}
		}
	}
	if n > 0 {
		return fmt.Errorf("%d of %d decisions differ from the expected ones, e.g.\n%v", n, len(w.Requests), bad)
	}
	return nil
}
