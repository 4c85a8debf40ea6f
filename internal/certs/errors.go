package certs

import "errors"

// Sentinel errors, matched with errors.Is. Each message says what to do;
// returned errors wrap one of them with where the problem is.
var (
	// ErrNoPrivateKey: the data holds no private key.
	ErrNoPrivateKey = errors.New("certs: no private key found; the file must hold the certificate's private key (PEM: a PRIVATE KEY, RSA PRIVATE KEY or ENCRYPTED PRIVATE KEY block)")

	// ErrNoCertificate: the data holds no certificate.
	ErrNoCertificate = errors.New("certs: no certificate found; add the certificate (PEM: a CERTIFICATE block) to the file with its key")

	// ErrKeyMismatch: the private key belongs to none of the certificates.
	ErrKeyMismatch = errors.New("certs: the private key matches no certificate in the file; put the certificate issued for this key in the file")

	// ErrUnsupportedKey: the private key is not RSA.
	ErrUnsupportedKey = errors.New("certs: unsupported private key type; Entra client assertions here need an RSA key")

	// ErrIncorrectPassword: a MAC did not verify or decryption failed.
	ErrIncorrectPassword = errors.New("certs: wrong password or corrupted file; check the certificate password")

	// ErrUnsupportedAlgorithm: an encryption, MAC or KDF algorithm this
	// library does not implement; the error names it.
	ErrUnsupportedAlgorithm = errors.New("certs: unsupported algorithm; re-encrypt with AES-256-CBC and a SHA-256 MAC, the OpenSSL 3 defaults")

	// ErrLimit: a bound of limits.go (or of package pkcs12) was exceeded;
	// the error says which.
	ErrLimit = errors.New("certs: limit exceeded")

	// ErrMultipleKeys: the data holds more than one private key.
	ErrMultipleKeys = errors.New("certs: more than one private key found; keep only the key of the signing certificate")

	// ErrMalformed: the data is neither well-formed PEM nor PKCS #12.
	ErrMalformed = errors.New("certs: malformed certificate file; check that it is a whole PEM or PKCS#12 (.pfx, .p12) file")
)
