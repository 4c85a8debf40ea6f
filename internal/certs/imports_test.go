package certs

import (
	"go/build"
	"testing"
)

// TestImports keeps this package on the standard library and package
// pkcs12: each import has a reason, and a new one fails until listed here.
func TestImports(t *testing.T) {
	allowed := map[string]string{
		"bytes":          "PEM detection",
		"crypto":         "crypto.PrivateKey",
		"crypto/ecdh":    "naming unsupported key types",
		"crypto/ecdsa":   "naming unsupported key types",
		"crypto/ed25519": "naming unsupported key types",
		"crypto/rsa":     "the signing key type",
		"crypto/x509":    "certificates and PKCS #1 keys",
		"encoding/pem":   "RFC 7468 blocks",
		"errors":         "sentinel errors",
		"fmt":            "error wrapping",
		"strings":        "PEM labels and headers",
		"github.com/azid-go/azid/internal/pkcs12": "PKCS #12 and encrypted PKCS #8",
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
