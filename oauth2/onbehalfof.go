package oauth2

import "context"

// grantJWTBearer is the JWT bearer grant type, RFC 7523, Section 2.1:
// "The value of the "grant_type" is "urn:ietf:params:oauth:grant-type:jwt-bearer"."
const grantJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// OnBehalfOf exchanges userAssertion, an access token a user sent to this
// middle-tier app, for a token to another resource on the user's behalf
// (RFC 7523, Section 2.1, with Entra's requested_token_use=on_behalf_of,
// spec/PROTOCOL.md 2.8). r.Auth must authenticate the app.
func (c *Client) OnBehalfOf(ctx context.Context, r Request, userAssertion string) (Token, error) {
	g, err := c.newGrant(r, grantJWTBearer, true)
	if err != nil {
		return Token{}, err
	}
	if userAssertion == "" {
		return Token{}, invalid("user assertion is empty")
	}
	if r.Auth.Secret == "" && r.Auth.Assertion == nil {
		return Token{}, invalid("on-behalf-of needs a secret or an assertion")
	}
	g.setSecret("assertion", userAssertion)
	g.set("requested_token_use", "on_behalf_of")
	return c.redeem(ctx, r, g)
}
