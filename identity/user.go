package identity

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

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
// that user's cached access and refresh tokens. It is read on every
// GetToken, so it is an atomic pointer: the cache hit path takes no lock.
type account struct {
	p atomic.Pointer[accountState]
}

type accountState struct{ id, username, tenant string }

func (a *account) get() accountState {
	if st := a.p.Load(); st != nil {
		return *st
	}
	return accountState{}
}

func (a *account) set(id, username, tenant string) {
	a.p.Store(&accountState{id: id, username: username, tenant: tenant})
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
//
// Cache keys: a user's tokens are keyed by its home account id. Before a
// credential knows its account, it keys by pending, a random subject of its
// own, so that it can never find another credential's token in a shared
// cache: not an app-only token (subject ""), not another user's.
type userSession struct {
	ep      *tokenEndpoint
	auth    oauth2.Auth // client authentication for refresh grants (confidential clients); zero for public clients
	acct    account
	pending string
	// pinned: the account id was fixed at construction (on-behalf-of keys by
	// a hash of the user assertion) and responses do not change it.
	pinned bool
}

func newUserSession(ep *tokenEndpoint, auth oauth2.Auth) userSession {
	return userSession{ep: ep, auth: auth, pending: "pending/" + randomID()}
}

// subject is the cache subject of the current account.
func (s *userSession) subject() string {
	if st := s.acct.p.Load(); st != nil && st.id != "" {
		return st.id
	}
	return s.pending
}

// getToken answers opts for the signed-in account, calling first when no
// refresh token can. first is the credential's interactive or one-time
// grant; it returns errNoUserToken when it has nothing left to try. The
// cache hit path allocates nothing and takes no lock.
func (s *userSession) getToken(ctx context.Context, opts TokenRequestOptions, first granter) (at AccessToken, err error) {
	subject := s.subject()
	if q := s.ep.recent.match(&opts, subject); q != nil {
		if t, ok := q.ref.Get(); ok {
			at.fill(&t)
			return at, nil
		}
	}
	var key cache.Key
	if t, done, err := s.ep.cached(&key, &opts, subject); done {
		return t, err
	}
	return s.ep.fetchAndRemember(ctx, key, opts, subject, &userGrant{s: s, id: subject, first: first})
}

// userGrant is one miss of a user credential: the account's refresh token
// (RFC 6749, Section 6), else the first grant.
type userGrant struct {
	s     *userSession
	id    string // the subject the miss was keyed by
	first granter
}

// firstGranter is a first grant that needs to know the subject its miss was
// keyed by (AuthorizationCodeCredential: whether the account's refresh
// token has been tried already).
type firstGranter interface {
	firstGrant(ctx context.Context, req oauth2.Request, keyedBy string) (oauth2.Token, error)
}

// errOtherAccount: the first grant of a miss keyed by a known account signed
// in another one. Its token is neither returned nor kept: it would be cached
// under the first account's key, where another credential for that
// account could find it.
var errOtherAccount = errors.New("the sign-in was for another account than the one this credential holds tokens for; use a new credential for that account")

// grant tries the account's refresh token, then first. It records the
// account and its refresh token from whatever succeeds.
func (g *userGrant) grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error) {
	s, id := g.s, g.id
	var refreshErr error
	refreshGone := false // the service refused the refresh token for good
	if id != s.pending {
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
			if !errors.As(err, &oe) {
				return oauth2.Token{}, err // no answer: the refresh token may still be good
			}
			switch oe.Code {
			case "invalid_grant":
				// RFC 6749, Section 5.2: "The provided authorization grant
				// ... or refresh token is invalid, expired, revoked".
				s.ep.cache.DeleteRefreshToken(ak)
				refreshGone = true
			case "interaction_required", "consent_required", "login_required":
				// The token is good but the user must act (MFA, consent):
				// an interactive first grant can still help.
			default:
				return oauth2.Token{}, err
			}
			refreshErr = err
		}
	}
	var tok oauth2.Token
	var err error
	if f, ok := g.first.(firstGranter); ok {
		tok, err = f.firstGrant(ctx, req, id)
	} else {
		tok, err = g.first.grant(ctx, req)
	}
	if errors.Is(err, errNoUserToken) && refreshErr != nil {
		if refreshGone {
			return oauth2.Token{}, fmt.Errorf("%w: %w", ErrSignInRequired, refreshErr)
		}
		return oauth2.Token{}, refreshErr // the user must act (MFA, consent); the service said how
	}
	if err != nil {
		return oauth2.Token{}, err
	}
	if other, _ := accountOf(tok); id != s.pending && !s.pinned && other != "" && other != id {
		return oauth2.Token{}, errOtherAccount
	}
	s.keep(req, tok, id)
	return tok, nil
}

// noGrant is the first grant of a credential that has none left.
type noGrant struct{}

func (noGrant) grant(context.Context, oauth2.Request) (oauth2.Token, error) {
	return oauth2.Token{}, errNoUserToken
}

// keep stores the refresh token of a successful user grant under its
// account, remembers the account, and caches the access token under the
// account's key too, so the next request, keyed by the account, hits.
func (s *userSession) keep(req oauth2.Request, tok oauth2.Token, prevID string) {
	id, tenant := accountOf(tok)
	if id == "" || s.pinned {
		id = prevID
	}
	if id == s.pending {
		return // the service named no account: nothing to remember it by
	}
	ak := cache.AccountKey{Authority: s.ep.authority, ClientID: s.ep.clientID, HomeAccountID: id}
	if old, _ := s.ep.cache.RefreshToken(ak); tok.RefreshToken != "" && tok.RefreshToken != old {
		s.ep.cache.PutRefreshToken(ak, tok.RefreshToken)
	}
	if id != prevID && id != s.acct.get().id {
		username := s.acct.get().username
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

// randomID returns 128 random bits as hex, for subjects no other
// credential can guess or share.
func randomID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported systems (Go 1.24 makes that
		// a guarantee); a time-based value still keeps subjects apart.
		return fmt.Sprintf("t%d", time.Now().UnixNano())
	}
	return hex.EncodeToString(b[:])
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
