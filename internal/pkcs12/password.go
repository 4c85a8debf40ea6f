package pkcs12

import (
	"unicode/utf16"
	"unicode/utf8"
)

// bmpForms returns the forms of password to try with the RFC 7292 Appendix
// B KDF (MAC and PKCS #12 PBE), in the order of the package documentation.
// Each is a fresh copy the caller wipes.
func bmpForms(password []byte) [][]byte {
	var forms [][]byte
	if utf8.Valid(password) {
		forms = append(forms, bmpString(password))
	}
	if len(password) == 0 {
		// spec/PROTOCOL.md 14.7: some producers feed no bytes at all for
		// an empty password (OpenSSL's NULL password).
		forms = append(forms, []byte{})
	}
	if !ascii(password) {
		forms = append(forms, widened(password))
	}
	return forms
}

// bmpString converts UTF-8 to the BMPString form of RFC 7292, Appendix B.1:
// "the 2-byte big-endian encoding of each character, followed by two zero
// bytes". Characters outside the Basic Multilingual Plane become UTF-16
// surrogate pairs, as OpenSSL's OPENSSL_utf82uni (crypto/pkcs12/p12_utl.c)
// writes them, so files it made with such passwords open.
func bmpString(password []byte) []byte {
	out := make([]byte, 0, 4*len(password)+2)
	for p := password; len(p) > 0; {
		r, n := utf8.DecodeRune(p)
		p = p[n:]
		if r >= 0x10000 {
			hi, lo := utf16.EncodeRune(r)
			out = append(out, byte(hi>>8), byte(hi), byte(lo>>8), byte(lo))
			continue
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return append(out, 0, 0)
}

// widened is each byte of password as one 16-bit unit, plus two zero bytes:
// OpenSSL's OPENSSL_asc2uni, used on UTF-8 input before OpenSSL 1.1.0 and
// for input that is not UTF-8 (ISO 8859-1 passwords come out right).
func widened(password []byte) []byte {
	out := make([]byte, 0, 2*len(password)+2)
	for _, c := range password {
		out = append(out, 0, c)
	}
	return append(out, 0, 0)
}

// ascii reports whether every byte is below 0x80.
func ascii(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
