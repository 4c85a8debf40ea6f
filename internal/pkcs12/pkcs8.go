package pkcs12

import (
	"crypto"
	"crypto/x509"
	"fmt"
)

// DecryptPrivateKeyInfo decrypts a DER PKCS #8 EncryptedPrivateKeyInfo (RFC
// 5958, Section 3; the PEM label "ENCRYPTED PRIVATE KEY" of RFC 7468,
// Section 11) with password and returns the DER PrivateKeyInfo. PBES2 and
// PBES1 take the password as given; the PKCS #12 schemes take its
// BMPString forms (see the package documentation). The caller should wipe
// the result when done with it.
func DecryptPrivateKeyInfo(der, password []byte) ([]byte, error) {
	return Decoder{}.DecryptPrivateKeyInfo(der, password)
}

// DecryptPrivateKeyInfo is the package function with dec's limits.
func (dec Decoder) DecryptPrivateKeyInfo(der, password []byte) ([]byte, error) {
	if len(der) > MaxInputSize {
		return nil, fmt.Errorf("%w: encrypted key is over %d bytes", ErrLimit, MaxInputSize)
	}
	e, err := parseOne(der, tagSequence, "EncryptedPrivateKeyInfo")
	if err != nil {
		return nil, err
	}
	d := dec.start(password)
	defer d.wipe()
	return d.decryptKeyInfo(e, "EncryptedPrivateKeyInfo")
}

// decryptKeyInfo decrypts an EncryptedPrivateKeyInfo element:
//
//	EncryptedPrivateKeyInfo ::= SEQUENCE {
//	  encryptionAlgorithm EncryptionAlgorithmIdentifier,
//	  encryptedData       EncryptedData }  -- OCTET STRING
func (d *decoder) decryptKeyInfo(e element, what string) ([]byte, error) {
	it, err := e.children(tagSequence, what)
	if err != nil {
		return nil, err
	}
	a, err := it.next()
	if err != nil {
		return nil, err
	}
	alg, err := parseAlgorithm(a, what+": encryptionAlgorithm")
	if err != nil {
		return nil, err
	}
	c, err := it.next()
	if err != nil {
		return nil, err
	}
	ciphertext, err := c.octetString(what + ": encryptedData")
	if err != nil {
		return nil, err
	}
	return d.decrypt(alg, ciphertext, what)
}

// ParsePrivateKeyInfo parses a DER PKCS #8 PrivateKeyInfo (RFC 5208; RFC
// 5958 OneAsymmetricKey) with crypto/x509, returning *rsa.PrivateKey,
// *ecdsa.PrivateKey, ed25519.PrivateKey or *ecdh.PrivateKey. A key algorithm
// crypto/x509 does not know is ErrUnsupportedKeyAlgorithm naming its object
// identifier; errors never quote the key.
func ParsePrivateKeyInfo(der []byte) (crypto.PrivateKey, error) {
	// PrivateKeyInfo ::= SEQUENCE { version INTEGER,
	//   privateKeyAlgorithm AlgorithmIdentifier, privateKey OCTET STRING, ... }
	e, err := parseOne(der, tagSequence, "PrivateKeyInfo")
	if err != nil {
		return nil, err
	}
	it, err := e.children(tagSequence, "PrivateKeyInfo")
	if err != nil {
		return nil, err
	}
	if _, err := it.next(); err != nil {
		return nil, err
	}
	a, err := it.next()
	if err != nil {
		return nil, err
	}
	alg, err := parseAlgorithm(a, "PrivateKeyInfo: privateKeyAlgorithm")
	if err != nil {
		return nil, err
	}
	switch alg.oid {
	case oidRSAEncryption, oidECPublicKey, oidEd25519, oidX25519:
	default:
		return nil, fmt.Errorf("%w: %s", ErrUnsupportedKeyAlgorithm, describe(alg.oid))
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		// The x509 error is not quoted: it is about key material.
		return nil, malformed("PrivateKeyInfo: the %s key does not parse", keyName(alg.oid))
	}
	return key, nil
}

// keyName names a private key algorithm for errors.
func keyName(oid string) string {
	switch oid {
	case oidRSAEncryption:
		return "RSA"
	case oidECPublicKey:
		return "EC"
	case oidEd25519:
		return "Ed25519"
	case oidX25519:
		return "X25519"
	}
	return oid
}
