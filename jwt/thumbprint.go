package jwt

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
)

// X5t returns the "x5t" header value for a certificate: the base64url
// encoding, without padding, of the SHA-1 digest of its DER encoding.
// RFC 7515, Section 4.1.7: "base64url-encoded SHA-1 thumbprint (a.k.a.
// digest) of the DER encoding of the X.509 certificate". The digest is the
// thumbprint the Azure portal shows in hex (spec/PROTOCOL.md 4.5). SHA-1
// here names a certificate; it protects nothing.
func X5t(certDER []byte) string {
	sum := sha1.Sum(certDER)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// X5tS256 returns the "x5t#S256" header value for a certificate: the
// base64url encoding, without padding, of the SHA-256 digest of its DER
// encoding (RFC 7515, Section 4.1.8).
func X5tS256(certDER []byte) string {
	sum := sha256.Sum256(certDER)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
