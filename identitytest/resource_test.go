package identitytest

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// appToken gets an app-only token for scope, with optional claims.
func appToken(t *testing.T, s *Server, scope, claims string) string {
	t.Helper()
	f := form("grant_type", "client_credentials", "client_id", "app", "client_secret", "s3cret", "scope", scope)
	if claims != "" {
		f.Set("claims", claims)
	}
	r := post(t, s, "/t/oauth2/v2.0/token", f)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	return r.str("access_token")
}

func TestClaimsReflectedInToken(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(App{ClientID: "app", Secret: "s3cret"})
	tests := []struct {
		name   string
		claims string
		check  func(c map[string]any) bool
	}{
		{"CP1", `{"access_token":{"xms_cc":{"values":["CP1"]}}}`, func(c map[string]any) bool {
			v, _ := c["xms_cc"].([]any)
			return len(v) == 1 && v[0] == "CP1"
		}},
		{"acrs value", `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`, func(c map[string]any) bool {
			v, _ := c["acrs"].([]any)
			return len(v) == 1 && v[0] == "c1"
		}},
		{"nbf is not overridden", `{"access_token":{"nbf":{"essential":true,"value":"1"}}}`, func(c map[string]any) bool {
			return c["nbf"] != float64(1)
		}},
		{"custom claim null", `{"access_token":{"deviceid":null}}`, func(c map[string]any) bool { return c["deviceid"] == true }},
		{"id_token only", `{"id_token":{"auth_time":{"essential":true}}}`, func(c map[string]any) bool { return c["auth_time"] == nil }},
		{"aud cannot be set", `{"access_token":{"aud":{"value":"evil"}}}`, func(c map[string]any) bool { return c["aud"] == "https://vault.azure.net" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := tokenClaims(t, s, appToken(t, s, vault, tc.claims))
			if !tc.check(c) {
				t.Errorf("claims %v", c)
			}
		})
	}
}

func getResource(t *testing.T, s *Server, url, token string) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, s, req)
}

// challengeClaims decodes the claims of a CAE challenge.
func challengeClaims(t *testing.T, r reply) string {
	t.Helper()
	h := r.header.Get("WWW-Authenticate")
	if !strings.Contains(h, `error="insufficient_claims"`) {
		t.Fatalf("no CAE challenge in %q", h)
	}
	_, after, _ := strings.Cut(h, `claims="`)
	b64, _, _ := strings.Cut(after, `"`)
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("claims %q: %v", b64, err)
	}
	return string(b)
}

func TestResourceCAEChallenge(t *testing.T) {
	clock := &fixedClock{t: time.Unix(1_700_000_000, 0)}
	s := newServer(t, &Options{Now: clock.Now})
	s.AddApp(App{ClientID: "app", Secret: "s3cret"})
	res := s.Resource("https://vault.azure.net", nil)
	tok := appToken(t, s, vault, `{"access_token":{"xms_cc":{"values":["CP1"]}}}`)

	r := getResource(t, s, res.URL()+"/secrets/x", tok)
	if r.status != 200 || r.str("appid") != "app" {
		t.Fatalf("plain: %d %s", r.status, r.raw)
	}

	clock.Add(time.Minute)
	res.Challenge("")
	r = getResource(t, s, res.URL(), tok)
	if r.status != 401 {
		t.Fatalf("challenged: %d %s", r.status, r.raw)
	}
	claims := challengeClaims(t, r)
	// The second after the challenge's: a token from the challenge's own
	// second must not pass.
	if want := `{"access_token":{"nbf":{"essential":true,"value":"1700000061"}}}`; claims != want {
		t.Errorf("claims %s, want %s", claims, want)
	}
	if h := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(h, `Bearer realm="", authorization_uri="`+s.Authority()+`common/oauth2/authorize"`) {
		t.Errorf("header %q", h)
	}
	// The old token still fails: it was issued before the challenge's nbf.
	if r = getResource(t, s, res.URL(), tok); r.status != 401 {
		t.Fatalf("old token after challenge: %d", r.status)
	}
	// A token issued in the same second without the claims fails too: a
	// client that ignores the challenge and gets a new token anyway is
	// caught.
	if r = getResource(t, s, res.URL(), appToken(t, s, vault, `{"access_token":{"xms_cc":{"values":["CP1"]}}}`)); r.status != 401 {
		t.Fatalf("new token without the claims after challenge: %d", r.status)
	}
	// A token issued with the claims passes.
	fresh := appToken(t, s, vault, claims)
	if r = getResource(t, s, res.URL(), fresh); r.status != 200 {
		t.Fatalf("fresh token: %d %s", r.status, r.raw)
	}

	// Two challenges in a row: the retry gets the second one.
	res.Challenge(`{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`)
	res.Challenge(`{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`)
	if r = getResource(t, s, res.URL(), fresh); r.status != 401 {
		t.Fatal("first of two challenges not sent")
	}
	withACRS := appToken(t, s, vault, challengeClaims(t, r))
	if r = getResource(t, s, res.URL(), withACRS); r.status != 401 {
		t.Fatal("second of two challenges not sent")
	}
	if r = getResource(t, s, res.URL(), withACRS); r.status != 200 {
		t.Fatalf("after the challenges: %d", r.status)
	}
	if r = getResource(t, s, res.URL(), fresh); r.status != 401 {
		t.Fatal("token without acrs accepted after an acrs challenge")
	}
	res.Reset()
	if r = getResource(t, s, res.URL(), fresh); r.status != 200 {
		t.Fatalf("after Reset: %d", r.status)
	}
}

func TestResourceRejectsBadTokens(t *testing.T) {
	clock := &fixedClock{t: time.Unix(1_700_000_000, 0)}
	s := newServer(t, &Options{Now: clock.Now})
	s.AddApp(App{ClientID: "app", Secret: "s3cret"})
	res := s.Resource("https://vault.azure.net", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := TokenClaims(r)
		if !ok || c["appid"] != "app" {
			w.WriteHeader(500)
			return
		}
		w.WriteHeader(204)
	}))
	good := appToken(t, s, vault, "")
	other := appToken(t, s, "https://storage.azure.com/.default", "")
	tests := []struct {
		name, auth, desc string
	}{
		{"none", "", ""},
		{"basic", "Basic abc", "not a bearer token"},
		{"wrong audience", "Bearer " + other, "audience is invalid"},
		{"forged", "Bearer " + good[:len(good)-4] + "AAAA", "signature is invalid"},
		{"garbage", "Bearer x.y.z", "signature is invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, res.URL(), nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			r := do(t, s, req)
			h := r.header.Get("WWW-Authenticate")
			if r.status != 401 || !strings.HasPrefix(h, "Bearer ") {
				t.Fatalf("%d %q", r.status, h)
			}
			if tc.desc == "" && strings.Contains(h, "error=") || tc.desc != "" && !strings.Contains(h, tc.desc) {
				t.Errorf("header %q, want %q", h, tc.desc)
			}
		})
	}
	if r := getResource(t, s, res.URL(), good); r.status != 204 {
		t.Fatalf("good token: %d", r.status)
	}
	clock.Add(2 * time.Hour)
	if r := getResource(t, s, res.URL(), good); r.status != 401 || !strings.Contains(r.header.Get("WWW-Authenticate"), "expired") {
		t.Fatalf("expired token: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
	if r := getResource(t, s, s.URL()+"/resource/99", good); r.status != 404 {
		t.Errorf("unknown resource: %d", r.status)
	}
}

// TestResourceHandlerGetsRequestBody: a Resource's handler reads the body
// the client sent; Server.serve reads it first (readForm), and used to hand
// the handler a drained one.
func TestResourceHandlerGetsRequestBody(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(App{ClientID: "app", Secret: "s3cret"})
	got := make(chan string, 1)
	res := s.Resource("https://vault.azure.net", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		got <- string(b)
		w.WriteHeader(http.StatusNoContent)
	}))
	tok := appToken(t, s, vault, "")
	const body = `{"value":"hello"}`
	req, _ := http.NewRequest(http.MethodPut, res.URL()+"/secrets/x", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	r := do(t, s, req)
	if r.status != http.StatusNoContent {
		t.Fatalf("resource answered %d %s", r.status, r.raw)
	}
	if b := <-got; b != body {
		t.Errorf("handler read body %q, want %q: the server consumed it before routing", b, body)
	}
}

// TestRequestStringRedactsAccessToken: a bearer token sent in a form body
// (RFC 6750, Section 2.2) to a Resource, whose requests the same log holds,
// is redacted by Request.String like every other secret.
func TestRequestStringRedactsAccessToken(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(App{ClientID: "app", Secret: "s3cret"})
	res := s.Resource("https://vault.azure.net", nil)
	tok := appToken(t, s, vault, "")
	s.ResetRequests()
	req, _ := http.NewRequest(http.MethodPost, res.URL(), strings.NewReader(url.Values{"access_token": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	do(t, s, req)
	for _, r := range s.Requests() {
		if strings.Contains(r.String(), tok) {
			t.Errorf("Request.String prints the access token: %.120s...", r.String())
		}
	}
}
