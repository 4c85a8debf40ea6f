package cache

import "time"

// micros is the cache's clock as the hit path reads it: microseconds since
// the Unix epoch on the wall clock. Wall clock on purpose: the expiry a
// service gives is a wall-clock time, and a machine that sleeps (a laptop
// with its lid shut) stops Go's monotonic clock but not the wall clock, so a
// monotonic comparison would serve a token that expired during the sleep.
//
// Without Options.Now it reads the system's wall clock alone (wallMicros),
// which on linux/amd64 costs half of time.Now: time.Now reads the wall and
// the monotonic clocks, and the hit path needs only the first.
func (c *Cache) micros() int64 {
	if c.clockSet {
		return c.setMicros()
	}
	return wallMicros()
}

// setMicros is micros with Options.Now, kept out of micros so that micros
// is small enough to be inlined into the hit path.
func (c *Cache) setMicros() int64 { return unixMicros(c.now()) }

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
