package identity

import (
	"context"
	"crypto"
	"crypto/x509"

	"github.com/azid-go/azid/cache"
	"github.com/azid-go/azid/oauth2"
)

// OnBehalfOfCredential lets a middle-tier service call another API as the
// user who called it: it trades the user's access token (the user
// assertion) for a new one (RFC 7523, Section 2.1, with Entra's
// requested_token_use=on_behalf_of; PROTOCOL.md 2.8). Tokens are cached
// under a hash of the user assertion, so two users never share one; the
// refresh token the service returns is tried before a new exchange. It is
// safe for concurrent use.
type OnBehalfOfCredential struct {
	redacted  // fmt and slog print no field: some hold secrets
	s         userSession
	assertion string
}

// OnBehalfOfCredentialOptions configures an OnBehalfOfCredential. nil means
// defaults.
type OnBehalfOfCredentialOptions struct {
	ClientOptions
	// SendCertificateChain adds the x5c header to the client assertion (only
	// for the certificate constructor).
	SendCertificateChain bool
}

const oboName = "OnBehalfOfCredential"

// NewOnBehalfOfCredentialWithSecret returns an on-behalf-of credential whose
// service authenticates with a client secret.
func NewOnBehalfOfCredentialWithSecret(tenantID, clientID, userAssertion, secret string, o *OnBehalfOfCredentialOptions) (*OnBehalfOfCredential, error) {
	if secret == "" {
		return nil, inputError(oboName, ErrInvalidArgument, "the client secret is empty")
	}
	return newOnBehalfOf(tenantID, clientID, userAssertion, oauth2.Auth{Secret: secret}, o)
}

// NewOnBehalfOfCredentialWithCertificate returns an on-behalf-of credential
// whose service authenticates with a certificate (see
// NewClientCertificateCredential for certs and key).
func NewOnBehalfOfCredentialWithCertificate(tenantID, clientID, userAssertion string, certs []*x509.Certificate, key crypto.PrivateKey, o *OnBehalfOfCredentialOptions) (*OnBehalfOfCredential, error) {
	if o == nil {
		o = &OnBehalfOfCredentialOptions{}
	}
	signer, err := newCertSigner(oboName, certs, key, o.SendCertificateChain)
	if err != nil {
		return nil, err
	}
	return newOnBehalfOf(tenantID, clientID, userAssertion, oauth2.Auth{Assertion: signer.assertion(clientID)}, o)
}

// NewOnBehalfOfCredentialWithClientAssertions returns an on-behalf-of
// credential whose service authenticates with assertions from getAssertion.
func NewOnBehalfOfCredentialWithClientAssertions(tenantID, clientID, userAssertion string, getAssertion func(context.Context) (string, error), o *OnBehalfOfCredentialOptions) (*OnBehalfOfCredential, error) {
	if getAssertion == nil {
		return nil, inputError(oboName, ErrInvalidArgument, "getAssertion is nil")
	}
	return newOnBehalfOf(tenantID, clientID, userAssertion, oauth2.Auth{Assertion: callbackAssertion(getAssertion)}, o)
}

func newOnBehalfOf(tenantID, clientID, userAssertion string, auth oauth2.Auth, o *OnBehalfOfCredentialOptions) (*OnBehalfOfCredential, error) {
	if o == nil {
		o = &OnBehalfOfCredentialOptions{}
	}
	if tenantID == "" {
		return nil, inputError(oboName, ErrInvalidTenantID, "the tenant ID is empty")
	}
	if userAssertion == "" {
		return nil, inputError(oboName, ErrInvalidArgument, "the user assertion is empty")
	}
	ep, err := newTokenEndpoint(oboName, tenantID, clientID, &o.ClientOptions)
	if err != nil {
		return nil, err
	}
	c := &OnBehalfOfCredential{assertion: userAssertion}
	c.s = newUserSession(ep, auth)
	c.s.pinned = true
	c.s.acct.set(cache.HashSubject(userAssertion), "", tenantID)
	return c, nil
}

// GetToken returns an access token for opts.Scopes on behalf of the user.
func (c *OnBehalfOfCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.s.getToken(ctx, opts, c)
}

func (c *OnBehalfOfCredential) grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error) {
	req.Auth = c.s.auth
	return c.s.ep.client.OnBehalfOf(ctx, req, c.assertion)
}
