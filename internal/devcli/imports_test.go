package devcli

import (
	"go/build"
	"testing"
)

// allowedImports lists every package devcli may import, with the reason
// (STYLE.md, "Ground"). Tests may also use identitytest's fake tools.
var allowedImports = map[string]string{
	"github.com/azid-go/azid/internal/process": "running the tools, Scrub",
	"context":         "cancelling a run",
	"encoding/base64": "claims and -EncodedCommand",
	"encoding/binary": "UTF-16LE for -EncodedCommand",
	"encoding/json":   "the tools' output",
	"errors":          "classifying run errors",
	"fmt":             "error texts",
	"log/slog":        "Token.LogValue",
	"os/exec":         "exec.LookPath for PowerShellExecutable",
	"runtime":         "which PowerShell to run",
	"strings":         "matching the tools' texts",
	"time":            "expiry times, timeouts",
	"unicode/utf16":   "-EncodedCommand is UTF-16LE",
	"unicode/utf8":    "cutting messages on a character boundary",
}

func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkg.Imports {
		if _, ok := allowedImports[p]; !ok {
			t.Errorf("devcli imports %q, which is not in allowedImports; add it with a reason, or don't", p)
		}
	}
}
