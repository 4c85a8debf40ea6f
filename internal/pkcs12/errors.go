package pkcs12

import (
	"errors"
	"fmt"
)

// Errors returned by this package, matched with errors.Is. Each is wrapped
// with a short account of where it happened; none carries a password or key.
var (
	// ErrIncorrectPassword means the MAC did not verify or decryption did
	// not yield well-formed plaintext: the password is wrong or the file is
	// corrupted.
	ErrIncorrectPassword = errors.New("pkcs12: wrong password or corrupted file")

	// ErrMalformed means the data does not follow RFC 7292, RFC 8018 or
	// RFC 5958.
	ErrMalformed = errors.New("pkcs12: malformed data")

	// ErrUnsupportedAlgorithm means a content type, encryption scheme, KDF,
	// PRF or MAC this package does not implement; the error names its
	// object identifier.
	ErrUnsupportedAlgorithm = errors.New("pkcs12: unsupported algorithm")

	// ErrUnsupportedKeyAlgorithm means a private key whose algorithm
	// crypto/x509 cannot parse (DSA, RSASSA-PSS, Ed448, ...); the error
	// names its object identifier.
	ErrUnsupportedKeyAlgorithm = errors.New("pkcs12: unsupported private key algorithm")

	// ErrLimit means a bound of limits.go was exceeded; the error says
	// which.
	ErrLimit = errors.New("pkcs12: limit exceeded")
)

// malformed wraps ErrMalformed with what was wrong.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// unsupported wraps ErrUnsupportedAlgorithm with the role and object
// identifier of the algorithm, and its name when known.
func unsupported(role, oid string) error {
	return fmt.Errorf("%w: %s %s", ErrUnsupportedAlgorithm, role, describe(oid))
}

// wrongPassword wraps ErrIncorrectPassword with what failed.
func wrongPassword(what string) error {
	return fmt.Errorf("%w: %s", ErrIncorrectPassword, what)
}
