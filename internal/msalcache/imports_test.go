package msalcache

import (
	"go/build"
	"testing"
)

// allowedImports lists every package msalcache may import, with the reason
// (STYLE.md, "Ground"): the standard library and the secret stores.
var allowedImports = map[string]string{
	"bytes":         "trimming and sniffing file contents",
	"context":       "cancellation of secret store lookups",
	"encoding/json": "the MSAL cache format",
	"errors":        "sentinels, errors.As",
	"fmt":           "error texts and redacted printing",
	"io":            "bounded file reads",
	"io/fs":         "telling a missing file from an unreadable one",
	"log/slog":      "LogValue without tokens",
	"os":            "reading the cache file",
	"path/filepath": "the cache name from its path",
	"runtime":       "where this system keeps the cache",
	"sort":          "entries and usernames in a stable order",
	"strconv":       "Unix times, quoting usernames",
	"strings":       "hosts, scopes and messages",
	"time":          "access token expiry",
	"github.com/azid-go/azid/internal/secretstore": "the OS secret stores that hold the cache",
}

func TestImports(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows", "freebsd"} {
		ctx := build.Default
		ctx.GOOS = goos
		pkg, err := ctx.ImportDir(".", 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkg.Imports {
			if _, ok := allowedImports[p]; !ok {
				t.Errorf("msalcache imports %q on %s, which is not in allowedImports; add it with a reason, or don't", p, goos)
			}
		}
	}
}
