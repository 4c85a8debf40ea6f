package pkcs12

import (
	"crypto/sha1"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzDecoder caps iterations at the seeds' 2048 so that one input costs
// at most workFactor*2048 iterations, a few milliseconds.
var fuzzDecoder = Decoder{MaxIterations: 2048}

// sentinels are the errors every failure must wrap.
var sentinels = []error{ErrIncorrectPassword, ErrMalformed, ErrUnsupportedAlgorithm, ErrUnsupportedKeyAlgorithm, ErrLimit}

func checkSentinel(t *testing.T, err error) {
	t.Helper()
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error %v wraps none of the package's sentinels", err)
}

// p12Seeds returns every PKCS #12 fixture with its password.
func p12Seeds(t testing.TB) map[string][]byte {
	passwords := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(certsTestdata, "*.p12"))
	extra, _ := filepath.Glob(filepath.Join(certsTestdata, "extra", "*.p12"))
	for _, f := range files {
		passwords[f] = "acceptance-pass"
	}
	for _, f := range extra {
		passwords[f] = "extra-pass"
	}
	if len(files) < 5 || len(extra) < 5 {
		t.Fatalf("seed loader found %d and %d .p12 files", len(files), len(extra))
	}
	out := map[string][]byte{}
	for f, pw := range passwords {
		switch {
		case strings.Contains(f, "empty-password"), strings.Contains(f, "keyvault"):
			pw = ""
		case strings.Contains(f, "nonascii"), strings.Contains(f, "widened"):
			pw = "p\u00e4ssw\u00f6rd"
		case strings.Contains(f, "latin1"):
			pw = "p\xe4ssw\xf6rd"
		}
		out[f] = []byte(pw)
	}
	return out
}

// FuzzDecode feeds Decode mutated PKCS #12 files: no panic, no hang, no
// value with an error, every error a sentinel, every bag well-formed.
func FuzzDecode(f *testing.F) {
	for file, pw := range p12Seeds(f) {
		der, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der, pw)
	}
	f.Add(rfc9579A1(f), []byte("1234"))
	// MAC iteration counts at the fuzz cap minus one, at it, and over it.
	salt := []byte("saltsalt")
	authSafe := seq(dataCI(seq(seq(oid(oidSecretBag), ctx0(null())))))
	for _, n := range []int{2047, 2048, 2049} {
		f.Add(pfx(authSafe, classicMAC(sha1.New, oidSHA1, bmpString([]byte("pw")), salt, n, authSafe)), []byte("pw"))
	}
	f.Add(indef(0x30, integer(3), indef(0x30, oid(oidData), indef(0xa0, indef(0x04, octet(authSafe))))), []byte{})
	f.Fuzz(func(t *testing.T, der, password []byte) {
		bags, err := fuzzDecoder.Decode(der, password)
		if err != nil {
			if bags != nil {
				t.Fatal("bags returned with an error")
			}
			checkSentinel(t, err)
			return
		}
		for _, b := range bags {
			switch b.Kind {
			case KindKey, KindShroudedKey:
				if b.Key == nil || b.Cert != nil {
					t.Fatalf("%s bag without a key", b.Kind)
				}
			case KindCert:
				if b.Cert == nil || b.Key != nil {
					t.Fatal("certBag without a certificate")
				}
			default:
				t.Fatalf("bag kind %q", b.Kind)
			}
		}
	})
}

// FuzzDecryptPrivateKeyInfo feeds mutated EncryptedPrivateKeyInfo.
func FuzzDecryptPrivateKeyInfo(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(certsTestdata, "extra", "pem-enc-*.pem"))
	if len(files) < 5 {
		f.Fatalf("seed loader found %d encrypted keys", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(pemBlockF(data, "ENCRYPTED PRIVATE KEY"), []byte("extra-pass"))
	}
	f.Fuzz(func(t *testing.T, der, password []byte) {
		out, err := fuzzDecoder.DecryptPrivateKeyInfo(der, password)
		if err != nil {
			if out != nil {
				t.Fatal("output with an error")
			}
			checkSentinel(t, err)
			return
		}
		if !isSequence(out) {
			t.Fatal("plaintext is not one SEQUENCE")
		}
		if _, err := ParsePrivateKeyInfo(out); err != nil {
			checkSentinel(t, err)
		}
	})
}
