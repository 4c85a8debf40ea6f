package oauth2

import (
	"context"
	"log/slog"
	"strings"

	"github.com/azid-go/azid/internal/send"
)

// Request is what every grant shares: where to ask, who asks, for what.
type Request struct {
	// Tenant is the path segment of the endpoint (spec/PROTOCOL.md 1.2:
	// letters, digits, '-', '.'); "adfs" means the ADFS token endpoint
	// {authority}adfs/oauth2/token.
	Tenant   string
	ClientID string
	Auth     Auth
	// Scopes are sent space-separated, unchanged, as the Python library
	// sends them (spec/PROTOCOL.md 2.3). The grants that act for a user
	// (authorization code, refresh token, on-behalf-of, password, device
	// code) also ask for "openid offline_access profile" and client_info=1,
	// as MSAL Python does for user grants, so that a refresh token, an ID
	// token and client_info come back; client credentials adds neither.
	Scopes []string
	// Claims is a claims challenge or request as JSON text (not base64),
	// spec/PROTOCOL.md 2.11.
	Claims string
	// CAE merges {"access_token":{"xms_cc":{"values":["CP1"]}}} into Claims
	// (spec/PROTOCOL.md 2.11, see MergeClaims).
	CAE bool
}

// LogValue logs the request without its Auth secret.
func (r Request) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("tenant", r.Tenant), slog.String("client_id", r.ClientID),
		slog.Any("auth", r.Auth), slog.String("scopes", strings.Join(r.Scopes, " ")),
		slog.Bool("claims", r.Claims != ""), slog.Bool("cae", r.CAE))
}

// oidcScopes are the OpenID Connect scopes MSAL adds to user grants
// (spec/PROTOCOL.md 2.3): openid for an ID token, offline_access for a
// refresh token, profile for the user's name.
var oidcScopes = [...]string{"openid", "offline_access", "profile"}

// grant is one token request being built: the encoded form so far, and
// what the exchange needs to scrub from errors.
type grant struct {
	what     string // grant_type, or what the request is, for logs and errors
	url      string
	audience string // the token URL: the audience of a client assertion
	body     strings.Builder
	secrets  [4]string // at most: client secret or assertion, code, verifier
	nsecrets int
}

// newGrant checks r and starts the form of a token request with grantType:
// client_id, grant_type, scope (with the OIDC scopes when user is set),
// claims, and client_info=1 for user grants. An empty grantType starts a
// form with neither grant_type nor client_info (the device authorization
// request).
func (c *Client) newGrant(r Request, grantType string, user bool) (*grant, error) {
	if err := checkTenant(r.Tenant); err != nil {
		return nil, err
	}
	if r.ClientID == "" {
		return nil, invalid("client ID is empty")
	}
	if err := r.Auth.check(); err != nil {
		return nil, err
	}
	scope, err := joinScopes(r.Scopes, user)
	if err != nil {
		return nil, err
	}
	claims, err := requestClaims(r)
	if err != nil {
		return nil, err
	}
	tokenURL := c.TokenURL(r.Tenant)
	g := &grant{what: grantType, url: tokenURL, audience: tokenURL}
	g.body.Grow(256 + len(scope) + len(claims))
	g.set("client_id", r.ClientID)
	g.set("grant_type", grantType)
	g.set("scope", scope)
	g.set("claims", claims)
	if user && grantType != "" {
		// spec/PROTOCOL.md 2.3: client_info=1 asks Entra for the home
		// account id (uid.utid).
		g.set("client_info", "1")
	}
	return g, nil
}

// set adds a field to the form; spec/PROTOCOL.md 2.1: "Fields with empty
// values must be omitted".
func (g *grant) set(name, value string) {
	if value == "" {
		return
	}
	if g.body.Len() > 0 {
		g.body.WriteByte('&')
	}
	writeFormValue(&g.body, name)
	g.body.WriteByte('=')
	writeFormValue(&g.body, value)
}

// setSecret adds a field that must never reach an error or a log.
func (g *grant) setSecret(name, value string) {
	g.set(name, value)
	if value != "" && g.nsecrets < len(g.secrets) {
		g.secrets[g.nsecrets] = value
		g.nsecrets++
	}
}

// secretList is the secrets added so far.
func (g *grant) secretList() []string { return g.secrets[:g.nsecrets] }

// writeFormValue writes s encoded as application/x-www-form-urlencoded
// (spec/PROTOCOL.md 2.1: "standard form escaping: space as +, reserved
// characters percent-encoded"), the encoding of net/url's QueryEscape:
// letters, digits and "-", ".", "_", "~" as they are, space as "+", every
// other byte as %XX.
func writeFormValue(b *strings.Builder, s string) {
	const hexUpper = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexUpper[c>>4])
			b.WriteByte(hexUpper[c&0x0f])
		}
	}
}

func joinScopes(scopes []string, user bool) (string, error) {
	if len(scopes) == 0 {
		return "", invalid("no scope")
	}
	n := 0
	for _, s := range scopes {
		if s == "" {
			return "", invalid("a scope is empty")
		}
		n += len(s) + 1
	}
	if !user && len(scopes) == 1 {
		return scopes[0], nil
	}
	var b strings.Builder
	b.Grow(n + len("openid offline_access profile "))
	for _, s := range scopes {
		if user && isOIDCScope(s) {
			continue // added once below
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	if user {
		for _, s := range oidcScopes {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s)
		}
	}
	return b.String(), nil
}

func isOIDCScope(s string) bool {
	for _, o := range oidcScopes {
		if s == o {
			return true
		}
	}
	return false
}

// requestClaims is the claims parameter for r: its Claims, merged with the
// CP1 capability when r.CAE is set.
func requestClaims(r Request) (string, error) {
	if r.CAE {
		return MergeClaims(r.Claims, []string{"CP1"})
	}
	if strings.TrimSpace(r.Claims) == "" {
		return "", nil
	}
	return MergeClaims(r.Claims, nil) // checks that the claims are a JSON object
}

// post authenticates the client and sends the grant's form.
func (c *Client) post(ctx context.Context, r Request, g *grant) (answer, error) {
	if err := c.discover(ctx, r.Tenant); err != nil {
		return answer{}, err
	}
	if err := r.Auth.add(ctx, g); err != nil {
		return answer{}, err
	}
	return c.do(ctx, &exchange{what: g.what, method: "POST", url: g.url, form: g.body.String(), secrets: g.secretList()})
}

// redeem sends the grant and parses the token response.
func (c *Client) redeem(ctx context.Context, r Request, g *grant) (Token, error) {
	a, err := c.post(ctx, r, g)
	if err != nil {
		return Token{}, err
	}
	return c.token(a, g.secretList())
}

// token turns an answer into a Token or an *Error.
func (c *Client) token(a answer, secrets []string) (Token, error) {
	// spec/PROTOCOL.md 1.5: successful statuses are 200 and 201 only.
	if a.resp.StatusCode != 200 && a.resp.StatusCode != 201 {
		return Token{}, c.responseError(a, secrets)
	}
	t, err := parseTokenResponse(a.resp.Body, a.sent, secrets)
	if err == errResponseIsError {
		return Token{}, c.responseError(a, secrets)
	}
	if err != nil {
		e := &Error{Malformed: "token response: " + err.Error()}
		return Token{}, c.finish(e, a)
	}
	return t, nil
}

// responseError parses the answer's body as an error response.
func (c *Client) responseError(a answer, secrets []string) error {
	return c.finish(parseErrorResponse(a.resp.StatusCode, a.resp.Header.Get("Content-Type"), a.resp.Body, secrets), a)
}

func (c *Client) finish(e *Error, a answer) *Error {
	e.Endpoint = send.Where(a.url)
	e.StatusCode = a.resp.StatusCode
	if e.CorrelationID == "" {
		// Entra echoes client-request-id as correlation_id (spec/PROTOCOL.md
		// 2.13); without a body to say so, ours is the best lead.
		e.CorrelationID = a.requestID
	}
	return e
}
