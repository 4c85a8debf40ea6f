package oauth2

import (
	"go/build"
	"testing"
)

// TestImports lists every package the production code of oauth2 may import,
// with the reason, and fails on any other (STYLE.md: imports point one way).
func TestImports(t *testing.T) {
	allowed := map[string]string{
		"bytes":                                 "trimming bodies, encoding merged claims",
		"context":                               "cancellation of every request",
		"crypto/rand":                           "client-request-id UUIDs",
		"crypto/tls":                            "telling permanent TLS failures from transient ones",
		"crypto/x509":                           "the same, for certificate errors",
		"encoding/base64":                       "client_info",
		"encoding/json":                         "token, error and device responses; claims",
		"errors":                                "error values",
		"fmt":                                   "error messages and redacted printing",
		"io":                                    "request bodies",
		"log/slog":                              "optional logging without secrets",
		"math/rand/v2":                          "retry jitter",
		"mime":                                  "the media type of a non-JSON error body",
		"net/http":                              "the token endpoint",
		"net/url":                               "authority checks and forms",
		"runtime":                               "the User-Agent's Go version and OS",
		"strconv":                               "numbers in responses and errors",
		"strings":                               "text handling",
		"sync":                                  "one instance discovery per Client",
		"time":                                  "expiry, retry delays",
		"unicode/utf8":                          "cleaning server text",
		"github.com/azid-go/azid/internal/send": "bounded HTTP exchange and retry arithmetic",
	}
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if _, ok := allowed[imp]; !ok {
			t.Errorf("oauth2 imports %q, which is not on the list; add it with a reason or drop it", imp)
		}
	}
}
