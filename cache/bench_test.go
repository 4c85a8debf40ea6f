package cache

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// serial runs op b.N times on one locked OS thread and reports, besides
// ns/op, cpu-ns/op: the thread's CPU time per op, which a loaded machine
// does not inflate the way it inflates wall-clock time.
func serial(b *testing.B, op func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	b.ResetTimer()
	start, ok := threadCPU()
	for i := 0; i < b.N; i++ {
		op()
	}
	if end, ok2 := threadCPU(); ok && ok2 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

func benchCache(b *testing.B) *Cache {
	c := New(Options{})
	for i := 0; i < 100; i++ {
		c.Put(keyN(i), tokenFor(time.Now(), "other", time.Hour))
	}
	c.Put(testKey, tokenFor(time.Now(), "v", 24*time.Hour))
	return c
}

// BenchmarkGet is the hit path: target <= 50 ns/op, 0 allocs/op.
func BenchmarkGet(b *testing.B) {
	c := benchCache(b)
	serial(b, func() {
		if _, ok := c.Get(testKey); !ok {
			b.Fatal("miss")
		}
	})
}

// BenchmarkGetFixedClock is Get without the cost of reading the clock: the
// cache's own share of BenchmarkGet.
func BenchmarkGetFixedClock(b *testing.B) {
	c := benchCache(b)
	now := time.Now()
	c.now = func() time.Time { return now }
	c.micros = newMicros(c.now)
	serial(b, func() {
		if _, ok := c.Get(testKey); !ok {
			b.Fatal("miss")
		}
	})
}

// BenchmarkRefGet is the hit path of a caller that keeps the Ref of its key,
// as credentials do: no hashing, no key comparison, one clock read.
func BenchmarkRefGet(b *testing.B) {
	r := benchCache(b).Ref(testKey)
	serial(b, func() {
		if _, ok := r.Get(); !ok {
			b.Fatal("miss")
		}
	})
}

func BenchmarkRefGetParallel(b *testing.B) {
	r := benchCache(b).Ref(testKey)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, ok := r.Get(); !ok {
				b.Error("miss")
				return
			}
		}
	})
}

// BenchmarkGetParallel must be no slower per op than BenchmarkGet: the hit
// path shares no written memory between goroutines.
func BenchmarkGetParallel(b *testing.B) {
	c := benchCache(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, ok := c.Get(testKey); !ok {
				b.Error("miss")
				return
			}
		}
	})
}

func fetchNever(context.Context) (Token, error) { return Token{}, ErrNoFetch }

// BenchmarkTokenHit is Token on a hit: 0 allocs/op.
func BenchmarkTokenHit(b *testing.B) {
	c := benchCache(b)
	ctx := context.Background()
	serial(b, func() {
		if _, err := c.Token(ctx, testKey, false, fetchNever); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkTokenHitParallel(b *testing.B) {
	c := benchCache(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Token(ctx, testKey, false, fetchNever); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkScopeKey(b *testing.B) {
	scopes := []string{"https://graph.microsoft.com/User.Read", "offline_access", "openid", "profile"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = ScopeKey(scopes)
	}
}

var sinkTime time.Time

// BenchmarkClock is time.Now alone, for comparison with BenchmarkWallMicros.
func BenchmarkClock(b *testing.B) {
	serial(b, func() { sinkTime = time.Now() })
}

var sinkMicros int64

// BenchmarkWallMicros is the clock the hit path reads, the floor under Get:
// read Get's figure as this plus the cache's own work.
func BenchmarkWallMicros(b *testing.B) {
	serial(b, func() { sinkMicros = wallMicros() })
}
