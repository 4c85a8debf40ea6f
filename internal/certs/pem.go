package certs

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/azid-go/azid/internal/pkcs12"
)

// pemBegin starts every PEM block (RFC 7468, Section 2).
var pemBegin = []byte("-----BEGIN")

// readPEM returns the certificates of PEM data in file order and its one
// private key. Blocks with other labels are ignored (RFC 7468, Section 2:
// parsers "SHOULD ignore" text outside blocks; labels such as X509 CRL or
// EC PARAMETERS carry nothing used here).
func readPEM(data, password []byte, dec pkcs12.Decoder) ([]*x509.Certificate, crypto.PrivateKey, error) {
	var certs []*x509.Certificate
	var keys []*pem.Block
	defer func() {
		for _, k := range keys {
			wipe(k.Bytes)
		}
	}()
	n := 0
	for rest := data; ; {
		block, r := pem.Decode(rest)
		if block == nil {
			break
		}
		rest = r
		n++
		switch {
		case block.Type == "CERTIFICATE":
			if len(certs) == MaxCertificates {
				return nil, nil, fmt.Errorf("%w: more than %d certificates", ErrLimit, MaxCertificates)
			}
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: PEM block %d (CERTIFICATE): %w", ErrMalformed, n, err)
			}
			certs = append(certs, c)
		case strings.HasSuffix(block.Type, "PRIVATE KEY"):
			keys = append(keys, block)
		}
	}
	// encoding/pem skips a block it cannot decode (a missing END line,
	// broken base64) and moves on; count BEGIN lines to notice.
	if n != bytes.Count(data, pemBegin) {
		return nil, nil, fmt.Errorf("%w: a PEM block is damaged (a BEGIN line without its END line, or broken base64)", ErrMalformed)
	}
	switch len(keys) {
	case 0:
		return nil, nil, ErrNoPrivateKey
	case 1:
	default:
		return nil, nil, fmt.Errorf("%w (%d key blocks)", ErrMultipleKeys, len(keys))
	}
	key, err := pemKey(keys[0], password, dec)
	if err != nil {
		return nil, nil, err
	}
	return certs, key, nil
}

// pemKey parses one private key block.
func pemKey(b *pem.Block, password []byte, dec pkcs12.Decoder) (crypto.PrivateKey, error) {
	switch b.Type {
	case "PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
	case "EC PRIVATE KEY":
		return nil, fmt.Errorf("%w: found an EC key (EC PRIVATE KEY block)", ErrUnsupportedKey)
	case "OPENSSH PRIVATE KEY":
		return nil, fmt.Errorf("%w: found an OpenSSH-format key; convert an RSA one to PKCS#8 with: ssh-keygen -p -m PKCS8 -f <file>", ErrUnsupportedKey)
	default:
		return nil, fmt.Errorf("%w: found a %s block", ErrUnsupportedKey, label(b.Type))
	}
	if strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") {
		// RFC 1423 encryption (MD5-based key derivation, one iteration);
		// crypto/x509 deprecates its helper as insecure.
		return nil, fmt.Errorf("%w: the key uses legacy PEM encryption (Proc-Type: 4,ENCRYPTED, DEK-Info %s), which is weak and not read here; convert it to PKCS#8 with: openssl pkcs8 -topk8 -v2 aes-256-cbc -in <old.pem> -out <new.pem>",
			ErrUnsupportedAlgorithm, dekCipher(b.Headers["DEK-Info"]))
	}
	switch b.Type {
	case "RSA PRIVATE KEY":
		if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
			return k, nil
		}
		// Some tools write PKCS #8 under this label; try that before failing.
		if k, err := pkcs12.ParsePrivateKeyInfo(b.Bytes); err == nil {
			return k, nil
		}
		return nil, fmt.Errorf("%w: the RSA PRIVATE KEY block is not a PKCS#1 RSA key", ErrMalformed)
	case "ENCRYPTED PRIVATE KEY":
		der, err := dec.DecryptPrivateKeyInfo(b.Bytes, password)
		if err != nil {
			return nil, fromPKCS12(err, password)
		}
		defer wipe(der)
		return pkcs8Key(der, "ENCRYPTED PRIVATE KEY")
	}
	return pkcs8Key(b.Bytes, "PRIVATE KEY")
}

// pkcs8Key parses a PKCS #8 PrivateKeyInfo, falling back to PKCS #1 as Go
// azidentity does for mislabelled keys (spec/PROTOCOL.md 14.2).
func pkcs8Key(der []byte, blockType string) (crypto.PrivateKey, error) {
	k, err := pkcs12.ParsePrivateKeyInfo(der)
	if err == nil {
		return k, nil
	}
	if errors.Is(err, pkcs12.ErrUnsupportedKeyAlgorithm) {
		return nil, fmt.Errorf("%w: %w", ErrUnsupportedKey, err)
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	return nil, fmt.Errorf("%w: the %s block is not a PKCS#8 private key", ErrMalformed, blockType)
}

// dekCipher returns the cipher name of a DEK-Info header ("AES-256-CBC,<IV>"),
// without the IV, or "unknown" when it is not a plain name.
func dekCipher(h string) string {
	name, _, _ := strings.Cut(h, ",")
	if name == "" || len(name) > 32 {
		return "unknown"
	}
	for _, c := range name {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return "unknown"
		}
	}
	return name
}

// label quotes a PEM label from the file for an error, cut to 40 bytes.
func label(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return fmt.Sprintf("%q", s)
}
