package oauth2

import "context"

// ClientCredentials requests a token for the client itself (RFC 6749,
// Section 4.4). r.Auth carries a secret or an assertion; the scope is sent
// as given, normally one "<resource>/.default" (spec/PROTOCOL.md 2.4), with
// no OpenID Connect scopes and no client_info.
func (c *Client) ClientCredentials(ctx context.Context, r Request) (Token, error) {
	// RFC 6749, Section 4.4.2: grant_type "Value MUST be set to
	// "client_credentials"."
	g, err := c.newGrant(r, "client_credentials", false)
	if err != nil {
		return Token{}, err
	}
	if r.Auth.Secret == "" && r.Auth.Assertion == nil {
		// RFC 6749, Section 4.4: "The client credentials grant type MUST
		// only be used by confidential clients."
		return Token{}, invalid("client credentials need a secret or an assertion")
	}
	return c.redeem(ctx, r, g)
}
