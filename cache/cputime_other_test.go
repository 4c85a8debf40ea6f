//go:build !linux

package cache

import "time"

func threadCPU() (time.Duration, bool) { return 0, false }
