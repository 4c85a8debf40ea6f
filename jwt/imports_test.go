package jwt

import (
	"go/build"
	"strings"
	"testing"
)

// allowedImports lists every package jwt may import, with the reason. jwt
// uses the standard library only and never net/http (STYLE.md, "Ground").
var allowedImports = map[string]string{
	"bytes":           "trimming and reading JSON",
	"crypto":          "the SHA-256 hash identifier for crypto/rsa",
	"crypto/rand":     "PSS salts, RSA blinding, jti",
	"crypto/rsa":      "RS256 and PS256",
	"crypto/sha1":     "x5t thumbprints (RFC 7515, Section 4.1.7)",
	"crypto/sha256":   "signing input digests and x5t#S256",
	"crypto/x509":     "checking that certs[0] holds the signing key",
	"encoding/base64": "base64url segments and x5c",
	"encoding/hex":    "jti text",
	"encoding/json":   "header and claims",
	"errors":          "sentinel errors",
	"fmt":             "error messages",
	"io":              "io.EOF from the JSON decoder",
	"strings":         "splitting tokens",
	"time":            "assertion lifetimes",
	"unicode/utf8":    "UTF-8 checks of header and payload",
}

func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkg.Imports {
		if _, ok := allowedImports[p]; !ok {
			t.Errorf("jwt imports %q, which is not in allowedImports; add it with a reason, or don't", p)
		}
	}
	for _, p := range append(pkg.TestImports, pkg.XTestImports...) {
		if p == "github.com/azid-go/azid/jwt" { // the example test imports the package itself
			continue
		}
		if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
			t.Errorf("a test imports %q; tests use the standard library only", p)
		}
		if p == "net/http" {
			t.Errorf("a test imports net/http; jwt has no network")
		}
	}
}
