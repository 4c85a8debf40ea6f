package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/azid-go/azid/oauth2"
)

// ClientAssertionCredential authenticates a service principal with a JWT
// assertion that the caller supplies (RFC 7521, Section 4.2; RFC 7523,
// Section 2.2): a federated token from another identity provider, or one
// the caller signs itself. It is safe for concurrent use if getAssertion is.
type ClientAssertionCredential struct {
	redacted     // fmt and slog print no field: some hold secrets
	ep           *tokenEndpoint
	getAssertion func(context.Context) (string, error)
}

// ClientAssertionCredentialOptions configures a ClientAssertionCredential.
// nil means defaults.
type ClientAssertionCredentialOptions struct {
	ClientOptions
}

// NewClientAssertionCredential returns a credential that calls getAssertion
// for every token request that reaches the network (never on a cache hit).
func NewClientAssertionCredential(tenantID, clientID string, getAssertion func(context.Context) (string, error), o *ClientAssertionCredentialOptions) (*ClientAssertionCredential, error) {
	const name = "ClientAssertionCredential"
	if o == nil {
		o = &ClientAssertionCredentialOptions{}
	}
	if tenantID == "" {
		return nil, inputError(name, ErrInvalidTenantID, "the tenant ID is empty")
	}
	if getAssertion == nil {
		return nil, inputError(name, ErrInvalidArgument, "getAssertion is nil")
	}
	ep, err := newTokenEndpoint(name, tenantID, clientID, &o.ClientOptions)
	if err != nil {
		return nil, err
	}
	return &ClientAssertionCredential{ep: ep, getAssertion: getAssertion}, nil
}

// GetToken returns an access token for opts.Scopes.
func (c *ClientAssertionCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.ep.getToken(ctx, opts, "", c)
}

func (c *ClientAssertionCredential) grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error) {
	req.Auth = oauth2.Auth{Assertion: callbackAssertion(c.getAssertion)}
	return c.ep.client.ClientCredentials(ctx, req)
}

// errEmptyAssertion: a callback returned "" without an error.
var errEmptyAssertion = errors.New("the assertion callback returned an empty assertion")

// recoverCallback turns a panic in a caller's callback, which runs on the
// cache's flight goroutine where the caller could not recover it, into an
// error. The panic value is not quoted: it might hold a secret.
func recoverCallback(err *error, what string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s panicked (%T)", what, r)
	}
}

// callbackAssertion adapts a caller's assertion callback, which does not
// take the audience, to oauth2.Auth.
func callbackAssertion(get func(context.Context) (string, error)) func(context.Context, string) (string, error) {
	return func(ctx context.Context, _ string) (a string, err error) {
		defer recoverCallback(&err, "the assertion callback")
		a, err = get(ctx)
		if err != nil {
			return "", err
		}
		if a == "" {
			return "", errEmptyAssertion
		}
		return a, nil
	}
}
