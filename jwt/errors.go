package jwt

import (
	"errors"
	"fmt"
)

// Sentinel errors, for errors.Is. Every error caused by the input (token,
// key, claims, certificates) wraps exactly one of them and adds what failed
// after a colon, for example "jwt: malformed token: 2 segments; want 3".
// The only other error is a failure of crypto/rand.
var (
	// ErrMalformed: the input is not a compact JWS of the accepted shape
	// (segments, base64url, header or payload JSON, length).
	ErrMalformed = errors.New("jwt: malformed token")
	// ErrAlgorithm: the algorithm is neither RS256 nor PS256.
	ErrAlgorithm = errors.New("jwt: unsupported algorithm")
	// ErrSignature: the signature does not verify with the given key.
	ErrSignature = errors.New("jwt: invalid signature")
	// ErrKey: the RSA key is missing or smaller than MinKeyBits.
	ErrKey = errors.New("jwt: unusable RSA key")
	// ErrAssertion: ClientAssertion was given unusable input (no
	// certificate, a certificate that does not match the key, an empty
	// client id or audience, a negative lifetime, a zero time).
	ErrAssertion = errors.New("jwt: cannot build client assertion")
)

// malformed returns ErrMalformed with the reason after it.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// quote returns s as a Go string literal, cut to maxQuoted bytes, for
// naming untrusted header text in an error.
func quote(s string) string {
	if len(s) > maxQuoted {
		return fmt.Sprintf("%q...", s[:maxQuoted])
	}
	return fmt.Sprintf("%q", s)
}
