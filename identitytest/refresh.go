package identitytest

import (
	"net/http"
	"strings"
	"time"
)

// refreshRec is what the server remembers of a refresh token.
type refreshRec struct {
	clientID string
	username string
	tid      string
	scopes   []string
	family   string // authorization code it descends from, or ""
	expires  time.Time
	used     bool // rotated: redeemed once already
	revoked  bool
}

// newRefreshToken mints a refresh token for g's user and app.
func (s *Server) newRefreshToken(tr *tokenRequest, g grantee, scopes []string) string {
	v := randomToken(48)
	rec := &refreshRec{
		clientID: g.appid,
		username: g.user.Username,
		tid:      g.tid,
		scopes:   append([]string(nil), scopes...),
		family:   g.family,
		expires:  tr.now.Add(s.opts.RefreshTokenLifetime),
	}
	s.mu.Lock()
	s.refresh[v] = rec
	s.mu.Unlock()
	return v
}

// RevokeRefreshTokens revokes every refresh token issued to username, as a
// password reset or an administrator's "revoke sessions" does. Their next
// use fails with invalid_grant AADSTS50173.
func (s *Server) RevokeRefreshTokens(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rec := range s.refresh {
		if strings.EqualFold(rec.username, username) {
			rec.revoked = true
		}
	}
}

// refreshToken is RFC 6749, Section 6. Every use rotates the token: the
// answer carries a new refresh token and the old one stops working (RFC
// 6749, Section 6: "The authorization server MAY issue a new refresh
// token, in which case the client MUST discard the old refresh token").
func (s *Server) refreshToken(tr *tokenRequest) (map[string]any, *oauthError) {
	app, e := s.authenticate(tr, true)
	if e != nil {
		return nil, e
	}
	v := tr.form.Get("refresh_token")
	if v == "" {
		return nil, missingParameter("refresh_token")
	}
	s.mu.Lock()
	rec, ok := s.refresh[v]
	var snapshot refreshRec
	if ok {
		snapshot = *rec
		if rec.clientID == app.ClientID && !rec.used && !rec.revoked && tr.now.Before(rec.expires) {
			rec.used = true
		}
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeMalformedRequest,
			"Invalid request. Request is malformed or invalid: the refresh token is not one this server issued.")
	case snapshot.clientID != app.ClientID:
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeInvalidGrant,
			"The refresh token was issued to a different client id.")
	case snapshot.revoked:
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeRevoked,
			"The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.")
	case snapshot.used:
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeInvalidGrant,
			"Provided grant is invalid or malformed: the refresh token was already redeemed and replaced by a new one.")
	case !tr.now.Before(snapshot.expires):
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeRefreshExpired,
			"The refresh token has expired due to inactivity.")
	}
	u, ok := s.user(snapshot.username)
	if !ok {
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeUserNotFound,
			"User account %s does not exist in the directory.", quoted(snapshot.username))
	}
	scopes := splitScopes(tr.form.Get("scope"))
	if len(scopes) == 0 {
		scopes = snapshot.scopes
	}
	rr, e := parseScopes(scopes, false)
	if e != nil {
		return nil, e
	}
	g := tr.userGrantee(app, u)
	if isOrganizationsLike(tr.tenant) {
		g.tid = snapshot.tid
	}
	g.family = snapshot.family
	return s.issue(tr, g, rr)
}
