package oauth2

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestClientCredentialsForm(t *testing.T) {
	assertion := func(ctx context.Context, aud string) (string, error) { return "signed.jwt." + aud, nil }
	tests := []struct {
		name     string
		req      Request
		wantPath string
		want     url.Values
	}{{
		name:     "secret",
		req:      Request{Tenant: "contoso.onmicrosoft.com", ClientID: "cid", Auth: Auth{Secret: "s3cret"}, Scopes: []string{"https://graph.microsoft.com/.default"}},
		wantPath: "/contoso.onmicrosoft.com/oauth2/v2.0/token",
		// spec/PROTOCOL.md 2.4, PY body: client_id, client_secret, grant_type, scope.
		want: url.Values{"client_id": {"cid"}, "client_secret": {"s3cret"}, "grant_type": {"client_credentials"}, "scope": {"https://graph.microsoft.com/.default"}},
	}, {
		name:     "assertion: audience is the token URL",
		req:      Request{Tenant: "72f988bf-86f1-41af-91ab-2d7cd011db47", ClientID: "cid", Auth: Auth{Assertion: assertion}, Scopes: []string{"api://x/.default"}},
		wantPath: "/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token",
		want: url.Values{"client_id": {"cid"}, "grant_type": {"client_credentials"}, "scope": {"api://x/.default"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {"signed.jwt.{URL}/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"}},
	}, {
		name:     "several scopes unchanged, no OIDC scopes",
		req:      Request{Tenant: "t", ClientID: "cid", Auth: Auth{Secret: "s"}, Scopes: []string{"a/.default", "openid", "b"}},
		wantPath: "/t/oauth2/v2.0/token",
		want:     url.Values{"client_id": {"cid"}, "client_secret": {"s"}, "grant_type": {"client_credentials"}, "scope": {"a/.default openid b"}},
	}, {
		name:     "claims passed through",
		req:      Request{Tenant: "t", ClientID: "cid", Auth: Auth{Secret: "s"}, Scopes: []string{"r/.default"}, Claims: `{"access_token":{"nbf":{"essential":true,"value":"1726077595"}}}`},
		wantPath: "/t/oauth2/v2.0/token",
		want: url.Values{"client_id": {"cid"}, "client_secret": {"s"}, "grant_type": {"client_credentials"}, "scope": {"r/.default"},
			"claims": {`{"access_token":{"nbf":{"essential":true,"value":"1726077595"}}}`}},
	}, {
		name:     "CAE without claims",
		req:      Request{Tenant: "t", ClientID: "cid", Auth: Auth{Secret: "s"}, Scopes: []string{"r/.default"}, CAE: true},
		wantPath: "/t/oauth2/v2.0/token",
		want: url.Values{"client_id": {"cid"}, "client_secret": {"s"}, "grant_type": {"client_credentials"}, "scope": {"r/.default"},
			"claims": {`{"access_token":{"xms_cc":{"values":["CP1"]}}}`}},
	}, {
		name:     "CAE merged with claims",
		req:      Request{Tenant: "t", ClientID: "cid", Auth: Auth{Secret: "s"}, Scopes: []string{"r/.default"}, CAE: true, Claims: `{"access_token":{"nbf":{"essential":true,"value":"1726077595"}}}`},
		wantPath: "/t/oauth2/v2.0/token",
		want: url.Values{"client_id": {"cid"}, "client_secret": {"s"}, "grant_type": {"client_credentials"}, "scope": {"r/.default"},
			"claims": {`{"access_token":{"nbf":{"essential":true,"value":"1726077595"},"xms_cc":{"values":["CP1"]}}}`}},
	}, {
		name:     "ADFS",
		req:      Request{Tenant: "adfs", ClientID: "cid", Auth: Auth{Assertion: assertion}, Scopes: []string{"r/.default"}},
		wantPath: "/adfs/oauth2/token",
		want: url.Values{"client_id": {"cid"}, "grant_type": {"client_credentials"}, "scope": {"r/.default"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {"signed.jwt.{URL}/adfs/oauth2/token"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEndpoint(t, ok())
			c, _ := newTestClient(t, f)
			tok, err := c.ClientCredentials(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != "eyJ0eXAi.access.token" {
				t.Errorf("AccessToken = %q", tok.AccessToken)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.method != "POST" || r.path != tt.wantPath || r.query != "" {
				t.Errorf("got %s %s?%s, want POST %s", r.method, r.path, r.query, tt.wantPath)
			}
			for k, v := range tt.want {
				for i := range v {
					v[i] = strings.ReplaceAll(v[i], "{URL}", f.srv.URL)
				}
				tt.want[k] = v
			}
			if !reflect.DeepEqual(r.form, tt.want) {
				t.Errorf("form\n got %v\nwant %v", r.form, tt.want)
			}
		})
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestHeaders(t *testing.T) {
	f := newFakeEndpoint(t, reply{status: 503}, ok())
	c, _ := newTestClient(t, f)
	if _, err := c.ClientCredentials(context.Background(), Request{Tenant: "t", ClientID: "c", Auth: Auth{Secret: "s"}, Scopes: []string{"r/.default"}}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	for i, r := range reqs {
		h := r.header
		for name, want := range map[string]string{
			"Content-Type":             "application/x-www-form-urlencoded; charset=utf-8",
			"User-Agent":               defaultUserAgent,
			"Return-Client-Request-Id": "false",
		} {
			if got := h.Get(name); got != want {
				t.Errorf("try %d: %s = %q, want %q", i, name, got, want)
			}
		}
		id := h.Get("Client-Request-Id")
		if !uuidRE.MatchString(id) || h.Get("X-Ms-Client-Request-Id") != id {
			t.Errorf("try %d: client-request-id %q, x-ms-client-request-id %q", i, id, h.Get("X-Ms-Client-Request-Id"))
		}
		if id != reqs[0].header.Get("Client-Request-Id") {
			t.Errorf("try %d: request ID changed between tries", i)
		}
		if h.Get("Authorization") != "" {
			t.Errorf("try %d: Authorization header sent", i)
		}
		if !reflect.DeepEqual(r.form, reqs[0].form) {
			t.Errorf("try %d: form changed between tries", i)
		}
	}
	if !strings.HasPrefix(defaultUserAgent, "azid/"+Version+" (go") {
		t.Errorf("default User-Agent %q", defaultUserAgent)
	}
	c.UserAgent = "myapp azid"
	f.replies = []reply{ok()}
	if _, err := c.ClientCredentials(context.Background(), Request{Tenant: "t", ClientID: "c", Auth: Auth{Secret: "s"}, Scopes: []string{"r/.default"}}); err != nil {
		t.Fatal(err)
	}
	if got := f.requests()[2].header.Get("User-Agent"); got != "myapp azid" {
		t.Errorf("User-Agent = %q", got)
	}
}

func TestClientCredentialsInvalid(t *testing.T) {
	good := Request{Tenant: "t", ClientID: "c", Auth: Auth{Secret: "s"}, Scopes: []string{"r/.default"}}
	noop := func(context.Context, string) (string, error) { return "x", nil }
	tests := []struct {
		name   string
		mutate func(*Request)
	}{
		{"empty tenant", func(r *Request) { r.Tenant = "" }},
		{"tenant with slash", func(r *Request) { r.Tenant = "a/b" }},
		{"tenant with query", func(r *Request) { r.Tenant = "a?x=1" }},
		{"tenant dot dot", func(r *Request) { r.Tenant = ".." }},
		{"tenant too long", func(r *Request) { r.Tenant = strings.Repeat("a", maxTenant+1) }},
		{"tenant percent", func(r *Request) { r.Tenant = "a%2fb" }},
		{"empty client ID", func(r *Request) { r.ClientID = "" }},
		{"no scopes", func(r *Request) { r.Scopes = nil }},
		{"empty scope", func(r *Request) { r.Scopes = []string{"a", ""} }},
		{"public client", func(r *Request) { r.Auth = Auth{} }},
		{"secret and assertion", func(r *Request) { r.Auth.Assertion = noop }},
		{"claims not JSON", func(r *Request) { r.Claims = "eyJhY2Nlc3NfdG9rZW4iOnt9fQ==" }},
		{"claims an array", func(r *Request) { r.Claims = `[1]` }},
		{"claims too long", func(r *Request) { r.Claims = `{"a":"` + strings.Repeat("x", MaxClaims) + `"}` }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEndpoint(t, ok())
			c, _ := newTestClient(t, f)
			r := good
			r.Scopes = append([]string(nil), good.Scopes...)
			tt.mutate(&r)
			_, err := c.ClientCredentials(context.Background(), r)
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("err = %v, want ErrInvalidRequest", err)
			}
			if !strings.HasPrefix(err.Error(), "oauth2: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if n := len(f.requests()); n != 0 {
				t.Errorf("%d requests sent for invalid input", n)
			}
		})
	}
}

func TestAssertionError(t *testing.T) {
	f := newFakeEndpoint(t, ok())
	c, _ := newTestClient(t, f)
	boom := errors.New("key vault unavailable")
	calls := 0
	_, err := c.ClientCredentials(context.Background(), Request{Tenant: "t", ClientID: "c", Scopes: []string{"r"},
		Auth: Auth{Assertion: func(context.Context, string) (string, error) { calls++; return "", boom }}})
	if !errors.Is(err, boom) || calls != 1 || len(f.requests()) != 0 {
		t.Fatalf("err = %v, calls = %d, requests = %d", err, calls, len(f.requests()))
	}
	_, err = c.ClientCredentials(context.Background(), Request{Tenant: "t", ClientID: "c", Scopes: []string{"r"},
		Auth: Auth{Assertion: func(context.Context, string) (string, error) { return "", nil }}})
	if !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("empty assertion: err = %v", err)
	}
}

// TestAssertionOncePerCall: retries resend the same form; the assertion
// callback runs once per call.
func TestAssertionOncePerCall(t *testing.T) {
	f := newFakeEndpoint(t, reply{status: 500}, reply{status: 502}, ok())
	c, _ := newTestClient(t, f)
	calls := 0
	_, err := c.ClientCredentials(context.Background(), Request{Tenant: "t", ClientID: "c", Scopes: []string{"r"},
		Auth: Auth{Assertion: func(context.Context, string) (string, error) { calls++; return "jwt", nil }}})
	if err != nil || calls != 1 || len(f.requests()) != 3 {
		t.Fatalf("err = %v, calls = %d, requests = %d", err, calls, len(f.requests()))
	}
}

func TestTokenTimes(t *testing.T) {
	f := newFakeEndpoint(t, reply{status: 200, body: `{"access_token":"a","expires_in":"3600","refresh_in":1800}`})
	c, clock := newTestClient(t, f)
	tok, err := c.ClientCredentials(context.Background(), Request{Tenant: "t", ClientID: "c", Auth: Auth{Secret: "s"}, Scopes: []string{"r"}})
	if err != nil {
		t.Fatal(err)
	}
	if !tok.ExpiresOn.Equal(t0.Add(time.Hour)) || !tok.RefreshOn.Equal(t0.Add(30*time.Minute)) || tok.TokenType != "Bearer" {
		t.Errorf("got %v, want expiry %v, refresh %v", tok, t0.Add(time.Hour), t0.Add(30*time.Minute))
	}
	_ = clock
}
