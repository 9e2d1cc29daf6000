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
	// MaxSize is the largest statement count the system is run at, by
	// workload name ("" for every workload not named; no entry: no limit).
	// Above it one benchmark cell takes more than a minute to set up or to
	// check its answers (docs/benchmarks.md gives the times).
	MaxSize map[string]int
}

// Runs reports whether the system is run on the workload at size.
func (s System) Runs(workload string, size int) bool {
	limit, ok := s.MaxSize[workload]
	if !ok {
		limit, ok = s.MaxSize[""]
	}
	return !ok || size <= limit
}

// Systems lists the systems in the order the benchmarks run them.
var Systems = []System{
	{Name: "gatehouse", Prepare: prepareGatehouse},
	// cedar-go evaluates every policy: 0.1 to 0.25 s a check at 100,000.
	{Name: "cedar", Prepare: prepareCedar, MaxSize: map[string]int{"": 10_000}},
	// OPA's wildcard index leaves 10% of the statements to glob.match on
	// every check: about 60 ms a check at 100,000.
	{Name: "opa", Prepare: prepareOPA, MaxSize: map[string]int{"wildcard": 10_000}},
	// casbin evaluates its matcher on every policy line: about 6 ms a
	// check at 10,000 already.
	{Name: "casbin", Prepare: prepareCasbin, MaxSize: map[string]int{"": 10_000}},
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
