package cache

import (
	"syscall"
	"time"
)

// wallMicros reads CLOCK_REALTIME once, through the vDSO: the syscall
// package's Gettimeofday calls the kernel's vDSO entry on linux/amd64 and
// so, like time.Now, enters the kernel only when the vDSO is missing.
func wallMicros() int64 {
	var tv syscall.Timeval
	if syscall.Gettimeofday(&tv) != nil {
		return nowMicros()
	}
	return tv.Sec*1e6 + tv.Usec
}

// nowMicros is time.Now in microseconds, should Gettimeofday ever fail.
func nowMicros() int64 { return time.Now().UnixMicro() }
