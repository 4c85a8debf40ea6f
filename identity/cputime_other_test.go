//go:build !unix

package identity

import "time"

func processCPU() (time.Duration, bool) { return 0, false }
