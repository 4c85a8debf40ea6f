//go:build !(linux && amd64)

package cache

import "time"

// wallMicros is the wall clock. Elsewhere than linux/amd64 the syscall
// package's Gettimeofday is a real system call, dearer than time.Now.
func wallMicros() int64 { return time.Now().UnixMicro() }
