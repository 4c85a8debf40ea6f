package pkcs12

// MaxInputSize is the largest file Decode reads: 1 MiB. A key with a chain
// of ten certificates takes under 20 KiB, and a Java trust store of about 150
// CA certificates exported as PKCS #12 about 250 KiB; a file near the limit
// is not a client credential, and the bound caps every allocation below.
const MaxInputSize = 1 << 20

// MaxIterations caps the iteration count of one key derivation (Appendix B
// KDF, PBKDF2, PBKDF1): one million. Real files use 1 (old MACs), 2000
// (Windows), 2048 (OpenSSL), 10000 (Java keytool) and at most 600000 (OWASP's
// 2023 advice for PBKDF2-HMAC-SHA256). A million SHA-256 iterations cost
// about half a second on one core; larger counts are refused before any
// hashing, so a hostile file cannot make a caller spin for minutes.
const MaxIterations = 1_000_000

// workFactor times the iteration cap bounds the work of one call, summed over
// every derivation (MAC, each encrypted safe, each shrouded key, each
// password form tried) and counted per hash-output block. Ten covers the
// common layout (MAC, certificate safe, key, and a second MAC try for an
// empty password, with 3DES needing three blocks) at the cap, and keeps one
// call under about five seconds.
const workFactor = 10

// MaxDepth caps ASN.1 nesting: 32 levels. The deepest path in a PKCS #12
// file (PFX, ContentInfo, EncryptedData, SafeBag, CertBag, nested
// safeContentsBags) is about a dozen; the bound keeps the recursive BER
// reader's stack and rescanning of indefinite lengths small.
const MaxDepth = 32

// MaxBags caps the SafeBags in one file, skipped ones included: 1000. A
// credential has a key and a few certificates; trust stores reach a few
// hundred. Each bag may need a certificate parse or a decryption.
const MaxBags = 1000

// maxKeyLength caps a derived key length read from a file (PBKDF2
// keyLength, PBMAC1): 64 bytes, the largest any supported cipher or HMAC
// needs.
const maxKeyLength = 64
