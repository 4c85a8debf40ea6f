package cache

import (
	"go/build"
	"testing"
)

// TestImports fails when the package gains an import not listed here with
// its reason (STYLE.md: cache uses only the standard library, never net/http).
func TestImports(t *testing.T) {
	allowed := map[string]string{
		"bytes":           "strict JSON decoding from a byte slice",
		"context":         "Token's fetch and waiters; Store",
		"crypto/rand":     "the nonce that marks FileStore's lock as this writer's",
		"crypto/sha256":   "HashSubject",
		"encoding/base64": "HashSubject's text form",
		"encoding/json":   "the stored form",
		"errors":          "sentinel errors",
		"fmt":             "error text and Token's redacted String",
		"hash/maphash":    "the index table's hash (table.go)",
		"io":              "bounded file reads",
		"io/fs":           "fs.ErrNotExist, fs.ErrExist",
		"log/slog":        "Token.LogValue",
		"os":              "FileStore",
		"path/filepath":   "FileStore's temporary file beside the file",
		"slices":          "eviction's sort, which keeps a small table's entries on the stack",
		"sort":            "ScopeKey, stable output",
		"strings":         "ScopeKey, error text",
		"sync":            "the writers' mutex",
		"sync/atomic":     "the lock-free hit path",
		"syscall":         "the hit path's clock: Gettimeofday, one vDSO read (clock_linux_amd64.go)",
		"time":            "expiry and refresh times",
	}
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if _, ok := allowed[imp]; !ok {
			t.Errorf("import %q is not in the allowed list; add it with a reason", imp)
		}
	}
}
