package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/azid-go/azid/internal/pkcs12"
)

// Parse reads certificates and one private key from PEM or PKCS #12 data,
// decrypting with password where the data is encrypted (password is the
// UTF-8 the user gave; it is ignored where nothing is encrypted). The
// certificate whose public key matches the key comes first, the others
// follow in file order; the key is an *rsa.PrivateKey. Errors wrap the
// sentinels of errors.go.
func Parse(data, password []byte) ([]*x509.Certificate, crypto.PrivateKey, error) {
	return parse(data, password, pkcs12.Decoder{})
}

// parse is Parse with the PKCS #12 limits of dec.
func parse(data, password []byte, dec pkcs12.Decoder) ([]*x509.Certificate, crypto.PrivateKey, error) {
	if len(data) == 0 {
		return nil, nil, fmt.Errorf("%w: the data is empty", ErrMalformed)
	}
	if len(data) > MaxInputSize {
		return nil, nil, fmt.Errorf("%w: the data is over %d bytes", ErrLimit, MaxInputSize)
	}
	var certs []*x509.Certificate
	var key crypto.PrivateKey
	var err error
	// spec/PROTOCOL.md 14.1: "if the bytes contain -----BEGIN anywhere ->
	// PEM; otherwise PKCS#12 (DER)".
	if bytes.Contains(data, pemBegin) {
		certs, key, err = readPEM(data, password, dec)
	} else {
		certs, key, err = readPKCS12(data, password, dec)
	}
	if err != nil {
		return nil, nil, err
	}
	return order(certs, key)
}

// order checks that key is RSA and puts the certificate that matches it
// first, the rest in file order (spec/PROTOCOL.md 14.1, GO's rule). If
// several match (a renewal that kept its key), the first in the file wins.
func order(certs []*x509.Certificate, key crypto.PrivateKey) ([]*x509.Certificate, crypto.PrivateKey, error) {
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("%w: found %s", ErrUnsupportedKey, keyType(key))
	}
	if len(certs) == 0 {
		return nil, nil, ErrNoCertificate
	}
	for i, c := range certs {
		if pub, ok := c.PublicKey.(*rsa.PublicKey); ok && rk.PublicKey.Equal(pub) {
			out := make([]*x509.Certificate, 0, len(certs))
			out = append(out, c)
			out = append(out, certs[:i]...)
			return append(out, certs[i+1:]...), rk, nil
		}
	}
	return nil, nil, fmt.Errorf("%w (certificates checked: %d)", ErrKeyMismatch, len(certs))
}

// keyType names a private key's type for errors.
func keyType(key crypto.PrivateKey) string {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		return "an ECDSA " + k.Curve.Params().Name + " key"
	case ed25519.PrivateKey:
		return "an Ed25519 key"
	case *ecdh.PrivateKey:
		return "an ECDH key"
	}
	return fmt.Sprintf("a %T key", key)
}

// readPKCS12 decodes a PKCS #12 file and returns its certificates and its
// one key.
func readPKCS12(data, password []byte, dec pkcs12.Decoder) ([]*x509.Certificate, crypto.PrivateKey, error) {
	if data[0] != 0x30 { // a DER SEQUENCE
		return nil, nil, fmt.Errorf("%w: the data is neither PEM nor DER PKCS#12 (base64 text, such as a Key Vault secret value, must be decoded first)", ErrMalformed)
	}
	bags, err := dec.Decode(data, password)
	if err != nil {
		return nil, nil, fromPKCS12(err, password)
	}
	var certs []*x509.Certificate
	var keys []crypto.PrivateKey
	for _, b := range bags {
		if b.Cert != nil {
			if len(certs) == MaxCertificates {
				return nil, nil, fmt.Errorf("%w: more than %d certificates", ErrLimit, MaxCertificates)
			}
			certs = append(certs, b.Cert)
		}
		if b.Key != nil {
			keys = append(keys, b.Key)
		}
	}
	switch len(keys) {
	case 0:
		return nil, nil, fmt.Errorf("%w (the PKCS#12 file has no key bag; export it with its private key)", ErrNoPrivateKey)
	case 1:
		return certs, keys[0], nil
	}
	return nil, nil, fmt.Errorf("%w (the PKCS#12 file has %d)", ErrMultipleKeys, len(keys))
}

// fromPKCS12 maps an error of package pkcs12 to this package's sentinels,
// keeping the original in the chain for its detail.
func fromPKCS12(err error, password []byte) error {
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		if len(password) == 0 {
			return fmt.Errorf("%w; no password was given: %w", ErrIncorrectPassword, err)
		}
		return fmt.Errorf("%w: %w", ErrIncorrectPassword, err)
	case errors.Is(err, pkcs12.ErrUnsupportedKeyAlgorithm):
		return fmt.Errorf("%w: %w", ErrUnsupportedKey, err)
	case errors.Is(err, pkcs12.ErrUnsupportedAlgorithm):
		return fmt.Errorf("%w: %w", ErrUnsupportedAlgorithm, err)
	case errors.Is(err, pkcs12.ErrLimit):
		return fmt.Errorf("%w: %w", ErrLimit, err)
	}
	return fmt.Errorf("%w: %w", ErrMalformed, err)
}

// wipe overwrites b with zeros.
func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
