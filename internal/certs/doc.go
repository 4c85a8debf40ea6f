// Package certs reads the certificate chain and private key of a client
// certificate credential from PEM (RFC 7468) or PKCS #12 (RFC 7292) data:
// the logic behind identity.ParseCertificates (spec/PROTOCOL.md 14).
//
// Data that contains "-----BEGIN" is PEM, anything else PKCS #12, as the
// Python library decides (spec/PROTOCOL.md 14.1). PEM blocks may come in any
// order, with CRLF line ends and text between them (OpenSSL "Bag
// Attributes"); the labels read are CERTIFICATE, PRIVATE KEY (PKCS #8, RFC
// 5208), RSA PRIVATE KEY (PKCS #1, RFC 8017 Appendix A.1.2) and ENCRYPTED
// PRIVATE KEY (RFC 5958, Section 3, decrypted by package pkcs12). Any other
// label ending in PRIVATE KEY (EC, DSA, OPENSSH) still counts as a key, so
// that a file holding two keys is refused rather than one of them chosen;
// other labels are ignored. A password is ignored for unencrypted keys. Legacy
// "Proc-Type: 4,ENCRYPTED" PEM (RFC 1423) is refused with the command that
// converts it to PKCS #8.
//
// The result is the certificate whose public key matches the private key,
// then the other certificates in file order, and the one private key, which
// must be RSA: Entra client assertions here are signed with RS256 (PROTOCOL
// 14.1).
//
// # Security considerations
//
// Input is untrusted and bounded by limits.go. Errors are the sentinels of
// errors.go, each saying what to do, wrapped with where it happened; none
// contains the password, a decrypted key or key material. Decrypted key
// bytes are overwritten once parsed. Everything here is safe for concurrent
// use.
package certs
