package identitytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"math/big"
	"net"
	"net/http/httptest"
	"strings"
	"time"
)

// Service Fabric's endpoint is HTTPS with a self-signed certificate whose
// SHA-1 thumbprint the runtime hands the application in
// IDENTITY_SERVER_THUMBPRINT (PROTOCOL 7.7). Each fake makes its own
// certificate, so that a client pinned to one fake's thumbprint is refused
// by another's (httptest's built-in certificate is the same for every
// server).

// startServiceFabric starts the endpoint over TLS with a new certificate.
func (m *ManagedIdentity) startServiceFabric() (*httptest.Server, *x509.Certificate, error) {
	cert, err := selfSignedCertificate("identitytest Service Fabric")
	if err != nil {
		return nil, nil, fmt.Errorf("identitytest: Service Fabric certificate: %w", err)
	}
	ts := m.log.start(m.serve, true, &tls.Config{Certificates: []tls.Certificate{cert}})
	return ts, cert.Leaf, nil
}

// selfSignedCertificate makes an ECDSA P-256 certificate for the loopback
// addresses and "localhost", valid from a day ago for ten years: a key
// pair costs well under a millisecond, where RSA-2048 would cost tens.
// It is its own issuer and a CA, so a pool holding it verifies it.
func selfSignedCertificate(cn string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// thumbprint is the SHA-1 of cert's DER in upper-case hex, 40 characters,
// the form of IDENTITY_SERVER_THUMBPRINT (PROTOCOL 7.7: "SHA-1 thumbprint
// is IDENTITY_SERVER_THUMBPRINT (40 hex characters)"); "" for nil.
func thumbprint(cert *x509.Certificate) string {
	if cert == nil {
		return ""
	}
	sum := sha1.Sum(cert.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}
