// Package jwt signs and verifies JSON Web Signatures in the compact
// serialization (RFC 7515, https://www.rfc-editor.org/rfc/rfc7515) with the
// two RSA algorithms Microsoft Entra ID accepts for client assertions: RS256,
// RSASSA-PKCS1-v1_5 with SHA-256, and PS256, RSASSA-PSS with SHA-256
// (RFC 7518, https://www.rfc-editor.org/rfc/rfc7518, Sections 3.3 and 3.5).
// It builds the client assertion of RFC 7523
// (https://www.rfc-editor.org/rfc/rfc7523, Section 3) that a certificate
// credential sends as client_assertion, with the thumbprint and chain headers
// of RFC 7515 Sections 4.1.6 to 4.1.8, and it verifies such tokens for the
// fake Entra ID in package identitytest.
//
// It does not do JWE, the JWS JSON serialization, HMAC or ECDSA algorithms,
// "none", detached or unencoded payloads (RFC 7797), JWK parsing, or claim
// validation beyond the shape of the payload: Verify proves who signed the
// token; what the claims mean is the caller's business. It never sends
// anything over a network.
//
// # Security considerations
//
// Verify accepts RS256 and PS256 only, whatever the header says, and refuses
// a token naming a critical extension ("crit"), since it understands none.
// Parsing is strict: exactly three segments of unpadded base64url without
// line breaks (RFC 7515, Section 2), a header that is a JSON object with no
// duplicate member names (Section 4), a payload that is a JSON object
// (RFC 7519, Section 7.2), and at most MaxTokenLen bytes in all. Entra ID
// itself also accepts padded segments (spec/PROTOCOL.md 4.3); this package
// does not. RSA keys under MinKeyBits bits are refused for signing and for
// verifying (RFC 7518, Section 3.3).
//
// Tokens, claims and keys never appear in an error; errors give sizes,
// positions, the names of the header members this package reads and, for an
// unsupported algorithm, the name the header gave, cut to a few bytes.
// Every function is safe for concurrent use.
package jwt

// Reading order: limits.go, errors.go, jws.go (encoding, Sign, Verify),
// header.go (strict header decoding), thumbprint.go, assertion.go.
// Names follow RFC 7515 (header, payload, signing input, signature).
