package identitytest

import (
	"net/http"
	"net/url"
	"sort"
	"time"
)

// Grant types and the client assertion type, as sent in the form.
const (
	grantClientCredentials = "client_credentials"                                     // RFC 6749, Section 4.4.2
	grantAuthorizationCode = "authorization_code"                                     // RFC 6749, Section 4.1.3
	grantRefreshToken      = "refresh_token"                                          // RFC 6749, Section 6
	grantPassword          = "password"                                               // RFC 6749, Section 4.3.2
	grantJWTBearer         = "urn:ietf:params:oauth:grant-type:jwt-bearer"            // RFC 7523, Section 2.1
	grantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"           // RFC 8628, Section 3.4
	grantDeviceCodeShort   = "device_code"                                            // what MSAL Go sends (PROTOCOL 2.9)
	assertionTypeJWT       = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" // RFC 7523, Section 2.2
)

// tokenRequest is one request to a token endpoint, as the grants see it.
type tokenRequest struct {
	r        *http.Request
	form     url.Values
	tenant   string // the tenant segment of the URL, or "adfs"
	adfs     bool
	tokenURL string // the endpoint's own URL: a client assertion's aud
	now      time.Time
	claims   *claimsRequest // nil when no claims parameter was sent
	basic    bool           // the client authenticated with HTTP Basic
}

// token serves a token endpoint: "/{tenant}/oauth2/v2.0/token" or, with
// adfs, "/adfs/oauth2/token".
func (s *Server) token(w http.ResponseWriter, r *http.Request, form url.Values, tenant string, adfs bool) {
	// The URL as called: what a client assertion's aud must be (PROTOCOL
	// 4.2), including ADFS's trailing slash when the client uses it.
	tokenURL := s.ts.URL + r.URL.EscapedPath()
	tr := &tokenRequest{r: r, form: form, tenant: tenant, adfs: adfs, tokenURL: tokenURL, now: s.now()}
	resp, e := s.grant(tr)
	if e != nil {
		if e.code == "invalid_client" && tr.basic {
			// RFC 6749, Section 5.2: for a client that authenticated with
			// the Authorization header the server "MUST respond with an HTTP
			// 401 (Unauthorized) status code and include the
			// WWW-Authenticate response header field".
			e.status = http.StatusUnauthorized
			w.Header().Set("WWW-Authenticate", `Basic realm="`+s.Host()+`"`)
		}
		s.writeError(w, r, e, adfs)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// grant checks what every grant shares and hands the request to its grant.
func (s *Server) grant(tr *tokenRequest) (map[string]any, *oauthError) {
	if tr.r.Method != http.MethodPost {
		// RFC 6749, Section 3.2: "The client MUST use the HTTP "POST"
		// method when making access token requests."
		return nil, errorf(http.StatusBadRequest, "invalid_request", codeOnlyPost,
			"The endpoint only accepts POST, OPTIONS requests. Received a %s request.", tr.r.Method)
	}
	if e := checkRepeated(tr.form); e != nil {
		return nil, e
	}
	if e := tr.basicAuth(); e != nil {
		return nil, e
	}
	if raw := tr.form.Get("claims"); raw != "" {
		c, e := parseClaims(raw)
		if e != nil {
			return nil, e
		}
		tr.claims = c
	}
	switch gt := tr.form.Get("grant_type"); gt {
	case "":
		return nil, missingParameter("grant_type")
	case grantClientCredentials:
		return s.clientCredentials(tr)
	case grantAuthorizationCode:
		return s.authorizationCode(tr)
	case grantRefreshToken:
		return s.refreshToken(tr)
	case grantJWTBearer:
		return s.onBehalfOf(tr)
	case grantDeviceCode, grantDeviceCodeShort:
		return s.deviceCodeToken(tr)
	case grantPassword:
		return s.password(tr)
	default:
		return nil, errorf(http.StatusBadRequest, "unsupported_grant_type", codeUnsupportedGrant,
			"The app requested an unsupported grant type %s.", quoted(gt))
	}
}

// checkRepeated enforces RFC 6749, Section 3.2: "Request and response
// parameters MUST NOT be included more than once."
func checkRepeated(form url.Values) *oauthError {
	names := make([]string, 0, len(form))
	for name, vs := range form {
		if len(vs) > 1 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	return errorf(http.StatusBadRequest, "invalid_request", codeMalformedRequest,
		"Invalid request. Request is malformed or invalid: parameter %s is sent more than once.", quoted(names[0]))
}

// clientCredentials is RFC 6749, Section 4.4: an app-only token for the
// authenticated client, whose scope must be one resource's "/.default"
// (PROTOCOL 2.4).
func (s *Server) clientCredentials(tr *tokenRequest) (map[string]any, *oauthError) {
	app, e := s.authenticate(tr, false)
	if e != nil {
		return nil, e
	}
	if !tr.adfs && isOrganizationsLike(tr.tenant) {
		return nil, errorf(http.StatusBadRequest, "invalid_request", codeNoTenantInfo,
			"No tenant-identifying information found in either the request or implied by any provided credentials.")
	}
	scopes, e := requiredScopes(tr)
	if e != nil {
		return nil, e
	}
	res, e := parseScopes(scopes, true)
	if e != nil {
		return nil, e
	}
	tid := tr.tenant
	if tr.adfs {
		tid = "adfs"
	}
	return s.issue(tr, grantee{tid: tid, oid: app.ObjectID, appid: app.ClientID, roles: app.Roles}, res)
}

// requiredScopes returns the scope parameter split at spaces (RFC 6749,
// Section 3.3), or Entra's error when there is none.
func requiredScopes(tr *tokenRequest) ([]string, *oauthError) {
	scopes := splitScopes(tr.form.Get("scope"))
	if len(scopes) == 0 {
		return nil, missingParameter("scope")
	}
	return scopes, nil
}

// basicAuth takes the client id and secret from an HTTP Basic
// Authorization header into the form, where authenticate looks for them.
// Entra ID accepts this form of RFC 6749, Section 2.3.1 (PROTOCOL 2.1),
// though none of the official libraries send it.
func (tr *tokenRequest) basicAuth() *oauthError {
	user, pass, ok := tr.r.BasicAuth()
	if !ok {
		return nil
	}
	bad := func(why string) *oauthError {
		return errorf(http.StatusBadRequest, "invalid_request", codeMalformedRequest, "Invalid request. %s", why)
	}
	// RFC 6749, Section 2.3.1: "The client identifier is encoded using the
	// "application/x-www-form-urlencoded" encoding algorithm ..., and the
	// encoded value is used as the username; the client password is
	// encoded using the same algorithm and used as the password."
	id, err1 := url.QueryUnescape(user)
	secret, err2 := url.QueryUnescape(pass)
	if err1 != nil || err2 != nil {
		return bad("The Basic credentials are not form-urlencoded.")
	}
	// RFC 6749, Section 2.3: "The client MUST NOT use more than one
	// authentication method in each request."
	if tr.form.Get("client_secret") != "" || tr.form.Get("client_assertion") != "" {
		return bad("The client sent Basic credentials and credentials in the body.")
	}
	if cid := tr.form.Get("client_id"); cid != "" && cid != id {
		return bad("The client_id in the body differs from the one in the Authorization header.")
	}
	if tr.form == nil {
		tr.form = url.Values{}
	}
	tr.form.Set("client_id", id)
	tr.form.Set("client_secret", secret)
	tr.basic = true
	return nil
}
