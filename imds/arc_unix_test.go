//go:build unix

package imds

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestArcNeverOpensRefusedFile proves "refused without being read" where
// it can be observed: each refused realm names a FIFO, and opening a FIFO
// for reading blocks until a writer comes. A check made after opening
// would hang here instead of failing fast.
func TestArcNeverOpensRefusedFile(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	fifo := func(path string) string {
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Skipf("cannot make a FIFO: %v", err)
		}
		return path
	}
	outsideFIFO := fifo(filepath.Join(outside, "x.key"))
	link := filepath.Join(dir, "link.key")
	if err := os.Symlink(outsideFIFO, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, realm string }{
		{"outside the directory", outsideFIFO},
		{"other extension", fifo(filepath.Join(dir, "x.txt"))},
		{"symbolic link", link},
		{"not a regular file", fifo(filepath.Join(dir, "pipe.key"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newEndpoint(t, false, reply{status: 401, header: map[string]string{"WWW-Authenticate": "Basic realm=" + tt.realm}})
			s := mustNew(t, arcConfig(f, dir, ID{}))
			done := make(chan error, 1)
			go func() {
				_, err := s.Token(context.Background(), testResource)
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("a refused realm gave a token")
				}
			case <-time.After(10 * time.Second):
				// The goroutine stays blocked in open(2); the test binary
				// ends anyway.
				t.Fatalf("Token opened %s before refusing it", tt.realm)
			}
		})
	}
}
