package bench

import (
	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/internal/workload"
)

// prepareGatehouse compiles the workload's IAM documents (Workload.Documents)
// and converts its requests to engine requests.
func prepareGatehouse(w *workload.Workload) (Checker, error) {
	e, err := engine.Compile(w.EnginePolicies())
	if err != nil {
		return nil, err
	}
	reqs := w.EngineRequests()
	return func(i int) (bool, error) { return e.Decide(reqs[i]).Allowed(), nil }, nil
}
