package cache

// Ref is a Key resolved to its place in one Cache, for a caller that asks
// for the same key again and again: Ref.Get answers what Cache.Get would,
// without hashing or comparing the key. A credential keeps the Ref of its
// latest request (identity does), which makes its hit path a pointer load
// and a clock read.
//
// A Ref follows its key's token as it is refreshed or replaced, and never
// answers a hit Cache.Get would not. Once the key's entry leaves the cache
// (Delete, eviction, or an expired token dropped when the table is copied)
// the Ref misses from then on, even if the key comes back in a new entry:
// the caller then asks Cache.Get, and takes a new Ref when it wants one. (An
// expired token can also be dropped from an entry that stays; the Ref then
// sees the key's next token in it.) The zero Ref always misses. A Ref is a
// small value, safe to copy and to use concurrently.
type Ref struct {
	c *Cache
	e *entry
}

// Ref returns the Ref of key: a zero Ref when key holds no token now.
func (c *Cache) Ref(key Key) Ref {
	e := c.entries.Load().get(&key)
	if e == nil || e.state.Load() == nil {
		return Ref{}
	}
	return Ref{c: c, e: e}
}

// Get returns the key's token when it is cached, not expired and before its
// refresh time, as Cache.Get does. It never blocks, takes no lock and
// allocates nothing.
func (r Ref) Get() (Token, bool) {
	if r.e == nil {
		return Token{}, false
	}
	s := r.e.state.Load()
	if s == nil || !s.fresh(r.c.micros()) {
		return Token{}, false
	}
	return s.tok, true
}
