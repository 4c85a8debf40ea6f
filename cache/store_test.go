package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// memStore is a Store in memory.
type memStore struct {
	mu   sync.Mutex
	data []byte
	err  error
}

func (m *memStore) Load(context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.data, m.err
}

func (m *memStore) Save(_ context.Context, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.data = append([]byte(nil), data...)
	return nil
}

func noFetch(t *testing.T) func(context.Context) (Token, error) {
	return func(context.Context) (Token, error) {
		t.Helper()
		t.Error("fetch called")
		return Token{}, errors.New("no fetch")
	}
}

var testAccount = AccountKey{Authority: testKey.Authority, ClientID: testKey.ClientID, HomeAccountID: "uid.utid"}

// fileStore is NewFileStore on the test clock, which decides what has expired.
func fileStore(path string, clk *clock) *FileStore {
	s := NewFileStore(path)
	s.now = clk.Now
	return s
}

// readDoc decodes the file at path.
func readDoc(t *testing.T, path string) document {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := decode(data)
	if err != nil {
		t.Fatalf("file does not decode: %v", err)
	}
	return d
}

func TestFileStoreRoundTrip(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "sub", "azid.cache")
	a := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
	tok := tokenFor(clk.Now(), "at-secret", time.Hour)
	tok.RefreshOn = clk.Now().Add(30 * time.Minute)
	a.Put(testKey, tok)
	a.Put(keyN(1), tokenFor(clk.Now(), "short", 10*time.Minute))
	a.PutRefreshToken(testAccount, "rt-secret")
	if err := a.StoreErr(); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		for _, p := range []string{path, filepath.Dir(path)} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			want := os.FileMode(0o600)
			if fi.IsDir() {
				want = 0o700
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("%s mode %v, want %v", p, got, want)
			}
		}
	}

	clk.Advance(11 * time.Minute) // keyN(1) has expired: not loaded
	b := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
	got, err := b.Token(context.Background(), testKey, false, noFetch(t))
	if err != nil || got.Value != "at-secret" || !got.RefreshOn.Equal(tok.RefreshOn) || !got.ExpiresOn.Equal(tok.ExpiresOn) {
		t.Fatalf("loaded token = %v, %v; want %v", got, err, tok)
	}
	if rt, ok := b.RefreshToken(testAccount); !ok || rt != "rt-secret" {
		t.Fatalf("loaded refresh token = %q, %v", rt, ok)
	}
	if n := b.Len(); n != 1 {
		t.Fatalf("loaded %d access tokens, want 1 (expired ones are not loaded)", n)
	}
	// A cache that only looks up refresh tokens loads too.
	c := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
	if got := c.Accounts(testAccount.Authority, testAccount.ClientID); len(got) != 1 || got[0] != testAccount {
		t.Fatalf("Accounts from a loaded cache = %v", got)
	}
	// Deletions reach the file, and stay there as tombstones.
	b.Delete(testKey)
	b.DeleteRefreshToken(testAccount)
	if d := readDoc(t, path); len(d.AccessTokens) != 0 || len(d.RefreshTokens) != 0 || len(d.Removed) != 2 {
		t.Fatalf("file after deletes holds %+v", d)
	}
}

// TestFileStoreDeletionSticks: a deletion one process saves is not undone by
// another process that loaded the entry before it and saves after it.
func TestFileStoreDeletionSticks(t *testing.T) {
	tests := []struct {
		name   string
		put    func(c *Cache, now time.Time)
		delete func(c *Cache)
		holds  func(c *Cache) bool
	}{
		{
			name:   "access token",
			put:    func(c *Cache, now time.Time) { c.Put(testKey, tokenFor(now, "at-secret", time.Hour)) },
			delete: func(c *Cache) { c.Delete(testKey) },
			holds:  func(c *Cache) bool { _, ok := c.Get(testKey); return ok },
		},
		{
			name:   "refresh token",
			put:    func(c *Cache, _ time.Time) { c.PutRefreshToken(testAccount, "rt-secret") },
			delete: func(c *Cache) { c.DeleteRefreshToken(testAccount) }, // as after invalid_grant
			holds:  func(c *Cache) bool { _, ok := c.RefreshToken(testAccount); return ok },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			path := filepath.Join(t.TempDir(), "azid.cache")
			a := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
			b := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
			tc.put(a, clk.Now())
			b.waitLoaded() // b holds the entry from now on
			if !tc.holds(b) {
				t.Fatal("b did not load the entry")
			}
			clk.Advance(time.Minute)
			tc.delete(a)
			clk.Advance(time.Minute)
			b.Put(keyN(1), tokenFor(clk.Now(), "other", time.Hour)) // saves all b holds, the deleted entry too
			for _, c := range []*Cache{a, b} {
				if err := c.StoreErr(); err != nil {
					t.Fatal(err)
				}
			}
			c := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
			c.waitLoaded()
			if tc.holds(c) {
				t.Fatalf("the %s deleted by a came back through b's save: file holds %+v", tc.name, readDoc(t, path))
			}
			if n := len(readDoc(t, path).Removed); n != 1 {
				t.Fatalf("file holds %d deletions, want 1", n)
			}
			// b drops its copy when it loads the file again.
			if err := b.Load(context.Background()); err != nil {
				t.Fatal(err)
			}
			if tc.holds(b) {
				t.Fatalf("b still holds the %s after loading the deletion", tc.name)
			}
		})
	}
}

// TestFileStoreWriteAfterDeletionWins: an entry written after a deletion of
// its key (a new sign-in) is kept, and the deletion stays beside it to keep
// out the older copies other processes hold. That holds when the clock has
// not moved between the deletion and the write (a coarse clock), and when it
// has gone back between the first write and the deletion.
func TestFileStoreWriteAfterDeletionWins(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		beforeDelete, before time.Duration // clock moves before the deletion and before the new write
	}{
		{"clock moves", time.Minute, time.Minute},
		{"clock stands still", 0, 0},
		{"clock goes back", -time.Minute, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			path := filepath.Join(t.TempDir(), "azid.cache")
			a := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
			b := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
			a.Put(testKey, tokenFor(clk.Now(), "old", time.Hour))
			a.PutRefreshToken(testAccount, "old-rt")
			b.waitLoaded() // b holds the old entries
			clk.Advance(tc.beforeDelete)
			a.Delete(testKey)
			a.DeleteRefreshToken(testAccount)
			clk.Advance(tc.before)
			a.Put(testKey, tokenFor(clk.Now(), "new", time.Hour))
			a.PutRefreshToken(testAccount, "new-rt")
			clk.Advance(time.Minute)
			b.Put(keyN(1), tokenFor(clk.Now(), "other", time.Hour)) // saves the old entries too
			for _, c := range []*Cache{a, b} {
				if err := c.StoreErr(); err != nil {
					t.Fatal(err)
				}
			}
			d := readDoc(t, path)
			if len(d.Removed) != 2 {
				t.Fatalf("file holds deletions %+v, want the two made by a", d.Removed)
			}
			c := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
			if got, _ := c.RefreshToken(testAccount); got != "new-rt" {
				t.Fatalf("refresh token after the deletion and a new write = %q, want the new one", got)
			}
			if got, _ := c.Get(testKey); got.Value != "new" {
				t.Fatalf("access token after the deletion and a new write = %v, want the new one", got)
			}
		})
	}
}

// noSaveStore loads its data and refuses every save, so that the cache's
// deletions stay unsaved.
type noSaveStore struct {
	mu   sync.Mutex
	data []byte
}

func (s *noSaveStore) Load(context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data, nil
}

func (s *noSaveStore) Save(context.Context, []byte) error { return errors.New("read-only store") }

// TestLoadAppliesDeletions: Load adds no entry that a deletion in the loaded
// data, or an unsaved deletion of the cache, covers, and drops from the cache
// the entries the loaded deletions cover; a Ref to one misses from then on.
func TestLoadAppliesDeletions(t *testing.T) {
	clk := newClock()
	st := &noSaveStore{}
	c := New(Options{Now: clk.Now, Store: st})
	t0 := clk.Now()
	c.Put(keyN(3), tokenFor(t0, "held-deleted", time.Hour))
	c.PutRefreshToken(AccountKey{HomeAccountID: "3"}, "held-deleted-rt")
	ref := c.Ref(keyN(3))
	clk.Advance(time.Minute)
	t1 := clk.Now()
	c.Delete(keyN(5)) // unsaved: the store refuses it
	clk.Advance(time.Minute)
	t2 := clk.Now()
	c.Put(keyN(4), tokenFor(t2, "held-new", time.Hour))

	entry := func(i int, secret string, written time.Time) storedToken {
		return storedToken{storedKey: toStoredKey(keyN(i)), Secret: secret, ExpiresOn: t0.Add(time.Hour), Written: written}
	}
	refresh := func(id, secret string, written time.Time) storedRefresh {
		return storedRefresh{storedAccount: toStoredAccount(AccountKey{HomeAccountID: id}), Secret: secret, Written: written}
	}
	d := document{
		AccessTokens: []storedToken{
			entry(1, "stored-deleted", t0), entry(2, "stored-new", t2),
			entry(5, "deleted-here", t0), entry(6, "stored", t0),
		},
		RefreshTokens: []storedRefresh{refresh("1", "stored-deleted-rt", t0), refresh("2", "stored-rt", t0)},
		Removed: []storedRemoval{
			tokenRemoval(keyN(1), t1), tokenRemoval(keyN(2), t1), tokenRemoval(keyN(3), t1), tokenRemoval(keyN(4), t1),
			accountRemoval(AccountKey{HomeAccountID: "1"}, t1), accountRemoval(AccountKey{HomeAccountID: "3"}, t1),
		},
	}
	data, err := encode(d, MaxFileSize)
	if err != nil {
		t.Fatal(err)
	}
	st.mu.Lock()
	st.data = data
	st.mu.Unlock()
	clk.Advance(time.Minute)
	if err := c.Load(context.Background()); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		i    int
		want string // "": none
	}{{1, ""}, {2, "stored-new"}, {3, ""}, {4, "held-new"}, {5, ""}, {6, "stored"}} {
		if got, _ := c.Get(keyN(tc.i)); got.Value != tc.want {
			t.Errorf("access token %d after Load = %q, want %q", tc.i, got.Value, tc.want)
		}
	}
	if got, ok := ref.Get(); ok {
		t.Errorf("a Ref to a token the loaded data deletes still hits: %v", got)
	}
	for _, tc := range []struct{ id, want string }{{"1", ""}, {"2", "stored-rt"}, {"3", ""}} {
		if got, _ := c.RefreshToken(AccountKey{HomeAccountID: tc.id}); got != tc.want {
			t.Errorf("refresh token %s after Load = %q, want %q", tc.id, got, tc.want)
		}
	}
}

func TestFileStoreConcurrentWriters(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "azid.cache")
	const writers, each = 3, 15
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		c := New(Options{Now: clk.Now, Store: fileStore(path, clk)}) // one store per writer, as two processes
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				c.Put(keyN(w*each+i), tokenFor(clk.Now(), "v", time.Hour))
				c.PutRefreshToken(AccountKey{HomeAccountID: fmt.Sprintf("%d.%d", w, i)}, "rt")
			}
			if err := c.StoreErr(); err != nil {
				t.Error(err)
			}
		}(w)
	}
	wg.Wait()
	d := readDoc(t, path)
	if len(d.AccessTokens) != writers*each || len(d.RefreshTokens) != writers*each {
		t.Fatalf("file holds %d access and %d refresh tokens, want %d each", len(d.AccessTokens), len(d.RefreshTokens), writers*each)
	}
	assertNoTemp(t, path)
}

// TestFileStoreProcesses runs writers in child processes (this test binary,
// re-run as TestFileStoreHelper) against one file.
func TestFileStoreProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	path := filepath.Join(t.TempDir(), "azid.cache")
	const procs, each = 3, 20
	cmds := make([]*exec.Cmd, procs)
	for p := range cmds {
		cmd := exec.Command(exe, "-test.run=^TestFileStoreHelper$")
		cmd.Env = append(os.Environ(), "AZID_CACHE_HELPER="+path, "AZID_CACHE_HELPER_ID="+strconv.Itoa(p), "AZID_CACHE_HELPER_N="+strconv.Itoa(each))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[p] = cmd
		t.Cleanup(func() {
			if t.Failed() {
				t.Log(out.String())
			}
		})
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper process: %v", err)
		}
	}
	d := readDoc(t, path)
	if len(d.AccessTokens) != procs*each {
		t.Fatalf("file holds %d access tokens from %d processes, want %d", len(d.AccessTokens), procs, procs*each)
	}
	assertNoTemp(t, path)
}

func TestFileStoreHelper(t *testing.T) {
	path := os.Getenv("AZID_CACHE_HELPER")
	if path == "" {
		t.Skip("helper process for TestFileStoreProcesses")
	}
	id, _ := strconv.Atoi(os.Getenv("AZID_CACHE_HELPER_ID"))
	n, _ := strconv.Atoi(os.Getenv("AZID_CACHE_HELPER_N"))
	c := New(Options{Store: NewFileStore(path)})
	for i := 0; i < n; i++ {
		c.Put(keyN(id*1000+i), tokenFor(time.Now(), "v", time.Hour))
		if err := c.StoreErr(); err != nil {
			t.Fatal(err)
		}
	}
}

func assertNoTemp(t *testing.T, path string) {
	t.Helper()
	names, err := filepath.Glob(path + ".*")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 0 {
		t.Fatalf("left behind: %v", names)
	}
}

func TestFileStoreLaterWriteWins(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "azid.cache")
	a := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
	b := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
	a.Put(testKey, tokenFor(clk.Now(), "first", time.Hour))
	b.PutRefreshToken(testAccount, "b-rt") // b loaded a's token first
	clk.Advance(time.Minute)
	a.Put(testKey, tokenFor(clk.Now(), "second", time.Hour))
	b.Put(keyN(1), tokenFor(clk.Now(), "other", time.Hour)) // b's copy of testKey is older
	d := readDoc(t, path)
	for _, tok := range d.AccessTokens {
		if tok.key() == testKey && tok.Secret != "second" {
			t.Fatalf("older write replaced newer: %q", tok.Secret)
		}
	}
	if len(d.AccessTokens) != 2 || len(d.RefreshTokens) != 1 {
		t.Fatalf("file holds %d access, %d refresh tokens; want 2, 1", len(d.AccessTokens), len(d.RefreshTokens))
	}
	// Cache.Load picks up the other writer's entries.
	if err := b.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.Get(testKey); got.Value != "second" {
		t.Fatalf("after Load, b has %v", got)
	}
}

func TestFileStoreAtomic(t *testing.T) {
	clk := newClock()
	dir := t.TempDir()
	path := filepath.Join(dir, "azid.cache")
	c := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
	c.Put(testKey, tokenFor(clk.Now(), "v", time.Hour))
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := fileStore(path, clk)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"not JSON", []byte("{not json"), ErrCorrupt},
		{"no version", []byte(`{"access_tokens":[]}`), ErrCorrupt},
		{"newer version", []byte(`{"version":2}`), ErrVersion},
		{"oversize", bytes.Repeat([]byte(" "), MaxFileSize+1), ErrTooLarge},
		{"token without secret", []byte(`{"version":1,"access_tokens":[{"expires_on":"2030-01-01T00:00:00Z"}]}`), ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Save(context.Background(), tc.data); !errors.Is(err, tc.want) {
				t.Fatalf("Save(%s) = %v, want %v", tc.name, err, tc.want)
			}
			after, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(before, after) {
				t.Fatalf("file changed by a failed Save (%v)", err)
			}
			assertNoTemp(t, path)
		})
	}
	// A Save that fails at the rename (the target is a directory) leaves no
	// temporary file.
	target := filepath.Join(dir, "isdir")
	if err := os.Mkdir(target, 0o700); err != nil {
		t.Fatal(err)
	}
	good, _ := encode(document{}, MaxFileSize)
	if err := NewFileStore(target).Save(context.Background(), good); err == nil {
		t.Fatal("Save over a directory succeeded")
	}
	assertNoTemp(t, target)
}

func TestFileStoreBadFiles(t *testing.T) {
	tests := []struct {
		name        string
		content     []byte
		want        error
		overwritten bool
	}{
		{"corrupt", []byte("\x00garbage{"), ErrCorrupt, true},
		{"truncated", []byte(`{"version":1,"access_tokens":[{"secret":"x"`), ErrCorrupt, true},
		{"unknown field", []byte(`{"version":1,"surprise":true}`), ErrCorrupt, true},
		{"newer version", []byte(`{"version":7,"whatever":{}}`), ErrVersion, false},
		{"oversize", append([]byte(`{"version":1}`), bytes.Repeat([]byte(" "), MaxFileSize)...), ErrTooLarge, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			path := filepath.Join(t.TempDir(), "azid.cache")
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			var reported []error
			var mu sync.Mutex
			c := New(Options{Now: clk.Now, Store: fileStore(path, clk), OnStoreError: func(err error) {
				mu.Lock()
				reported = append(reported, err)
				mu.Unlock()
			}})
			got, err := c.Token(context.Background(), testKey, false, func(context.Context) (Token, error) {
				return tokenFor(clk.Now(), "fetched", time.Hour), nil
			})
			if err != nil || got.Value != "fetched" {
				t.Fatalf("Token over a bad file = %v, %v; want a fetched token", got, err)
			}
			mu.Lock()
			first := reported[0] // the lazy load's; the save after the fetch may add more
			mu.Unlock()
			if !errors.Is(first, tc.want) {
				t.Fatalf("reported %v first, want %v", first, tc.want)
			}
			if !strings.HasPrefix(first.Error(), "cache: load: ") || strings.Count(first.Error(), "cache:") != 1 {
				t.Errorf("error text %q, want one \"cache: load: \" prefix", first)
			}
			if err := c.Save(context.Background()); (err == nil) != tc.overwritten {
				t.Fatalf("Save over %s: %v", tc.name, err)
			}
			after, _ := os.ReadFile(path)
			if tc.overwritten {
				readDoc(t, path)
			} else if !bytes.Equal(after, tc.content) {
				t.Fatal("a file of another version was overwritten")
			}
		})
	}
}

func TestFileStoreLock(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "azid.cache")
	s := NewFileStore(path)
	data, _ := encode(document{AccessTokens: []storedToken{{
		storedKey: toStoredKey(testKey), Secret: "v", ExpiresOn: clk.Now().Add(time.Hour), Written: clk.Now(),
	}}}, MaxFileSize)
	s.now = clk.Now

	// A live lock: Save waits, then gives up when its ctx ends.
	if err := os.WriteFile(path+".lock", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Save(ctx, data); !errors.Is(err, ErrLocked) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Save under a live lock = %v, want ErrLocked and DeadlineExceeded", err)
	}
	// A stale lock is broken.
	old := time.Now().Add(-2 * StaleLock)
	if err := os.Chtimes(path+".lock", old, old); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(context.Background(), data); err != nil {
		t.Fatalf("Save with a stale lock = %v", err)
	}
	if d := readDoc(t, path); len(d.AccessTokens) != 1 {
		t.Fatalf("file holds %d tokens, want 1", len(d.AccessTokens))
	}
	assertNoTemp(t, path)
}

func TestStoreErrors(t *testing.T) {
	clk := newClock()
	boom := errors.New("vault unreachable")
	st := &memStore{err: boom}
	var reported atomic.Int32
	c := New(Options{Now: clk.Now, Store: st, OnStoreError: func(error) { reported.Add(1) }})
	c.Put(testKey, tokenFor(clk.Now(), "v", time.Hour))
	if err := c.StoreErr(); !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "cache: save: ") {
		t.Fatalf("StoreErr = %v", err)
	}
	if reported.Load() != 2 { // the lazy load, then the save
		t.Fatalf("OnStoreError called %d times, want 2", reported.Load())
	}
	if _, ok := c.Get(testKey); !ok {
		t.Fatal("a failed save lost the token from memory")
	}
	st.mu.Lock()
	st.err = nil
	st.mu.Unlock()
	if err := c.Save(context.Background()); err != nil || c.StoreErr() != nil {
		t.Fatalf("Save after the store recovered = %v, StoreErr %v", err, c.StoreErr())
	}
	// Deletion tombstones are sent until a save succeeds, then forgotten.
	c.Delete(testKey)
	d, err := decode(st.data)
	if err != nil || len(d.Removed) != 1 || len(d.AccessTokens) != 0 {
		t.Fatalf("saved after Delete: %+v, %v", d, err)
	}
	c.Put(keyN(1), tokenFor(clk.Now(), "w", time.Hour))
	if d, _ := decode(st.data); len(d.Removed) != 0 {
		t.Fatalf("removal saved twice: %+v", d.Removed)
	}
}

func TestLazyLoadWaiterContext(t *testing.T) {
	release := make(chan struct{})
	st := &blockingStore{release: release}
	c := New(Options{Store: st})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Token(ctx, testKey, false, noFetch(t)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Token while the store loads, ctx ended = %v", err)
	}
	close(release)
	got, err := c.Token(context.Background(), testKey, false, func(context.Context) (Token, error) {
		return tokenFor(time.Now(), "v", time.Hour), nil
	})
	if err != nil || got.Value != "v" {
		t.Fatalf("Token after load = %v, %v", got, err)
	}
}

type blockingStore struct{ release chan struct{} }

func (b *blockingStore) Load(ctx context.Context) ([]byte, error) {
	<-b.release
	return nil, ctx.Err() // the load's context is not the caller's: nil here
}

func (b *blockingStore) Save(context.Context, []byte) error { return nil }

func TestTokenSavedBeforeReturn(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "azid.cache")
	c := New(Options{Now: clk.Now, Store: fileStore(path, clk)})
	if _, err := c.Token(context.Background(), testKey, false, func(context.Context) (Token, error) {
		return tokenFor(clk.Now(), "fetched", time.Hour), nil
	}); err != nil {
		t.Fatal(err)
	}
	if d := readDoc(t, path); len(d.AccessTokens) != 1 || d.AccessTokens[0].Secret != "fetched" {
		t.Fatalf("file after Token returned holds %+v", d.AccessTokens)
	}
}

// TestBreakStaleLockSparesLiveLock: when another writer breaks the stale
// lock and takes a fresh one between this waiter's judging it stale and
// moving it aside, the fresh lock stays. That gap is the only one left:
// the move is atomic and what it took is checked after. (The code before
// checked and then removed by name, and a fresh lock made between the two
// was removed: a review's stress test, eight writers breaking one stale
// lock, lost one merge in a few hundred runs.)
func TestBreakStaleLockSparesLiveLock(t *testing.T) {
	name := filepath.Join(t.TempDir(), "c.json.lock")
	if err := os.WriteFile(name, []byte("dead\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Minute)
	if err := os.Chtimes(name, old, old); err != nil {
		t.Fatal(err)
	}
	defer func(f func()) { staleJudged = f }(staleJudged)
	staleJudged = func() { // another waiter breaks the stale lock and takes its own
		os.Remove(name)
		os.WriteFile(name, []byte("live\n"), 0o600)
	}
	if breakStaleLock(name) {
		t.Error("breakStaleLock reported breaking a lock taken after it judged the old one stale")
	}
	if b, err := os.ReadFile(name); err != nil || string(b) != "live\n" {
		t.Fatalf("the live lock is gone or changed: %q, %v", b, err)
	}
	if m, _ := filepath.Glob(name + ".*"); len(m) != 0 {
		t.Errorf("left behind %v", m)
	}

	// Without another writer, the stale lock is broken and nothing is left.
	staleJudged = func() {}
	if err := os.Chtimes(name, old, old); err != nil {
		t.Fatal(err)
	}
	if !breakStaleLock(name) {
		t.Fatal("a stale lock was not broken")
	}
	if _, err := os.Lstat(name); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the stale lock is still there: %v", err)
	}
	if m, _ := filepath.Glob(name + ".*"); len(m) != 0 {
		t.Errorf("left behind %v", m)
	}
}
