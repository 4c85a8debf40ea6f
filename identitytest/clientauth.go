package identitytest

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// authenticate identifies the client by client_id and checks its
// credential: client_secret (RFC 6749, Section 2.3.1) or client_assertion
// (RFC 7521, Section 4.2). userGrant allows a public client to send no
// credential; app-only grants (client credentials, on-behalf-of) always
// need one.
func (s *Server) authenticate(tr *tokenRequest, userGrant bool) (App, *oauthError) {
	clientID := tr.form.Get("client_id")
	if clientID == "" {
		return App{}, missingParameter("client_id")
	}
	app, ok := s.app(clientID)
	if !ok || (!tr.adfs && app.Tenant != "" && !isOrganizationsLike(tr.tenant) && !strings.EqualFold(app.Tenant, tr.tenant)) {
		return App{}, errorf(http.StatusBadRequest, "unauthorized_client", codeAppNotFound,
			"Application with identifier %s was not found in the directory %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
			quoted(clientID), quoted(tr.tenant))
	}
	secret, assertion := tr.form.Get("client_secret"), tr.form.Get("client_assertion")
	switch {
	case secret != "" && assertion != "":
		return App{}, errorf(http.StatusBadRequest, "invalid_request", codeMalformedRequest,
			"Invalid request. Send either client_secret or client_assertion, not both.")
	case (secret != "" || assertion != "") && app.Public && !app.confidential():
		return App{}, errorf(http.StatusUnauthorized, "invalid_client", codePublicClientSecret,
			"Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")
	case secret != "":
		// Constant time, so the fake does not teach a test a timing leak.
		if app.Secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(app.Secret)) != 1 {
			return App{}, errorf(http.StatusUnauthorized, "invalid_client", codeInvalidSecret,
				"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app %s.",
				quoted(clientID))
		}
		return app, nil
	case assertion != "":
		if t := tr.form.Get("client_assertion_type"); t != assertionTypeJWT {
			if t == "" {
				return App{}, missingParameter("client_assertion_type")
			}
			// RFC 7523, Section 2.2: "The value of the
			// "client_assertion_type" is
			// "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"."
			return App{}, errorf(http.StatusBadRequest, "invalid_request", codeMalformedRequest,
				"Invalid request. client_assertion_type must be %s.", quoted(assertionTypeJWT))
		}
		if e := s.checkClientAssertion(tr, app, assertion); e != nil {
			return App{}, e
		}
		return app, nil
	case userGrant && app.Public:
		return app, nil
	default:
		return App{}, errorf(http.StatusUnauthorized, "invalid_client", codeClientAuthMissing,
			"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
	}
}
