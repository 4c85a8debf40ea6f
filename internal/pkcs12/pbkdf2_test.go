package pkcs12

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"testing"
)

// TestPBKDF2 checks PBKDF2 against RFC 6070 (HMAC-SHA1; the 16777216
// iteration vector is left out: it is over MaxIterations and takes
// seconds), RFC 7914 Section 11 (HMAC-SHA256), and for SHA-224/384/512
// values from OpenSSL 3.0.19:
//
//	openssl kdf -keylen 40 -kdfopt digest:D -kdfopt pass:password \
//	    -kdfopt salt:salt -kdfopt iter:4096 PBKDF2
func TestPBKDF2(t *testing.T) {
	for _, tc := range []struct {
		name           string
		h              func() hash.Hash
		password, salt string
		iter           int
		want           string
	}{
		{"rfc6070 c=1", sha1.New, "password", "salt", 1, "0c60c80f961f0e71f3a9b524af6012062fe037a6"},
		{"rfc6070 c=2", sha1.New, "password", "salt", 2, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"},
		{"rfc6070 c=4096", sha1.New, "password", "salt", 4096, "4b007901b765489abead49d926f721d065a429c1"},
		{"rfc6070 long", sha1.New, "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"},
		{"rfc6070 nul", sha1.New, "pass\x00word", "sa\x00lt", 4096, "56fa6aa75548099dcc37d7f03425e0c3"},
		{"rfc7914 c=1", sha256.New, "passwd", "salt", 1, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"},
		{"rfc7914 c=80000", sha256.New, "Password", "NaCl", 80000, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"},
		{"openssl sha224", sha256.New224, "password", "salt", 4096, "218c453bf90635bd0a21a75d172703ff6108ef603f65bb821aedade1d6961683ba8f67877d2a3f73"},
		{"openssl sha384", sha512.New384, "password", "salt", 4096, "559726be38db125bc85ed7895f6e3cf574c7a01c080c3447db1e8a76764deb3c307b94853fbe424f"},
		{"openssl sha512", sha512.New, "password", "salt", 4096, "d197b1b33db0143e018b12f3d1d1479e6cdebdcc97c5c0f87f6902e072f457b5143f30602641b3d5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, _ := hex.DecodeString(tc.want)
			got := pbkdf2(tc.h, []byte(tc.password), []byte(tc.salt), tc.iter, len(want))
			if hex.EncodeToString(got) != tc.want {
				t.Errorf("pbkdf2(%q, %q, %d)\n got %x\nwant %s", tc.password, tc.salt, tc.iter, got, tc.want)
			}
		})
	}
}

// BenchmarkPBKDF2SHA256 is the unit of work of an OpenSSL 3 file: 2048
// iterations of HMAC-SHA256 for a 32-byte key.
func BenchmarkPBKDF2SHA256(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		pbkdf2(sha256.New, []byte("acceptance-pass"), []byte("12345678"), 2048, 32)
	}
}

// BenchmarkDeriveKeySHA256 is the MAC key derivation of an OpenSSL 3 file.
func BenchmarkDeriveKeySHA256(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		deriveKey(sha256.New, purposeMAC, bmpString([]byte("acceptance-pass")), []byte("12345678"), 2048, 32)
	}
}
