package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable clock for Options.Now.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

var testKey = Key{
	Authority: "https://login.microsoftonline.com/",
	Tenant:    "72f988bf-86f1-41af-91ab-2d7cd011db47",
	ClientID:  "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
	Scopes:    "https://management.azure.com/.default",
}

var testKeyN1 = keyN(1)

func keyN(i int) Key {
	k := testKey
	k.Scopes = fmt.Sprintf("scope-%d", i)
	return k
}

func tokenFor(now time.Time, value string, life time.Duration) Token {
	return Token{Value: value, TokenType: "Bearer", ExpiresOn: now.Add(life)}
}

// waitFor spins (yielding, never sleeping) until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}

func (c *Cache) waiters(key Key) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.flightLocked(key); f != nil {
		return f.waiters
	}
	return 0
}

func TestScopeKey(t *testing.T) {
	tests := []struct {
		name   string
		scopes []string
		want   string
	}{
		{"none", nil, ""},
		{"one", []string{"https://vault.azure.net/.default"}, "https://vault.azure.net/.default"},
		{"sorted", []string{"b", "a", "c"}, "a b c"},
		{"duplicates", []string{"b", "a", "b", "a"}, "a b"},
		{"empty dropped", []string{"", "a", ""}, "a"},
		{"order independent", []string{"User.Read", "Mail.Send"}, "Mail.Send User.Read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ScopeKey(tc.scopes); got != tc.want {
				t.Errorf("ScopeKey(%q) = %q, want %q", tc.scopes, got, tc.want)
			}
		})
	}
	if n := testing.AllocsPerRun(100, func() { _ = ScopeKey([]string{"a"}) }); n != 0 {
		t.Errorf("ScopeKey of one scope allocates %v times, want 0", n)
	}
}

func TestHashSubject(t *testing.T) {
	const assertion = "eyJhbGciOiJSUzI1NiJ9.user-assertion.sig"
	h := HashSubject(assertion)
	if h != HashSubject(assertion) {
		t.Fatal("HashSubject is not stable")
	}
	if h == HashSubject(assertion+"x") {
		t.Fatal("HashSubject collides on different input")
	}
	if strings.Contains(h, "user-assertion") || len(h) != 44 {
		t.Fatalf("HashSubject = %q, want 44 characters of base64url", h)
	}
}

func TestTokenRedacted(t *testing.T) {
	const secret = "s3cr3t-access-token"
	tok := Token{Value: secret, TokenType: "Bearer", ExpiresOn: time.Unix(1700000000, 0)}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		outs = append(outs, fmt.Sprintf(verb, tok), fmt.Sprintf(verb, &tok))
	}
	outs = append(outs, tok.String(), tok.GoString(), fmt.Sprint(tok), fmt.Sprintln(tok))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("got", "token", tok)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("got", "token", tok)
	outs = append(outs, buf.String())
	for _, s := range outs {
		if strings.Contains(s, secret) || strings.Contains(s, fmt.Sprintf("%x", secret)) {
			t.Errorf("printed token contains its value: %s", s)
		}
	}
	if !strings.Contains(tok.String(), "REDACTED") {
		t.Errorf("String() = %q, want it to say REDACTED", tok.String())
	}
}

func TestRefreshOnRule(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		life      time.Duration
		refreshOn time.Time
		want      time.Time
	}{
		{"24h: half-life", 24 * time.Hour, time.Time{}, now.Add(12 * time.Hour)},
		{"exactly 2h: half-life", 2 * time.Hour, time.Time{}, now.Add(time.Hour)},
		{"just under 2h: 5 min before expiry", 2*time.Hour - time.Second, time.Time{}, now.Add(2*time.Hour - time.Second - 5*time.Minute)},
		{"1h: 5 min before expiry", time.Hour, time.Time{}, now.Add(55 * time.Minute)},
		{"exactly 5 min: due now", 5 * time.Minute, time.Time{}, now},
		{"3 min: due now", 3 * time.Minute, time.Time{}, now},
		{"given refresh_in kept", time.Hour, now.Add(10 * time.Minute), now.Add(10 * time.Minute)},
		{"given past expiry: clamped", time.Hour, now.Add(2 * time.Hour), now.Add(time.Hour)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{}
			clk.ns.Store(now.UnixNano())
			c := New(Options{Now: clk.Now})
			tok := tokenFor(now, "v", tc.life)
			tok.RefreshOn = tc.refreshOn
			c.Put(testKey, tok)
			got, err := c.Token(context.Background(), testKey, false, func(context.Context) (Token, error) {
				return Token{}, errors.New("fetch must not matter")
			})
			if err != nil {
				t.Fatal(err)
			}
			if !got.RefreshOn.Equal(tc.want) {
				t.Errorf("life %v, RefreshOn %v: got RefreshOn %v, want %v", tc.life, tc.refreshOn, got.RefreshOn, tc.want)
			}
		})
	}
}

func TestGet(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	if _, ok := c.Get(testKey); ok {
		t.Fatal("Get on an empty cache hit")
	}
	c.Put(testKey, tokenFor(clk.Now(), "v1", time.Hour)) // refresh at 55 min
	if got, ok := c.Get(testKey); !ok || got.Value != "v1" || got.TokenType != "Bearer" {
		t.Fatalf("Get after Put = %v, %v", got, ok)
	}
	if _, ok := c.Get(keyN(1)); ok {
		t.Fatal("Get of another key hit")
	}
	clk.Advance(55 * time.Minute)
	if _, ok := c.Get(testKey); ok {
		t.Fatal("Get past the refresh time hit")
	}
	clk.Advance(5 * time.Minute)
	if _, ok := c.Get(testKey); ok {
		t.Fatal("Get at expiry hit")
	}
	if n := c.Len(); n != 0 {
		t.Fatalf("Len after expiry = %d, want 0", n)
	}
}

func TestPutExpiredNotStored(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	c.Put(testKey, tokenFor(clk.Now(), "old", 0))
	c.Put(keyN(1), Token{Value: "no expiry"})
	if n := c.Len(); n != 0 {
		t.Fatalf("Len = %d, want 0 (expired tokens are not stored)", n)
	}
}

func TestDelete(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	c.Put(testKey, tokenFor(clk.Now(), "v", time.Hour))
	c.Put(keyN(1), tokenFor(clk.Now(), "w", time.Hour))
	c.Delete(testKey)
	c.Delete(keyN(99))
	if _, ok := c.Get(testKey); ok {
		t.Fatal("Get after Delete hit")
	}
	if _, ok := c.Get(keyN(1)); !ok || c.Len() != 1 {
		t.Fatal("Delete removed another key")
	}
}

func TestTokenHitDoesNotFetch(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	c.Put(testKey, tokenFor(clk.Now(), "v", time.Hour))
	got, err := c.Token(context.Background(), testKey, false, func(context.Context) (Token, error) {
		t.Error("fetch called on a hit")
		return Token{}, nil
	})
	if err != nil || got.Value != "v" {
		t.Fatalf("Token = %v, %v", got, err)
	}
	if _, err := c.Token(context.Background(), testKey, false, nil); !errors.Is(err, ErrNoFetch) {
		t.Fatalf("Token with nil fetch: err = %v, want ErrNoFetch", err)
	}
}

func TestColdKeyOneFetch(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	const callers = 1000
	var calls atomic.Int32
	release := make(chan struct{})
	fetch := func(ctx context.Context) (Token, error) {
		calls.Add(1)
		<-release
		return tokenFor(clk.Now(), "fresh", time.Hour), nil
	}
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.Token(context.Background(), testKey, false, fetch)
			if err == nil && got.Value != "fresh" {
				err = fmt.Errorf("got %v", got)
			}
			errs <- err
		}()
	}
	waitFor(t, "all callers to wait on one flight", func() bool { return c.waiters(testKey) == callers })
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("fetch called %d times for %d callers on a cold key, want 1", n, callers)
	}
}

func TestDistinctKeysFetchOnceEach(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	const keys, perKey = 100, 5
	var mu sync.Mutex
	calls := make(map[Key]int)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < keys*perKey; i++ {
		k := keyN(i % keys)
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.Token(context.Background(), k, false, func(context.Context) (Token, error) {
				mu.Lock()
				calls[k]++
				mu.Unlock()
				<-release
				return tokenFor(clk.Now(), k.Scopes, time.Hour), nil
			})
			if err != nil || got.Value != k.Scopes {
				t.Errorf("Token(%s) = %v, %v", k.Scopes, got, err)
			}
		}()
	}
	waitFor(t, "every key's flight", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		n := len(c.flights)
		if c.flight != nil {
			n++
		}
		return n == keys
	})
	close(release)
	wg.Wait()
	if len(calls) != keys {
		t.Fatalf("fetched %d keys, want %d", len(calls), keys)
	}
	for k, n := range calls {
		if n != 1 {
			t.Errorf("key %s fetched %d times, want 1", k.Scopes, n)
		}
	}
	if c.Len() != keys {
		t.Errorf("Len = %d, want %d", c.Len(), keys)
	}
}

func TestWaiterContextEnds(t *testing.T) {
	for _, first := range []bool{true, false} {
		t.Run(fmt.Sprintf("cancelled caller first=%v", first), func(t *testing.T) {
			clk := newClock()
			c := New(Options{Now: clk.Now})
			release := make(chan struct{})
			fetchErr := make(chan error, 1)
			fetch := func(ctx context.Context) (Token, error) {
				<-release
				fetchErr <- ctx.Err()
				return tokenFor(clk.Now(), "fresh", time.Hour), nil
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			leaving := make(chan error, 1)
			staying := make(chan Token, 1)
			startLeaving := func() {
				go func() {
					_, err := c.Token(ctx, testKey, false, fetch)
					leaving <- err
				}()
			}
			startStaying := func() {
				go func() {
					got, err := c.Token(context.Background(), testKey, false, fetch)
					if err != nil {
						t.Error(err)
					}
					staying <- got
				}()
			}
			if first {
				startLeaving()
				waitFor(t, "first waiter", func() bool { return c.waiters(testKey) == 1 })
				startStaying()
			} else {
				startStaying()
				waitFor(t, "first waiter", func() bool { return c.waiters(testKey) == 1 })
				startLeaving()
			}
			waitFor(t, "two waiters", func() bool { return c.waiters(testKey) == 2 })
			cancel()
			if err := <-leaving; !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled waiter got %v, want context.Canceled", err)
			}
			close(release)
			if got := <-staying; got.Value != "fresh" {
				t.Fatalf("remaining waiter got %v", got)
			}
			if err := <-fetchErr; err != nil {
				t.Fatalf("fetch context ended with a waiter still there: %v", err)
			}
		})
	}
}

func TestLastWaiterGoneCancelsFetch(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	ctx, cancel := context.WithCancel(context.Background())
	fetchEnded := make(chan error, 1)
	done := make(chan error, 1)
	go func() {
		_, err := c.Token(ctx, testKey, false, func(ctx context.Context) (Token, error) {
			<-ctx.Done()
			fetchEnded <- ctx.Err()
			return Token{}, ctx.Err()
		})
		done <- err
	}()
	waitFor(t, "waiter", func() bool { return c.waiters(testKey) == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Token = %v, want context.Canceled", err)
	}
	if err := <-fetchEnded; !errors.Is(err, context.Canceled) {
		t.Fatalf("fetch context: %v, want cancelled once no one waits", err)
	}
	// The next caller starts a new flight rather than joining the dead one.
	got, err := c.Token(context.Background(), testKey, false, func(context.Context) (Token, error) {
		return tokenFor(clk.Now(), "second", time.Hour), nil
	})
	if err != nil || got.Value != "second" {
		t.Fatalf("Token after abandoned flight = %v, %v", got, err)
	}
	// A caller whose context has already ended starts nothing.
	if _, err := c.Token(ctx, keyN(1), false, func(context.Context) (Token, error) {
		t.Error("fetch started for a cancelled caller")
		return Token{}, nil
	}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Token with a cancelled ctx = %v", err)
	}
}

func TestMissErrorToEveryWaiter(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	errFetch := errors.New("oauth2: 401 invalid_client")
	release := make(chan struct{})
	var calls atomic.Int32
	fetch := func(context.Context) (Token, error) {
		calls.Add(1)
		<-release
		return Token{}, errFetch
	}
	const n = 20
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			_, err := c.Token(context.Background(), testKey, false, fetch)
			errs <- err
		}()
	}
	waitFor(t, "waiters", func() bool { return c.waiters(testKey) == n })
	close(release)
	for i := 0; i < n; i++ {
		if err := <-errs; !errors.Is(err, errFetch) {
			t.Fatalf("waiter got %v, want %v", err, errFetch)
		}
	}
	if calls.Load() != 1 || c.Len() != 0 {
		t.Fatalf("calls %d, Len %d; want 1, 0", calls.Load(), c.Len())
	}
}

func TestProactiveRefresh(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	c.Put(testKey, tokenFor(clk.Now(), "old", time.Hour)) // refresh due at 55 min
	clk.Advance(56 * time.Minute)

	started := make(chan struct{})
	release := make(chan struct{})
	var calls atomic.Int32
	fetch := func(context.Context) (Token, error) {
		if calls.Add(1) == 1 {
			close(started)
		}
		<-release
		return tokenFor(clk.Now(), "new", time.Hour), nil
	}
	refresher := make(chan Token, 1)
	go func() {
		got, err := c.Token(context.Background(), testKey, false, fetch)
		if err != nil {
			t.Error(err)
		}
		refresher <- got
	}()
	<-started
	for i := 0; i < 50; i++ {
		got, err := c.Token(context.Background(), testKey, false, fetch)
		if err != nil || got.Value != "old" {
			t.Fatalf("caller during refresh got %v, %v; want the cached token at once", got, err)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = c.Token(context.Background(), testKey, false, fetch) }); n != 0 {
		t.Errorf("Token during another caller's refresh allocates %v times, want 0", n)
	}
	close(release)
	if got := <-refresher; got.Value != "new" {
		t.Fatalf("refresher got %v, want the new token", got)
	}
	if got, ok := c.Get(testKey); !ok || got.Value != "new" {
		t.Fatalf("Get after refresh = %v, %v", got, ok)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("fetch called %d times, want 1", n)
	}
}

func TestFailedRefreshKeepsToken(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	c.Put(testKey, tokenFor(clk.Now(), "old", time.Hour))
	clk.Advance(56 * time.Minute)
	var calls atomic.Int32
	failing := func(context.Context) (Token, error) {
		calls.Add(1)
		return Token{}, errors.New("oauth2: 503")
	}
	got, err := c.Token(context.Background(), testKey, false, failing)
	if err != nil || got.Value != "old" {
		t.Fatalf("refresher after failed refresh got %v, %v; want the cached token, no error", got, err)
	}
	clk.Advance(RefreshRetryDelay - time.Second)
	for i := 0; i < 10; i++ {
		if got, err := c.Token(context.Background(), testKey, false, failing); err != nil || got.Value != "old" {
			t.Fatalf("within retry delay got %v, %v", got, err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("fetch called %d times within %v of a failed refresh, want 1", n, RefreshRetryDelay)
	}
	clk.Advance(time.Second)
	if got, err := c.Token(context.Background(), testKey, false, failing); err != nil || got.Value != "old" {
		t.Fatalf("second failed refresh got %v, %v", got, err)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("fetch called %d times after the retry delay, want 2", n)
	}
	// Once expired, the error is the caller's.
	clk.Advance(5 * time.Minute)
	if _, err := c.Token(context.Background(), testKey, false, failing); err == nil {
		t.Fatal("Token on an expired entry with a failing fetch returned no error")
	}
}

func TestRefresherContextEnds(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	c.Put(testKey, tokenFor(clk.Now(), "old", time.Hour))
	clk.Advance(56 * time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Token, 1)
	go func() {
		got, err := c.Token(ctx, testKey, false, func(ctx context.Context) (Token, error) {
			<-ctx.Done()
			return Token{}, ctx.Err()
		})
		if err != nil {
			t.Error(err)
		}
		done <- got
	}()
	waitFor(t, "refresher", func() bool { return c.waiters(testKey) == 1 })
	cancel()
	if got := <-done; got.Value != "old" {
		t.Fatalf("refresher whose ctx ended got %v, want the still-valid token", got)
	}
}

func TestBypassReplaces(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	c.Put(testKey, tokenFor(clk.Now(), "cached", time.Hour))
	var calls atomic.Int32
	fetch := func(context.Context) (Token, error) {
		calls.Add(1)
		return tokenFor(clk.Now(), fmt.Sprintf("claims-%d", calls.Load()), time.Hour), nil
	}
	for i := 1; i <= 2; i++ {
		got, err := c.Token(context.Background(), testKey, true, fetch)
		if want := fmt.Sprintf("claims-%d", i); err != nil || got.Value != want {
			t.Fatalf("bypass %d = %v, %v; want %s", i, got, err, want)
		}
	}
	if got, ok := c.Get(testKey); !ok || got.Value != "claims-2" {
		t.Fatalf("Get after bypass = %v, %v; want the bypass token", got, ok)
	}
	errFetch := errors.New("oauth2: 400 invalid_grant")
	if _, err := c.Token(context.Background(), testKey, true, func(context.Context) (Token, error) {
		return Token{}, errFetch
	}); !errors.Is(err, errFetch) {
		t.Fatalf("failed bypass = %v, want %v", err, errFetch)
	}
	if got, _ := c.Get(testKey); got.Value != "claims-2" {
		t.Fatalf("failed bypass changed the cache: %v", got)
	}
}

func TestExpiryEviction(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	c.Put(keyN(1), tokenFor(clk.Now(), "short", 10*time.Minute))
	c.Put(keyN(2), tokenFor(clk.Now(), "long", 2*time.Hour))
	clk.Advance(11 * time.Minute)
	c.Put(keyN(3), tokenFor(clk.Now(), "new", time.Hour))
	tab := c.entries.Load()
	if e := tab.get(&testKeyN1); e != nil || tab.n != 2 {
		t.Fatalf("after insert, table holds %d entries (expired one present: %v), want 2 without it", tab.n, e != nil)
	}
}

func TestMaxEntries(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now, MaxEntries: 3})
	lives := []time.Duration{50 * time.Minute, 10 * time.Minute, 40 * time.Minute, 30 * time.Minute, 20 * time.Minute}
	for i, life := range lives {
		c.Put(keyN(i), tokenFor(clk.Now(), "v", life))
	}
	if n := c.Len(); n != 3 {
		t.Fatalf("Len = %d, want 3", n)
	}
	for i, want := range []bool{true, false, true, true, false} {
		k := keyN(i)
		if ok := c.entries.Load().get(&k) != nil; ok != want {
			t.Errorf("key %d (life %v) kept = %v, want %v", i, lives[i], ok, want)
		}
	}
}

func TestRefreshTokens(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now, MaxEntries: 2})
	a := AccountKey{Authority: testKey.Authority, ClientID: testKey.ClientID, HomeAccountID: "uid1.utid"}
	b := a
	b.HomeAccountID = "uid2.utid"
	other := a
	other.ClientID = "other"
	if _, ok := c.RefreshToken(a); ok {
		t.Fatal("RefreshToken on empty cache found one")
	}
	c.PutRefreshToken(b, "rt-b")
	clk.Advance(time.Second)
	c.PutRefreshToken(a, "rt-a")
	if rt, ok := c.RefreshToken(a); !ok || rt != "rt-a" {
		t.Fatalf("RefreshToken = %q, %v", rt, ok)
	}
	if got := c.Accounts(a.Authority, a.ClientID); len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("Accounts = %v, want [%v %v]", got, a, b)
	}
	clk.Advance(time.Second)
	c.PutRefreshToken(other, "rt-o") // evicts b, written first
	if _, ok := c.RefreshToken(b); ok {
		t.Fatal("oldest refresh token not evicted past MaxEntries")
	}
	c.DeleteRefreshToken(a)
	c.PutRefreshToken(other, "")
	if got := c.Accounts(a.Authority, a.ClientID); len(got) != 0 {
		t.Fatalf("Accounts after delete = %v", got)
	}
	if _, ok := c.RefreshToken(other); ok {
		t.Fatal("PutRefreshToken with an empty token did not delete")
	}
}

func TestExpiredTokenFromFetch(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	c.Put(testKey, tokenFor(clk.Now(), "old", time.Hour))
	clk.Advance(56 * time.Minute)
	var calls atomic.Int32
	stale := func(context.Context) (Token, error) {
		calls.Add(1)
		return tokenFor(clk.Now(), "already expired", -time.Second), nil
	}
	if got, err := c.Token(context.Background(), testKey, false, stale); err != nil || got.Value != "old" {
		t.Fatalf("refresh that fetched an expired token = %v, %v; want the cached one", got, err)
	}
	clk.Advance(RefreshRetryDelay - time.Second)
	_, _ = c.Token(context.Background(), testKey, false, stale)
	if calls.Load() != 1 {
		t.Fatalf("fetch called %d times within the retry delay, want 1", calls.Load())
	}
	clk.Advance(time.Second)
	_, _ = c.Token(context.Background(), testKey, false, stale)
	if calls.Load() != 2 {
		t.Fatalf("fetch called %d times after the retry delay, want 2", calls.Load())
	}
	// On a miss, the expired token goes back to the caller, uncached.
	got, err := c.Token(context.Background(), keyN(1), false, stale)
	if err != nil || got.Value != "already expired" || c.Len() != 1 {
		t.Fatalf("miss fetching an expired token = %v, %v, Len %d", got, err, c.Len())
	}
}

func TestHitPathAllocatesNothing(t *testing.T) {
	c := New(Options{}) // the real clock: what production measures
	c.Put(testKey, tokenFor(time.Now(), "v", 24*time.Hour))
	ctx := context.Background()
	if n := testing.AllocsPerRun(1000, func() { _, _ = c.Get(testKey) }); n != 0 {
		t.Errorf("Get allocates %v times per hit, want 0", n)
	}
	if n := testing.AllocsPerRun(1000, func() { _, _ = c.Token(ctx, testKey, false, fetchNever) }); n != 0 {
		t.Errorf("Token allocates %v times per hit, want 0", n)
	}
}

func TestTable(t *testing.T) {
	c := New(Options{})
	seed := c.seed
	for _, n := range []int{0, 1, 5, 6, 7, 100, 1000} {
		var es []*entry
		for i := 0; i < n; i++ {
			k := keyN(i)
			k.CAE = i%2 == 0
			k.Tenant = fmt.Sprint("t", i%7)
			es = append(es, &entry{key: k})
		}
		tab := newTable(seed, es)
		if tab.n != n || len(tab.all()) != n || tab.n*4 > len(tab.slots)*3 {
			t.Fatalf("n=%d: table n %d, all %d, slots %d", n, tab.n, len(tab.all()), len(tab.slots))
		}
		for _, e := range es {
			if got := tab.get(&e.key); got != e {
				t.Fatalf("n=%d: get(%v) = %p, want %p", n, e.key, got, e)
			}
			other := e.key
			other.CAE = !other.CAE
			other.Subject = "x"
			if got := tab.get(&other); got != nil {
				t.Fatalf("n=%d: get of an absent key found %v", n, got.key)
			}
		}
	}
}
