package cache

import (
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures New. The zero value is a memory-only cache of
// DefaultMaxEntries tokens on the system clock.
type Options struct {
	// MaxEntries bounds the access tokens held, and separately the refresh
	// tokens. Zero means DefaultMaxEntries. Past it, the access tokens that
	// expire soonest and the refresh tokens written longest ago are evicted.
	MaxEntries int

	// Now is the clock. Nil means the system's wall clock: time.Now, which
	// the hit path reads on linux/amd64 through Gettimeofday, the same
	// clock read alone (see clock.go).
	Now func() time.Time

	// Store makes the cache persistent (see the package documentation).
	// Nil means memory only.
	Store Store

	// OnStoreError, when set, is called with every error of a lazy load or
	// of the save after Put, PutRefreshToken or Delete, none of which can
	// return one; a fetch's save calls it from the flight's goroutine, so
	// it may be called concurrently. Nil means such errors are only kept
	// for StoreErr. The errors never contain a token.
	OnStoreError func(error)
}

// Cache holds access tokens and refresh tokens. Make one with New; it is
// safe for concurrent use.
type Cache struct {
	now          func() time.Time
	micros       func() int64 // the hit path's clock; see newMicros
	maxEntries   int
	store        Store
	onStoreError func(error)

	// entries is replaced whole (copy on write) under mu and read without
	// any lock; each entry's token is replaced through entry.state.
	entries atomic.Pointer[table]
	seed    maphash.Seed // of every table

	// mu guards the writing of entries and of every entry.state, and
	// flights, refresh, removedTokens and removedAccounts.
	mu              sync.Mutex
	flight          *flight         // a running flight, kept outside flights so that a private cache needs no map
	flights         map[Key]*flight // the other running flights
	refresh         map[AccountKey]refreshEntry
	removedTokens   map[Key]time.Time        // deletions not yet saved
	removedAccounts map[AccountKey]time.Time // deletions not yet saved
	lastRemoval     time.Time                // the latest deletion recorded; see writeTimeLocked

	loadStarted atomic.Bool
	loadDone    chan struct{} // closed when the lazy load has finished; nil without a Store

	saveMu   sync.Mutex   // serialises saves; readers never take it
	storeErr atomic.Value // holds errBox: the latest store error
}

// entry holds the current state of one key. Its state pointer is nil when
// the token was dropped. An entry taken out of the table has its state set to
// nil first, and no state is stored in it after: writers store only into
// entries they have just looked up in the current table, under mu. A Ref
// relies on this to miss once its entry has gone.
type entry struct {
	key   Key
	state atomic.Pointer[state]
}

// state is one immutable snapshot of a cached token. Make it with newState.
type state struct {
	tok     Token
	written time.Time // when it was stored; the newer write wins a merge
	retryAt time.Time // after a failed proactive refresh: no new one before this

	// The times above on the clock the hit path reads (see micros).
	refreshMicros, expiresMicros, retryMicros int64
}

// newState returns the state of tok as written at written, with no refresh
// before retryAt (zero: none).
func newState(tok Token, written, retryAt time.Time) *state {
	return &state{
		tok: tok, written: written, retryAt: retryAt,
		refreshMicros: unixMicros(tok.RefreshOn),
		expiresMicros: unixMicros(tok.ExpiresOn),
		retryMicros:   unixMicros(retryAt),
	}
}

// fresh reports whether s is before its refresh time at now (micros): what a
// hit is. Put keeps RefreshOn <= ExpiresOn, so this also means unexpired.
func (s *state) fresh(now int64) bool { return now < s.refreshMicros }

// servable reports whether the lock-free path may answer with s at now: it
// is fresh, or a refresh has just failed (or is running) and s has not
// expired.
func (s *state) servable(now int64) bool {
	return now < s.refreshMicros || (now < s.retryMicros && now < s.expiresMicros)
}

type refreshEntry struct {
	secret  string
	written time.Time
}

// New returns an empty cache configured by o.
func New(o Options) *Cache {
	c := &Cache{
		now:          o.Now,
		maxEntries:   o.MaxEntries,
		store:        o.Store,
		onStoreError: o.OnStoreError,
	}
	// The maps are made on first write, and the load channel only with a
	// Store: a credential's private cache costs two allocations until it
	// holds a token.
	if c.now == nil {
		c.now = time.Now
	}
	c.micros = newMicros(o.Now)
	if c.maxEntries <= 0 {
		c.maxEntries = DefaultMaxEntries
	}
	c.seed = maphash.MakeSeed()
	c.entries.Store(emptyTable)
	if c.store == nil {
		c.loadStarted.Store(true)
	} else {
		c.loadDone = make(chan struct{})
	}
	return c
}

// Get returns the token for key when one is cached, not expired, and its
// refresh time has not come. It never blocks, takes no lock and allocates
// nothing. A token past its refresh time is a miss here; Token serves it
// while one caller refreshes it.
func (c *Cache) Get(key Key) (Token, bool) {
	e := c.entries.Load().get(&key)
	if e == nil {
		return Token{}, false
	}
	s := e.state.Load()
	if s == nil || !s.fresh(c.micros()) {
		return Token{}, false
	}
	return s.tok, true
}

// Put stores t for key, replacing any token there. When t.RefreshOn is zero
// it is computed from the issue time, Now() at Put (spec/PROTOCOL.md 5.5):
// half the lifetime when the token lives 2 hours or more, else 5 minutes
// before ExpiresOn, but not before now (a token living under 5 minutes is due
// for refresh at once and still served by Token until ExpiresOn). A RefreshOn
// after ExpiresOn is moved to ExpiresOn. A token already expired is not
// stored. With a Store, the cache is saved before Put returns.
func (c *Cache) Put(key Key, t Token) {
	c.waitLoaded()
	c.mu.Lock()
	_, stored := c.putLocked(key, t, c.now())
	c.mu.Unlock()
	if stored {
		c.saveAfterChange()
	}
}

// Delete drops the token for key, if any. With a Store, the deletion is
// saved before Delete returns, dated no earlier than the token it drops,
// and every later write of this cache is dated after it, so that a Store
// that keeps deletions (FileStore) tells the two apart even on a clock that
// has not moved in between.
func (c *Cache) Delete(key Key) {
	c.waitLoaded()
	c.mu.Lock()
	t := c.entries.Load()
	var written time.Time // of the token deleted
	found := t.get(&key) != nil
	if found {
		keep := make([]*entry, 0, t.n)
		for _, e := range t.all() {
			if e.key != key {
				keep = append(keep, e)
			} else {
				if s := e.state.Load(); s != nil {
					written = s.written
				}
				e.state.Store(nil) // see entry: a Ref to it misses from now on
			}
		}
		c.entries.Store(newTable(c.seed, keep))
	}
	if c.store != nil {
		if c.removedTokens == nil {
			c.removedTokens = make(map[Key]time.Time)
		}
		c.removedTokens[key] = c.removalTimeLocked(written)
		dropOldest(c.removedTokens, maxTombstones, itself)
		found = true
	}
	c.mu.Unlock()
	if found {
		c.saveAfterChange()
	}
}

// Len returns the number of access tokens held that have not expired.
func (c *Cache) Len() int {
	now := c.now()
	n := 0
	for _, e := range c.entries.Load().all() {
		if s := e.state.Load(); s != nil && now.Before(s.tok.ExpiresOn) {
			n++
		}
	}
	return n
}

// dropOldest deletes from m the values whose time (when) is earliest until
// at most n are left: refresh tokens written longest ago, and unsaved
// deletions, which pile up only while saves fail. Those are bounded by
// maxTombstones, as many as a FileStore keeps: a deletion lost to the bound
// is the oldest one, which the file would have dropped too.
func dropOldest[K comparable, V any](m map[K]V, n int, when func(V) time.Time) {
	for len(m) > n {
		var oldest K
		var at time.Time
		first := true
		for k, v := range m {
			if t := when(v); first || t.Before(at) {
				oldest, at, first = k, t, false
			}
		}
		delete(m, oldest)
	}
}

// itself is the time of an unsaved deletion, for dropOldest.
func itself(t time.Time) time.Time { return t }

// writeTimeLocked is the time recorded for a write made now: now, or just
// after the latest deletion this cache recorded when the clock has not
// passed it (a coarse clock, or one set by a test, that has not moved
// since). A deletion covers the entries written at or before it (see
// tombstones), so a write that followed a deletion in the same clock tick
// would otherwise be taken for the deleted entry and kept out of the
// Store. c.mu must be held.
func (c *Cache) writeTimeLocked(now time.Time) time.Time {
	now = now.Round(0)
	if !now.After(c.lastRemoval) {
		return c.lastRemoval.Add(time.Nanosecond)
	}
	return now
}

// removalTimeLocked is the time recorded for a deletion made now of an entry
// written at written (zero when there was none): now, or written when the
// clock has gone back since the write, so that the deletion covers the
// entry it deletes. It becomes the latest deletion (see writeTimeLocked),
// but no further ahead of now than maxTombstoneAhead: an entry from a file
// written by a clock far ahead (or edited) must not date every later write
// of this cache far ahead too.
func (c *Cache) removalTimeLocked(written time.Time) time.Time {
	now := c.now().Round(0)
	at := now
	if at.Before(written) {
		at = written
	}
	last := at
	if limit := now.Add(maxTombstoneAhead); last.After(limit) {
		last = limit
	}
	if last.After(c.lastRemoval) {
		c.lastRemoval = last
	}
	return at
}

// putLocked stores t for key as of now and returns the token as stored
// (with its refresh time) and whether it was stored. c.mu must be held.
func (c *Cache) putLocked(key Key, t Token, now time.Time) (Token, bool) {
	if !now.Before(t.ExpiresOn) {
		return t, false
	}
	t = withRefreshOn(t, now)
	s := newState(t, c.writeTimeLocked(now), time.Time{})
	if e := c.entries.Load().get(&key); e != nil {
		e.state.Store(s)
		return t, true
	}
	e := &entry{key: key}
	e.state.Store(s)
	c.insertLocked([]*entry{e}, now)
	return t, true
}

// insertLocked adds new entries, each holding a state, with one copy of the
// table, dropping expired entries and then, past maxEntries, those that
// expire soonest. c.mu must be held and no key of add may be in the table.
func (c *Cache) insertLocked(add []*entry, now time.Time) {
	old := c.entries.Load()
	var buf [16]*entry // a private cache's few entries are gathered without allocating
	keep := buf[:0]
	for _, sl := range old.slots {
		if e := sl.e; e != nil {
			if s := e.state.Load(); s != nil && now.Before(s.tok.ExpiresOn) {
				keep = append(keep, e)
			} else {
				e.state.Store(nil) // see entry: it leaves the table
			}
		}
	}
	keep = append(keep, add...)
	if len(keep) > c.maxEntries {
		// Evict the entries that expire soonest.
		slices.SortFunc(keep, func(a, b *entry) int {
			return b.state.Load().tok.ExpiresOn.Compare(a.state.Load().tok.ExpiresOn)
		})
		for _, e := range keep[c.maxEntries:] {
			e.state.Store(nil)
		}
		keep = keep[:c.maxEntries]
	}
	c.entries.Store(newTable(c.seed, keep))
}

// String prints counts only: a Cache holds tokens, and fmt would otherwise
// print the refresh tokens in its maps.
func (c *Cache) String() string {
	c.mu.Lock()
	refresh := len(c.refresh)
	c.mu.Unlock()
	return fmt.Sprintf("cache.Cache{access tokens: %d, refresh tokens: %d}", c.Len(), refresh)
}

// GoString is String.
func (c *Cache) GoString() string { return c.String() }

// Format prints String for every verb.
func (c *Cache) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// LogValue is String.
func (c *Cache) LogValue() slog.Value { return slog.StringValue(c.String()) }
