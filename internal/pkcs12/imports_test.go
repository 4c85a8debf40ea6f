package pkcs12

import (
	"go/build"
	"testing"
)

// TestImports keeps this package on the standard library: each import has
// a reason, and a new one fails until it is listed here.
func TestImports(t *testing.T) {
	allowed := map[string]string{
		"crypto":          "crypto.PrivateKey in Bag",
		"crypto/aes":      "PBES2 AES-CBC (RFC 8018 B.2.5)",
		"crypto/cipher":   "CBC mode",
		"crypto/des":      "3DES and DES (RFC 7292 Appendix C, RFC 8018 B.2.1, B.2.2)",
		"crypto/hmac":     "MACs and PBKDF2's PRF",
		"crypto/md5":      "PBES1 pbeWithMD5And* (RFC 8018 6.1)",
		"crypto/rc4":      "pbeWithSHAAnd128BitRC4 and 40BitRC4 (RFC 7292 Appendix C)",
		"crypto/sha1":     "Appendix B KDF, MAC, PBKDF2 PRF",
		"crypto/sha256":   "MAC and PRF hashes",
		"crypto/sha512":   "MAC and PRF hashes",
		"crypto/subtle":   "constant-time MAC comparison",
		"crypto/x509":     "certificates and PKCS #8 keys",
		"encoding/binary": "PBKDF2 block index, RC2 words",
		"errors":          "sentinel errors",
		"fmt":             "error wrapping",
		"hash":            "hash.Hash",
		"math":            "integer bounds in the BER reader",
		"math/bits":       "RC2 rotations",
		"strconv":         "OBJECT IDENTIFIER text",
		"strings":         "OBJECT IDENTIFIER text",
		"unicode/utf16":   "BMPString",
		"unicode/utf8":    "password forms",
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
