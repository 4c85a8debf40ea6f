package oauth2

import "context"

// AuthorizationCode redeems an authorization code (RFC 6749, Section
// 4.1.3) for a user. redirectURI must equal the one of the authorization
// request. codeVerifier is the PKCE verifier (RFC 7636, Section 4.5), sent
// only when non-empty (spec/PROTOCOL.md 2.6). r.Auth is optional: a web app
// authenticates, a public client does not.
func (c *Client) AuthorizationCode(ctx context.Context, r Request, code, redirectURI, codeVerifier string) (Token, error) {
	g, err := c.newGrant(r, "authorization_code", true)
	if err != nil {
		return Token{}, err
	}
	// RFC 6749, Section 4.1.3: code REQUIRED; redirect_uri REQUIRED if it
	// was in the authorization request, which Entra ID always needs.
	if code == "" {
		return Token{}, invalid("authorization code is empty")
	}
	if redirectURI == "" {
		return Token{}, invalid("redirect URI is empty")
	}
	// RFC 7636, Section 4.1: code_verifier = 43*128unreserved.
	if codeVerifier != "" && !validVerifier(codeVerifier) {
		return Token{}, invalid("code verifier must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_', '~'")
	}
	g.setSecret("code", code)
	g.set("redirect_uri", redirectURI)
	g.setSecret("code_verifier", codeVerifier)
	return c.redeem(ctx, r, g)
}

// validVerifier: RFC 7636, Section 4.1, "code-verifier = 43*128unreserved"
// with unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~".
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		b := v[i]
		if !(b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '.' || b == '_' || b == '~') {
			return false
		}
	}
	return true
}
