package identitytest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/azid-go/azid/jwt"
)

// newOIDC starts a Pipelines (github false) or GitHub issuer closed at the
// end of the test.
func newOIDC(t testing.TB, github bool, o *OIDCOptions) *OIDCIssuer {
	t.Helper()
	var c *OIDCIssuer
	if github {
		c = NewGitHubOIDC(o)
	} else {
		c = NewPipelinesOIDC(o)
	}
	t.Cleanup(c.Close)
	return c
}

// pipelinesRequest is PROTOCOL 6.9's request, as GO sends it.
func pipelinesRequest(t testing.TB, c *OIDCIssuer, token, connection string) *http.Request {
	t.Helper()
	u, _ := url.Parse(c.Env()["SYSTEM_OIDCREQUESTURI"])
	u.RawQuery = url.Values{"api-version": {"7.1"}, "serviceConnectionId": {connection}}.Encode()
	req, err := http.NewRequest(http.MethodPost, u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-TFS-FedAuthRedirect", "Suppress")
	return req
}

// githubRequest is the GitHub Actions ID token request for audience.
func githubRequest(t testing.TB, c *OIDCIssuer, token, audience string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.Env()["ACTIONS_ID_TOKEN_REQUEST_URL"]+"&audience="+url.QueryEscape(audience), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "bearer "+token) // GitHub's own examples write "bearer"
	return req
}

// fedClaims decodes a federated token's claims after checking its
// signature with key.
func fedClaims(t testing.TB, key *rsa.PublicKey, token string) map[string]any {
	t.Helper()
	_, payload, err := jwt.Verify(token, key)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(payload, &m)
	return m
}

// TestPipelinesOIDC: PROTOCOL 6.9's request gets {"oidcToken": jwt} whose
// claims are those of an Azure DevOps service connection token, and which
// Validate accepts.
func TestPipelinesOIDC(t *testing.T) {
	c := newOIDC(t, false, &OIDCOptions{Now: func() time.Time { return fixedTime }})
	r := doWith(t, c.Client(), pipelinesRequest(t, c, c.RequestToken(), strings.ToUpper(c.ServiceConnectionID())))
	tok := r.str("oidcToken")
	if r.status != 200 || tok == "" || r.header.Get("X-Vss-E2eid") == "" {
		t.Fatalf("%d %v %s", r.status, r.header, r.raw)
	}
	claims := fedClaims(t, c.SigningKey(), tok)
	iat := float64(fixedTime.Unix())
	if claims["aud"] != FederatedAudience || claims["iss"] != c.Issuer() || claims["sub"] != c.Subject() ||
		claims["iat"] != iat || claims["exp"] != iat+300 || claims["nbf"] != iat-600 || claims["jti"] == "" {
		t.Fatalf("claims %v", claims)
	}
	if !strings.HasPrefix(c.Issuer(), "https://vstoken.dev.azure.com/") || !strings.HasPrefix(c.Subject(), "sc://") {
		t.Fatalf("issuer %s subject %s", c.Issuer(), c.Subject())
	}
	if err := c.Validate(tok); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if log := c.Requests(); len(log) != 1 || log[0].Method != "POST" || log[0].Status != 200 ||
		log[0].Header.Get("Authorization") != "Bearer "+c.RequestToken() {
		t.Fatalf("log %+v", log)
	}
}

// TestPipelinesOIDCRejections: each part of the request checked, with
// Azure DevOps's diagnostic headers on every answer and never a token in
// one.
func TestPipelinesOIDCRejections(t *testing.T) {
	c := newOIDC(t, false, &OIDCOptions{RequestToken: "system-access-token-value"})
	good := c.ServiceConnectionID()
	cases := []struct {
		name   string
		req    func() *http.Request
		status int
		want   string
	}{
		{"bad token", func() *http.Request { return pipelinesRequest(t, c, "wrong-token-value", good) }, 401, "TF400813"},
		{"no token", func() *http.Request {
			r := pipelinesRequest(t, c, "", good)
			r.Header.Del("Authorization")
			return r
		}, 401, "TF400813"},
		{"Basic", func() *http.Request {
			r := pipelinesRequest(t, c, "", good)
			r.Header.Set("Authorization", "Basic "+c.RequestToken())
			return r
		}, 401, "TF400813"},
		{"GET", func() *http.Request {
			r := pipelinesRequest(t, c, c.RequestToken(), good)
			r.Method = http.MethodGet
			return r
		}, 405, "POST"},
		{"api-version 7.0", func() *http.Request {
			r := pipelinesRequest(t, c, c.RequestToken(), good)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "7.1", "7.0", 1)
			return r
		}, 400, "7.1"},
		{"no service connection", func() *http.Request { return pipelinesRequest(t, c, c.RequestToken(), "") }, 400, "serviceConnectionId"},
		{"unknown service connection", func() *http.Request {
			return pipelinesRequest(t, c, c.RequestToken(), "00000000-0000-4000-8000-000000000000")
		}, 404, "not found"},
		{"extra parameter", func() *http.Request {
			r := pipelinesRequest(t, c, c.RequestToken(), good)
			r.URL.RawQuery += "&audience=x"
			return r
		}, 400, "audience"},
		{"wrong path", func() *http.Request {
			r := pipelinesRequest(t, c, c.RequestToken(), good)
			r.URL.Path += "s"
			return r
		}, 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := doWith(t, c.Client(), tc.req())
			msg, _ := r.body["message"].(string)
			if r.status != tc.status || !strings.Contains(msg, tc.want) {
				t.Fatalf("got %d %q; want %d with %q", r.status, msg, tc.status, tc.want)
			}
			// PROTOCOL 6.9: GO reports x-vss-e2eid and x-msedge-ref.
			if r.header.Get("x-vss-e2eid") == "" || r.header.Get("x-msedge-ref") == "" {
				t.Fatalf("diagnostic headers missing: %v", r.header)
			}
			if strings.Contains(r.raw, "token-value") || r.body["typeKey"] == nil {
				t.Fatalf("answer: %s", r.raw)
			}
		})
	}
}

// TestPipelinesOIDCRedirect: without X-TFS-FedAuthRedirect: Suppress a bad
// token is redirected to a sign-in page (PROTOCOL 6.9), which a client
// that follows redirects reads as 200 HTML.
func TestPipelinesOIDCRedirect(t *testing.T) {
	c := newOIDC(t, false, nil)
	req := pipelinesRequest(t, c, "wrong", c.ServiceConnectionID())
	req.Header.Del("X-TFS-FedAuthRedirect")
	noFollow := *c.Client() // a copy: Client returns httptest's shared client
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r := doWith(t, &noFollow, req)
	if r.status != http.StatusFound || !strings.HasPrefix(r.header.Get("Location"), "/_signin?") {
		t.Fatalf("%d Location %q", r.status, r.header.Get("Location"))
	}
	req = pipelinesRequest(t, c, "wrong", c.ServiceConnectionID())
	req.Header.Del("X-TFS-FedAuthRedirect")
	r = doWith(t, c.Client(), req)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || r.body != nil {
		t.Fatalf("followed: %d %s", r.status, r.raw)
	}
	// A good token needs no Suppress header (the seed-era PY sends none).
	req = pipelinesRequest(t, c, c.RequestToken(), c.ServiceConnectionID())
	req.Header.Del("X-TFS-FedAuthRedirect")
	if r := doWith(t, c.Client(), req); r.status != 200 {
		t.Fatalf("good token without Suppress: %d %s", r.status, r.raw)
	}
}

// TestGitHubOIDC: the ID token request with audience gets {"value": jwt};
// without audience the token is for the repository owner, which Validate
// refuses; the URL's own query must be kept.
func TestGitHubOIDC(t *testing.T) {
	c := newOIDC(t, true, &OIDCOptions{Now: func() time.Time { return fixedTime }})
	env := c.Env()
	if !strings.HasPrefix(env["ACTIONS_ID_TOKEN_REQUEST_URL"], "https://127.0.0.1:") ||
		!strings.HasSuffix(env["ACTIONS_ID_TOKEN_REQUEST_URL"], "?api-version=2.0") || env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] != c.RequestToken() {
		t.Fatalf("Env %v", env)
	}
	r := doWith(t, c.Client(), githubRequest(t, c, c.RequestToken(), FederatedAudience))
	if r.status != 200 || c.Validate(r.str("value")) != nil {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	claims := fedClaims(t, c.SigningKey(), r.str("value"))
	if claims["iss"] != "https://token.actions.githubusercontent.com" || claims["sub"] != "repo:octo-org/octo-repo:ref:refs/heads/main" {
		t.Fatalf("claims %v", claims)
	}

	req, _ := http.NewRequest(http.MethodGet, env["ACTIONS_ID_TOKEN_REQUEST_URL"], nil)
	req.Header.Set("Authorization", "Bearer "+c.RequestToken())
	r = doWith(t, c.Client(), req)
	tok := r.str("value")
	if r.status != 200 || fedClaims(t, c.SigningKey(), tok)["aud"] != "https://github.com/octo-org" {
		t.Fatalf("no audience: %d %s", r.status, r.raw)
	}
	if err := c.Validate(tok); !errors.Is(err, ErrFederatedToken) || !strings.Contains(err.Error(), "aud") {
		t.Fatalf("Validate(owner audience) = %v", err)
	}

	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
	}{
		{"bad token", githubRequest(t, c, "wrong", FederatedAudience), 401},
		{"query replaced", func() *http.Request {
			r := githubRequest(t, c, c.RequestToken(), FederatedAudience)
			r.URL.RawQuery = "audience=" + url.QueryEscape(FederatedAudience)
			return r
		}(), 400},
		{"POST", func() *http.Request {
			r := githubRequest(t, c, c.RequestToken(), FederatedAudience)
			r.Method = http.MethodPost
			return r
		}(), 405},
		{"two audiences", func() *http.Request {
			r := githubRequest(t, c, c.RequestToken(), FederatedAudience)
			r.URL.RawQuery += "&audience=x"
			return r
		}(), 400},
	} {
		if r := doWith(t, c.Client(), tc.req); r.status != tc.status || r.body["message"] == nil || r.header.Get("x-vss-e2eid") != "" {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
	}
}

// TestFederatedValidate: Validate refuses every way a federated token can
// be wrong, with errors that wrap ErrFederatedToken and quote no token.
func TestFederatedValidate(t *testing.T) {
	clock := &fixedClock{t: fixedTime}
	c := newOIDC(t, false, &OIDCOptions{Now: clock.Now})
	gh := newOIDC(t, true, &OIDCOptions{Now: clock.Now})
	good, _ := c.Token("")
	other, _ := gh.Token("")
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	sign := func(mutate func(map[string]any)) string {
		claims := fedClaims(t, c.SigningKey(), good)
		mutate(claims)
		tok, err := jwt.Sign(jwt.Header{Alg: jwt.RS256, Typ: "JWT"}, claims, signingKeyVal)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	forged, _ := jwt.Sign(jwt.Header{Alg: jwt.RS256}, fedClaims(t, c.SigningKey(), good), otherKey)
	cases := []struct {
		name, token, want string
	}{
		{"other issuer", other, "iss"},
		{"other key", forged, "signature"},
		{"garbage", "not.a.jwt", "malformed"},
		{"empty", "", "malformed"},
		{"sub", sign(func(m map[string]any) { m["sub"] = "sc://other/x/y" }), "sub"},
		{"aud", sign(func(m map[string]any) { m["aud"] = "api://other" }), "aud"},
		{"aud array without", sign(func(m map[string]any) { m["aud"] = []string{"a", "b"} }), "aud"},
		{"aud number", sign(func(m map[string]any) { m["aud"] = 7 }), "aud"},
		{"no exp", sign(func(m map[string]any) { delete(m, "exp") }), "exp"},
		{"exp string", sign(func(m map[string]any) { m["exp"] = "soon" }), "claims"},
		{"nbf future", sign(func(m map[string]any) { m["nbf"] = fixedTime.Add(time.Hour).Unix() }), "not valid before"},
	}
	for _, tc := range cases {
		err := c.Validate(tc.token)
		if !errors.Is(err, ErrFederatedToken) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want ErrFederatedToken with %q", tc.name, err, tc.want)
		}
		if tc.token != "" && err != nil && strings.Contains(err.Error(), tc.token) {
			t.Errorf("%s: the error quotes the token", tc.name)
		}
	}
	if err := c.Validate(sign(func(m map[string]any) { m["aud"] = []string{"x", FederatedAudience} })); err != nil {
		t.Errorf("aud array holding the audience: %v", err)
	}
	// Expiry: 5 minutes of life, then AssertionSkew of grace.
	clock.Add(5*time.Minute + AssertionSkew - time.Second)
	if err := c.Validate(good); err != nil {
		t.Fatalf("within the skew: %v", err)
	}
	clock.Add(time.Second)
	if err := c.Validate(good); !errors.Is(err, ErrFederatedToken) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("after expiry: %v", err)
	}
}

// TestOIDCWithServer: an app whose Federated check is an issuer's Validate
// gets a token for the issuer's assertion, and AADSTS70021 for another's.
func TestOIDCWithServer(t *testing.T) {
	srv := newServer(t, nil)
	pipelines := newOIDC(t, false, nil)
	github := newOIDC(t, true, nil)
	srv.AddApp(App{ClientID: "ci-app", Federated: pipelines.Validate})
	redeem := func(assertion string) reply {
		return post(t, srv, "/tenant/oauth2/v2.0/token", form(
			"grant_type", "client_credentials", "client_id", "ci-app", "scope", "https://vault.azure.net/.default",
			"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", assertion))
	}
	r := doWith(t, pipelines.Client(), pipelinesRequest(t, pipelines, pipelines.RequestToken(), pipelines.ServiceConnectionID()))
	if got := redeem(r.str("oidcToken")); got.status != 200 {
		t.Fatalf("pipelines assertion: %d %s", got.status, got.raw)
	}
	r = doWith(t, github.Client(), githubRequest(t, github, github.RequestToken(), FederatedAudience))
	if got := redeem(r.str("value")); got.status != 401 || got.code() != 70021 {
		t.Fatalf("github assertion: %d %s", got.status, got.raw)
	}
}

// TestOIDCSetenv: Setenv sets the issuer's variables and unsets the other
// CI system's.
func TestOIDCSetenv(t *testing.T) {
	t.Setenv("ACTIONS_ID_TOKEN_REQUEST_URL", "https://real.example/token")
	c := newOIDC(t, false, nil)
	t.Run("inside", func(t *testing.T) {
		c.Setenv(t)
		if os.Getenv("SYSTEM_OIDCREQUESTURI") != c.URL() || os.Getenv("SYSTEM_ACCESSTOKEN") != c.RequestToken() {
			t.Fatal("variables not set")
		}
		if _, ok := os.LookupEnv("ACTIONS_ID_TOKEN_REQUEST_URL"); ok {
			t.Fatal("the real GitHub endpoint is still set")
		}
	})
	if os.Getenv("ACTIONS_ID_TOKEN_REQUEST_URL") != "https://real.example/token" {
		t.Fatal("not restored")
	}
}

// TestOIDCFaults: faults answer in the service's shape, with Pipelines'
// diagnostic headers.
func TestOIDCFaults(t *testing.T) {
	c := newOIDC(t, false, nil)
	c.Fault(Fault{Status: 503, RetryAfter: "1"})
	r := doWith(t, c.Client(), pipelinesRequest(t, c, c.RequestToken(), c.ServiceConnectionID()))
	if r.status != 503 || r.body["message"] != "Service Unavailable" || r.header.Get("x-vss-e2eid") == "" || r.header.Get("Retry-After") != "1" {
		t.Fatalf("%d %v %s", r.status, r.header, r.raw)
	}
	c.Fault(Fault{Malformed: true})
	r = doWith(t, c.Client(), pipelinesRequest(t, c, c.RequestToken(), c.ServiceConnectionID()))
	if r.body != nil || !strings.HasPrefix(r.raw, `{"oidcToken":"`) {
		t.Fatalf("Malformed: %s", r.raw)
	}
	g := newOIDC(t, true, nil)
	g.Fault(Fault{Oversize: true})
	r = doWith(t, g.Client(), githubRequest(t, g, g.RequestToken(), FederatedAudience))
	if len(r.raw) != OversizeBody || !strings.HasPrefix(r.raw, `{"value":"`) {
		t.Fatalf("Oversize: %d bytes", len(r.raw))
	}
	g.ResetRequests()
	if len(g.Requests()) != 0 {
		t.Fatal("ResetRequests left requests")
	}
	if g.CertPool() == nil || g.ServiceConnectionID() != "" {
		t.Fatal("CertPool or ServiceConnectionID")
	}
}
