package certs

import (
	"bytes"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseEdges covers cases the manifests do not: empty and oversized
// input, the certificate limit, and secrets kept out of errors.
func TestParseEdges(t *testing.T) {
	certOnly, err := os.ReadFile("testdata/cert-only.pem")
	if err != nil {
		t.Fatal(err)
	}
	keyOnly, err := os.ReadFile("testdata/key-only.pem")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"over MaxInputSize", append([]byte("-----BEGIN CERTIFICATE-----\n"), make([]byte, MaxInputSize)...), ErrLimit},
		{"certificates at the limit", append(bytes.Repeat(certOnly, MaxCertificates), keyOnly...), nil},
		{"certificates over the limit", append(bytes.Repeat(certOnly, MaxCertificates+1), keyOnly...), ErrLimit},
		{"only unknown blocks", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}}), ErrNoPrivateKey},
		{"Ed25519 PKCS#8", []byte("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n"), ErrUnsupportedKey},
		{"broken CERTIFICATE", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0}}), ErrMalformed},
		{"broken PRIVATE KEY", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0}}), ErrMalformed},
		{"DSA PRIVATE KEY", pem.EncodeToMemory(&pem.Block{Type: "DSA PRIVATE KEY", Bytes: []byte{0x30, 0}}), ErrUnsupportedKey},
		{"OPENSSH PRIVATE KEY", pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: []byte{0x30, 0}}), ErrUnsupportedKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			certs, key, err := Parse(tc.data, []byte("S3cret-P@ss"))
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if len(certs) != MaxCertificates {
					t.Errorf("%d certificates", len(certs))
				}
				return
			}
			if !errors.Is(err, tc.want) || certs != nil || key != nil {
				t.Fatalf("Parse: %v, want %v and no values", err, tc.want)
			}
		})
	}
}

// TestErrorsKeepSecrets runs the failing fixtures with a distinctive
// password and checks that no error repeats it.
func TestErrorsKeepSecrets(t *testing.T) {
	const password = "S3cret-P@ss"
	for _, m := range []string{"testdata/manifest.json", "testdata/extra/manifest.json"} {
		for _, f := range loadManifest(t, m) {
			data, err := os.ReadFile(strings.TrimSuffix(m, "manifest.json") + f.File)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = Parse(data, []byte(password))
			if err != nil && strings.Contains(err.Error(), password) {
				t.Errorf("%s: error %q contains the password", f.File, err)
			}
		}
	}
}

// TestOtherKeyLabelsCount: a block of another private key kind beside the
// RSA key is a second key, refused, not skipped (doc.go).
func TestOtherKeyLabelsCount(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "rsa2048-cert-pkcs8key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"DSA PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"} {
		data := append(append([]byte(nil), good...), "\n-----BEGIN "+label+"-----\nAAAA\n-----END "+label+"-----\n"...)
		if _, _, err := Parse(data, nil); !errors.Is(err, ErrMultipleKeys) {
			t.Errorf("with a %s block: err = %v, want ErrMultipleKeys", label, err)
		}
	}
}
