package identitytest

import (
	"crypto/subtle"
	"net/http"
)

// password is the resource owner password credentials grant (RFC 6749,
// Section 4.3; PROTOCOL 2.10) for managed (non-federated) users.
func (s *Server) password(tr *tokenRequest) (map[string]any, *oauthError) {
	app, e := s.authenticate(tr, true)
	if e != nil {
		return nil, e
	}
	username, pw := tr.form.Get("username"), tr.form.Get("password")
	if username == "" {
		return nil, missingParameter("username")
	}
	if pw == "" {
		return nil, missingParameter("password")
	}
	u, ok := s.user(username)
	if !ok {
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeUserNotFound,
			"User account %s does not exist in the %s directory. To sign into this application, the account must be added to the directory.",
			quoted(username), quoted(tr.tenant))
	}
	if u.Password == "" || subtle.ConstantTimeCompare([]byte(pw), []byte(u.Password)) != 1 {
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeBadPassword,
			"Error validating credentials due to invalid username or password.")
	}
	scopes, e := requiredScopes(tr)
	if e != nil {
		return nil, e
	}
	rr, e := parseScopes(scopes, false)
	if e != nil {
		return nil, e
	}
	return s.issue(tr, tr.userGrantee(app, u), rr)
}
