package identity

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
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

// FuzzParseCertificates: ParseCertificates on any bytes and password never
// panics, returns zero values with an error, and on success returns a
// certificate whose public key matches the RSA key it returns, first.
// (internal/certs has the deeper FuzzParse, over PKCS#12 too with its
// iteration bound lowered so that each input is fast; here a whole PKCS#12
// seed would spend its time in PBKDF2, so the PKCS#12 seed is cut short.)
func FuzzParseCertificates(f *testing.F) {
	pem, err := os.ReadFile("testdata/rsa2048-cert-pkcs8key.pem")
	if err != nil {
		f.Fatal(err)
	}
	p12, err := os.ReadFile("testdata/p12-openssl3-default.p12")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pem, []byte(nil))
	f.Add(pem[:len(pem)/2], []byte(""))
	f.Add(p12[:64], []byte("acceptance-pass"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), []byte(nil))
	f.Fuzz(func(t *testing.T, data, password []byte) {
		certs, key, err := ParseCertificates(data, password)
		if err != nil {
			if certs != nil || key != nil {
				t.Fatalf("error %v with non-zero results", err)
			}
			return
		}
		rk, ok := key.(*rsa.PrivateKey)
		if !ok || len(certs) == 0 {
			t.Fatalf("success without an RSA key and a certificate: %T, %d", key, len(certs))
		}
		if pub, ok := certs[0].PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(&rk.PublicKey) {
			t.Fatal("the first certificate does not hold the key's public key")
		}
	})
}

// TestCertificateCredentialNilInputs: a nil certificate in the chain and a
// nil or empty RSA key are ErrInvalidArgument, not a panic.
func TestCertificateCredentialNilInputs(t *testing.T) {
	certs, key := loadTestCertificate(t)
	for _, tc := range []struct {
		name  string
		certs []*x509.Certificate
		key   crypto.PrivateKey
	}{
		{"nil certificate in chain", []*x509.Certificate{nil, certs[0]}, key},
		{"typed nil key", certs, (*rsa.PrivateKey)(nil)},
		{"empty rsa key", certs, &rsa.PrivateKey{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("NewClientCertificateCredential panicked: %v", r)
				}
			}()
			_, err := NewClientCertificateCredential(testTenant, testClientID, tc.certs, tc.key, nil)
			if !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("err = %v, want ErrInvalidArgument", err)
			}
		})
	}
}
