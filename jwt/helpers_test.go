package jwt

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"strings"
	"sync"
	"testing"
)

// testdataPEM is the fixture every test signs with; see testdata/README.
const testdataPEM = "testdata/rsa2048-cert-pkcs8key.pem"

var (
	fixtureOnce sync.Once
	fixtureCert []byte
	fixtureKey  *rsa.PrivateKey
	fixtureErr  string
)

// fixture returns the certificate DER and RSA key of testdataPEM. A missing
// or unreadable file fails the test: tests never run without their data.
func fixture(t testing.TB) ([]byte, *rsa.PrivateKey) {
	t.Helper()
	fixtureOnce.Do(func() {
		data, err := os.ReadFile(testdataPEM)
		if err != nil {
			fixtureErr = err.Error()
			return
		}
		for {
			var block *pem.Block
			block, data = pem.Decode(data)
			if block == nil {
				break
			}
			switch block.Type {
			case "CERTIFICATE":
				fixtureCert = block.Bytes
			case "PRIVATE KEY":
				k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
				if err != nil {
					fixtureErr = err.Error()
					return
				}
				fixtureKey, _ = k.(*rsa.PrivateKey)
			}
		}
		if fixtureCert == nil || fixtureKey == nil {
			fixtureErr = "no certificate or no RSA key in " + testdataPEM
		}
	})
	if fixtureErr != "" {
		t.Fatalf("loading %s: %s", testdataPEM, fixtureErr)
	}
	return fixtureCert, fixtureKey
}

// enc is base64url without padding, for building tokens by hand.
func enc(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// join builds a compact token from its three segments.
func join(parts ...string) string { return strings.Join(parts, ".") }
