package jwt

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// AssertionClaims are the claims of a client assertion, RFC 7523, Section 3
// (spec/PROTOCOL.md 4.2). All times are NumericDate values.
type AssertionClaims struct {
	Aud string `json:"aud"` // Section 3 item 3: the token endpoint URL
	Iss string `json:"iss"` // Section 3 item 1: the client id
	Sub string `json:"sub"` // Section 3 item 2.B: the client id, for client authentication
	Jti string `json:"jti"` // Section 3 item 7: a random UUID v4 text, unique per assertion
	Nbf int64  `json:"nbf"` // Section 3 item 5: not before
	Iat int64  `json:"iat"` // Section 3 item 6: issued at
	Exp int64  `json:"exp"` // Section 3 item 4: expiry
}

// ClientAssertion builds and signs the client assertion with which clientID
// authenticates at audience, the token endpoint URL it is about to call
// (RFC 7523, Section 2.2; spec/PROTOCOL.md 4). The assertion is valid from
// now for life; a life of zero, or over MaxAssertionLife, means
// MaxAssertionLife. alg is RS256 or PS256; "" means RS256.
//
// certs are DER certificates. certs[0] is the signing certificate: it must
// hold key's public key, and the header's x5t and x5t#S256 are its
// thumbprints. withChain adds the x5c header with every certificate of
// certs in order, which Entra ID needs for subject name and issuer
// authentication (spec/PROTOCOL.md 4.1).
func ClientAssertion(alg string, key *rsa.PrivateKey, certs [][]byte, clientID, audience string, now time.Time, life time.Duration, withChain bool) (string, error) {
	s, err := NewAssertionSigner(alg, key, certs, withChain)
	if err != nil {
		return "", err
	}
	return s.Sign(clientID, audience, now, life)
}

// AssertionSigner signs client assertions for one key and certificate
// chain. The checks, the thumbprints and the encoded header are computed
// once, by NewAssertionSigner, so each assertion costs its claims and one
// signature. It is safe for concurrent use.
type AssertionSigner struct {
	alg    string
	key    *rsa.PrivateKey
	header []byte // the JOSE header, JSON
}

// NewAssertionSigner checks key and certs as ClientAssertion does and
// returns a signer for them.
func NewAssertionSigner(alg string, key *rsa.PrivateKey, certs [][]byte, withChain bool) (*AssertionSigner, error) {
	if alg == "" {
		alg = RS256
	}
	if err := checkAlg(alg); err != nil {
		return nil, err
	}
	if err := checkPrivateKey(key); err != nil {
		return nil, err
	}
	if err := checkCertificates(key, certs); err != nil {
		return nil, err
	}
	h := Header{Alg: alg, Typ: "JWT", X5t: X5t(certs[0]), X5tS256: X5tS256(certs[0])}
	if withChain {
		// RFC 7515, Section 4.1.6: "Each string in the array is a
		// base64-encoded (Section 4 of [RFC4648] -- not base64url-encoded)
		// DER [ITU.X690.2008] PKIX certificate value. The certificate
		// containing the public key corresponding to the key used to
		// digitally sign the JWS MUST be the first certificate."
		h.X5c = make([]string, len(certs))
		for i, der := range certs {
			h.X5c[i] = base64.StdEncoding.EncodeToString(der)
		}
	}
	header, err := marshal(h)
	if err != nil {
		return nil, fmt.Errorf("%w: encoding header: %w", ErrMalformed, err)
	}
	return &AssertionSigner{alg: alg, key: key, header: header}, nil
}

// Sign returns an assertion with which clientID authenticates at audience,
// the token endpoint URL it is about to call, valid from now for life (zero,
// or over MaxAssertionLife, means MaxAssertionLife).
func (s *AssertionSigner) Sign(clientID, audience string, now time.Time, life time.Duration) (string, error) {
	if err := checkAssertionInput(clientID, audience, now, life); err != nil {
		return "", err
	}
	if life == 0 || life > MaxAssertionLife {
		life = MaxAssertionLife
	}
	jti, err := NewJTI()
	if err != nil {
		return "", err
	}
	claims := AssertionClaims{
		Aud: audience, // RFC 7523, Section 3 item 3: "the token endpoint URL of the authorization server MAY be used as a value"
		Iss: clientID, // RFC 7523, Section 3 item 2.B: "For client authentication, the subject MUST be the client_id"
		Sub: clientID,
		Jti: jti,
		Nbf: NumericDate(now),
		Iat: NumericDate(now),
		Exp: NumericDate(now.Add(life)),
	}
	payload, err := marshal(claims)
	if err != nil {
		return "", fmt.Errorf("%w: encoding claims: %w", ErrMalformed, err)
	}
	return sign(s.header, s.alg, payload, s.key)
}

// checkAssertionInput refuses what would make an assertion Entra ID rejects
// with a less helpful message, or one that is not what the caller meant.
func checkAssertionInput(clientID, audience string, now time.Time, life time.Duration) error {
	switch {
	case clientID == "":
		return fmt.Errorf("%w: empty client id", ErrAssertion)
	case audience == "":
		return fmt.Errorf("%w: empty audience", ErrAssertion)
	case now.IsZero():
		return fmt.Errorf("%w: the time is zero", ErrAssertion)
	case life < 0:
		return fmt.Errorf("%w: negative lifetime %v", ErrAssertion, life)
	}
	return nil
}

// checkCertificates requires a signing certificate that holds key's public
// key, and no empty certificate in the chain.
func checkCertificates(key *rsa.PrivateKey, certs [][]byte) error {
	if len(certs) == 0 {
		return fmt.Errorf("%w: no signing certificate", ErrAssertion)
	}
	for i, der := range certs {
		if len(der) == 0 {
			return fmt.Errorf("%w: certificate %d is empty", ErrAssertion, i)
		}
	}
	// RFC 7515, Section 4.1.6: the first certificate must contain the
	// public key that verifies the signature; Entra ID finds the key it
	// checks with by this certificate's thumbprint.
	leaf, err := x509.ParseCertificate(certs[0])
	if err != nil {
		return fmt.Errorf("%w: certificate 0: %w", ErrAssertion, err)
	}
	if pub, ok := leaf.PublicKey.(*rsa.PublicKey); !ok || !key.PublicKey.Equal(pub) {
		return fmt.Errorf("%w: certificate 0 does not hold the signing key's public key", ErrAssertion)
	}
	return nil
}

// NewJTI returns a random UUID version 4 in its 36-character text form, for
// the jti claim. RFC 9562, Section 5.4: 122 random bits, the version field
// (bits 48 to 51) set to 0b0100 and the variant field (bits 64 and 65) to
// 0b10.
func NewJTI() (string, error) {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		return "", fmt.Errorf("jwt: reading random bytes for jti: %w", err)
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // variant 0b10
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], u[10:16])
	return string(s[:]), nil
}

// NumericDate returns t as a NumericDate: whole seconds since
// 1970-01-01T00:00:00Z UTC, ignoring leap seconds (RFC 7519, Section 2).
// Fractions of a second are dropped.
func NumericDate(t time.Time) int64 {
	return t.Unix()
}

// FromNumericDate returns the UTC time of the NumericDate n.
func FromNumericDate(n int64) time.Time {
	return time.Unix(n, 0).UTC()
}
