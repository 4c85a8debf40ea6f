package cache

// Model, stress and regression tests from a review of the cache: the model
// tests compare a Cache (or three sharing a FileStore) with a map after every
// random operation; the others each failed on the code before its fix.

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestDeletionOfEntryWrittenAhead: a deletion is dated no earlier than the
// entry it drops, so one of an entry written by a process whose clock runs a
// minute ahead is dated a minute ahead. FileStore's merge used to take it as
// made at its own clock, before the entry's write, so it covered nothing: the
// file kept the deleted refresh token and the next Load brought it back.
func TestDeletionOfEntryWrittenAhead(t *testing.T) {
	for _, tc := range []struct {
		name   string
		put    func(c *Cache)
		delete func(c *Cache)
		holds  func(c *Cache) bool
	}{
		{
			name:   "refresh token",
			put:    func(c *Cache) { c.PutRefreshToken(testAccount, "rt-secret") },
			delete: func(c *Cache) { c.DeleteRefreshToken(testAccount) },
			holds:  func(c *Cache) bool { _, ok := c.RefreshToken(testAccount); return ok },
		},
		{
			name: "access token",
			put: func(c *Cache) {
				c.Put(testKey, Token{Value: "at", ExpiresOn: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)})
			},
			delete: func(c *Cache) { c.Delete(testKey) },
			holds:  func(c *Cache) bool { _, ok := c.Get(testKey); return ok },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "azid.cache")
			// Process B's clock runs one minute ahead of process A's.
			clkA := newClock()
			clkB := func() time.Time { return clkA.Now().Add(time.Minute) }
			storeB := NewFileStore(path)
			storeB.now = clkB
			b := New(Options{Now: clkB, Store: storeB})
			tc.put(b) // written at A's now + 1 min
			a := New(Options{Now: clkA.Now, Store: fileStore(path, clkA)})
			a.waitLoaded()
			if !tc.holds(a) {
				t.Fatal("a did not load the entry")
			}
			clkA.Advance(time.Second)
			tc.delete(a) // e.g. DeleteRefreshToken after invalid_grant
			if err := a.StoreErr(); err != nil {
				t.Fatal(err)
			}
			if tc.holds(a) {
				t.Fatal("a still holds the entry right after deleting it")
			}
			fresh := New(Options{Now: clkA.Now, Store: fileStore(path, clkA)})
			fresh.waitLoaded()
			if tc.holds(fresh) {
				t.Errorf("the deleted %s is still in the file, which holds %+v", tc.name, readDoc(t, path))
			}
			if err := a.Load(context.Background()); err != nil {
				t.Fatal(err)
			}
			if tc.holds(a) {
				t.Errorf("a's own Load brought back the %s it deleted", tc.name)
			}
		})
	}
}

// TestDeletionAfterClockStepsBack: the same within one cache: a refresh
// token written, the wall clock stepped back (NTP), the token deleted. The
// deletion, dated at the entry's write, removes it from the file, also after
// a step past maxTombstoneAhead (where the file does not keep it).
func TestDeletionAfterClockStepsBack(t *testing.T) {
	for _, step := range []time.Duration{time.Minute, 15 * time.Minute} {
		clk := newClock()
		path := filepath.Join(t.TempDir(), "azid.cache")
		c := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
		c.PutRefreshToken(testAccount, "rt-secret")
		clk.Advance(-step)
		c.DeleteRefreshToken(testAccount)
		if err := c.StoreErr(); err != nil {
			t.Fatal(err)
		}
		fresh := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
		if _, ok := fresh.RefreshToken(testAccount); ok {
			t.Errorf("step back %v: the deleted refresh token is still in the file: %+v", step, readDoc(t, path))
		}
	}
}

// modelEntry is one key of the reference TestModel compares a Cache against.
type modelEntry struct {
	tok     Token // as stored, RefreshOn computed
	retryAt time.Time
}

// TestModel runs random Put/Get/Delete/Ref.Get/Token/Save/Load operations,
// one at a time, against a Cache on a fake clock and against a map, and
// compares every answer.
func TestModel(t *testing.T) {
	for seed := int64(0); seed < 300; seed++ {
		modelRun(t, seed)
		if t.Failed() {
			t.Fatalf("seed %d", seed)
		}
	}
}

func modelRun(t *testing.T, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	clk := newClock()
	st := &memStore{}
	c := New(Options{Now: clk.Now, Store: st, MaxEntries: 1000})
	model := map[Key]*modelEntry{}
	keys := []Key{keyN(0), keyN(1), keyN(2), {Scopes: "x", CAE: true}, {Scopes: "x"}}
	refs := map[Key]Ref{}
	lives := []time.Duration{time.Minute, 4 * time.Minute, 10 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 0, -time.Second}
	modelGet := func(k Key) (Token, bool) {
		m := model[k]
		if m == nil {
			return Token{}, false
		}
		now := clk.Now()
		if !now.Before(m.tok.ExpiresOn) {
			delete(model, k)
			return Token{}, false
		}
		return m.tok, now.Before(m.tok.RefreshOn)
	}
	val := 0
	for i := 0; i < 200; i++ {
		k := keys[rng.Intn(len(keys))]
		switch op := rng.Intn(10); op {
		case 0, 1: // Put
			life := lives[rng.Intn(len(lives))]
			val++
			tok := Token{Value: fmt.Sprint("v", val), ExpiresOn: clk.Now().Add(life)}
			if rng.Intn(4) == 0 {
				tok.RefreshOn = clk.Now().Add(time.Duration(rng.Intn(7200)) * time.Second)
			}
			c.Put(k, tok)
			if clk.Now().Before(tok.ExpiresOn) {
				model[k] = &modelEntry{tok: withRefreshOn(tok, clk.Now())}
			}
		case 2: // Get
			got, ok := c.Get(k)
			want, wok := modelGet(k)
			if ok != wok || (ok && got != want) {
				t.Errorf("step %d: Get(%v) = %v %v, model %v %v", i, k.Scopes, got, ok, want, wok)
				return
			}
		case 3: // Delete
			c.Delete(k)
			delete(model, k)
		case 4: // Ref
			refs[k] = c.Ref(k)
		case 5: // Ref.Get: never a hit Get would not give
			if r, ok := refs[k]; ok {
				got, ok := r.Get()
				want, wok := c.Get(k)
				if ok && (!wok || got != want) {
					t.Errorf("step %d: Ref.Get(%v) = %v, Get = %v %v", i, k.Scopes, got, want, wok)
					return
				}
			}
		case 6: // Token with a fetch that succeeds or fails
			fail := rng.Intn(2) == 0
			life := lives[rng.Intn(len(lives)-2)]
			val++
			newTok := Token{Value: fmt.Sprint("f", val), ExpiresOn: clk.Now().Add(life)}
			called := false
			got, err := c.Token(context.Background(), k, false, func(context.Context) (Token, error) {
				called = true
				if fail {
					return Token{}, errors.New("boom")
				}
				return newTok, nil
			})
			now := clk.Now()
			m := model[k]
			if m != nil && !now.Before(m.tok.ExpiresOn) {
				delete(model, k)
				m = nil
			}
			switch {
			case m != nil && (now.Before(m.tok.RefreshOn) || now.Before(m.retryAt)):
				if called || err != nil || got != m.tok {
					t.Errorf("step %d: Token hit: %v %v called=%v, want %v", i, got, err, called, m.tok)
					return
				}
			case m != nil: // stale: refresh
				if !called {
					t.Errorf("step %d: stale token not refreshed", i)
					return
				}
				if fail {
					if err != nil || got != m.tok {
						t.Errorf("step %d: failed refresh: %v %v, want the stale %v", i, got, err, m.tok)
						return
					}
					m.retryAt = now.Add(RefreshRetryDelay)
				} else {
					stored := withRefreshOn(newTok, now)
					if err != nil || got != stored {
						t.Errorf("step %d: refresh: %v %v, want %v", i, got, err, stored)
						return
					}
					model[k] = &modelEntry{tok: stored}
				}
			default: // miss
				if !called {
					t.Errorf("step %d: miss without fetch", i)
					return
				}
				if fail {
					if err == nil {
						t.Errorf("step %d: failed miss returned %v", i, got)
						return
					}
				} else {
					stored := withRefreshOn(newTok, now)
					if err != nil || got != stored {
						t.Errorf("step %d: miss: %v %v, want %v", i, got, err, stored)
						return
					}
					model[k] = &modelEntry{tok: stored}
				}
			}
		case 7: // clock
			clk.Advance(time.Duration(rng.Intn(40*60)) * time.Second)
		case 8: // Save then Load: nothing visible changes
			if err := c.Save(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := c.Load(context.Background()); err != nil {
				t.Fatal(err)
			}
		case 9: // a second cache loading the store sees what Get sees
			c2 := New(Options{Now: clk.Now, Store: st})
			c2.waitLoaded()
			for _, k := range keys {
				g1, ok1 := c.Get(k)
				g2, ok2 := c2.Get(k)
				if ok1 != ok2 || g1.Value != g2.Value || !g1.ExpiresOn.Equal(g2.ExpiresOn) || !g1.RefreshOn.Equal(g2.RefreshOn) {
					t.Errorf("step %d: reloaded Get(%v) = %v %v, original %v %v", i, k.Scopes, g2, ok2, g1, ok1)
					return
				}
			}
		}
		// After every op, Get agrees with the model on every key.
		for _, k := range keys {
			got, ok := c.Get(k)
			want, wok := modelGet(k)
			if ok != wok || (ok && got != want) {
				t.Errorf("after step %d: Get(%v) = %v %v, model %v %v", i, k.Scopes, got, ok, want, wok)
				return
			}
		}
	}
}

// TestFileStoreModel: three caches share one file through FileStore on one
// clock that always moves; each op saves. After every op the file holds, per
// key, the result of the latest Put or Delete of any cache, and a cache that
// loads the file sees just that.
func TestFileStoreModel(t *testing.T) {
	for seed := int64(0); seed < 10; seed++ {
		rng := rand.New(rand.NewSource(seed))
		clk := newClock()
		path := filepath.Join(t.TempDir(), "azid.cache")
		var cs []*Cache
		for i := 0; i < 3; i++ {
			cs = append(cs, New(Options{Now: clk.Now, Store: fileStore(path, clk)}))
		}
		keys := []Key{keyN(0), keyN(1), keyN(2)}
		accts := []AccountKey{{HomeAccountID: "a"}, {HomeAccountID: "b"}}
		wantTok := map[Key]string{}
		wantRT := map[AccountKey]string{}
		for i := 0; i < 120; i++ {
			clk.Advance(time.Duration(1+rng.Intn(3)) * time.Microsecond)
			c := cs[rng.Intn(len(cs))]
			v := fmt.Sprint("v", seed, "-", i)
			switch rng.Intn(6) {
			case 0:
				k := keys[rng.Intn(len(keys))]
				c.Put(k, tokenFor(clk.Now(), v, time.Hour))
				wantTok[k] = v
			case 1:
				k := keys[rng.Intn(len(keys))]
				c.Delete(k)
				delete(wantTok, k)
			case 2:
				a := accts[rng.Intn(len(accts))]
				c.PutRefreshToken(a, v)
				wantRT[a] = v
			case 3:
				a := accts[rng.Intn(len(accts))]
				c.DeleteRefreshToken(a)
				delete(wantRT, a)
			case 4:
				if err := c.Load(context.Background()); err != nil {
					t.Fatal(err)
				}
			case 5:
				if err := c.Save(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.StoreErr(); err != nil {
				t.Fatal(err)
			}
			fresh := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
			fresh.waitLoaded()
			for _, k := range keys {
				got, ok := fresh.Get(k)
				if w, wok := wantTok[k]; ok != wok || got.Value != w {
					t.Fatalf("seed %d step %d: file has %v=%q %v, want %q %v", seed, i, k.Scopes, got.Value, ok, w, wok)
				}
			}
			for _, a := range accts {
				got, ok := fresh.RefreshToken(a)
				if w, wok := wantRT[a]; ok != wok || got != w {
					t.Fatalf("seed %d step %d: file has rt %v=%q %v, want %q %v", seed, i, a.HomeAccountID, got, ok, w, wok)
				}
			}
		}
	}
}

// TestStress: goroutines Token, Get, Ref.Get, Put and Delete a few keys on
// a clock that moves; nothing served is expired as of before the call, and
// every call returns. Run with -race.
func TestStress(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now, MaxEntries: 3})
	keys := []Key{keyN(0), keyN(1), keyN(2), keyN(3), keyN(4)}
	var fetches atomic.Int64
	fetch := func(ctx context.Context) (Token, error) {
		n := fetches.Add(1)
		if n%3 == 0 {
			return Token{}, errors.New("boom")
		}
		if n%5 == 0 {
			select {
			case <-ctx.Done():
				return Token{}, ctx.Err()
			case <-time.After(time.Millisecond):
			}
		}
		// At least 10 minutes: a fetched token that expires while its flight
		// waits for c.mu is returned unstored, as Token's doc says; keep
		// that documented case out of the check below.
		return tokenFor(clk.Now(), fmt.Sprint("f", n), time.Duration(n%7+10)*time.Minute), nil
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	check := func(what string, before time.Time, tok Token, ok bool) {
		if ok && !before.Before(tok.ExpiresOn) {
			t.Errorf("%s served %q expired at %v, before the call at %v", what, tok.Value, tok.ExpiresOn, before)
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			clk.Advance(2 * time.Second)
			time.Sleep(50 * time.Microsecond)
		}
	}()
	var work sync.WaitGroup
	for g := 0; g < 8; g++ { // each op below on a random key of five, with MaxEntries 3
		work.Add(1)
		go func(g int) {
			defer work.Done()
			rng := rand.New(rand.NewSource(int64(g)))
			for i := 0; i < 3000; i++ {
				k := keys[rng.Intn(len(keys))]
				before := clk.Now()
				switch rng.Intn(6) {
				case 0, 1:
					ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rng.Intn(500))*time.Microsecond)
					tok, err := c.Token(ctx, k, rng.Intn(20) == 0, fetch)
					cancel()
					check("Token", before, tok, err == nil)
				case 2:
					tok, ok := c.Get(k)
					check("Get", before, tok, ok)
				case 3:
					r := c.Ref(k)
					tok, ok := r.Get()
					check("Ref.Get", before, tok, ok)
				case 4:
					c.Put(k, tokenFor(clk.Now(), "p", time.Duration(rng.Intn(10))*time.Minute))
				case 5:
					c.Delete(k)
				}
			}
		}(g)
	}
	work.Wait()
	close(stop)
	wg.Wait()
	c.mu.Lock()
	nflights := len(c.flights)
	if c.flight != nil {
		nflights++
	}
	c.mu.Unlock()
	if nflights != 0 {
		waitFor(t, "flights to end", func() bool {
			c.mu.Lock()
			defer c.mu.Unlock()
			return c.flight == nil && len(c.flights) == 0
		})
	}
}

// TestFileStoreConcurrentModel: three caches on the system clock, each in its
// own goroutine, Put and Delete keys of their own and Load the file (so that
// they hold, and save back, each other's entries). At the end the file holds
// exactly each key's last write, and no deleted key.
func TestFileStoreConcurrentModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "azid.cache")
	const writers, nkeys, ops = 3, 4, 60
	final := make([]map[Key]string, writers)
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := New(Options{Store: NewFileStore(path)})
			rng := rand.New(rand.NewSource(int64(w)))
			last := map[Key]string{}
			for i := 0; i < ops; i++ {
				k := keyN(w*100 + rng.Intn(nkeys))
				switch rng.Intn(4) {
				case 0, 1:
					v := fmt.Sprint(w, "-", i)
					c.Put(k, tokenFor(time.Now(), v, time.Hour))
					last[k] = v
				case 2:
					c.Delete(k)
					delete(last, k)
				case 3:
					if err := c.Load(context.Background()); err != nil {
						t.Error(err)
					}
				}
				if err := c.StoreErr(); err != nil {
					t.Error(err)
				}
			}
			final[w] = last
		}(w)
	}
	wg.Wait()
	fresh := New(Options{Store: NewFileStore(path)})
	fresh.waitLoaded()
	for w := 0; w < writers; w++ {
		for j := 0; j < nkeys; j++ {
			k := keyN(w*100 + j)
			got, ok := fresh.Get(k)
			want, wok := final[w][k]
			if ok != wok || got.Value != want {
				t.Errorf("key %v: file has %q %v, want %q %v", k.Scopes, got.Value, ok, want, wok)
			}
		}
	}
	assertNoTemp(t, path)
}

// flakyStore is a FileStore whose saves can be made to fail.
type flakyStore struct {
	*FileStore
	fail atomic.Bool
}

func (s *flakyStore) Save(ctx context.Context, data []byte) error {
	if s.fail.Load() {
		return errors.New("disk full")
	}
	return s.FileStore.Save(ctx, data)
}

// TestUnsavedDeletionsKept: while saves fail, deletions wait unsaved, up to
// maxTombstones whatever MaxEntries says; Delete used to drop a deletion
// past MaxEntries unsaved ones, and the entry came back with the next Load.
func TestUnsavedDeletionsKept(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "azid.cache")
	w := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
	w.Put(keyN(1), tokenFor(clk.Now(), "one", time.Hour))
	w.Put(keyN(2), tokenFor(clk.Now(), "two", 2*time.Hour))
	st := &flakyStore{FileStore: fileStore(path, clk)}
	c := New(Options{Now: clk.Now, Store: st, MaxEntries: 1})
	c.waitLoaded() // holds keyN(2), the one that expires last
	if _, ok := c.Get(keyN(2)); !ok {
		t.Fatal("c did not load keyN(2)")
	}
	clk.Advance(time.Second)
	st.fail.Store(true)
	c.Delete(keyN(1))
	c.Delete(keyN(2))
	st.fail.Store(false)
	clk.Advance(time.Second)
	if err := c.Save(context.Background()); err != nil {
		t.Fatal(err)
	}
	fresh := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
	fresh.waitLoaded()
	for _, k := range []Key{keyN(1), keyN(2)} {
		if tok, ok := fresh.Get(k); ok {
			t.Errorf("%s, deleted by c, is still in the file (%s)", k.Scopes, tok.Value)
		}
	}
}

// TestFarExpiryStillSaves: a token expiring after the year 9999, which Put
// takes (the hit path saturates such times, clock.go), is stored at the
// last time the stored form holds; encoding/json used to refuse it, and every
// later save of the cache failed.
func TestFarExpiryStillSaves(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "azid.cache")
	c := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
	c.Put(keyN(1), Token{Value: "far", ExpiresOn: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	c.Put(keyN(2), tokenFor(clk.Now(), "normal", time.Hour))
	if err := c.StoreErr(); err != nil {
		t.Errorf("saving after an ordinary Put fails: %v", err)
	}
}

// TestClaimsTokenNotReplacedByOlderFlight: the token a claims request gets
// replaces the cached one (DESIGN.md "Claims"); a proactive refresh started
// before the challenge and finishing after it used to store its token over
// it, and the next request without claims got a token from before the
// challenge.
func TestClaimsTokenNotReplacedByOlderFlight(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	c.Put(testKey, tokenFor(clk.Now(), "old", 10*time.Minute))
	clk.Advance(6 * time.Minute) // past the refresh time
	release := make(chan struct{})
	started := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Token(context.Background(), testKey, false, func(context.Context) (Token, error) {
			close(started)
			<-release
			return tokenFor(clk.Now(), "pre-challenge", time.Hour), nil
		})
	}()
	<-started
	got, err := c.Token(context.Background(), testKey, true, func(context.Context) (Token, error) {
		return tokenFor(clk.Now(), "with-claims", time.Hour), nil
	})
	if err != nil || got.Value != "with-claims" {
		t.Fatal(got, err)
	}
	close(release)
	<-done
	if tok, _ := c.Get(testKey); tok.Value != "with-claims" {
		t.Errorf("after the claims request, the cache answers %q, fetched before the challenge", tok.Value)
	}
}

// TestDeletionsAfterDeletingAnEntryFromAhead: deleting an entry a clock an
// hour ahead wrote dates the deletion an hour ahead, and this Cache's later
// writes just after it (writeTimeLocked). The deletion of such a later write,
// dated more than maxTombstoneAhead ahead, used to be forgotten by the very
// merge that should apply it, and the entry stayed in the file. The saver's
// own deletions now always apply.
func TestDeletionsAfterDeletingAnEntryFromAhead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "azid.cache")
	clkA := newClock()
	clkB := func() time.Time { return clkA.Now().Add(time.Hour) } // B's clock is an hour ahead
	storeB := NewFileStore(path)
	storeB.now = clkB
	b := New(Options{Now: clkB, Store: storeB})
	b.PutRefreshToken(testAccount, "rt-from-b")

	a := New(Options{Now: clkA.Now, Store: fileStore(path, clkA)})
	a.waitLoaded()
	a.DeleteRefreshToken(testAccount) // e.g. after invalid_grant

	// From here on, a's clock is steady and correct: a signs in a second
	// account, and signs it out a second later.
	other := testAccount
	other.HomeAccountID = "uid2.utid"
	clkA.Advance(time.Second)
	a.PutRefreshToken(other, "rt-second-account")
	clkA.Advance(time.Second)
	a.DeleteRefreshToken(other)
	if err := a.StoreErr(); err != nil {
		t.Fatal(err)
	}
	fresh := New(Options{Now: clkA.Now, Store: fileStore(path, clkA)})
	fresh.waitLoaded()
	for _, acct := range []AccountKey{testAccount, other} {
		if _, ok := fresh.RefreshToken(acct); ok {
			t.Errorf("refresh token of %s, deleted by a, is still in the file", acct.HomeAccountID)
		}
	}
}

// TestDeletingAnEntryFromFarAhead: deleting an entry a clock a year ahead
// wrote (or an edited file holds) does not date this cache's later writes
// a year ahead: they are dated no further than maxTombstoneAhead ahead, so
// that "the later write wins" still means something beside other writers.
func TestDeletingAnEntryFromFarAhead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "azid.cache")
	clk := newClock()
	ahead := func() time.Time { return clk.Now().Add(365 * 24 * time.Hour) }
	storeB := NewFileStore(path)
	storeB.now = ahead
	New(Options{Now: ahead, Store: storeB}).PutRefreshToken(testAccount, "rt-from-far-ahead")

	a := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
	a.waitLoaded()
	a.DeleteRefreshToken(testAccount)
	other := AccountKey{HomeAccountID: "uid2.utid"}
	a.PutRefreshToken(other, "rt-second-account")
	a.mu.Lock()
	written := a.refresh[other].written
	a.mu.Unlock()
	if limit := clk.Now().Add(maxTombstoneAhead + time.Second); written.After(limit) {
		t.Errorf("a write after deleting an entry from a year ahead is dated %v; want no later than %v", written, limit)
	}
}
