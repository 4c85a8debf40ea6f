package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCachePrintsNoToken(t *testing.T) {
	c := New(Options{})
	c.PutRefreshToken(AccountKey{Authority: "a", ClientID: "c", HomeAccountID: "h"}, "canary-refresh-token")
	c.Put(Key{Scopes: "s"}, Token{Value: "canary-access-token", ExpiresOn: time.Now().Add(time.Hour)})
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		fmt.Fprintf(&out, verb+"\n", c)
	}
	slog.New(slog.NewTextHandler(&out, nil)).Info("x", "cache", c)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("x", "cache", c)
	for _, canary := range []string{"canary-refresh-token", "canary-access-token"} {
		if strings.Contains(out.String(), canary) {
			t.Fatalf("printing the cache shows %q:\n%s", canary, out.String())
		}
	}
	if !strings.Contains(out.String(), "refresh tokens: 1") {
		t.Errorf("want counts in %s", out.String())
	}
}

func TestFetchPanicIsAnError(t *testing.T) {
	c := New(Options{})
	_, err := c.Token(context.Background(), Key{Scopes: "s"}, false, func(context.Context) (Token, error) {
		panic("canary-panic-value")
	})
	if !errors.Is(err, ErrFetchPanicked) || strings.Contains(err.Error(), "canary") {
		t.Fatalf("err = %v; want ErrFetchPanicked without the panic value", err)
	}
	// The key is free again afterwards.
	tok, err := c.Token(context.Background(), Key{Scopes: "s"}, false, func(context.Context) (Token, error) {
		return Token{Value: "v", ExpiresOn: time.Now().Add(time.Hour)}, nil
	})
	if err != nil || tok.Value != "v" {
		t.Fatalf("after a panic: %v, %v", tok, err)
	}
}

// TestStaleLockThatCannotBeRemoved: a stale lock that cannot be removed
// (here a non-empty directory) is waited for until the context or LockWait
// ends, never spun on.
func TestStaleLockThatCannotBeRemoved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokens.json")
	lock := path + ".lock"
	if err := os.MkdirAll(filepath.Join(lock, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Minute)
	os.Chtimes(lock, old, old)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	c := New(Options{Store: NewFileStore(path)})
	go func() { done <- c.Save(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("err = %v, want ErrLocked", err)
		}
	case <-time.After(LockWait + 5*time.Second):
		t.Fatal("Save did not return: it spins on a lock it cannot break")
	}
}

func TestReleaseRemovesOnlyOwnLock(t *testing.T) {
	name := filepath.Join(t.TempDir(), "x.lock")
	os.WriteFile(name, []byte("123 someone-else\n"), 0o600)
	releaseLock(name, "456 mine\n")
	if _, err := os.Stat(name); err != nil {
		t.Fatal("a release removed another writer's lock")
	}
	os.WriteFile(name, []byte("456 mine\n"), 0o600)
	releaseLock(name, "456 mine\n")
	if _, err := os.Stat(name); err == nil {
		t.Fatal("a release left its own lock")
	}
}
