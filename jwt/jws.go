package jwt

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// b64 is the encoding of every segment. RFC 7515, Section 2: "Base64url
// Encoding ... with all trailing '=' characters omitted ... and without the
// inclusion of any line breaks, whitespace, or other additional characters."
// Strict also refuses non-zero padding bits, so each value has one spelling.
var b64 = base64.RawURLEncoding.Strict()

// pssOptions are the RSASSA-PSS parameters of PS256. RFC 7518, Section 3.5:
// "The size of the salt value is the same size as the hash function output."
// Go's PSS uses MGF1 with the same hash, SHA-256, as the Section requires.
var pssOptions = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}

// Sign returns the compact serialization header.payload.signature of claims
// (RFC 7515, Section 7.1). claims is marshalled with encoding/json and must
// encode to a JSON object (a struct or a map). The algorithm is h.Alg, RS256
// or PS256; key must have at least MinKeyBits bits. Randomness for PS256
// salts and RSA blinding comes from crypto/rand.
func Sign(h Header, claims any, key *rsa.PrivateKey) (string, error) {
	header, err := marshal(h)
	if err != nil {
		return "", fmt.Errorf("%w: encoding header: %w", ErrMalformed, err)
	}
	payload, err := marshal(claims)
	if err != nil {
		return "", fmt.Errorf("%w: encoding claims: %w", ErrMalformed, err)
	}
	return sign(header, h.Alg, payload, key)
}

// SignRaw is Sign for a header and payload given as exact bytes, used as
// they are (and base64url-encoded here), as RFC 7515 Appendix A.2 needs. The
// algorithm is the header's alg. headerJSON must pass the checks Verify
// makes of a header and payload must be a JSON object, so that whatever
// SignRaw returns, Verify accepts.
func SignRaw(headerJSON, payload []byte, key *rsa.PrivateKey) (string, error) {
	h, crit, err := decodeHeader(headerJSON)
	if err != nil {
		return "", err
	}
	if crit {
		return "", malformed("header has crit; no extension is supported")
	}
	return sign(headerJSON, h.Alg, payload, key)
}

// sign checks its input, then builds and signs the token.
func sign(header []byte, alg string, payload []byte, key *rsa.PrivateKey) (string, error) {
	if err := checkAlg(alg); err != nil {
		return "", err
	}
	if err := checkPrivateKey(key); err != nil {
		return "", err
	}
	if !isObject(payload) {
		return "", malformed("payload is not a JSON object")
	}
	hlen, plen := b64.EncodedLen(len(header)), b64.EncodedLen(len(payload))
	total := hlen + 1 + plen + 1 + b64.EncodedLen(key.Size())
	if total > MaxTokenLen {
		return "", malformed("token would be %d bytes; limit is %d", total, MaxTokenLen)
	}
	// RFC 7515, Section 5.1 steps 2 to 5: the JWS Signing Input is
	// ASCII(BASE64URL(UTF8(JWS Protected Header)) || '.' || BASE64URL(JWS Payload)).
	buf := make([]byte, total)
	b64.Encode(buf, header)
	buf[hlen] = '.'
	b64.Encode(buf[hlen+1:], payload)
	input := buf[:hlen+1+plen]
	digest := sha256.Sum256(input)
	var sig []byte
	var err error
	switch alg {
	case RS256:
		// RFC 7518, Section 3.3: RSASSA-PKCS1-v1_5-SIGN with SHA-256.
		sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	case PS256:
		// RFC 7518, Section 3.5: RSASSA-PSS-SIGN with SHA-256, MGF1 with SHA-256.
		sig, err = rsa.SignPSS(rand.Reader, key, crypto.SHA256, digest[:], pssOptions)
	}
	if err != nil {
		return "", fmt.Errorf("%w: signing: %w", ErrKey, err)
	}
	buf[len(input)] = '.'
	b64.Encode(buf[len(input)+1:], sig)
	return string(buf), nil
}

// Verify checks the signature of a compact JWS with pub and returns its
// header and its payload, the claims JSON exactly as signed. The algorithm
// comes from the header and must be RS256 or PS256 ("none", HS256 and
// everything else are refused with ErrAlgorithm). A header naming a critical
// extension ("crit") is refused: RFC 7515, Section 4.1.11. On error the
// header and payload are zero.
func Verify(token string, pub *rsa.PublicKey) (Header, []byte, error) {
	p, err := parse(token)
	if err != nil {
		return Header{}, nil, err
	}
	if p.crit {
		// RFC 7515, Section 4.1.11: "If any of the listed extension Header
		// Parameters are not understood and supported by the recipient, then
		// the JWS is invalid." We understand none.
		return Header{}, nil, malformed("header has crit; no extension is supported")
	}
	if err := checkAlg(p.header.Alg); err != nil {
		return Header{}, nil, err
	}
	if err := checkPublicKey(pub); err != nil {
		return Header{}, nil, err
	}
	// RFC 8017, Sections 8.1.2 and 8.2.2, step 1: "If the length of the
	// signature S is not k octets, output 'invalid signature' and stop."
	if len(p.sig) != pub.Size() {
		return Header{}, nil, fmt.Errorf("%w: signature is %d bytes; the key needs %d", ErrSignature, len(p.sig), pub.Size())
	}
	// RFC 7515, Section 5.2 step 8: validate the signature over the signing
	// input exactly as received.
	digest := sha256.Sum256([]byte(token[:p.inputLen]))
	switch p.header.Alg {
	case RS256:
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], p.sig)
	case PS256:
		err = rsa.VerifyPSS(pub, crypto.SHA256, digest[:], p.sig, pssOptions)
	}
	if err != nil {
		return Header{}, nil, fmt.Errorf("%w: %s signature does not match the key", ErrSignature, p.header.Alg)
	}
	return p.header, p.payload, nil
}

// ParseUnverified splits and decodes a compact JWS without checking its
// signature or algorithm: its header and payload may have been written by
// anyone. It applies the same limits and shape checks as Verify (a "crit"
// member is ignored here, as is the signature's length); on error the
// header and payload are zero. Use it to print a token or to pick the key
// to verify it with, never to trust it.
func ParseUnverified(token string) (Header, []byte, error) {
	p, err := parse(token)
	if err != nil {
		return Header{}, nil, err
	}
	return p.header, p.payload, nil
}

// parsed is a compact JWS split and decoded, not yet verified.
type parsed struct {
	header   Header
	crit     bool
	payload  []byte
	sig      []byte
	inputLen int // length of the signing input, token[:inputLen]
}

// parse splits a compact JWS into its three segments and decodes them
// (RFC 7515, Section 5.2 steps 1 to 7).
func parse(token string) (parsed, error) {
	if len(token) > MaxTokenLen {
		return parsed{}, malformed("token is %d bytes; limit is %d", len(token), MaxTokenLen)
	}
	// RFC 7515, Section 7.1: "BASE64URL(UTF8(JWS Protected Header)) || '.' ||
	// BASE64URL(JWS Payload) || '.' || BASE64URL(JWS Signature)".
	if n := strings.Count(token, ".") + 1; n != 3 {
		return parsed{}, malformed("%d segments; want 3", n)
	}
	first := strings.IndexByte(token, '.')
	second := first + 1 + strings.IndexByte(token[first+1:], '.')
	header, err := decodeSegment("header", token[:first])
	if err != nil {
		return parsed{}, err
	}
	payload, err := decodeSegment("payload", token[first+1:second])
	if err != nil {
		return parsed{}, err
	}
	sig, err := decodeSegment("signature", token[second+1:])
	if err != nil {
		return parsed{}, err
	}
	h, crit, err := decodeHeader(header)
	if err != nil {
		return parsed{}, err
	}
	if !isObject(payload) {
		return parsed{}, malformed("payload is not a JSON object")
	}
	return parsed{header: h, crit: crit, payload: payload, sig: sig, inputLen: second}, nil
}

// decodeSegment decodes one base64url segment. Only the 64 characters of
// the base64url alphabet are accepted: encoding/base64 alone would skip
// line breaks, and a '=' is padding RFC 7515, Section 2 omits.
func decodeSegment(name, s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return nil, malformed("%s has a byte outside base64url at offset %d", name, i)
		}
	}
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, malformed("%s is not valid base64url", name)
	}
	return b, nil
}

// checkAlg accepts the two algorithms this package implements.
func checkAlg(alg string) error {
	switch alg {
	case RS256, PS256:
		return nil
	}
	return fmt.Errorf("%w: alg %s; want RS256 or PS256", ErrAlgorithm, quote(alg))
}

// checkPublicKey refuses a missing key or modulus, keys under MinKeyBits and
// public exponents RSA does not allow.
func checkPublicKey(pub *rsa.PublicKey) error {
	if pub == nil {
		return fmt.Errorf("%w: no public key", ErrKey)
	}
	if pub.N == nil {
		return fmt.Errorf("%w: key has no modulus", ErrKey)
	}
	if bits := pub.N.BitLen(); bits < MinKeyBits {
		// RFC 7518, Section 3.3: "A key of size 2048 bits or larger MUST be
		// used with these algorithms."
		return fmt.Errorf("%w: RSA key is %d bits; need at least %d", ErrKey, bits, MinKeyBits)
	}
	// RFC 8017, Section 3.1: "the RSA public exponent e is an integer
	// between 3 and n - 1". crypto/rsa refuses too, but less clearly.
	if pub.E < 3 {
		return fmt.Errorf("%w: public exponent %d is below 3", ErrKey, pub.E)
	}
	return nil
}

// checkPrivateKey is checkPublicKey for the public half of key, and refuses
// a key without the private exponent or with a missing prime, on which
// crypto/rsa in Go 1.22 panics instead of returning an error.
func checkPrivateKey(key *rsa.PrivateKey) error {
	if key == nil {
		return fmt.Errorf("%w: no private key", ErrKey)
	}
	if err := checkPublicKey(&key.PublicKey); err != nil {
		return err
	}
	if key.D == nil {
		return fmt.Errorf("%w: key has no private exponent", ErrKey)
	}
	for _, p := range key.Primes {
		if p == nil {
			return fmt.Errorf("%w: key has a missing prime", ErrKey)
		}
	}
	return nil
}

// marshal encodes v as compact JSON without encoding/json's HTML escaping,
// so that a URL in a claim reads in the token as it was given.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
