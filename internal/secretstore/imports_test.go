package secretstore

import (
	"go/build"
	"testing"
)

// allowedImports lists every package secretstore may import, with the
// reason (STYLE.md, "Ground"): the standard library only (syscall, not
// golang.org/x/sys), and nothing of azid.
var allowedImports = map[string]string{
	"bytes":           "the output of security, buffers",
	"context":         "timeouts and cancellation of every lookup",
	"encoding/binary": "D-Bus byte orders",
	"encoding/hex":    "the SASL EXTERNAL uid, %-escapes in bus addresses",
	"errors":          "ErrNotFound, ErrUnavailable, errors.As",
	"fmt":             "error texts",
	"io":              "reading whole D-Bus messages",
	"math":            "D-Bus doubles",
	"net":             "the session bus's unix socket",
	"os":              "the uid for SASL EXTERNAL",
	"os/exec":         "running /usr/bin/security",
	"runtime":         "choosing the store of this system",
	"sort":            "reproducible attribute order",
	"strconv":         "the uid, quoting item names",
	"strings":         "text handling",
	"syscall":         "crypt32.dll and advapi32.dll on Windows",
	"time":            "timeouts",
	"unicode/utf8":    "D-Bus strings must be valid UTF-8",
	"unsafe":          "pointers for the Windows calls",
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
				t.Errorf("secretstore imports %q on %s, which is not in allowedImports; add it with a reason, or don't", p, goos)
			}
		}
	}
}
