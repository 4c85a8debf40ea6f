package oauth2

import "context"

// Password requests a token with a user's name and password (RFC 6749,
// Section 4.3; spec/PROTOCOL.md 2.10). It works for managed (cloud-only)
// accounts without MFA: no user realm discovery, no WS-Trust for federated
// accounts, whose password Entra ID then refuses with invalid_grant.
func (c *Client) Password(ctx context.Context, r Request, username, password string) (Token, error) {
	g, err := c.newGrant(r, "password", true)
	if err != nil {
		return Token{}, err
	}
	// RFC 6749, Section 4.3.2: username and password REQUIRED.
	if username == "" || password == "" {
		return Token{}, invalid("username or password is empty")
	}
	g.set("username", username)
	g.setSecret("password", password)
	return c.redeem(ctx, r, g)
}
