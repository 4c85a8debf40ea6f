package identitytest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"time"
)

// authCode is an authorization code minted by Server.AuthCode.
type authCode struct {
	clientID    string
	redirectURI string
	username    string
	scopes      []string
	challenge   string // PKCE S256 code_challenge, or ""
	expires     time.Time
	used        bool
}

// AuthCode mints a single-use authorization code, as the authorize
// endpoint would hand one to clientID's redirectURI after username signed
// in and consented to scopes. codeChallenge, if not "", is a PKCE S256
// challenge (RFC 7636, Section 4.2: BASE64URL(SHA256(code_verifier))) the
// redemption must answer. The code lasts AuthCodeLifetime.
func (s *Server) AuthCode(clientID, redirectURI, username string, scopes []string, codeChallenge string) string {
	v := randomToken(32)
	c := &authCode{
		clientID:    clientID,
		redirectURI: redirectURI,
		username:    username,
		scopes:      append([]string(nil), scopes...),
		challenge:   codeChallenge,
		expires:     s.now().Add(AuthCodeLifetime),
	}
	s.mu.Lock()
	s.codes[v] = c
	s.mu.Unlock()
	return v
}

// PKCEChallenge returns the S256 code_challenge for verifier (RFC 7636,
// Section 4.2), for passing to AuthCode.
func PKCEChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizationCode is RFC 6749, Section 4.1.3, with PKCE (RFC 7636,
// Section 4.6).
func (s *Server) authorizationCode(tr *tokenRequest) (map[string]any, *oauthError) {
	app, e := s.authenticate(tr, true)
	if e != nil {
		return nil, e
	}
	v := tr.form.Get("code")
	if v == "" {
		return nil, missingParameter("code")
	}
	s.mu.Lock()
	c, ok := s.codes[v]
	var code authCode
	if ok {
		code = *c
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeInvalidGrant,
			"Provided grant is invalid or malformed: the authorization code is not one this server issued.")
	case code.used:
		// RFC 6749, Section 4.1.2: "If an authorization code is used more
		// than once, the authorization server MUST deny the request and
		// SHOULD revoke (when possible) all tokens previously issued based
		// on that authorization code."
		s.revokeFamily(v)
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeCodeRedeemed,
			"The provided authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
	case !tr.now.Before(code.expires):
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeCodeExpired,
			"The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
	case code.clientID != app.ClientID:
		// RFC 6749, Section 4.1.3: "ensure that the authorization code was
		// issued to the authenticated confidential client".
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeInvalidGrant,
			"Provided grant is invalid or malformed: the authorization code was issued to a different client.")
	}
	// RFC 6749, Section 4.1.3: "ensure that the "redirect_uri" parameter is
	// present if [it] was included in the initial authorization request ...
	// and if included ensure that their values are identical."
	if ru, ok := tr.form["redirect_uri"]; code.redirectURI != "" && !ok {
		return nil, missingParameter("redirect_uri")
	} else if ok && ru[0] != code.redirectURI {
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeRedirectMismatch,
			"The reply URL specified in the request does not match the reply URL used when requesting the authorization code.")
	}
	if code.challenge != "" {
		verifier := tr.form.Get("code_verifier")
		if verifier == "" {
			return nil, missingParameter("code_verifier")
		}
		// RFC 7636, Section 4.6: compare BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))
		// with the code_challenge; Section 4.1 limits the verifier to
		// 43-128 unreserved characters.
		if !validVerifier(verifier) || subtle.ConstantTimeCompare([]byte(PKCEChallenge(verifier)), []byte(code.challenge)) != 1 {
			return nil, errorf(http.StatusBadRequest, "invalid_grant", codePKCEMismatch,
				"The code_verifier does not match the code_challenge supplied in the authorization request.")
		}
	}
	u, ok := s.user(code.username)
	if !ok {
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeUserNotFound,
			"User account %s does not exist in the directory.", quoted(code.username))
	}
	scopes := splitScopes(tr.form.Get("scope"))
	if len(scopes) == 0 {
		scopes = code.scopes
	}
	rr, e := parseScopes(scopes, false)
	if e != nil {
		return nil, e
	}
	// Spend the code now; a concurrent redemption that got here first wins.
	s.mu.Lock()
	spent := c.used
	c.used = true
	s.mu.Unlock()
	if spent {
		s.revokeFamily(v)
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeCodeRedeemed,
			"The provided authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
	}
	g := tr.userGrantee(app, u)
	g.family = v
	return s.issue(tr, g, rr)
}

// revokeFamily revokes the refresh tokens descended from code.
func (s *Server) revokeFamily(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rec := range s.refresh {
		if rec.family == code {
			rec.revoked = true
		}
	}
}

// validVerifier checks RFC 7636, Section 4.1: "code-verifier =
// 43*128unreserved", unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~".
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}
