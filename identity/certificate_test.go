package identity

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestParseCertificatesFixtures(t *testing.T) {
	// Thumbprint from shared/testdata/certs/manifest.json for both files.
	const leafSHA256 = "4fb655e895471ed29406c8c058e9b5a52ea6d8b88eb93aa630aded2e309b3ee0"
	for _, tt := range []struct {
		file, password string
	}{
		{"testdata/rsa2048-cert-pkcs8key.pem", ""},
		{"testdata/p12-openssl3-default.p12", "acceptance-pass"},
	} {
		data, err := os.ReadFile(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		certs, key, err := ParseCertificates(data, []byte(tt.password))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		sum := sha256.Sum256(certs[0].Raw)
		if hex.EncodeToString(sum[:]) != leafSHA256 || key == nil {
			t.Errorf("%s: leaf %x", tt.file, sum)
		}
	}
	data, _ := os.ReadFile("testdata/p12-openssl3-default.p12")
	_, _, err := ParseCertificates(data, []byte("wrong-canary-pass"))
	if !errors.Is(err, ErrIncorrectPassword) || strings.Contains(err.Error(), "wrong-canary-pass") {
		t.Fatalf("wrong password: %v", err)
	}
	if _, _, err := ParseCertificates([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), nil); err == nil {
		t.Fatal("an empty certificate parsed")
	}
}
