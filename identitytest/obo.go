package identitytest

import (
	"net/http"

	"github.com/azid-go/azid/jwt"
)

// codeOBOAssertionTime is Entra ID's AADSTS500133: "Assertion is not within
// its valid time range."
const codeOBOAssertionTime = 500133

// onBehalfOf is the on-behalf-of flow (PROTOCOL 2.8): a middle-tier app
// trades a user's access token, issued by this server for the middle tier,
// for a token to another resource on the same user's behalf.
func (s *Server) onBehalfOf(tr *tokenRequest) (map[string]any, *oauthError) {
	if use := tr.form.Get("requested_token_use"); use != "on_behalf_of" {
		if use == "" {
			return nil, missingParameter("requested_token_use")
		}
		return nil, errorf(http.StatusBadRequest, "invalid_request", codeMalformedRequest,
			"Invalid request. requested_token_use must be on_behalf_of.")
	}
	app, e := s.authenticate(tr, false)
	if e != nil {
		return nil, e
	}
	assertion := tr.form.Get("assertion")
	if assertion == "" {
		return nil, missingParameter("assertion")
	}
	badAssertion := func(format string, args ...any) *oauthError {
		return errorf(http.StatusBadRequest, "invalid_grant", codeUserAssertionInvalid, format, args...)
	}
	_, payload, err := jwt.Verify(assertion, &s.key.PublicKey)
	if err != nil {
		return nil, badAssertion("Assertion failed signature validation. [Reason - The key was not found.]")
	}
	c, err := decodeClaims(payload)
	if err != nil {
		return nil, badAssertion("Assertion failed signature validation: its claims are not a JSON object.")
	}
	// PROTOCOL 2.8: "The user assertion must be a token whose audience is
	// this middle-tier app." Entra ID names the app by client id or by its
	// application ID URI; we accept both forms of the latter's default.
	if aud := c.str("aud"); aud != app.ClientID && aud != "api://"+app.ClientID {
		return nil, badAssertion("Assertion audience claim does not match the required value. The audience in the assertion was %s and the expected audience is %s or one of the Application Uris of this application.",
			quoted(aud), quoted(app.ClientID))
	}
	exp, ok := c.date("exp")
	if !ok || !tr.now.Before(exp.Add(AssertionSkew)) {
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeOBOAssertionTime,
			"Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: %s, expiry time of assertion %s.",
			stamp(tr.now), stamp(exp))
	}
	if nbf, ok := c.date("nbf"); ok && nbf.After(tr.now.Add(AssertionSkew)) {
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeOBOAssertionTime,
			"Assertion is not within its valid time range. Current time: %s, assertion valid from %s.", stamp(tr.now), stamp(nbf))
	}
	if c.str("idtyp") != "user" || c.str("oid") == "" {
		return nil, badAssertion("The assertion is an app-only token; on-behalf-of needs a user's token.")
	}
	scopes, e := requiredScopes(tr)
	if e != nil {
		return nil, e
	}
	rr, e := parseScopes(scopes, false)
	if e != nil {
		return nil, e
	}
	username := c.str("upn")
	u, ok := s.user(username)
	if !ok {
		// The user signed in elsewhere; the token's own claims describe them.
		u = User{Username: username, ObjectID: c.str("oid"), Tenant: c.str("tid")}
	}
	g := grantee{tid: c.str("tid"), oid: c.str("oid"), appid: app.ClientID, user: &u}
	return s.issue(tr, g, rr)
}
