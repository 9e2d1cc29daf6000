//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package sqlite

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time this process has used. On a shared machine the
// wall-clock ns/op of a benchmark says as much about the neighbours as
// about the code; CPU time per operation says less about them.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	if b.N > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
	}
}
