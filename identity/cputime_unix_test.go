//go:build unix

package identity

import (
	"syscall"
	"time"
)

// processCPU is the CPU time this process has used, so that benchmarks on a
// loaded machine can report cpu-ns/op beside wall-clock ns/op.
func processCPU() (time.Duration, bool) {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0, false
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano()), true
}
