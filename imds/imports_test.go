package imds

import (
	"go/build"
	"testing"
)

// TestImports fails on any import not listed here with its reason.
func TestImports(t *testing.T) {
	allowed := map[string]string{
		"bytes":                                 "searching response bodies",
		"context":                               "deadlines and cancellation of every request",
		"crypto/sha1":                           "Service Fabric thumbprint (PROTOCOL.md 7.7)",
		"crypto/subtle":                         "constant-time thumbprint comparison",
		"crypto/tls":                            "Service Fabric certificate pinning",
		"encoding/hex":                          "decoding IDENTITY_SERVER_THUMBPRINT",
		"encoding/json":                         "token and error bodies",
		"errors":                                "error values",
		"fmt":                                   "error messages",
		"io":                                    "bounded key file read",
		"io/fs":                                 "the HIMDS stat",
		"log/slog":                              "LogValue on Token and Source, which redacts",
		"math":                                  "range checks of numeric fields",
		"net":                                   "a dialer with a timeout for the fallback transport",
		"net/http":                              "the requests",
		"net/url":                               "endpoints and query strings",
		"os":                                    "the Arc key file and the HIMDS stat",
		"path/filepath":                         "the Arc key file path checks",
		"runtime":                               "the per-OS Arc directories",
		"strconv":                               "numbers in responses",
		"strings":                               "text handling",
		"time":                                  "expiry and retry delays",
		"unicode":                               "control characters in service text",
		"unicode/utf8":                          "cutting service text on a character boundary",
		"github.com/azid-go/azid/internal/send": "the bounded HTTP exchange and retry arithmetic shared with oauth2",
	}
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if _, ok := allowed[imp]; !ok {
			t.Errorf("import %q is not allowed; add it here with its reason if it must be", imp)
		}
	}
}
