package cache

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time of the calling OS thread, so that benchmarks on
// a loaded machine can report cpu-ns/op beside wall-clock ns/op.
func threadCPU() (time.Duration, bool) {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_THREAD, &r); err != nil {
		return 0, false
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano()), true
}
