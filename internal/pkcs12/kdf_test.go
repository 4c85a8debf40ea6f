package pkcs12

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"testing"
)

// TestDeriveKey checks the RFC 7292 Appendix B KDF.
//
// SHA-1 vectors: Dr Stephen Henson's PKCS #12 key generation vectors
// (www.drh-consultancy.demon.co.uk/test.txt, as reproduced in Bouncy
// Castle's core/src/test/java/org/bouncycastle/crypto/test/PKCS12Test.java);
// the passwords "smeg" and "queeg" are BMPStrings with their 00 00.
// SHA-256 vector: Crypt::OpenSSL::PKCS::Func's t/base.t
// (PKCS12_key_gen('123456', 'e241f01650dbeae4', 3, 2048, 32, 'sha256')).
// Both were also checked with OpenSSL 3.0.19:
//
//	openssl kdf -keylen N -kdfopt digest:D -kdfopt hexpass:P -kdfopt hexsalt:S \
//	    -kdfopt iter:R -kdfopt id:ID PKCS12KDF
//
// which also gave the SHA-224/384/512 and empty-password vectors below
// (multi-block outputs exercise step 6C).
func TestDeriveKey(t *testing.T) {
	smeg := "0073006d006500670000"
	queeg := "007100750065006500670000"
	pw := "007000e400730073007700f6007200640000" // "pässwörd"
	for _, tc := range []struct {
		name     string
		h        func() hash.Hash
		id       byte
		password string
		salt     string
		iter     int
		want     string
	}{
		{"henson 1", sha1.New, purposeKey, smeg, "0A58CF64530D823F", 1, "8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3"},
		{"henson 2", sha1.New, purposeIV, smeg, "0A58CF64530D823F", 1, "79993DFE048D3B76"},
		{"henson 3", sha1.New, purposeKey, smeg, "642B99AB44FB4B1F", 1, "F3A95FEC48D7711E985CFE67908C5AB79FA3D7C5CAA5D966"},
		{"henson 4", sha1.New, purposeIV, smeg, "642B99AB44FB4B1F", 1, "C0A38D64A79BEA1D"},
		{"henson 5", sha1.New, purposeMAC, smeg, "3D83C0E4546AC140", 1, "8D967D88F6CAA9D714800AB3D48051D63F73A312"},
		{"henson 6", sha1.New, purposeKey, queeg, "05DEC959ACFF72F7", 1000, "ED2034E36328830FF09DF1E1A07DD357185DAC0D4F9EB3D4"},
		{"henson 7", sha1.New, purposeIV, queeg, "05DEC959ACFF72F7", 1000, "11DEDAD7758D4860"},
		{"henson 8", sha1.New, purposeKey, queeg, "1682C0FC5B3F7EC5", 1000, "483DD6E919D7DE2E8E648BA8F862F3FBFBDC2BCB2C02957F"},
		{"henson 9", sha1.New, purposeIV, queeg, "1682C0FC5B3F7EC5", 1000, "9D461D1B00355C50"},
		{"henson 10", sha1.New, purposeMAC, queeg, "263216FCC2FAB31C", 1000, "5EC4C7A80DF652294C3925B6489A7AB857C83476"},
		{"sha256 mac", sha256.New, purposeMAC, "003100320033003400350036" + "0000", "e241f01650dbeae4", 2048, "721259F14AAD70B58839F71566B433DA1B8AD08F650F4D02FAAA0B9B095BB51D"},
		{"sha512 70 bytes", sha512.New, purposeKey, pw, "0102030405060708090a0b0c0d0e0f10", 1000, "795ba716d6aff3a066c33b879b588fb851c85270e0745600a9d022b7d10b8de8ffb6bcf5cf99be8e5d0679cbf127e798c4cd17fe027a96d47c11e18ca0d43baa364c4e93abb9"},
		{"sha384 70 bytes", sha512.New384, purposeKey, pw, "0102030405060708090a0b0c0d0e0f10", 1000, "63679ca0d4a2c8281d78dee7c45df9dc570490ef1fb7e16e384c0be9d2ad6d31ac5c378b48fd9933ef3322fc95e8f987b0e8373ccb59c643f4cfeab32b975a6b80b3265763af"},
		{"sha224 70 bytes", sha256.New224, purposeKey, pw, "0102030405060708090a0b0c0d0e0f10", 1000, "f5ec318e420d14e04585869aa338dce699be662c312f04cb1ac0f0e9934413a50cf6f0d9bbd5163c73c3c6ca3bee5f470a344c93f8384887b02349a2e37dfd266e1bbf730ffc"},
		{"empty password 00 00", sha1.New, purposeIV, "0000", "0A58CF64530D823F", 5, "fad197f1f641aeee"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := hex.DecodeString(tc.password)
			s, _ := hex.DecodeString(tc.salt)
			want, _ := hex.DecodeString(tc.want)
			got := deriveKey(tc.h, tc.id, p, s, tc.iter, len(want))
			if hex.EncodeToString(got) != hex.EncodeToString(want) {
				t.Errorf("deriveKey(password %s, salt %s, id %d, %d iterations)\n got %x\nwant %x", tc.password, tc.salt, tc.id, tc.iter, got, want)
			}
		})
	}
}
