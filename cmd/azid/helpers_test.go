package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/azid-go/azid/identitytest"
	"github.com/azid-go/azid/jwt"
)

func sampleJWT(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Sign(jwt.Header{Alg: jwt.RS256, Typ: "JWT"}, map[string]any{"sub": "demo", "exp": 1}, key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// writePEM writes the fake Entra ID's certificate for SSL_CERT_FILE, so the
// default HTTP client of a credential built from the environment trusts it.
func writePEM(t *testing.T, s *identitytest.Server) string {
	path := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
