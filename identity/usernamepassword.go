package identity

import (
	"context"

	"github.com/azid-go/azid/oauth2"
)

// UsernamePasswordCredential signs a user in with a username and password
// (RFC 6749, Section 4.3, "resource owner password credentials"). It works
// only for managed (not federated) work or school accounts without MFA, and
// Microsoft is retiring it; prefer any other credential. EnvironmentCredential
// uses it when AZURE_USERNAME and AZURE_PASSWORD are set. It is safe for
// concurrent use.
type UsernamePasswordCredential struct {
	redacted // fmt and slog print no field: some hold secrets
	s        userSession
	username string
	password string
}

// UsernamePasswordCredentialOptions configures a UsernamePasswordCredential.
// nil means defaults.
type UsernamePasswordCredentialOptions struct {
	ClientOptions
}

// NewUsernamePasswordCredential returns a credential for username in
// tenantID ("" means "organizations") through the public client clientID.
func NewUsernamePasswordCredential(tenantID, clientID, username, password string, o *UsernamePasswordCredentialOptions) (*UsernamePasswordCredential, error) {
	const name = "UsernamePasswordCredential"
	if o == nil {
		o = &UsernamePasswordCredentialOptions{}
	}
	if username == "" || password == "" {
		return nil, inputError(name, ErrInvalidArgument, "the username and the password are required")
	}
	ep, err := newTokenEndpoint(name, firstNonEmpty(tenantID, organizationsTenant), clientID, &o.ClientOptions)
	if err != nil {
		return nil, err
	}
	c := &UsernamePasswordCredential{username: username, password: password}
	c.s = newUserSession(ep, oauth2.Auth{})
	return c, nil
}

// GetToken returns an access token for opts.Scopes.
func (c *UsernamePasswordCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.s.getToken(ctx, opts, c)
}

func (c *UsernamePasswordCredential) grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error) {
	return c.s.ep.client.Password(ctx, req, c.username, c.password) // RFC 6749, Section 4.3
}
