package cache

import "time"

// newMicros returns the cache's clock as the hit path reads it (the field
// Cache.micros): microseconds since the Unix epoch on the wall clock. Wall
// clock on purpose: the expiry a service gives is a wall-clock time, and a
// machine that sleeps (a laptop with its lid shut) stops Go's monotonic clock
// but not the wall clock, so a monotonic comparison would serve a token that
// expired during the sleep.
//
// Without Options.Now (now is nil) it is wallMicros, which reads the
// system's wall clock alone: on linux/amd64 that costs half of time.Now,
// which reads the wall and the monotonic clocks where the hit path needs
// only the first. It is a function value chosen once, in New, rather than a
// method choosing between the two clocks on every read: such a method is
// too big to be inlined, so it was one more call on the hit path.
func newMicros(now func() time.Time) func() int64 {
	if now == nil {
		return wallMicros
	}
	return func() int64 { return unixMicros(now()) }
}

// The times whose microseconds since 1970 an int64 holds: about 292,000
// years either way. Outside them Time.UnixMicro wraps around.
var (
	minMicros = time.UnixMicro(-1 << 63)
	maxMicros = time.UnixMicro(1<<63 - 1)
)

// unixMicros is t in the cache's clock units. It rounds down, and saturates
// outside the range an int64 holds instead of wrapping, so that "now <
// unixMicros(t)" implies now.Before(t) for every t: the hit path, which
// compares these, never serves a token the slow path, which compares times,
// would not.
func unixMicros(t time.Time) int64 {
	switch {
	case t.Before(minMicros):
		return -1 << 63
	case t.After(maxMicros):
		return 1<<63 - 1
	}
	return t.UnixMicro()
}
