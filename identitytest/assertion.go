package identitytest

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/azid-go/azid/jwt"
)

// checkClientAssertion authenticates a client by its client_assertion
// (RFC 7521, Section 4.2). An assertion whose header names a certificate
// (x5t or x5t#S256) is checked against App.Certificate (PROTOCOL 4); any
// other goes to App.Federated, as Entra ID matches a federated token
// against the app's federated identity credentials (PROTOCOL 2.5).
func (s *Server) checkClientAssertion(tr *tokenRequest, app App, assertion string) *oauthError {
	h, _, err := jwt.ParseUnverified(unpadded(assertion))
	namesCert := err == nil && (h.X5t != "" || h.X5tS256 != "")
	switch {
	case app.Certificate != nil && (namesCert || app.Federated == nil):
		if err != nil {
			return errorf(http.StatusUnauthorized, "invalid_client", codeMalformedJWT,
				"JWT token is invalid or malformed: the client assertion is not a compact JWS.")
		}
		return s.checkCertificateAssertion(tr, app, assertion, h)
	case app.Federated != nil:
		// The callback's error text is not sent back: it might quote the
		// assertion.
		if app.Federated(assertion) != nil {
			return errorf(http.StatusUnauthorized, "invalid_client", codeFederatedNoMatch,
				"No matching federated identity record found for presented assertion.")
		}
		return nil
	default:
		return errorf(http.StatusUnauthorized, "invalid_client", codeAssertionSignature,
			"The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found.]")
	}
}

// checkCertificateAssertion checks a certificate client assertion as
// PROTOCOL 4 and RFC 7523, Section 3 describe: algorithm, thumbprint,
// signature, iss and sub, aud, the time window and its length, and jti.
func (s *Server) checkCertificateAssertion(tr *tokenRequest, app App, assertion string, h jwt.Header) *oauthError {
	bad := func(code int, format string, args ...any) *oauthError {
		return errorf(http.StatusUnauthorized, "invalid_client", code, format, args...)
	}
	switch {
	case h.Alg == jwt.RS256:
	case h.Alg == jwt.PS256 && !tr.adfs:
	case tr.adfs:
		// PROTOCOL 3: ADFS accepts RS256 with x5t only.
		return bad(codeAssertionSignature, "ADFS accepts client assertions signed with RS256 only; got alg %s.", quoted(h.Alg))
	default:
		return bad(codeAssertionSignature, "Client assertion alg %s is not supported; use RS256 or PS256.", quoted(h.Alg))
	}
	if tr.adfs && h.X5t == "" {
		return bad(codeAssertionSignature, "ADFS needs the x5t header (SHA-1 thumbprint) in a client assertion.")
	}
	if h.X5t == "" && h.X5tS256 == "" {
		return bad(codeAssertionSignature, "The client assertion header names no certificate: send x5t or x5t#S256.")
	}
	s1 := sha1.Sum(app.Certificate.Raw)
	s256 := sha256.Sum256(app.Certificate.Raw)
	// RFC 7515, Sections 4.1.7 and 4.1.8: the thumbprint is of the DER
	// encoding of the certificate. Each one sent must name ours.
	if h.X5t != "" && !thumbprintIs(h.X5t, s1[:]) || h.X5tS256 != "" && !thumbprintIs(h.X5tS256, s256[:]) {
		thumb := h.X5t
		if thumb == "" {
			thumb = h.X5tS256
		}
		return bad(codeAssertionSignature,
			"The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: %s]", quoted(thumb))
	}
	pub, ok := app.Certificate.PublicKey.(*rsa.PublicKey)
	if !ok {
		return bad(codeAssertionSignature, "The certificate registered on application has no RSA public key.")
	}
	payload, err := verifyAsSent(assertion, h.Alg, pub)
	if err != nil {
		return bad(codeAssertionSignature, "Client assertion contains an invalid signature.")
	}
	c, err := decodeClaims(payload)
	if err != nil {
		return bad(codeMalformedJWT, "JWT token is invalid or malformed: the client assertion's claims are not a JSON object.")
	}
	clientID := app.ClientID
	// RFC 7523, Section 3, items 1 and 2: iss and sub are the client id
	// (PROTOCOL 4.2).
	if iss, sub := c.str("iss"), c.str("sub"); iss != clientID || sub != clientID {
		return bad(codeAssertionSubject, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .")
	}
	// RFC 7523, Section 3, item 3: "The JWT MUST contain an "aud" (audience)
	// claim containing a value that identifies the authorization server as
	// an intended audience." Entra ID wants the token URL exactly
	// (PROTOCOL 4.2).
	if !c.audienceHas(tr.tokenURL) {
		return bad(codeAssertionAudience, "Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .")
	}
	if e := checkAssertionTimes(c, tr.now); e != nil {
		return e
	}
	jti := c.str("jti")
	if jti == "" {
		return bad(codeMalformedJWT, "JWT token is invalid or malformed: the client assertion has no jti claim.")
	}
	exp, _ := c.date("exp")
	if !s.opts.AllowAssertionReuse && !s.firstUse(clientID, jti, exp, tr.now) {
		// RFC 7523, Section 3, item 7: the server "MAY ensure that JWTs are
		// not replayed by maintaining the set of used "jti" values".
		return bad(codeMalformedJWT, "JWT token is invalid or malformed: the client assertion's jti was already used.")
	}
	return nil
}

// checkAssertionTimes checks exp, nbf and the assertion's lifetime
// (RFC 7523, Section 3, items 4 and 5), allowing AssertionSkew.
func checkAssertionTimes(c claimSet, now time.Time) *oauthError {
	bad := func(format string, args ...any) *oauthError {
		return errorf(http.StatusUnauthorized, "invalid_client", codeAssertionTime,
			"Client assertion is not within its valid time range. "+format, args...)
	}
	exp, ok := c.date("exp")
	if !ok {
		// RFC 7523, Section 3, item 4: "The JWT MUST contain an "exp"
		// (expiration time) claim".
		return bad("The client assertion has no numeric exp claim.")
	}
	if now.After(exp.Add(AssertionSkew)) {
		return bad("Current time: %s, expiry time of assertion %s.", stamp(now), stamp(exp))
	}
	start := now
	if nbf, ok := c.date("nbf"); ok {
		if nbf.After(now.Add(AssertionSkew)) {
			return bad("Current time: %s, assertion valid from %s.", stamp(now), stamp(nbf))
		}
		start = nbf
	} else if iat, ok := c.date("iat"); ok {
		start = iat
	}
	if !exp.After(start) {
		return bad("The assertion expires (%s) before it becomes valid (%s).", stamp(exp), stamp(start))
	}
	if exp.Sub(start) > MaxAssertionLifetime {
		return bad("The assertion's lifetime %s is longer than %s.", exp.Sub(start), MaxAssertionLifetime)
	}
	return nil
}

// firstUse records jti for clientID until exp and reports whether it was
// new. Expired ids are forgotten; past maxSeenJTIs live ones, all are.
func (s *Server) firstUse(clientID, jti string, exp, now time.Time) bool {
	key := clientID + "\x00" + jti
	s.mu.Lock()
	defer s.mu.Unlock()
	if until, seen := s.jtis[key]; seen && !now.After(until.Add(AssertionSkew)) {
		return false
	}
	if len(s.jtis) >= maxSeenJTIs {
		for k, until := range s.jtis {
			if now.After(until.Add(AssertionSkew)) {
				delete(s.jtis, k)
			}
		}
		if len(s.jtis) >= maxSeenJTIs {
			s.jtis = make(map[string]time.Time)
		}
	}
	s.jtis[key] = exp
	return true
}

// thumbprintIs reports whether v encodes sum. RFC 7515 says base64url
// without padding, but Entra ID accepts all four base64 forms the official
// libraries send (PROTOCOL 4.1), so we do too.
func thumbprintIs(v string, sum []byte) bool {
	for _, enc := range [...]*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
		if b, err := enc.DecodeString(v); err == nil && bytes.Equal(b, sum) {
			return true
		}
	}
	return false
}

// claimSet is a JWT claims object decoded with json.Number for numbers.
type claimSet map[string]any

// decodeClaims decodes a JWT payload, which must be one JSON object.
func decodeClaims(payload []byte) (claimSet, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var c claimSet
	if err := dec.Decode(&c); err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errNotObject
	}
	return c, nil
}

var errNotObject = jsonError("claims are not a JSON object")

type jsonError string

func (e jsonError) Error() string { return "identitytest: " + string(e) }

// str returns the string claim name, or "".
func (c claimSet) str(name string) string {
	v, _ := c[name].(string)
	return v
}

// date returns the NumericDate claim name (RFC 7519, Section 2: seconds
// since the epoch, fractions allowed).
func (c claimSet) date(name string) (time.Time, bool) {
	n, ok := c[name].(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1<<40 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// audienceHas reports whether the aud claim, a string or an array of
// strings (RFC 7519, Section 4.1.3), contains want exactly.
func (c claimSet) audienceHas(want string) bool {
	switch aud := c["aud"].(type) {
	case string:
		return aud == want
	case []any:
		for _, a := range aud {
			if s, _ := a.(string); s == want {
				return true
			}
		}
	}
	return false
}

// stringList returns the claim name as strings: a string claim or an array of
// strings, the forms Entra ID uses for roles, acrs and xms_cc.
func (c claimSet) stringList(name string) []string {
	switch v := c[name].(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// stamp formats t as Entra ID does in its error texts.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

// unpadded is a compact JWS with the '=' padding of its segments removed.
// PROTOCOL 4.3: PY aio pads all three segments and Entra ID accepts them;
// package jwt, strict, does not (RFC 7515, Section 2).
func unpadded(token string) string {
	if !strings.Contains(token, "=") {
		return token
	}
	parts := strings.Split(token, ".")
	for i, p := range parts {
		parts[i] = strings.TrimRight(p, "=")
	}
	return strings.Join(parts, ".")
}

// verifyAsSent verifies token's signature over its first two segments as
// they were sent, padded or not (the signer signed those bytes), and
// returns its payload. alg is the header's, already checked to be RS256 or
// PS256.
func verifyAsSent(token, alg string, pub *rsa.PublicKey) ([]byte, error) {
	if !strings.Contains(token, "=") {
		_, payload, err := jwt.Verify(token, pub)
		return payload, err
	}
	_, payload, err := jwt.ParseUnverified(unpadded(token))
	if err != nil {
		return nil, err
	}
	if pub.N.BitLen() < jwt.MinKeyBits {
		return nil, errors.New("the key is too small") // as jwt.Verify refuses it
	}
	i := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(token[i+1:], "="))
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256([]byte(token[:i]))
	if alg == jwt.PS256 {
		return payload, rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	}
	return payload, rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig)
}
