package certs

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// manifest is the part of testdata/manifest.json (and
// testdata/extra/manifest.json, same shape) the tests read.
type manifest struct {
	Fixtures []fixture `json:"fixtures"`
}

type fixture struct {
	File     string  `json:"file"`
	Password *string `json:"password"`
	// PasswordHex, in the extra manifest, holds a password that is not
	// UTF-8.
	PasswordHex string `json:"password_hex"`
	Expect      string `json:"expect"`
	Leaf        *struct {
		SHA256 string `json:"sha256_thumbprint"`
	} `json:"leaf"`
	Key *struct {
		Type          string `json:"type"`
		ModulusSHA256 string `json:"modulus_sha256"`
	} `json:"key"`
	Order []string `json:"cert_sha256_in_file_order"`
}

// errorKinds maps the manifests' "error:<kind>" to the sentinels.
var errorKinds = map[string]error{
	"unsupported-key-type":           ErrUnsupportedKey,
	"no-private-key":                 ErrNoPrivateKey,
	"no-certificate":                 ErrNoCertificate,
	"key-does-not-match-certificate": ErrKeyMismatch,
	"wrong-password":                 ErrIncorrectPassword,
	"unsupported-algorithm":          ErrUnsupportedAlgorithm,
	"limit":                          ErrLimit,
	"multiple-keys":                  ErrMultipleKeys,
	"malformed":                      ErrMalformed,
}

// loadManifest reads a manifest and fails the test when it lists nothing.
func loadManifest(t testing.TB, path string) []fixture {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(m.Fixtures) == 0 {
		t.Fatalf("%s lists no fixtures", path)
	}
	return m.Fixtures
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestManifest parses every fixture of both manifests and checks the leaf
// thumbprint, the modulus fingerprint and the certificate order, or the
// error kind.
func TestManifest(t *testing.T) {
	for _, m := range []string{"testdata/manifest.json", "testdata/extra/manifest.json"} {
		dir := filepath.Dir(m)
		for _, f := range loadManifest(t, m) {
			f := f
			t.Run(f.File, func(t *testing.T) {
				data, err := os.ReadFile(filepath.Join(dir, f.File))
				if err != nil {
					t.Fatal(err)
				}
				var password []byte
				if f.Password != nil {
					password = []byte(*f.Password)
				}
				if f.PasswordHex != "" {
					if password, err = hex.DecodeString(f.PasswordHex); err != nil {
						t.Fatal(err)
					}
				}
				certs, key, err := Parse(data, password)
				expect, kind, _ := strings.Cut(f.Expect, ":")
				switch expect {
				case "error":
					want, ok := errorKinds[kind]
					if !ok {
						t.Fatalf("manifest names unknown error kind %q", kind)
					}
					if !errors.Is(err, want) {
						t.Fatalf("got error %v, want %v", err, want)
					}
					if certs != nil || key != nil {
						t.Fatal("values returned with an error")
					}
					return
				case "ok-or-error":
					if err != nil {
						if !errors.Is(err, errorKinds[kind]) {
							t.Fatalf("got error %v, want nil or %v", err, errorKinds[kind])
						}
						return
					}
				case "ok":
				default:
					t.Fatalf("manifest expect %q not understood", f.Expect)
				}
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if got := sha256Hex(certs[0].Raw); got != f.Leaf.SHA256 {
					t.Errorf("leaf thumbprint %s, want %s", got, f.Leaf.SHA256)
				}
				rk, ok := key.(*rsa.PrivateKey)
				if !ok {
					t.Fatalf("key is %T, want *rsa.PrivateKey", key)
				}
				if got := sha256Hex(rk.N.Bytes()); got != f.Key.ModulusSHA256 {
					t.Errorf("modulus_sha256 %s, want %s", got, f.Key.ModulusSHA256)
				}
				want := []string{f.Leaf.SHA256}
				for _, h := range f.Order {
					if h != f.Leaf.SHA256 {
						want = append(want, h)
					}
				}
				var got []string
				for _, c := range certs {
					got = append(got, sha256Hex(c.Raw))
				}
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("certificate order\n got %v\nwant %v", got, want)
				}
			})
		}
	}
}
