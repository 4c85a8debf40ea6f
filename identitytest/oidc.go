package identitytest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

// The CI systems' OIDC token endpoints, for federated credentials: Azure
// Pipelines' oidctoken endpoint (PROTOCOL 6.9) and GitHub Actions' ID
// token endpoint (issue 5, item 5). Both serve HTTPS on loopback; the
// tokens they issue are what App.Federated checks with Validate.

// OIDCOptions configures an OIDCIssuer. The zero value of every field is
// its default.
type OIDCOptions struct {
	// RequestToken is the bearer token the endpoint accepts: the pipeline's
	// System.AccessToken, or ACTIONS_ID_TOKEN_REQUEST_TOKEN. "" means a
	// random one; RequestToken and Env tell it.
	RequestToken string

	// ServiceConnectionID is the Azure Pipelines service connection the
	// endpoint knows (serviceConnectionId, matched without regard to
	// case). "" means a fixed GUID. GitHub's endpoint ignores it.
	ServiceConnectionID string

	// Issuer is the iss claim. "" means
	// "https://vstoken.dev.azure.com/<organization id>" (Pipelines) or
	// "https://token.actions.githubusercontent.com" (GitHub).
	Issuer string

	// Subject is the sub claim, which a federated identity credential
	// matches exactly. "" means "sc://fabrikam/identitytest/azid-connection"
	// (Pipelines: organization, project, service connection) or
	// "repo:octo-org/octo-repo:ref:refs/heads/main" (GitHub).
	Subject string

	// TokenLifetime is exp - iat of issued tokens. Zero means 5 minutes,
	// what both services issue; nbf is 10 minutes before iat, as theirs
	// is (a decoded Azure DevOps service connection token in Teleport's
	// RFD 211, github.com/gravitational/teleport, 2025-04; GitHub's
	// "OpenID Connect reference" example token, checked 2025-11).
	TokenLifetime time.Duration

	// Now is the issuer's clock, for issuing and for Validate. Nil means
	// time.Now.
	Now func() time.Time
}

// OIDCIssuer is a fake CI OIDC token endpoint on a loopback TLS listener.
// Create it with NewPipelinesOIDC or NewGitHubOIDC and Close it when done.
// It is safe for concurrent use.
type OIDCIssuer struct {
	github       bool
	opts         OIDCOptions
	fed          *federatedIssuer
	path         string // the token endpoint's path
	requestToken string // never in an answer or an error
	ts           *httptest.Server
	log          *endpointLog
}

// Fixed ids of the fake pipeline and workflow run, in the endpoints' paths.
var (
	pipelinesOrgID     = derivedGUID("pipelines-organization")
	pipelinesProjectID = derivedGUID("pipelines-project")
	ciPlanID           = derivedGUID("ci-plan")
	ciJobID            = derivedGUID("ci-job")
)

// NewPipelinesOIDC starts a fake Azure Pipelines OIDC endpoint (PROTOCOL
// 6.9): "POST {SYSTEM_OIDCREQUESTURI}?api-version=7.1&serviceConnectionId=
// {id}" with "Authorization: Bearer {System.AccessToken}", answered with
// {"oidcToken":"<jwt>"} whose aud is FederatedAudience. A bad or missing
// access token gets 401 when the request carries "X-TFS-FedAuthRedirect:
// Suppress", and otherwise, as Azure DevOps does, a 302 to a sign-in page
// that answers 200 with HTML. Every answer carries the diagnostic headers
// x-vss-e2eid and x-msedge-ref. o may be nil.
func NewPipelinesOIDC(o *OIDCOptions) *OIDCIssuer {
	return newOIDCIssuer(false, o,
		"https://vstoken.dev.azure.com/"+pipelinesOrgID, "sc://fabrikam/identitytest/azid-connection",
		"/fabrikam/"+pipelinesProjectID+"/_apis/distributedtask/hubs/build/plans/"+ciPlanID+"/jobs/"+ciJobID+"/oidctoken")
}

// NewGitHubOIDC starts a fake GitHub Actions ID token endpoint: "GET
// {ACTIONS_ID_TOKEN_REQUEST_URL}&audience={aud}" with "Authorization:
// Bearer {ACTIONS_ID_TOKEN_REQUEST_TOKEN}", answered with {"value":"<jwt>"}.
// The URL carries its own query (api-version=2.0, as the runner's does),
// which the client must keep. Without audience the token's aud is the
// repository owner's URL, as GitHub's is, which Validate refuses. A bad
// or missing request token gets 401. o may be nil.
func NewGitHubOIDC(o *OIDCOptions) *OIDCIssuer {
	return newOIDCIssuer(true, o,
		"https://token.actions.githubusercontent.com", "repo:octo-org/octo-repo:ref:refs/heads/main",
		"/_apis/distributedtask/hubs/Actions/plans/"+ciPlanID+"/jobs/"+ciJobID+"/idtoken")
}

func newOIDCIssuer(github bool, o *OIDCOptions, issuer, subject, path string) *OIDCIssuer {
	c := &OIDCIssuer{github: github, path: path}
	if o != nil {
		c.opts = *o
	}
	if c.opts.Issuer == "" {
		c.opts.Issuer = issuer
	}
	if c.opts.Subject == "" {
		c.opts.Subject = subject
	}
	if c.opts.TokenLifetime <= 0 {
		c.opts.TokenLifetime = defaultCITokenLifetime
	}
	if c.opts.ServiceConnectionID == "" && !github {
		c.opts.ServiceConnectionID = derivedGUID("pipelines-service-connection")
	}
	c.requestToken = c.opts.RequestToken
	if c.requestToken == "" {
		c.requestToken = randomToken(32)
	}
	c.fed = newFederatedIssuer(c.opts.Issuer, c.opts.Subject, c.opts.TokenLifetime, ciTokenBackdate, c.opts.Now)
	c.log = newEndpointLog(c.opts.Now)
	c.ts = c.log.start(c.serve, true, nil)
	return c
}

// Defaults of the CI tokens (see OIDCOptions.TokenLifetime).
const (
	defaultCITokenLifetime = 5 * time.Minute
	ciTokenBackdate        = 10 * time.Minute
)

// Close shuts the endpoint down and blocks until every request has
// finished. Requests held by a Delay fault end at once.
func (c *OIDCIssuer) Close() {
	c.log.close()
	c.ts.Close()
}

// URL is the token endpoint's URL as Env gives it: for GitHub with its
// query, "...?api-version=2.0", to which clients append
// "&audience=...".
func (c *OIDCIssuer) URL() string {
	if c.github {
		return c.ts.URL + c.path + "?api-version=2.0"
	}
	return c.ts.URL + c.path
}

// RequestToken is the bearer token the endpoint accepts.
func (c *OIDCIssuer) RequestToken() string { return c.requestToken }

// ServiceConnectionID is the Azure Pipelines service connection the
// endpoint knows; "" for GitHub.
func (c *OIDCIssuer) ServiceConnectionID() string { return c.opts.ServiceConnectionID }

// Issuer is the iss claim of issued tokens.
func (c *OIDCIssuer) Issuer() string { return c.opts.Issuer }

// Subject is the sub claim of issued tokens.
func (c *OIDCIssuer) Subject() string { return c.opts.Subject }

// Client returns an HTTP client that trusts the endpoint's certificate.
// It stops working when the endpoint is closed.
func (c *OIDCIssuer) Client() *http.Client { return c.ts.Client() }

// CertPool returns a pool holding the endpoint's certificate.
func (c *OIDCIssuer) CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(c.ts.Certificate())
	return pool
}

// Certificate is the endpoint's TLS certificate, for a client that must
// trust both this issuer and the fake Entra ID (add both to one pool).
func (c *OIDCIssuer) Certificate() *x509.Certificate { return c.ts.Certificate() }

// SigningKey is the public key that verifies issued tokens: the same key
// as Server.SigningKey.
func (c *OIDCIssuer) SigningKey() *rsa.PublicKey { return &c.fed.key.PublicKey }

// Token issues a token for audience without a request, as the endpoint
// would ("" means FederatedAudience): for a test that needs an assertion
// but not the CI endpoint.
func (c *OIDCIssuer) Token(audience string) (string, error) {
	if audience == "" {
		audience = FederatedAudience
	}
	return c.fed.mint(audience)
}

// Validate checks assertion as Entra ID checks a federated token against
// a federated identity credential for this issuer and subject: signature,
// iss, sub, aud holding FederatedAudience, and exp and nbf with
// AssertionSkew. Errors wrap ErrFederatedToken and never quote the token.
// Register it as App.Federated.
func (c *OIDCIssuer) Validate(assertion string) error { return c.fed.validate(assertion) }

// Requests returns a copy of the request log, Authorization headers
// included.
func (c *OIDCIssuer) Requests() []Request { return c.log.requests() }

// ResetRequests empties the request log.
func (c *OIDCIssuer) ResetRequests() { c.log.reset() }

// Fault queues f, as Server.Fault does. A Status without a Body is
// answered in the service's error shape; Malformed and Oversize send its
// token answer cut off or padded past 1 MiB.
func (c *OIDCIssuer) Fault(f Fault) { c.log.addFault(f) }

// ClearFaults removes every queued fault.
func (c *OIDCIssuer) ClearFaults() { c.log.clearFaults() }

// Env returns the variables the CI system sets: SYSTEM_OIDCREQUESTURI and
// SYSTEM_ACCESSTOKEN (where a pipeline maps $(System.AccessToken) by
// convention), or ACTIONS_ID_TOKEN_REQUEST_URL and
// ACTIONS_ID_TOKEN_REQUEST_TOKEN.
func (c *OIDCIssuer) Env() map[string]string {
	if c.github {
		return map[string]string{envActionsRequestURL: c.URL(), envActionsRequestToken: c.requestToken}
	}
	return map[string]string{envSystemOIDCRequestURI: c.URL(), envSystemAccessToken: c.requestToken}
}

// Setenv sets Env's variables for the rest of the test with t.Setenv and
// unsets the other CI system's, so that a test running inside a real
// pipeline or workflow cannot reach the real issuer. Like t.Setenv it
// cannot be used in parallel tests.
func (c *OIDCIssuer) Setenv(t testing.TB) {
	t.Helper()
	setenv(t, c.Env(), ciVariables)
}

// serve is the endpoint's handler.
func (c *OIDCIssuer) serve(w http.ResponseWriter, r *http.Request) {
	form, bodyErr := readForm(w, r)
	sw, done := c.log.begin(w, r, form)
	defer done()
	if !c.github {
		// GO "allows these two headers in its HTTP logs" and reports them
		// on failure (PROTOCOL 6.9); Azure DevOps sends them on every
		// answer.
		sw.Header().Set("X-Vss-E2eid", newGUID())
		sw.Header().Set("X-Msedge-Ref", "Ref A: "+strings.ToUpper(randomHex(16))+" Ref B: IDT01 Ref C: identitytest")
	}
	if f, ok := c.log.takeFault(r.URL.Path); ok && c.log.apply(sw, r, f, c.faultAnswers()) {
		return
	}
	if bodyErr != nil {
		c.writeError(sw, http.StatusBadRequest, "ArgumentException", "The request body could not be read.")
		return
	}
	switch {
	case !c.github && r.URL.Path == signInPath:
		c.signInPage(sw)
	case r.URL.Path != c.path:
		c.writeError(sw, http.StatusNotFound, "NotFoundException", "No endpoint at this path.")
	case c.github:
		c.serveGitHub(sw, r)
	default:
		c.servePipelines(sw, r)
	}
}

// signInPath is where the Pipelines fake redirects an unauthenticated
// request that did not ask for X-TFS-FedAuthRedirect: Suppress.
const signInPath = "/_signin"

// servePipelines answers PROTOCOL 6.9's request.
func (c *OIDCIssuer) servePipelines(w http.ResponseWriter, r *http.Request) {
	if !c.authorized(r) {
		// PROTOCOL 6.9: X-TFS-FedAuthRedirect: Suppress "prevents a 302
		// to a sign-in page when the access token is invalid".
		if !strings.EqualFold(r.Header.Get("X-TFS-FedAuthRedirect"), "Suppress") {
			http.Redirect(w, r, signInPath+"?realm=dev.azure.com&reply_to="+url.QueryEscape(c.URL()), http.StatusFound)
			return
		}
		// TF400813 is Azure DevOps's "not authorized" message.
		c.writeError(w, http.StatusUnauthorized, "UnauthorizedRequestException",
			"TF400813: The user '' is not authorized to access this resource.")
		return
	}
	if r.Method != http.MethodPost {
		c.writeError(w, http.StatusMethodNotAllowed, "HttpMethodNotAllowedException", "The endpoint only accepts POST requests.")
		return
	}
	q := r.URL.Query()
	if name := unexpectedParam(q, "api-version", "serviceConnectionId"); name != "" {
		c.writeError(w, http.StatusBadRequest, "ArgumentException", "Unexpected query parameter "+quoted(name)+".")
		return
	}
	if v := q.Get("api-version"); v != "7.1" {
		// PROTOCOL 16: "Azure Pipelines OIDC api-version: 7.1".
		c.writeError(w, http.StatusBadRequest, "VssInvalidApiVersionException",
			"The api-version "+quoted(v)+" is not supported by this endpoint; send 7.1.")
		return
	}
	switch id := q.Get("serviceConnectionId"); {
	case id == "":
		c.writeError(w, http.StatusBadRequest, "ArgumentNullException", "Value cannot be null. Parameter name: serviceConnectionId")
		return
	case !strings.EqualFold(id, c.opts.ServiceConnectionID):
		c.writeError(w, http.StatusNotFound, "ServiceEndpointNotFoundException",
			"Service connection "+quoted(id)+" was not found or the pipeline is not authorized to use it.")
		return
	}
	c.writeToken(w, "oidcToken", FederatedAudience)
}

// serveGitHub answers the GitHub Actions ID token request.
func (c *OIDCIssuer) serveGitHub(w http.ResponseWriter, r *http.Request) {
	if !c.authorized(r) {
		c.writeError(w, http.StatusUnauthorized, "", "Bad credentials")
		return
	}
	if r.Method != http.MethodGet {
		c.writeError(w, http.StatusMethodNotAllowed, "", "The endpoint only accepts GET requests.")
		return
	}
	q := r.URL.Query()
	if name := unexpectedParam(q, "api-version", "audience"); name != "" {
		c.writeError(w, http.StatusBadRequest, "", "Unexpected query parameter "+quoted(name)+".")
		return
	}
	if q.Get("api-version") != "2.0" {
		c.writeError(w, http.StatusBadRequest, "", "The URL's api-version=2.0 is missing: append parameters with '&'.")
		return
	}
	aud, sent := q["audience"]
	if !sent {
		// GitHub's "OpenID Connect reference": by default aud "is the URL
		// of the repository owner".
		aud = []string{"https://github.com/" + githubOwner(c.opts.Subject)}
	}
	c.writeToken(w, "value", aud[0])
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// githubOwner is the owner in a "repo:owner/name:..." subject.
func githubOwner(subject string) string {
	s := strings.TrimPrefix(subject, "repo:")
	owner, _, _ := strings.Cut(s, "/")
	return owner
}

// authorized reports whether r carries "Authorization: Bearer <request
// token>", the scheme matched without regard to case (RFC 9110, Section
// 11.1), the token in constant time.
func (c *OIDCIssuer) authorized(r *http.Request) bool {
	auth := r.Header.Values("Authorization")
	if len(auth) != 1 {
		return false
	}
	scheme, token, _ := strings.Cut(auth[0], " ")
	return strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(c.requestToken)) == 1
}

// unexpectedParam returns the first query parameter (by name) that is not
// allowed or is repeated, or "".
func unexpectedParam(q url.Values, allowed ...string) string {
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ok := len(q[name]) == 1
		found := false
		for _, a := range allowed {
			found = found || name == a
		}
		if !ok || !found {
			return name
		}
	}
	return ""
}

// writeToken mints a token for aud and sends it as {field: token}.
func (c *OIDCIssuer) writeToken(w http.ResponseWriter, field, aud string) {
	tok, err := c.fed.mint(aud)
	if err != nil {
		c.writeError(w, http.StatusInternalServerError, "InternalServerError", "The token could not be signed.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{field: tok})
}

// writeError sends an error in the service's shape: the members of Azure
// DevOps's errors ({"$id","innerException","message","typeName","typeKey",
// "errorCode","eventId"}; the type names are the fake's own), or
// {"message"} for GitHub. Messages never hold a token.
func (c *OIDCIssuer) writeError(w http.ResponseWriter, status int, typeKey, msg string) {
	if c.github {
		writeJSON(w, status, map[string]any{"message": msg})
		return
	}
	writeJSON(w, status, map[string]any{
		"$id": "1", "innerException": nil, "message": msg,
		"typeName": "Microsoft.VisualStudio.Services.WebApi." + typeKey, "typeKey": typeKey,
		"errorCode": 0, "eventId": 3000,
	})
}

// signInPage stands in for Azure DevOps's sign-in page: HTML where the
// client expected JSON.
func (c *OIDCIssuer) signInPage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head><body>Sign in</body></html>\n"))
}

// faultAnswers are the service's answers for a Fault.
func (c *OIDCIssuer) faultAnswers() faultAnswers {
	head := `{"oidcToken":"`
	if c.github {
		head = `{"value":"`
	}
	return faultAnswers{
		errorBody: func(status int) any {
			if c.github {
				return map[string]any{"message": http.StatusText(status)}
			}
			return map[string]any{"$id": "1", "innerException": nil, "message": http.StatusText(status),
				"typeKey": strings.ReplaceAll(http.StatusText(status), " ", "") + "Exception", "errorCode": 0, "eventId": 3000}
		},
		tokenHead: head,
	}
}
