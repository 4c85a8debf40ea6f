package identity

import (
	"context"

	"github.com/azid-go/azid/oauth2"
)

// ClientSecretCredential authenticates a service principal with a client
// secret (RFC 6749, Section 4.4, client authentication by Section 2.3.1's
// client_secret in the body). It is safe for concurrent use.
type ClientSecretCredential struct {
	redacted // fmt and slog print no field: some hold secrets
	ep       *tokenEndpoint
	auth     oauth2.Auth
}

// ClientSecretCredentialOptions configures a ClientSecretCredential. nil
// means defaults.
type ClientSecretCredentialOptions struct {
	ClientOptions
}

// NewClientSecretCredential returns a credential for the application
// clientID in tenantID. All three arguments are required.
func NewClientSecretCredential(tenantID, clientID, secret string, o *ClientSecretCredentialOptions) (*ClientSecretCredential, error) {
	const name = "ClientSecretCredential"
	if o == nil {
		o = &ClientSecretCredentialOptions{}
	}
	if tenantID == "" {
		return nil, inputError(name, ErrInvalidTenantID, "the tenant ID is empty")
	}
	if secret == "" {
		return nil, inputError(name, ErrInvalidArgument, "the client secret is empty")
	}
	ep, err := newTokenEndpoint(name, tenantID, clientID, &o.ClientOptions)
	if err != nil {
		return nil, err
	}
	return &ClientSecretCredential{ep: ep, auth: oauth2.Auth{Secret: secret}}, nil
}

// GetToken returns an access token for opts.Scopes, from the cache when it
// holds one that is not yet due for refresh.
func (c *ClientSecretCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.ep.getToken(ctx, opts, "", c)
}

func (c *ClientSecretCredential) grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error) {
	req.Auth = c.auth
	return c.ep.client.ClientCredentials(ctx, req) // RFC 6749, Section 4.4
}
