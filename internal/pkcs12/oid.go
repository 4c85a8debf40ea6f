package pkcs12

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

// Object identifiers, in dotted form, with the document that assigns each.
const (
	// RFC 5652 (CMS) content types, as RFC 7292 Section 4 uses them.
	oidData          = "1.2.840.113549.1.7.1"
	oidSignedData    = "1.2.840.113549.1.7.2"
	oidEnvelopedData = "1.2.840.113549.1.7.3"
	oidEncryptedData = "1.2.840.113549.1.7.6"

	// RFC 7292, Section 4.2: bag types.
	oidKeyBag              = "1.2.840.113549.1.12.10.1.1"
	oidPKCS8ShroudedKeyBag = "1.2.840.113549.1.12.10.1.2"
	oidCertBag             = "1.2.840.113549.1.12.10.1.3"
	oidCRLBag              = "1.2.840.113549.1.12.10.1.4"
	oidSecretBag           = "1.2.840.113549.1.12.10.1.5"
	oidSafeContentsBag     = "1.2.840.113549.1.12.10.1.6"

	// RFC 7292, Section 4.2.3 and Appendix D: certificate types, attributes.
	oidX509Certificate = "1.2.840.113549.1.9.22.1"
	oidSDSICertificate = "1.2.840.113549.1.9.22.2"
	oidFriendlyName    = "1.2.840.113549.1.9.20"
	oidLocalKeyID      = "1.2.840.113549.1.9.21"

	// RFC 7292, Appendix C: PKCS #12 password-based encryption.
	oidPBEWithSHAAnd128BitRC4        = "1.2.840.113549.1.12.1.1"
	oidPBEWithSHAAnd40BitRC4         = "1.2.840.113549.1.12.1.2"
	oidPBEWithSHAAnd3KeyTripleDESCBC = "1.2.840.113549.1.12.1.3"
	oidPBEWithSHAAnd2KeyTripleDESCBC = "1.2.840.113549.1.12.1.4"
	oidPBEWithSHAAnd128BitRC2CBC     = "1.2.840.113549.1.12.1.5"
	oidPBEWithSHAAnd40BitRC2CBC      = "1.2.840.113549.1.12.1.6"

	// RFC 8018, Appendix A: PKCS #5 schemes.
	oidPBEWithMD5AndDESCBC  = "1.2.840.113549.1.5.3"
	oidPBEWithMD5AndRC2CBC  = "1.2.840.113549.1.5.6"
	oidPBEWithSHA1AndDESCBC = "1.2.840.113549.1.5.10"
	oidPBEWithSHA1AndRC2CBC = "1.2.840.113549.1.5.11"
	oidPBKDF2               = "1.2.840.113549.1.5.12"
	oidPBES2                = "1.2.840.113549.1.5.13"
	oidPBMAC1               = "1.2.840.113549.1.5.14"

	// RFC 8018, Appendix B.1: PBKDF2 pseudorandom functions.
	oidHMACWithSHA1       = "1.2.840.113549.2.7"
	oidHMACWithSHA224     = "1.2.840.113549.2.8"
	oidHMACWithSHA256     = "1.2.840.113549.2.9"
	oidHMACWithSHA384     = "1.2.840.113549.2.10"
	oidHMACWithSHA512     = "1.2.840.113549.2.11"
	oidHMACWithSHA512_224 = "1.2.840.113549.2.12"
	oidHMACWithSHA512_256 = "1.2.840.113549.2.13"

	// RFC 8018, Appendix B.2: encryption schemes.
	oidDESCBC     = "1.3.14.3.2.7"
	oidDESEDE3CBC = "1.2.840.113549.3.7"
	oidRC2CBC     = "1.2.840.113549.3.2"
	oidAES128CBC  = "2.16.840.1.101.3.4.1.2"
	oidAES192CBC  = "2.16.840.1.101.3.4.1.22"
	oidAES256CBC  = "2.16.840.1.101.3.4.1.42"

	// Digest algorithms of the classic MAC (RFC 7292 Section 4 DigestInfo;
	// RFC 3279 and RFC 5754 for the identifiers).
	oidSHA1       = "1.3.14.3.2.26"
	oidSHA256     = "2.16.840.1.101.3.4.2.1"
	oidSHA384     = "2.16.840.1.101.3.4.2.2"
	oidSHA512     = "2.16.840.1.101.3.4.2.3"
	oidSHA224     = "2.16.840.1.101.3.4.2.4"
	oidSHA512_224 = "2.16.840.1.101.3.4.2.5"
	oidSHA512_256 = "2.16.840.1.101.3.4.2.6"

	// Private key algorithms crypto/x509 parses in PKCS #8 (RFC 8017,
	// RFC 5480, RFC 8410).
	oidRSAEncryption = "1.2.840.113549.1.1.1"
	oidECPublicKey   = "1.2.840.10045.2.1"
	oidX25519        = "1.3.101.110"
	oidEd25519       = "1.3.101.112"
)

// digests maps the MAC digest identifiers to their hash functions.
var digests = map[string]func() hash.Hash{
	oidSHA1:       sha1.New,
	oidSHA224:     sha256.New224,
	oidSHA256:     sha256.New,
	oidSHA384:     sha512.New384,
	oidSHA512:     sha512.New,
	oidSHA512_224: sha512.New512_224,
	oidSHA512_256: sha512.New512_256,
}

// hmacs maps the PBKDF2 PRF (and PBMAC1 MAC scheme) identifiers to the hash
// each HMAC uses.
var hmacs = map[string]func() hash.Hash{
	oidHMACWithSHA1:       sha1.New,
	oidHMACWithSHA224:     sha256.New224,
	oidHMACWithSHA256:     sha256.New,
	oidHMACWithSHA384:     sha512.New384,
	oidHMACWithSHA512:     sha512.New,
	oidHMACWithSHA512_224: sha512.New512_224,
	oidHMACWithSHA512_256: sha512.New512_256,
}

// names holds readable names for identifiers that appear in errors,
// supported or not.
var names = map[string]string{
	oidSignedData:                    "signedData (public-key integrity mode)",
	oidEnvelopedData:                 "envelopedData (public-key privacy mode)",
	oidPBEWithSHAAnd128BitRC4:        "pbeWithSHAAnd128BitRC4",
	oidPBEWithSHAAnd40BitRC4:         "pbeWithSHAAnd40BitRC4",
	oidPBEWithSHAAnd3KeyTripleDESCBC: "pbeWithSHAAnd3-KeyTripleDES-CBC",
	oidPBEWithSHAAnd2KeyTripleDESCBC: "pbeWithSHAAnd2-KeyTripleDES-CBC",
	oidPBEWithSHAAnd128BitRC2CBC:     "pbeWithSHAAnd128BitRC2-CBC",
	oidPBEWithSHAAnd40BitRC2CBC:      "pbeWithSHAAnd40BitRC2-CBC",
	oidPBKDF2:                        "PBKDF2",
	oidPBES2:                         "PBES2",
	oidPBMAC1:                        "PBMAC1",
	oidRC2CBC:                        "rc2CBC",
	"1.2.840.113549.1.5.1":           "pbeWithMD2AndDES-CBC",
	"1.2.840.113549.1.5.4":           "pbeWithMD2AndRC2-CBC",
	"1.2.840.113549.2.5":             "MD5",
	"1.2.840.113549.2.2":             "MD2",
	"1.2.840.10040.4.1":              "DSA",
	"1.2.840.113549.1.1.10":          "RSASSA-PSS",
	"1.3.101.111":                    "X448",
	"1.3.101.113":                    "Ed448",
	"1.2.643.2.2.19":                 "GOST R 34.10-2001",
	"1.2.643.7.1.1.1.1":              "GOST R 34.10-2012 256-bit",
	"1.2.156.10197.1.301":            "SM2",
	"2.16.840.1.101.3.4.1.6":         "aes128-GCM",
	"2.16.840.1.101.3.4.1.46":        "aes256-GCM",
}

// describe returns an identifier with its name when one is known.
func describe(oid string) string {
	if n, ok := names[oid]; ok {
		return oid + " (" + n + ")"
	}
	return oid
}
