package bench

import (
	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/internal/workload"
)

// engineReady reports whether the engine compiles w (conditions are being
// written while these benchmarks are).
func engineReady(w *workload.Workload) bool {
	_, err := engine.Compile(w.EnginePolicies())
	return err == nil
}
