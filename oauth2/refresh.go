package oauth2

import "context"

// RefreshToken redeems a refresh token (RFC 6749, Section 6). The answer may
// carry a new refresh token that replaces the old one (spec/PROTOCOL.md
// 2.7). r.Auth is the client's authentication if it has one.
func (c *Client) RefreshToken(ctx context.Context, r Request, refreshToken string) (Token, error) {
	g, err := c.newGrant(r, "refresh_token", true)
	if err != nil {
		return Token{}, err
	}
	// RFC 6749, Section 6: refresh_token REQUIRED.
	if refreshToken == "" {
		return Token{}, invalid("refresh token is empty")
	}
	g.setSecret("refresh_token", refreshToken)
	return c.redeem(ctx, r, g)
}
