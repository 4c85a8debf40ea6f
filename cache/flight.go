package cache

import (
	"context"
	"errors"
)

// ErrNoFetch is returned by Token when its fetch function is nil.
var ErrNoFetch = errors.New("cache: Token called without a fetch function")

// flight is one running fetch for a key, shared by every caller waiting for
// that key. Its fields other than done are guarded by Cache.mu until done is
// closed, and read-only after.
type flight struct {
	key     Key
	done    chan struct{}      // closed when tok and err are set
	cancel  context.CancelFunc // cancels the fetch's context
	waiters int                // callers waiting; at zero the fetch is cancelled
	// superseded: a bypass fetch (a claims request) stored the key's token
	// while this one ran; its token, asked for later, is not replaced.
	superseded bool
	tok        Token
	err        error
}

// Token returns the token for key, calling fetch when the cache cannot answer.
// It is the whole algorithm credentials use:
//
//   - Not bypass and a token is cached, unexpired and before its refresh
//     time: it is returned, without locking or allocating.
//   - bypass (a claims challenge, spec/PROTOCOL.md 2.11): fetch is always
//     called, with ctx, and its token replaces the cached one for key.
//   - No usable token: one flight per key. The first caller starts fetch in
//     a new goroutine; callers for the same key meanwhile wait for its
//     result. Each waiter also watches its own ctx and returns ctx.Err() as
//     soon as it ends. The fetch runs under a context that keeps ctx's
//     values but not its cancellation (context.WithoutCancel), cancelled when
//     the last waiter has gone: the flight lives as long as someone wants
//     its result. A fetch error is returned to every waiter, unchanged.
//   - A token still valid but past its refresh time: one caller refreshes
//     through the same flight and waits for it; every other caller gets the
//     cached token at once. If the refresh fails (or the refreshing caller's
//     ctx ends first) that caller also gets the still-valid cached token,
//     with no error, and no refresh is tried for RefreshRetryDelay.
//
// A fetched token is stored as Put stores it (with a Store, saved before
// any waiter is released), and returned as stored, with its refresh time;
// one that has already expired is returned but not stored. fetch must not
// panic: it runs on its own goroutine.
func (c *Cache) Token(ctx context.Context, key Key, bypass bool, fetch func(context.Context) (Token, error)) (Token, error) {
	if fetch == nil {
		return Token{}, ErrNoFetch
	}
	if !bypass {
		if e := c.entries.Load().get(&key); e != nil {
			if s := e.state.Load(); s != nil && s.servable(c.micros()) {
				return s.tok, nil
			}
		}
	}
	if err := c.ensureLoaded(ctx); err != nil {
		return Token{}, err
	}
	if bypass {
		return c.fetchNow(ctx, key, fetch)
	}
	return c.join(ctx, key, fetch)
}

// fetchNow runs fetch on the caller's goroutine and stores its token.
func (c *Cache) fetchNow(ctx context.Context, key Key, fetch func(context.Context) (Token, error)) (Token, error) {
	t, err := fetch(ctx)
	if err != nil {
		return Token{}, err
	}
	c.mu.Lock()
	t, stored := c.putLocked(key, t, c.now())
	if f := c.flightLocked(key); f != nil && stored {
		f.superseded = true
	}
	c.mu.Unlock()
	if stored {
		c.saveAfterChange()
	}
	return t, nil
}

// join answers a caller the lock-free path could not: from the cache if the
// state changed meanwhile, else by joining or starting the key's flight.
func (c *Cache) join(ctx context.Context, key Key, fetch func(context.Context) (Token, error)) (Token, error) {
	c.mu.Lock()
	now := c.now()
	var fallback *state // a still-valid token this caller gets if the flight fails
	e := c.entries.Load().get(&key)
	if e != nil {
		switch s := e.state.Load(); {
		case s == nil:
		case !now.Before(s.tok.ExpiresOn):
			e.state.Store(nil) // drop the expired token; the next insert drops the entry
		case now.Before(s.tok.RefreshOn) || now.Before(s.retryAt):
			c.mu.Unlock()
			return s.tok, nil
		default:
			fallback = s
		}
	}
	f := c.flightLocked(key)
	switch {
	case f != nil && fallback != nil:
		// Another caller is refreshing; serve the cached token at once.
		c.mu.Unlock()
		return fallback.tok, nil
	case ctx.Err() != nil:
		// Start nothing for a caller who has already gone.
		c.mu.Unlock()
		if fallback != nil {
			return fallback.tok, nil
		}
		return Token{}, ctx.Err()
	case f == nil:
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{key: key, done: make(chan struct{}), cancel: cancel}
		c.addFlightLocked(f)
		go c.run(fctx, f, fetch)
		if fallback != nil {
			// While this caller refreshes, the lock-free path serves the
			// cached token to everyone else (run replaces this state).
			e.state.Store(newState(fallback.tok, fallback.written, fallback.tok.ExpiresOn))
		}
	}
	f.waiters++
	c.mu.Unlock()

	select {
	case <-f.done:
		if fallback != nil {
			// A refresh that failed, or fetched a token already expired,
			// leaves the caller the still-valid one.
			now := c.now()
			if (f.err != nil || !now.Before(f.tok.ExpiresOn)) && now.Before(fallback.tok.ExpiresOn) {
				return fallback.tok, nil
			}
		}
		return f.tok, f.err
	case <-ctx.Done():
		c.leave(f)
		if fallback != nil && c.now().Before(fallback.tok.ExpiresOn) {
			return fallback.tok, nil
		}
		return Token{}, ctx.Err()
	}
}

// leave records that one waiter of f has gone. When none is left the fetch is
// cancelled and the flight forgotten, so that the next caller starts afresh
// rather than joining a cancelled fetch.
func (c *Cache) leave(f *flight) {
	c.mu.Lock()
	f.waiters--
	if f.waiters == 0 {
		f.cancel()
		c.dropFlightLocked(f)
	}
	c.mu.Unlock()
}

// run is a flight's goroutine: it calls fetch, stores the token or, on an
// error while a valid token is cached, holds off refreshes for
// RefreshRetryDelay, saves, and then releases the waiters. Saving first
// means a token Token returned is already persisted: a command-line process
// may exit right after.
func (c *Cache) run(ctx context.Context, f *flight, fetch func(context.Context) (Token, error)) {
	key := f.key
	t, err := safeFetch(ctx, fetch)
	f.cancel()
	stored := false
	c.mu.Lock()
	now := c.now()
	if err == nil && f.superseded {
		// DESIGN.md "Claims": the token a claims request got replaces the
		// cached one; this fetch began before it, so it neither replaces it
		// nor is cached, and the waiters get the claims request's token.
		if e := c.entries.Load().get(&key); e != nil {
			if s := e.state.Load(); s != nil && now.Before(s.tok.ExpiresOn) {
				t = s.tok
			}
		}
	} else if err == nil {
		t, stored = c.putLocked(key, t, now)
	}
	if e := c.entries.Load().get(&key); !stored && !f.superseded && e != nil {
		if s := e.state.Load(); s != nil && now.Before(s.tok.ExpiresOn) {
			// DESIGN.md "Refresh": after a failed proactive refresh the
			// next attempt waits 30 s. (A fetched token that had already
			// expired counts as a failure.)
			e.state.Store(newState(s.tok, s.written, now.Add(RefreshRetryDelay)))
		}
	}
	c.mu.Unlock()
	if stored {
		c.saveAfterChange()
	}
	if err != nil {
		t = Token{}
	}
	c.mu.Lock()
	c.dropFlightLocked(f)
	f.tok, f.err = t, err
	close(f.done)
	c.mu.Unlock()
}

// ErrFetchPanicked is returned to every waiter of a fetch that panicked.
// The fetch runs on the cache's goroutine, where no caller could recover
// the panic; the panic value is not kept, since it might hold a secret.
var ErrFetchPanicked = errors.New("cache: the fetch function panicked")

func safeFetch(ctx context.Context, fetch func(context.Context) (Token, error)) (t Token, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = Token{}, ErrFetchPanicked
		}
	}()
	return fetch(ctx)
}

// flightLocked returns key's running flight, or nil. c.mu must be held.
func (c *Cache) flightLocked(key Key) *flight {
	if c.flight != nil && c.flight.key == key {
		return c.flight
	}
	return c.flights[key]
}

// addFlightLocked records f as its key's running flight; the key has none.
// c.mu must be held.
func (c *Cache) addFlightLocked(f *flight) {
	if c.flight == nil {
		c.flight = f
		return
	}
	if c.flights == nil {
		c.flights = make(map[Key]*flight)
	}
	c.flights[f.key] = f
}

// dropFlightLocked forgets f if it is still its key's running flight. c.mu
// must be held.
func (c *Cache) dropFlightLocked(f *flight) {
	if c.flight == f {
		c.flight = nil
	} else if c.flights[f.key] == f {
		delete(c.flights, f.key)
	}
}
