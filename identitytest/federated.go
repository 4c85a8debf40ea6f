package identitytest

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/azid-go/azid/jwt"
)

// FederatedAudience is the audience Entra ID requires of a federated
// token used as a client assertion (PROTOCOL 16: "Federated credential
// audience").
const FederatedAudience = "api://AzureADTokenExchange"

// ErrFederatedToken is wrapped by every error of OIDCIssuer.Validate and
// WorkloadIdentity.Validate.
var ErrFederatedToken = errors.New("identitytest: federated token refused")

// federatedIssuer mints and checks the tokens of one external identity
// provider: a CI system's OIDC tokens or a Kubernetes cluster's projected
// service account tokens. They are RS256 JWTs signed with the Server's
// key; what tells them apart from the Server's access tokens is iss.
type federatedIssuer struct {
	issuer    string
	subject   string
	lifetime  time.Duration // exp - iat
	backdate  time.Duration // iat - nbf
	extra     map[string]any
	now       func() time.Time
	key       *rsa.PrivateKey
	kid       string
	audiences func(aud string) any // the aud claim for a requested audience
}

func newFederatedIssuer(issuer, subject string, lifetime, backdate time.Duration, now func() time.Time) *federatedIssuer {
	if now == nil {
		now = time.Now
	}
	key, kid := signingKey()
	return &federatedIssuer{
		issuer: issuer, subject: subject, lifetime: lifetime, backdate: backdate, now: now, key: key, kid: kid,
		audiences: func(aud string) any { return aud },
	}
}

// mint signs a token for aud.
func (f *federatedIssuer) mint(aud string) (string, error) {
	now := f.now()
	claims := map[string]any{
		"iss": f.issuer,
		"sub": f.subject,
		"aud": f.audiences(aud),
		"iat": now.Unix(),
		"nbf": now.Add(-f.backdate).Unix(),
		"exp": now.Add(f.lifetime).Unix(),
		"jti": newGUID(),
	}
	for k, v := range f.extra {
		claims[k] = v
	}
	return jwt.Sign(jwt.Header{Alg: jwt.RS256, Typ: "JWT", Kid: f.kid}, claims, f.key)
}

// validate checks a token as Entra ID checks a federated assertion against
// a federated identity credential: the issuer's signature, iss and sub
// exactly, FederatedAudience among aud, and the time window with
// AssertionSkew either side. Its errors never quote the token.
func (f *federatedIssuer) validate(assertion string) error {
	_, payload, err := jwt.Verify(assertion, &f.key.PublicKey)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFederatedToken, err)
	}
	var c struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Nbf *json.Number    `json:"nbf"`
		Exp *json.Number    `json:"exp"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return fmt.Errorf("%w: claims are not a JSON object of the expected types", ErrFederatedToken)
	}
	switch {
	case c.Iss != f.issuer:
		return fmt.Errorf("%w: iss %s is not %s", ErrFederatedToken, quoted(c.Iss), f.issuer)
	case c.Sub != f.subject:
		return fmt.Errorf("%w: sub %s is not %s", ErrFederatedToken, quoted(c.Sub), quoted(f.subject))
	case !hasAudience(c.Aud, FederatedAudience):
		return fmt.Errorf("%w: aud does not include %s", ErrFederatedToken, FederatedAudience)
	}
	now := f.now()
	exp, expOK := unixClaim(c.Exp)
	nbf, nbfOK := unixClaim(c.Nbf)
	switch {
	case !expOK:
		return fmt.Errorf("%w: exp is missing or not a number", ErrFederatedToken)
	case !now.Before(exp.Add(AssertionSkew)):
		return fmt.Errorf("%w: expired at %s", ErrFederatedToken, exp.UTC().Format(time.RFC3339))
	case c.Nbf != nil && !nbfOK:
		return fmt.Errorf("%w: nbf is not a number", ErrFederatedToken)
	case nbfOK && now.Add(AssertionSkew).Before(nbf):
		return fmt.Errorf("%w: not valid before %s", ErrFederatedToken, nbf.UTC().Format(time.RFC3339))
	}
	return nil
}

// hasAudience reports whether aud, a string or an array of strings (RFC
// 7519, Section 4.1.3), holds want.
func hasAudience(aud json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(aud, &one) == nil {
		return one == want
	}
	var many []string
	if json.Unmarshal(aud, &many) != nil {
		return false
	}
	for _, a := range many {
		if a == want {
			return true
		}
	}
	return false
}

// unixClaim reads a NumericDate (RFC 7519, Section 2), whole seconds.
func unixClaim(n *json.Number) (time.Time, bool) {
	if n == nil {
		return time.Time{}, false
	}
	v, err := n.Int64()
	if err != nil {
		f, ferr := n.Float64()
		if ferr != nil || f != f || f > 1e15 || f < -1e15 {
			return time.Time{}, false
		}
		v = int64(f)
	}
	return time.Unix(v, 0), true
}
