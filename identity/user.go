package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/azid-go/azid/cache"
	"github.com/azid-go/azid/jwt"
	"github.com/azid-go/azid/oauth2"
)

// ErrSignInRequired is wrapped (inside an *AuthenticationFailedError) when
// the service refuses a cached refresh token (invalid_grant: expired,
// revoked, password changed, consent removed): the user must sign in again.
var ErrSignInRequired = errors.New("the refresh token is no longer valid; the user must sign in again")

// errNoUserToken: a user credential with no code, cached token or refresh
// token left (PROTOCOL.md 6.5).
var errNoUserToken = errors.New("no authorization code, cached access token, or refresh token available")

// account remembers whose tokens a user credential holds once a sign-in has
// told it (the home account id from client_info), so later requests find
// that user's cached access and refresh tokens. It is safe for concurrent use.
type account struct {
	mu       sync.Mutex // guards id, username, tenant
	id       string
	username string
	tenant   string
}

func (a *account) homeID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.id
}

func (a *account) get() (id, username, tenant string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.id, a.username, a.tenant
}

func (a *account) set(id, username, tenant string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.id, a.username, a.tenant = id, username, tenant
}

// accountOf reads the account from a user-flow token response: the home
// account id from client_info (uid.utid), else the subject the caller
// already keys by.
func accountOf(tok oauth2.Token) (homeID, tenant string) {
	if tok.ClientInfo == "" {
		return "", ""
	}
	ci, err := oauth2.ParseClientInfo(tok.ClientInfo)
	if err != nil {
		return "", ""
	}
	return ci.UID + "." + ci.UTID, ci.UTID
}

// userSession is the token handling user credentials share: a cached access
// token per account; else the account's refresh token (RFC 6749, Section 6),
// rotated when the service sends a new one and dropped on invalid_grant;
// else the credential's own first grant.
type userSession struct {
	ep   *tokenEndpoint
	auth oauth2.Auth // client authentication for refresh grants (confidential clients); zero for public clients
	acct account
	// pinned: the account id was fixed at construction (on-behalf-of keys by
	// a hash of the user assertion) and responses do not change it.
	pinned bool
}

// getToken answers opts for the signed-in account, calling first when no
// refresh token can: first is the credential's interactive or one-time
// grant, nil when it has none left. The cache hit path allocates nothing.
func (s *userSession) getToken(ctx context.Context, opts TokenRequestOptions, first granter) (AccessToken, error) {
	id := s.acct.homeID()
	var key cache.Key
	if err := s.ep.key(&key, &opts, id); err != nil {
		return AccessToken{}, err
	}
	if opts.Claims == "" {
		if t, ok := s.ep.cache.Get(key); ok {
			return fromCache(t), nil
		}
	}
	return s.ep.fetch(ctx, key, opts, &userGrant{s: s, id: id, first: first})
}

// userGrant is one miss of a user credential: the account's refresh token
// (RFC 6749, Section 6), else the first grant.
type userGrant struct {
	s     *userSession
	id    string
	first granter
}

// grant tries the account's refresh token, then first. It records the
// account and its refresh token from whatever succeeds.
func (g *userGrant) grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error) {
	s, id := g.s, g.id
	if id != "" {
		ak := cache.AccountKey{Authority: s.ep.authority, ClientID: s.ep.clientID, HomeAccountID: id}
		if rt, ok := s.ep.cache.RefreshToken(ak); ok {
			r := req
			r.Auth = s.auth
			tok, err := s.ep.client.RefreshToken(ctx, r, rt)
			if err == nil {
				s.keep(req, tok, id)
				return tok, nil
			}
			var oe *oauth2.Error
			if !errors.As(err, &oe) || oe.Code != "invalid_grant" {
				return oauth2.Token{}, err
			}
			s.ep.cache.DeleteRefreshToken(ak)
			if g.first == nil {
				return oauth2.Token{}, fmt.Errorf("%w: %w", ErrSignInRequired, err)
			}
		}
	}
	if g.first == nil {
		return oauth2.Token{}, errNoUserToken
	}
	tok, err := g.first.grant(ctx, req)
	if err != nil {
		return oauth2.Token{}, err
	}
	s.keep(req, tok, id)
	return tok, nil
}

// keep stores the refresh token of a successful user grant under its
// account, remembers the account, and caches the access token under the
// account's key too, so the next request, keyed by the account, hits.
func (s *userSession) keep(req oauth2.Request, tok oauth2.Token, prevID string) {
	id, tenant := accountOf(tok)
	if id == "" || s.pinned {
		id = prevID
	}
	if id == "" {
		return
	}
	if tok.RefreshToken != "" {
		s.ep.cache.PutRefreshToken(cache.AccountKey{Authority: s.ep.authority, ClientID: s.ep.clientID, HomeAccountID: id}, tok.RefreshToken)
	}
	if id != prevID {
		_, username, _ := s.acct.get()
		if u := idTokenUsername(tok.IDToken); u != "" {
			username = u
		}
		if tenant == "" {
			tenant = req.Tenant
		}
		s.acct.set(id, username, tenant)
		s.ep.cache.Put(cache.Key{
			Authority: s.ep.authority, Tenant: req.Tenant, ClientID: s.ep.clientID,
			Scopes: cache.ScopeKey(req.Scopes), CAE: req.CAE, Subject: id,
		}, cache.Token{Value: tok.AccessToken, TokenType: tok.TokenType, ExpiresOn: tok.ExpiresOn, RefreshOn: tok.RefreshOn})
	}
}

// idTokenUsername reads preferred_username (else upn) from an ID token
// received over TLS from the token endpoint. The token is not verified: the
// name is only recorded for AuthenticationRecord and logs, never trusted.
func idTokenUsername(idToken string) string {
	if idToken == "" {
		return ""
	}
	_, payload, err := jwt.ParseUnverified(idToken)
	if err != nil {
		return ""
	}
	var c struct {
		PreferredUsername string `json:"preferred_username"`
		UPN               string `json:"upn"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return ""
	}
	if c.PreferredUsername != "" {
		return c.PreferredUsername
	}
	return c.UPN
}
