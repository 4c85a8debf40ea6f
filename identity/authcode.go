package identity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/azid-go/azid/oauth2"
)

// AuthorizationCodeCredential redeems an authorization code that an app
// obtained from the authorize endpoint (RFC 6749, Section 4.1.3), once, and
// then lives on the refresh token it got (Section 6). It is safe for
// concurrent use.
type AuthorizationCodeCredential struct {
	redacted    // fmt and slog print no field: some hold secrets
	s           userSession
	redirectURL string
	verifier    string

	mu        sync.Mutex    // guards code and redeeming
	code      string        // "" once taken: codes are single-use
	redeeming chan struct{} // while the code is being redeemed; closed after
}

// AuthorizationCodeCredentialOptions configures an
// AuthorizationCodeCredential. nil means defaults.
type AuthorizationCodeCredentialOptions struct {
	ClientOptions
	// ClientSecret authenticates a web app (a confidential client). "": a
	// public client.
	ClientSecret string
	// CodeVerifier is the PKCE verifier (RFC 7636) whose S256 challenge went
	// with the authorize request. "": none sent.
	CodeVerifier string
}

// String describes o without its secrets: ClientSecret and CodeVerifier
// show only whether they are set.
func (o AuthorizationCodeCredentialOptions) String() string {
	set := func(v string) string {
		if v == "" {
			return `""`
		}
		return "[redacted]"
	}
	return "AuthorizationCodeCredentialOptions{ClientSecret: " + set(o.ClientSecret) + ", CodeVerifier: " + set(o.CodeVerifier) + "}"
}

// GoString is String, for %#v.
func (o AuthorizationCodeCredentialOptions) GoString() string { return o.String() }

// Format prints String for every fmt verb.
func (o AuthorizationCodeCredentialOptions) Format(f fmt.State, _ rune) {
	io.WriteString(f, o.String())
}

// LogValue is String, for log/slog.
func (o AuthorizationCodeCredentialOptions) LogValue() slog.Value {
	return slog.StringValue(o.String())
}

// NewAuthorizationCodeCredential returns a credential that redeems authCode
// for clientID in tenantID. redirectURL must be the one the authorize
// request used; it is sent exactly as given.
func NewAuthorizationCodeCredential(tenantID, clientID, authCode, redirectURL string, o *AuthorizationCodeCredentialOptions) (*AuthorizationCodeCredential, error) {
	const name = "AuthorizationCodeCredential"
	if o == nil {
		o = &AuthorizationCodeCredentialOptions{}
	}
	if tenantID == "" {
		return nil, inputError(name, ErrInvalidTenantID, "the tenant ID is empty")
	}
	if authCode == "" {
		return nil, inputError(name, ErrInvalidArgument, "the authorization code is empty")
	}
	if redirectURL == "" {
		return nil, inputError(name, ErrInvalidArgument, "the redirect URL is empty")
	}
	if v := o.CodeVerifier; v != "" && !validVerifier(v) {
		// RFC 7636, Section 4.1: code-verifier = 43*128unreserved
		return nil, inputError(name, ErrInvalidArgument, "the code verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~")
	}
	ep, err := newTokenEndpoint(name, tenantID, clientID, &o.ClientOptions)
	if err != nil {
		return nil, err
	}
	c := &AuthorizationCodeCredential{redirectURL: redirectURL, verifier: o.CodeVerifier, code: authCode}
	c.s = newUserSession(ep, oauth2.Auth{Secret: o.ClientSecret})
	return c, nil
}

// GetToken returns an access token for opts.Scopes: from the cache, else by
// the refresh token, else (the first time) by redeeming the code.
func (c *AuthorizationCodeCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.s.getToken(ctx, opts, c)
}

// grant is firstGrant for a miss keyed before the account was known.
func (c *AuthorizationCodeCredential) grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error) {
	return c.firstGrant(ctx, req, c.s.pending)
}

// firstGrant redeems the authorization code, once: it is the first grant of
// a miss keyed by the subject keyedBy (see firstGranter). The code is taken
// before it is sent, so two requests never both send it; it is put back
// when no answer said it was used or refused (a network failure, a 429 or
// 5xx), so that a transient failure does not lose the user's sign-in, and a
// request that waited on that redemption takes it up.
func (c *AuthorizationCodeCredential) firstGrant(ctx context.Context, req oauth2.Request, keyedBy string) (tok oauth2.Token, err error) {
	var code string
	var mine chan struct{} // closed when this request's redemption is over
	for {
		c.mu.Lock()
		var wait chan struct{}
		code, wait = c.code, c.redeeming
		if code != "" {
			mine = make(chan struct{})
			c.code, c.redeeming = "", mine
		}
		c.mu.Unlock()
		if code != "" || wait == nil {
			break
		}
		// Another request is redeeming the code (for another scope, keyed
		// before the account was known). Wait for the end: the code may
		// come back, or the account be known.
		select {
		case <-wait:
		case <-ctx.Done():
			return oauth2.Token{}, ctx.Err()
		}
	}
	if code == "" {
		// The code is spent. When it told the account only after this
		// request was keyed, the account's refresh token, if it brought
		// one, answers; a miss keyed by the account has tried it already.
		if id := c.s.subject(); id != c.s.pending && id != keyedBy {
			g := userGrant{s: &c.s, id: id, first: noGrant{}}
			return g.grant(ctx, req)
		}
		return oauth2.Token{}, errNoUserToken
	}
	defer func() {
		// Putting the code back and ending the redemption are one step, so
		// that no request takes the code while this redemption still shows
		// as running.
		c.mu.Lock()
		if err != nil && !codeSpent(err) && c.code == "" {
			c.code = code
		}
		close(mine)
		if c.redeeming == mine {
			c.redeeming = nil
		}
		c.mu.Unlock()
	}()
	req.Auth = c.s.auth
	tok, err = c.s.ep.client.AuthorizationCode(ctx, req, code, c.redirectURL, c.verifier) // RFC 6749, Section 4.1.3
	if err == nil {
		// Record the account and its refresh token before a request waiting
		// on this redemption wakes up (the caller's keep then finds them).
		c.s.keep(req, tok, c.s.pending)
	}
	return tok, err
}

// codeSpent reports whether the service's answer means the code cannot be
// sent again: any 4xx other than 429 (invalid_grant for a used or expired
// code, invalid_client, ...). No answer, throttling or a server error leave
// the code unused.
func codeSpent(err error) bool {
	var oe *oauth2.Error
	if !errors.As(err, &oe) {
		return false
	}
	return oe.StatusCode >= 400 && oe.StatusCode < 500 && oe.StatusCode != 429 && oe.Code != "temporarily_unavailable"
}

// validVerifier: RFC 7636, Section 4.1: 43 to 128 characters of
// [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}
