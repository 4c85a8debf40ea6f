package cache

import (
	"context"
	"testing"
	"time"
)

func TestRefFollowsItsKey(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now, MaxEntries: 2})
	if _, ok := (Ref{}).Get(); ok {
		t.Fatal("the zero Ref hit")
	}
	if _, ok := c.Ref(testKey).Get(); ok {
		t.Fatal("the Ref of an absent key hit")
	}
	c.Put(testKey, tokenFor(clk.Now(), "first", time.Hour))
	r := c.Ref(testKey)
	if got, ok := r.Get(); !ok || got.Value != "first" {
		t.Fatalf("Ref.Get = %v, %v; want first", got, ok)
	}

	// Replaced and refreshed in place: the Ref sees the new token.
	c.Put(testKey, tokenFor(clk.Now(), "second", time.Hour))
	if got, ok := r.Get(); !ok || got.Value != "second" {
		t.Fatalf("after Put, Ref.Get = %v, %v; want second", got, ok)
	}
	clk.Advance(56 * time.Minute) // past the refresh time of a 1-hour token
	if _, ok := r.Get(); ok {
		t.Fatal("Ref.Get hit past the refresh time")
	}
	got, err := c.Token(context.Background(), testKey, false, func(context.Context) (Token, error) {
		return tokenFor(clk.Now(), "refreshed", time.Hour), nil
	})
	if err != nil || got.Value != "refreshed" {
		t.Fatalf("Token = %v, %v", got, err)
	}
	if got, ok := r.Get(); !ok || got.Value != "refreshed" {
		t.Fatalf("after a refresh, Ref.Get = %v, %v; want refreshed", got, ok)
	}

	// Deleted: the Ref misses, also once the key is back.
	c.Delete(testKey)
	if _, ok := r.Get(); ok {
		t.Fatal("Ref.Get hit after Delete")
	}
	c.Put(testKey, tokenFor(clk.Now(), "back", time.Hour))
	if _, ok := r.Get(); ok {
		t.Fatal("a Ref taken before Delete hit the key's new entry")
	}
	if got, ok := c.Ref(testKey).Get(); !ok || got.Value != "back" {
		t.Fatalf("a new Ref = %v, %v; want back", got, ok)
	}
}

func TestRefMissesOnceEvicted(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now, MaxEntries: 2})
	c.Put(keyN(0), tokenFor(clk.Now(), "soonest", 10*time.Minute))
	c.Put(keyN(1), tokenFor(clk.Now(), "v", time.Hour))
	evicted, kept := c.Ref(keyN(0)), c.Ref(keyN(1))
	c.Put(keyN(2), tokenFor(clk.Now(), "v", time.Hour)) // past MaxEntries: keyN(0) goes
	if _, ok := evicted.Get(); ok {
		t.Fatal("the Ref of an evicted key hit")
	}
	if _, ok := kept.Get(); !ok {
		t.Fatal("the Ref of a kept key missed")
	}

	// Expired entries leave the table at the next insert, and their Refs miss.
	clk.Advance(2 * time.Hour)
	c.Put(keyN(3), tokenFor(clk.Now(), "v", time.Hour))
	clk.Advance(-2 * time.Hour) // the clock going back does not bring them back
	if _, ok := kept.Get(); ok {
		t.Fatal("the Ref of an expired, dropped key hit")
	}
}

func TestRefAllocatesNothing(t *testing.T) {
	c := New(Options{})
	c.Put(testKey, tokenFor(time.Now(), "v", 24*time.Hour))
	r := c.Ref(testKey)
	if n := testing.AllocsPerRun(1000, func() { _, _ = r.Get() }); n != 0 {
		t.Errorf("Ref.Get allocates %v times per hit, want 0", n)
	}
}

// TestHitClockAgreesWithTime checks the hit path's microsecond comparisons
// against time.Time's: a hit only where now.Before(RefreshOn), and a miss
// where it is not; within the microsecond before RefreshOn it may miss.
func TestHitClockAgreesWithTime(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	start := clk.Now()
	refresh := start.Add(time.Hour + 1500) // 1.5 µs past a whole microsecond
	c.Put(testKey, Token{Value: "v", ExpiresOn: refresh.Add(time.Hour), RefreshOn: refresh})
	for _, d := range []time.Duration{-2 * time.Microsecond, -1001, -1000, -999, -1, 0, 1, 1000, time.Second} {
		clk.ns.Store(refresh.Add(d).UnixNano())
		_, hit := c.Get(testKey)
		before := clk.Now().Before(refresh)
		if hit && !before {
			t.Errorf("now = RefreshOn%+v: hit, but now is not before RefreshOn", d)
		}
		if !hit && before && d < -time.Microsecond {
			t.Errorf("now = RefreshOn%+v: miss a whole microsecond before RefreshOn", d)
		}
	}
}

// TestHitClockFarTimes: times beyond the ±292,000 years an int64 of
// microseconds holds saturate instead of wrapping, so a RefreshOn in the far
// past never makes an expired token look fresh, and one in the far future
// is capped by ExpiresOn as before.
func TestHitClockFarTimes(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	tok := tokenFor(clk.Now(), "v", time.Hour)
	tok.RefreshOn = time.Date(-300000, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Put(testKey, tok)
	if _, ok := c.Get(testKey); ok {
		t.Fatal("a RefreshOn in the year -300000 is a hit; want a refresh due at once")
	}
	clk.Advance(2 * time.Hour)
	if _, ok := c.Ref(testKey).Get(); ok {
		t.Fatal("Ref.Get served a token past its expiry")
	}
	if _, err := c.Token(context.Background(), testKey, false, fetchNever); err == nil {
		t.Fatal("Token served a token past its expiry")
	}
	for _, tt := range []struct {
		t    time.Time
		want int64
	}{
		{time.Date(-300000, 1, 1, 0, 0, 0, 0, time.UTC), -1 << 63},
		{time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC), 1<<63 - 1},
		{time.Time{}, time.Time{}.UnixMicro()},
		{time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()},
		{time.Unix(-1, 999_999_999), -1},
	} {
		if got := unixMicros(tt.t); got != tt.want {
			t.Errorf("unixMicros(%v) = %d, want %d", tt.t, got, tt.want)
		}
	}
}

// TestWallMicros checks the system clock the hit path reads against
// time.Now: both read the wall clock, so wallMicros falls between two
// time.Now reads around it, give or take a second for a clock being stepped.
// A clock in other units, or the monotonic clock, falls far outside.
func TestWallMicros(t *testing.T) {
	before := time.Now().UnixMicro()
	got := wallMicros()
	after := time.Now().UnixMicro()
	if got < before-1e6 || got > after+1e6 {
		t.Fatalf("wallMicros() = %d, not within a second of [%d, %d]", got, before, after)
	}
	c := New(Options{})
	if d := c.micros() - time.Now().UnixMicro(); d > 1e6 || d < -1e6 {
		t.Fatalf("a cache without Options.Now reads a clock %d µs away from time.Now", d)
	}
}
