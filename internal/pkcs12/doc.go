// Package pkcs12 decodes PKCS #12 files (RFC 7292) and encrypted PKCS #8
// private keys (RFC 5958, Section 3) on the standard library alone.
//
// Decode walks PFX, MacData, AuthenticatedSafe and ContentInfo (data and
// encryptedData), and the SafeBags keyBag, pkcs8ShroudedKeyBag, certBag
// (x509Certificate) and safeContentsBag; other bags are skipped. It checks
// integrity with the classic MAC of RFC 7292 Section 5 (HMAC with SHA-1,
// SHA-224, SHA-256, SHA-384, SHA-512 keyed by the Appendix B KDF) or with
// PBMAC1 (RFC 9579), and accepts files without MacData. It decrypts PBES2
// (RFC 8018, Section 6.2: PBKDF2 with HMAC-SHA-1/224/256/384/512 and
// AES-128/192/256-CBC, DES-EDE3-CBC or DES-CBC), PBES1 (RFC 8018, Section
// 6.1) and the PKCS #12 schemes of RFC 7292 Appendix C (3-key and 2-key
// triple DES, 128- and 40-bit RC2, 128- and 40-bit RC4). RC2 (RFC 2268),
// PBKDF2 and the Appendix B KDF are written here. The reader accepts BER
// (indefinite lengths, constructed OCTET STRINGs), which some producers emit.
//
// It does not decode the public-key integrity and privacy modes (signedData,
// envelopedData), CRL and secret bags, or anything of RFC 7292 it cannot
// name; those are skipped or refused with ErrUnsupportedAlgorithm and the
// object identifier.
//
// # Passwords
//
// The password is given as the caller holds it, normally UTF-8. The MAC and
// the PKCS #12 schemes take it as a BMPString, UTF-16 big-endian with two
// zero bytes after it (RFC 7292, Appendix B.1); PBES1, PBES2 and PBMAC1 take
// the bytes as given (what OpenSSL does; spec/PROTOCOL.md 14.5). Producers
// disagree on a few forms, so the BMPString forms are tried in this order,
// and the first that verifies the MAC is kept for decryption:
//
//  1. UTF-16BE of the UTF-8 password plus 00 00 (an empty password is 00 00);
//  2. for an empty password, no bytes at all (producers that pass NULL;
//     spec/PROTOCOL.md 14.7);
//  3. for a password with bytes above 0x7f, each byte widened to 16 bits plus
//     00 00 (OpenSSL before 1.1.0, and passwords that are not UTF-8).
//
// A file without MacData is decrypted with each form in turn until one
// yields well-formed plaintext.
//
// # Security considerations
//
// Input is untrusted. Sizes, nesting, bag counts and key-derivation
// iterations are bounded by the limits in limits.go and exceeding one is an
// ErrLimit error, decided before any hashing. MACs are compared in constant
// time. Errors name structures, algorithms and object identifiers, never the
// password, a derived key or key material; derived keys and password copies
// are overwritten after use. Everything here is safe for concurrent use.
package pkcs12

// Reading order for reviewers: limits.go, errors.go, der.go, oid.go,
// pfx.go (the file layout), mac.go, pbe.go (algorithm dispatch), kdf.go
// (Appendix B), pbkdf2.go, rc2.go, password.go, pkcs8.go. Names follow the
// ASN.1 of RFC 7292 and RFC 8018.
