package certs

import (
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/azid-go/azid/internal/pkcs12"
)

// fuzzDecoder caps PKCS #12 iterations at the seeds' 2048 so one input
// cannot spin.
var fuzzDecoder = pkcs12.Decoder{MaxIterations: 2048}

var sentinels = []error{ErrNoPrivateKey, ErrNoCertificate, ErrKeyMismatch, ErrUnsupportedKey,
	ErrIncorrectPassword, ErrUnsupportedAlgorithm, ErrLimit, ErrMultipleKeys, ErrMalformed}

// FuzzParse feeds Parse mutated PEM and PKCS #12 files (every fixture of
// both manifests with its password): no panic, no hang, zero values with
// every error and every error a sentinel; on success the first certificate
// matches the RSA key.
func FuzzParse(f *testing.F) {
	n := 0
	for _, m := range []string{"testdata/manifest.json", "testdata/extra/manifest.json"} {
		for _, fx := range loadManifest(f, m) {
			data, err := os.ReadFile(filepath.Join(filepath.Dir(m), fx.File))
			if err != nil {
				f.Fatal(err)
			}
			var pw []byte
			if fx.Password != nil {
				pw = []byte(*fx.Password)
			}
			f.Add(data, pw)
			n++
		}
	}
	if n < 40 {
		f.Fatalf("seed loader found %d fixtures", n)
	}
	f.Fuzz(func(t *testing.T, data, password []byte) {
		certs, key, err := parse(data, password, fuzzDecoder)
		if err != nil {
			if certs != nil || key != nil {
				t.Fatal("values returned with an error")
			}
			for _, s := range sentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error %v wraps no sentinel", err)
		}
		rk, ok := key.(*rsa.PrivateKey)
		if !ok || len(certs) == 0 {
			t.Fatalf("key %T, %d certificates", key, len(certs))
		}
		if !rk.PublicKey.Equal(certs[0].PublicKey) {
			t.Fatal("first certificate does not match the key")
		}
	})
}

// BenchmarkParseOpenSSL3Default parses the OpenSSL 3 default file: MAC
// (Appendix B KDF, SHA-256, 2048 iterations) plus two PBKDF2-HMAC-SHA256
// derivations of 2048 iterations, then the RSA key and certificate.
func BenchmarkParseOpenSSL3Default(b *testing.B) {
	data, err := os.ReadFile("testdata/p12-openssl3-default.p12")
	if err != nil {
		b.Fatal(err)
	}
	password := []byte("acceptance-pass")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := Parse(data, password); err != nil {
			b.Fatal(err)
		}
	}
}
