package pkcs12

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"hash"
	"strconv"
	"strings"
)

// A DER builder for the tests: it makes PKCS #12 files of shapes OpenSSL
// will not write (BER, nesting, odd bags, limits). Encryption here reuses
// the package's KDFs, which the vector tests check on their own.

// tlv encodes one element with a definite length.
func tlv(tag byte, parts ...[]byte) []byte {
	var body []byte
	for _, p := range parts {
		body = append(body, p...)
	}
	n := len(body)
	out := []byte{tag}
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, body...)
}

// indef encodes a constructed element with an indefinite length (BER).
func indef(tag byte, parts ...[]byte) []byte {
	out := []byte{tag | 0x20, 0x80}
	for _, p := range parts {
		out = append(out, p...)
	}
	return append(out, 0, 0)
}

func seq(parts ...[]byte) []byte { return tlv(0x30, parts...) }
func set(parts ...[]byte) []byte { return tlv(0x31, parts...) }
func octet(b []byte) []byte      { return tlv(0x04, b) }
func ctx0(parts ...[]byte) []byte {
	return tlv(0xa0, parts...)
}
func null() []byte { return []byte{0x05, 0x00} }

func integer(n int64) []byte {
	var b []byte
	for {
		b = append([]byte{byte(n)}, b...)
		n >>= 8
		if n == 0 {
			break
		}
	}
	if b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return tlv(0x02, b)
}

func oid(dotted string) []byte {
	parts := strings.Split(dotted, ".")
	arcs := make([]uint64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			panic(err)
		}
		arcs[i] = v
	}
	body := base128(arcs[0]*40 + arcs[1])
	for _, a := range arcs[2:] {
		body = append(body, base128(a)...)
	}
	return tlv(0x06, body)
}

func base128(v uint64) []byte {
	out := []byte{byte(v & 0x7f)}
	for v >>= 7; v > 0; v >>= 7 {
		out = append([]byte{byte(v&0x7f) | 0x80}, out...)
	}
	return out
}

func algID(o string, params ...[]byte) []byte { return seq(append([][]byte{oid(o)}, params...)...) }

func bmp(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return tlv(0x1e, b)
}

// pfx assembles PFX { 3, ContentInfo(data, authSafe), macData }.
func pfx(authSafe []byte, macData []byte) []byte {
	parts := [][]byte{integer(3), seq(oid(oidData), ctx0(octet(authSafe)))}
	if macData != nil {
		parts = append(parts, macData)
	}
	return seq(parts...)
}

// classicMAC builds MacData with the Appendix B KDF over form.
func classicMAC(h func() hash.Hash, digestOID string, form, salt []byte, iter int, authSafe []byte) []byte {
	key := deriveKey(h, purposeMAC, form, salt, iter, h().Size())
	m := hmac.New(h, key)
	m.Write(authSafe)
	return seq(seq(algID(digestOID, null()), octet(m.Sum(nil))), octet(salt), integer(int64(iter)))
}

func dataCI(safeContents []byte) []byte { return seq(oid(oidData), ctx0(octet(safeContents))) }

func encryptedCI(alg, ciphertext []byte) []byte {
	return seq(oid(oidEncryptedData), ctx0(seq(integer(0), seq(oid(oidData), alg, tlv(0x80, ciphertext)))))
}

func pad(b []byte, bs int) []byte {
	k := bs - len(b)%bs
	out := append([]byte(nil), b...)
	for i := 0; i < k; i++ {
		out = append(out, byte(k))
	}
	return out
}

// encrypt3DES encrypts with pbeWithSHAAnd3-KeyTripleDES-CBC and returns the
// AlgorithmIdentifier and ciphertext.
func encrypt3DES(plain, form, salt []byte, iter int) (alg, ciphertext []byte) {
	key := deriveKey(sha1.New, purposeKey, form, salt, iter, 24)
	iv := deriveKey(sha1.New, purposeIV, form, salt, iter, 8)
	b, _ := des.NewTripleDESCipher(key)
	p := pad(plain, 8)
	out := make([]byte, len(p))
	cipher.NewCBCEncrypter(b, iv).CryptBlocks(out, p)
	return algID(oidPBEWithSHAAnd3KeyTripleDESCBC, seq(octet(salt), integer(int64(iter)))), out
}

// encryptPBES2 encrypts with PBES2, PBKDF2-HMAC-SHA256 and AES-256-CBC.
func encryptPBES2(plain, password, salt []byte, iter int) (alg, ciphertext []byte) {
	key := pbkdf2(sha256.New, password, salt, iter, 32)
	iv := make([]byte, 16)
	b, _ := aes.NewCipher(key)
	p := pad(plain, 16)
	out := make([]byte, len(p))
	cipher.NewCBCEncrypter(b, iv).CryptBlocks(out, p)
	kdf := algID(oidPBKDF2, seq(octet(salt), integer(int64(iter)), algID(oidHMACWithSHA256, null())))
	return algID(oidPBES2, seq(kdf, algID(oidAES256CBC, octet(iv)))), out
}

// certBagOf wraps certificate DER in a certBag SafeBag with attributes.
func certBagOf(der []byte, attrs ...[]byte) []byte {
	parts := [][]byte{oid(oidCertBag), ctx0(seq(oid(oidX509Certificate), ctx0(octet(der))))}
	if len(attrs) > 0 {
		parts = append(parts, set(attrs...))
	}
	return seq(parts...)
}

// keyBagOf wraps PKCS #8 DER in a keyBag SafeBag.
func keyBagOf(pkcs8 []byte) []byte { return seq(oid(oidKeyBag), ctx0(pkcs8)) }

// shroudedBagOf wraps an encrypted key in a pkcs8ShroudedKeyBag SafeBag.
func shroudedBagOf(alg, ciphertext []byte) []byte {
	return seq(oid(oidPKCS8ShroudedKeyBag), ctx0(seq(alg, octet(ciphertext))))
}

func attr(o string, values ...[]byte) []byte { return seq(oid(o), set(values...)) }
