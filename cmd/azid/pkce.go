package main

import (
	"crypto/sha256"
	"encoding/base64"
)

// pkceChallenge is RFC 7636, Section 4.2, S256:
// BASE64URL-ENCODE(SHA256(ASCII(code_verifier))).
func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
