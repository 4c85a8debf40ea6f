package cache

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/azid-go/azid/internal/localfile"
)

// FileStore is a Store that keeps the serialized cache in one file. It is
// safe for concurrent use, by goroutines and by processes sharing the file.
//
// Load reads the file without locking: Save replaces it by renaming a
// complete temporary file over it, so a reader sees the old file or the new
// one, never part of either.
//
// Save merges rather than overwrites: under an exclusive lock file it reads
// the file, applies the data's deletions and entries to it (per key, the
// later write wins, and a deletion drops the writes before it, as below;
// expired access tokens are dropped), writes the result to
// a temporary file in the same directory with mode 0600 (on Windows, where
// modes mean nothing, the file takes its directory's access control), syncs
// it and renames it over the file. Neither of two processes saving at once loses the other's
// entries. The lock file is path + ".lock", created exclusively (O_EXCL); a
// Save waits up to LockWait for it (ErrLocked after that), and removes one
// older than StaleLock as left behind by a process that died while saving.
// A save holds the lock for milliseconds, so removing a live lock takes a
// writer stalled for over StaleLock; even then the rename keeps the file
// whole and the cost is at most one merge lost. The lock file holds a
// random nonce: a writer removes only its own lock, and a stale lock is
// removed only if it is still the file judged stale (breakStaleLock moves
// it aside before it looks, so that two waiters breaking one stale lock
// cannot remove the fresh lock one of them takes).
//
// A corrupt file (ErrCorrupt, ErrTooLarge) is reported by Load and replaced
// by the next Save. A file of another version (ErrVersion), written by a
// newer azid, is reported by Load and Save and never overwritten.
//
// A deletion (Cache.Delete, Cache.DeleteRefreshToken) stays in the file as a
// tombstone: the key and the time of its latest deletion. Every Save drops
// from the file, and from the data it merges, each entry written at or
// before its key's tombstone, so a process that loaded an entry before
// another process deleted it cannot write it back; an entry written after
// the deletion (a new sign-in, a new token) is kept. That process still
// uses its copy until it loads the file again (Cache.Load drops it) or the
// copy leaves its memory. A tombstone is kept 48 hours for an access token,
// longer than Entra ID's access tokens live, and 90 days for a refresh
// token, as long as Entra ID's refresh tokens live; at most DefaultMaxEntries
// of each kind are kept, the latest. One dated more than 10 minutes after
// the saver's clock is not kept (maxTombstoneAhead), though the saver's own
// still removes what it covers. "Before" and "after" are each writer's wall
// clock, as for "the later write wins"; within one Cache a write that
// follows a deletion is dated after it even when the clock has not moved
// (see Cache.Delete). An azid from before tombstones reads such a file but
// drops the tombstones when it saves.
//
// On Windows a rename over a file another process is reading at that moment
// fails; the Save reports it and the next one retries.
type FileStore struct {
	path string
	now  func() time.Time
}

// ErrLocked is returned by FileStore.Save when another writer holds the
// lock file for longer than LockWait.
var ErrLocked = errors.New("cache: cache file is locked by another writer")

// NewFileStore returns a FileStore for the file at path. Nothing is read or
// created until Load or Save.
func NewFileStore(path string) *FileStore {
	return &FileStore{path: path, now: time.Now}
}

// Path returns the file's path.
func (s *FileStore) Path() string { return s.path }

// Load returns the file's contents, or (nil, nil) when it does not exist.
// A file over MaxFileSize is ErrTooLarge.
func (s *FileStore) Load(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.read()
}

// read reads the file through a limit: nil, nil when it does not exist.
// Something other than a regular file there (a named pipe would block the
// read for ever) is an error, which Save does not replace.
func (s *FileStore) read() ([]byte, error) {
	data, err := localfile.Read(s.path, MaxFileSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case errors.Is(err, localfile.ErrTooLarge):
		return nil, fmt.Errorf("%w: %s", ErrTooLarge, s.path)
	case err != nil:
		return nil, fmt.Errorf("cache: %w", err)
	}
	return data, nil
}

// Save merges data, a serialized cache, into the file (see FileStore).
func (s *FileStore) Save(ctx context.Context, data []byte) error {
	change, err := decode(data)
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()

	old, err := s.read()
	if err != nil && !errors.Is(err, ErrTooLarge) {
		return err
	}
	base, err := decode(old)
	if errors.Is(err, ErrVersion) {
		return fmt.Errorf("%w: %s not overwritten", err, s.path)
	}
	// Anything else undecodable (absent, corrupt, oversize) is replaced.
	out, err := encode(merge(base, change, s.now()), MaxFileSize)
	if err != nil {
		return fmt.Errorf("cache: encoding %s: %w", s.path, err)
	}
	return s.replace(out)
}

// replace writes data to a temporary file beside the file and renames it
// over the file; on failure the temporary file is removed and the file is
// untouched.
func (s *FileStore) replace(data []byte) (err error) {
	dir, base := filepath.Split(s.path)
	tmp, err := os.CreateTemp(dir, base+".*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("cache: %w", err) // *fs.PathError or *os.LinkError: names the file
		}
	}()
	if err = tmp.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.path)
}

// lock takes the lock file, waiting up to LockWait, and returns its release.
func (s *FileStore) lock(ctx context.Context) (func(), error) {
	name := s.path + ".lock"
	deadline := time.Now().Add(LockWait)
	// The lock file names its holder (pid, for a person wondering who holds
	// it) and a random nonce, so that a release removes only its own lock,
	// never one another writer took after a stale lock was broken.
	var nonce [8]byte
	rand.Read(nonce[:])
	mine := fmt.Sprintf("%d %x\n", os.Getpid(), nonce)
	for {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, werr := f.WriteString(mine)
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				os.Remove(name)
				return nil, fmt.Errorf("cache: lock: %w", werr)
			}
			return func() { releaseLock(name, mine) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("cache: lock: %w", err)
		}
		if breakStaleLock(name) {
			continue // left by a writer that died: see FileStore
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w (%s)", ErrLocked, name)
		}
		t := time.NewTimer(lockPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%w (%s): %w", ErrLocked, name, ctx.Err())
		case <-t.C:
		}
	}
}

// releaseLock removes the lock file only if it is still the one this
// writer wrote.
func releaseLock(name, mine string) {
	if b, err := readSmall(name); err == nil && string(b) == mine {
		os.Remove(name)
	}
}

// breakStaleLock removes a lock file older than StaleLock, and reports
// whether it did. Several waiters may judge the same lock stale, and the
// first to break it may take a fresh lock at once; removing by name would
// then remove that live lock. So the file is first renamed aside, to a name
// of this waiter's own, and only then looked at: the stale lock (the same
// file, with the same modification time) is removed; a live lock taken by
// mistake is linked back under the lock's name, which fails only if yet
// another writer has taken a lock in the microseconds between. A rename that
// fails is not retried at once, so a lock that cannot be moved is waited for
// like any other.
func breakStaleLock(name string) bool {
	fi, err := os.Lstat(name)
	if err != nil || !fi.Mode().IsRegular() || time.Since(fi.ModTime()) <= StaleLock {
		return false // a lock file is a regular file; anything else there is waited for
	}
	staleJudged()
	var nonce [8]byte
	rand.Read(nonce[:])
	aside := fmt.Sprintf("%s.%x.stale", name, nonce)
	if os.Rename(name, aside) != nil {
		return false
	}
	taken, err := os.Lstat(aside)
	if err == nil && os.SameFile(fi, taken) && taken.ModTime().Equal(fi.ModTime()) {
		return os.Remove(aside) == nil
	}
	os.Link(aside, name) // put back the live lock; see above
	os.Remove(aside)
	return false
}

// staleJudged is called by breakStaleLock between judging a lock stale and
// moving it aside; tests set it to act as another writer in between.
var staleJudged = func() {}

// readSmall reads a lock file, bounded: it holds a pid and a nonce.
func readSmall(name string) ([]byte, error) {
	return localfile.Read(name, 256)
}
