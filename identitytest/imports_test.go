package identitytest

import (
	"go/build"
	"strings"
	"testing"
)

// allowedImports lists every package identitytest may import, with the
// reason. It uses the standard library and, of azid, only jwt (STYLE.md,
// "Ground"): never identity, oauth2 or cache, so that their tests can use
// it without an import cycle and it stays an independent judge of them.
var allowedImports = map[string]string{
	"github.com/azid-go/azid/jwt": "signing issued tokens, verifying assertions",
	"bytes":                       "JSON buffers",
	"context":                     "passing token claims to a Resource's handler",
	"crypto/rand":                 "codes, refresh tokens, GUIDs",
	"crypto/rsa":                  "the signing key and assertion certificates",
	"crypto/sha1":                 "x5t thumbprints (RFC 7515, Section 4.1.7)",
	"crypto/sha256":               "x5t#S256, PKCE S256, derived object ids",
	"crypto/subtle":               "comparing secrets, passwords and PKCE challenges",
	"crypto/x509":                 "registered certificates, the TLS pool, the test key",
	"encoding/base64":             "thumbprints, client_info, claims challenges, JWKS",
	"encoding/json":               "every request and response body",
	"encoding/pem":                "the built-in test key",
	"errors":                      "errors.As on body read errors",
	"fmt":                         "error texts",
	"io":                          "bounded body reads",
	"log":                         "quieting net/http's log after Close",
	"math":                        "NumericDate fractions",
	"math/big":                    "JWKS exponent",
	"mime":                        "Content-Type parsing",
	"net/http":                    "the server",
	"net/http/httptest":           "the TLS server",
	"net/url":                     "forms and discovery URLs",
	"sort":                        "stable output",
	"strconv":                     "numbers in headers and texts",
	"strings":                     "paths and scopes",
	"sync":                        "the server's state",
	"time":                        "token lifetimes and expiry",
	// The fake developer CLIs (clitools.go, another part of this package).
	"os":            "clitools.go: writing fake CLI scripts",
	"os/exec":       "clitools.go: fake CLI tools",
	"path/filepath": "clitools.go: fake CLI tool paths",
	"runtime":       "clitools.go: per-OS fake CLI scripts",
	// The managed identity, CI OIDC and workload identity fakes
	// (managedidentity.go, mitls.go, oidc.go, workload.go, env.go).
	"crypto/ecdsa":     "mitls.go: Service Fabric's own certificate key (P-256 is fast to make)",
	"crypto/elliptic":  "mitls.go: the P-256 curve for that key",
	"crypto/tls":       "mitls.go: serving Service Fabric's certificate",
	"crypto/x509/pkix": "mitls.go: the certificate's subject name",
	"encoding/hex":     "IDENTITY_SERVER_THUMBPRINT, diagnostic header values",
	"net":              "mitls.go: loopback IP addresses in the certificate",
	"testing":          "env.go: Setenv(t testing.TB) sets the variables with t.Setenv so they are restored when the test ends",
}

func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkg.Imports {
		if _, ok := allowedImports[p]; !ok {
			t.Errorf("identitytest imports %q, which is not in allowedImports; add it with a reason, or don't", p)
		}
	}
	for _, p := range append(pkg.TestImports, pkg.XTestImports...) {
		switch p {
		case "github.com/azid-go/azid/identitytest", "github.com/azid-go/azid/jwt":
			continue
		}
		if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
			t.Errorf("a test imports %q; tests use the standard library and jwt only", p)
		}
	}
}
