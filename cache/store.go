package cache

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Store persists a serialized cache: bytes in, bytes out. Implementations
// must be safe for concurrent use.
type Store interface {
	// Load returns the stored data, or (nil, nil) when nothing is stored yet.
	Load(ctx context.Context) ([]byte, error)
	// Save stores data, which is a whole serialized cache.
	Save(ctx context.Context, data []byte) error
}

// storeError is an error of Cache.Load or Cache.Save: "cache: load: ..." or
// "cache: save: ...", followed by the cause without a second "cache: ".
type storeError struct {
	op  string
	err error
}

func (e *storeError) Error() string {
	return "cache: " + e.op + ": " + strings.TrimPrefix(e.err.Error(), "cache: ")
}

func (e *storeError) Unwrap() error { return e.err }

// errBox lets atomic.Value hold a nil error and errors of any type.
type errBox struct{ err error }

// StoreErr returns the error of the latest load or save through the Store,
// or nil if it succeeded (or there is no Store).
func (c *Cache) StoreErr() error {
	b, _ := c.storeErr.Load().(errBox)
	return b.err
}

func (c *Cache) reportStore(err error) {
	c.storeErr.Store(errBox{err})
	if err != nil && c.onStoreError != nil {
		c.onStoreError(err)
	}
}

// ensureLoaded loads the Store once, before the first fetch. The load runs
// on its own goroutine with ctx's values but not its cancellation, so that
// every caller, the first included, can leave when its ctx ends while the
// load finishes for the others. A load error is reported (OnStoreError,
// StoreErr) and the cache starts empty.
func (c *Cache) ensureLoaded(ctx context.Context) error {
	if c.store == nil {
		return nil
	}
	select {
	case <-c.loadDone:
		return nil
	default:
	}
	if c.loadStarted.CompareAndSwap(false, true) {
		lctx := context.WithoutCancel(ctx)
		go func() {
			c.reportStore(c.load(lctx))
			close(c.loadDone)
		}()
	}
	select {
	case <-c.loadDone:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitLoaded is ensureLoaded for methods without a context.
func (c *Cache) waitLoaded() { _ = c.ensureLoaded(context.Background()) }

// Load reads the Store and adds what it holds to the cache: every access
// token not yet expired and every refresh token, each unless the cache holds
// one for the same key written later. It also applies the deletions the
// stored data records (FileStore keeps every saved deletion for a while):
// an entry written at or before a deletion of its key is not added,
// and one the cache holds is dropped, as Delete or DeleteRefreshToken would
// drop it but without a deletion to save. A deletion of this cache not yet
// saved keeps the older entries of its key out too. Without a Store it does
// nothing. Errors: ErrCorrupt, ErrVersion, ErrTooLarge, or the Store's own
// (in which cases nothing is added or dropped).
func (c *Cache) Load(ctx context.Context) error {
	err := c.load(ctx)
	c.reportStore(err)
	return err
}

func (c *Cache) load(ctx context.Context) error {
	if c.store == nil {
		return nil
	}
	data, err := c.store.Load(ctx)
	if err != nil {
		return &storeError{"load", err}
	}
	d, err := decode(data)
	if errors.Is(err, errNoStoreData) {
		return nil
	}
	if err != nil {
		return &storeError{"load", err}
	}
	c.absorb(d)
	return nil
}

// absorb drops the cache's entries that d's removals cover and adds d's
// entries where they are newer, except those that d's removals or the
// cache's unsaved deletions cover (see tombstones).
func (c *Cache) absorb(d document) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	dead := tombstonesOf(now, d.Removed)
	c.dropCoveredLocked(dead)
	// The cache's own deletions cover d's entries but not the cache's: an
	// entry it holds was stored after them (Delete took out the one before).
	for k, at := range c.removedTokens {
		dead.addToken(k, at)
	}
	for k, at := range c.removedAccounts {
		dead.addAccount(k, at)
	}
	tab := c.entries.Load()
	add := make(map[Key]*entry)
	for _, t := range d.AccessTokens {
		k := t.key()
		if !now.Before(t.ExpiresOn) || dead.coversToken(k, t.Written) {
			continue // expired and deleted entries are not loaded
		}
		tok := withRefreshOn(Token{Value: t.Secret, TokenType: t.TokenType, ExpiresOn: t.ExpiresOn, RefreshOn: t.RefreshOn}, t.Written)
		s := newState(tok, t.Written, time.Time{})
		if e := tab.get(&k); e != nil {
			if old := e.state.Load(); old == nil || old.written.Before(t.Written) {
				e.state.Store(s)
			}
		} else if e, ok := add[k]; !ok {
			e = &entry{key: k}
			e.state.Store(s)
			add[k] = e
		} else if e.state.Load().written.Before(t.Written) {
			e.state.Store(s)
		}
	}
	if len(add) > 0 {
		entries := make([]*entry, 0, len(add))
		for _, e := range add {
			entries = append(entries, e)
		}
		c.insertLocked(entries, now)
	}
	for _, r := range d.RefreshTokens {
		k := r.key()
		if dead.coversAccount(k, r.Written) {
			continue
		}
		if old, ok := c.refresh[k]; !ok || old.written.Before(r.Written) {
			c.putRefreshLocked(k, refreshEntry{secret: r.Secret, written: r.Written})
		}
	}
}

// dropCoveredLocked takes out of the cache every entry that dead covers: an
// access token's entry leaves the table as in Delete, its state set to nil
// first (see entry), and a refresh token leaves the map. No deletion is
// recorded: the Store already holds it. c.mu must be held.
func (c *Cache) dropCoveredLocked(dead tombstones) {
	if len(dead.tokens) > 0 {
		all := c.entries.Load().all()
		keep := make([]*entry, 0, len(all))
		for _, e := range all {
			if s := e.state.Load(); s != nil && dead.coversToken(e.key, s.written) {
				e.state.Store(nil) // see entry: a Ref to it misses from now on
			} else {
				keep = append(keep, e)
			}
		}
		if len(keep) < len(all) {
			c.entries.Store(newTable(c.seed, keep))
		}
	}
	for k := range dead.accounts {
		if r, ok := c.refresh[k]; ok && dead.coversAccount(k, r.written) {
			delete(c.refresh, k)
		}
	}
}

// Save writes the whole cache, and the deletions not yet saved, to the
// Store. Without a Store it does nothing. Put, PutRefreshToken and Delete
// call it themselves; call it to retry after a failed save.
func (c *Cache) Save(ctx context.Context) error {
	if c.store == nil {
		return nil
	}
	if err := c.ensureLoaded(ctx); err != nil {
		return err
	}
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	d, removedTokens, removedAccounts := c.snapshot()
	data, err := encode(d, MaxFileSize)
	if err == nil {
		err = c.store.Save(ctx, data)
	}
	if err != nil {
		err = &storeError{"save", err}
		c.reportStore(err)
		return err
	}
	c.reportStore(nil)
	// Forget the deletions just saved, unless deleted again since.
	c.mu.Lock()
	for k, at := range removedTokens {
		if c.removedTokens[k].Equal(at) {
			delete(c.removedTokens, k)
		}
	}
	for k, at := range removedAccounts {
		if c.removedAccounts[k].Equal(at) {
			delete(c.removedAccounts, k)
		}
	}
	c.mu.Unlock()
	return nil
}

// saveAfterChange saves after Put, PutRefreshToken or Delete; the error goes
// to OnStoreError and StoreErr.
func (c *Cache) saveAfterChange() {
	if c.store != nil {
		_ = c.Save(context.Background())
	}
}

// snapshot copies the cache into a document, with the deletions it records.
func (c *Cache) snapshot() (document, map[Key]time.Time, map[AccountKey]time.Time) {
	d := document{Version: formatVersion, AccessTokens: []storedToken{}, RefreshTokens: []storedRefresh{}}
	now := c.now()
	for _, e := range c.entries.Load().all() {
		k, s := e.key, e.state.Load()
		if s == nil || !now.Before(s.tok.ExpiresOn) {
			continue
		}
		d.AccessTokens = append(d.AccessTokens, storedToken{
			storedKey: toStoredKey(k), TokenType: s.tok.TokenType, Secret: s.tok.Value,
			ExpiresOn: storable(s.tok.ExpiresOn), RefreshOn: storable(s.tok.RefreshOn), Written: storable(s.written),
		})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, r := range c.refresh {
		d.RefreshTokens = append(d.RefreshTokens, storedRefresh{storedAccount: toStoredAccount(k), Secret: r.secret, Written: storable(r.written)})
	}
	rt := make(map[Key]time.Time, len(c.removedTokens))
	for k, at := range c.removedTokens {
		sk := toStoredKey(k)
		d.Removed = append(d.Removed, storedRemoval{Token: &sk, At: storable(at)})
		rt[k] = at
	}
	ra := make(map[AccountKey]time.Time, len(c.removedAccounts))
	for k, at := range c.removedAccounts {
		sa := toStoredAccount(k)
		d.Removed = append(d.Removed, storedRemoval{Account: &sa, At: storable(at)})
		ra[k] = at
	}
	return d, rt, ra
}
