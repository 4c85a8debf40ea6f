package oauth2

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636, Appendix B

// TestUserGrantForms asserts the exact form of every grant but client
// credentials (which TestClientCredentialsForm covers).
func TestUserGrantForms(t *testing.T) {
	trio := "r/.default openid offline_access profile"
	assertion := func(ctx context.Context, aud string) (string, error) { return "app.jwt", nil }
	pub := Request{Tenant: "organizations", ClientID: "cid", Scopes: []string{"r/.default"}}
	withSecret := pub
	withSecret.Auth = Auth{Secret: "s"}
	withAssertion := pub
	withAssertion.Auth = Auth{Assertion: assertion}
	dupScopes := pub
	dupScopes.Scopes = []string{"openid", "r/.default", "profile"}
	tests := []struct {
		name     string
		call     func(*Client) (Token, error)
		wantPath string
		want     url.Values
	}{{
		name: "authorization code, public, PKCE",
		call: func(c *Client) (Token, error) {
			return c.AuthorizationCode(context.Background(), pub, "auth-code", "http://localhost:8400", verifier)
		},
		wantPath: "/organizations/oauth2/v2.0/token",
		want: url.Values{"client_id": {"cid"}, "grant_type": {"authorization_code"}, "scope": {trio}, "client_info": {"1"},
			"code": {"auth-code"}, "redirect_uri": {"http://localhost:8400"}, "code_verifier": {verifier}},
	}, {
		name: "authorization code, secret, no verifier",
		call: func(c *Client) (Token, error) {
			return c.AuthorizationCode(context.Background(), withSecret, "auth-code", "https://app/cb", "")
		},
		wantPath: "/organizations/oauth2/v2.0/token",
		want: url.Values{"client_id": {"cid"}, "client_secret": {"s"}, "grant_type": {"authorization_code"}, "scope": {trio}, "client_info": {"1"},
			"code": {"auth-code"}, "redirect_uri": {"https://app/cb"}},
	}, {
		name:     "refresh token, public",
		call:     func(c *Client) (Token, error) { return c.RefreshToken(context.Background(), pub, "rt-value") },
		wantPath: "/organizations/oauth2/v2.0/token",
		want:     url.Values{"client_id": {"cid"}, "grant_type": {"refresh_token"}, "scope": {trio}, "client_info": {"1"}, "refresh_token": {"rt-value"}},
	}, {
		name:     "refresh token, OIDC scopes not doubled",
		call:     func(c *Client) (Token, error) { return c.RefreshToken(context.Background(), dupScopes, "rt-value") },
		wantPath: "/organizations/oauth2/v2.0/token",
		want:     url.Values{"client_id": {"cid"}, "grant_type": {"refresh_token"}, "scope": {trio}, "client_info": {"1"}, "refresh_token": {"rt-value"}},
	}, {
		name:     "on-behalf-of, secret",
		call:     func(c *Client) (Token, error) { return c.OnBehalfOf(context.Background(), withSecret, "user.jwt") },
		wantPath: "/organizations/oauth2/v2.0/token",
		want: url.Values{"client_id": {"cid"}, "client_secret": {"s"}, "grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
			"scope": {trio}, "client_info": {"1"}, "assertion": {"user.jwt"}, "requested_token_use": {"on_behalf_of"}},
	}, {
		name:     "on-behalf-of, assertion",
		call:     func(c *Client) (Token, error) { return c.OnBehalfOf(context.Background(), withAssertion, "user.jwt") },
		wantPath: "/organizations/oauth2/v2.0/token",
		want: url.Values{"client_id": {"cid"}, "client_assertion": {"app.jwt"}, "client_assertion_type": {clientAssertionType},
			"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
			"scope":      {trio}, "client_info": {"1"}, "assertion": {"user.jwt"}, "requested_token_use": {"on_behalf_of"}},
	}, {
		name: "password",
		call: func(c *Client) (Token, error) {
			return c.Password(context.Background(), pub, "user@contoso.com", "p@ss w0rd")
		},
		wantPath: "/organizations/oauth2/v2.0/token",
		want: url.Values{"client_id": {"cid"}, "grant_type": {"password"}, "scope": {trio}, "client_info": {"1"},
			"username": {"user@contoso.com"}, "password": {"p@ss w0rd"}},
	}, {
		name: "refresh token, ADFS",
		call: func(c *Client) (Token, error) {
			r := pub
			r.Tenant = "ADFS"
			return c.RefreshToken(context.Background(), r, "rt-value")
		},
		wantPath: "/adfs/oauth2/token",
		want:     url.Values{"client_id": {"cid"}, "grant_type": {"refresh_token"}, "scope": {trio}, "client_info": {"1"}, "refresh_token": {"rt-value"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEndpoint(t, ok())
			c, _ := newTestClient(t, f)
			if _, err := tt.call(c); err != nil {
				t.Fatal(err)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			if reqs[0].method != "POST" || reqs[0].path != tt.wantPath {
				t.Errorf("%s %s, want POST %s", reqs[0].method, reqs[0].path, tt.wantPath)
			}
			if !reflect.DeepEqual(reqs[0].form, tt.want) {
				t.Errorf("form\n got %v\nwant %v", reqs[0].form, tt.want)
			}
		})
	}
}

func TestUserGrantsInvalid(t *testing.T) {
	pub := Request{Tenant: "organizations", ClientID: "cid", Scopes: []string{"r"}}
	tests := []struct {
		name string
		call func(*Client) (Token, error)
	}{
		{"no code", func(c *Client) (Token, error) {
			return c.AuthorizationCode(context.Background(), pub, "", "https://x", "")
		}},
		{"no redirect", func(c *Client) (Token, error) { return c.AuthorizationCode(context.Background(), pub, "c", "", "") }},
		{"short verifier", func(c *Client) (Token, error) {
			return c.AuthorizationCode(context.Background(), pub, "c", "https://x", "abc")
		}},
		{"verifier bad char", func(c *Client) (Token, error) {
			return c.AuthorizationCode(context.Background(), pub, "c", "https://x", strings.Repeat("a", 42)+"+")
		}},
		{"no refresh token", func(c *Client) (Token, error) { return c.RefreshToken(context.Background(), pub, "") }},
		{"no user assertion", func(c *Client) (Token, error) {
			r := pub
			r.Auth.Secret = "s"
			return c.OnBehalfOf(context.Background(), r, "")
		}},
		{"OBO public client", func(c *Client) (Token, error) { return c.OnBehalfOf(context.Background(), pub, "u") }},
		{"no password", func(c *Client) (Token, error) { return c.Password(context.Background(), pub, "u", "") }},
		{"no username", func(c *Client) (Token, error) { return c.Password(context.Background(), pub, "", "p") }},
		{"bad tenant", func(c *Client) (Token, error) {
			r := pub
			r.Tenant = "a b"
			return c.RefreshToken(context.Background(), r, "rt")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEndpoint(t, ok())
			c, _ := newTestClient(t, f)
			if _, err := tt.call(c); !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("err = %v", err)
			}
			if len(f.requests()) != 0 {
				t.Errorf("request sent")
			}
		})
	}
}

// TestNormalizeAuthorityKeepsNormalInput: an authority already in normal
// form comes back as it is, without building a copy; any other is rebuilt.
func TestNormalizeAuthorityKeepsNormalInput(t *testing.T) {
	const normal = "https://login.microsoftonline.com/adfs/"
	got, err := NormalizeAuthority(normal)
	if err != nil || got != normal {
		t.Fatalf("NormalizeAuthority(%q) = %q, %v", normal, got, err)
	}
	kept := testing.AllocsPerRun(100, func() { _, _ = NormalizeAuthority(normal) })
	rebuilt := testing.AllocsPerRun(100, func() { _, _ = NormalizeAuthority("https://login.microsoftonline.com/adfs") })
	if kept >= rebuilt {
		t.Errorf("a normal authority costs %v allocations, a rebuilt one %v: want one fewer (no copy)", kept, rebuilt)
	}
}

func TestNew(t *testing.T) {
	hc := newFakeEndpoint(t).srv.Client()
	tests := []struct {
		in, want string
	}{
		{"https://login.microsoftonline.com", "https://login.microsoftonline.com/"},
		{"https://login.microsoftonline.com/", "https://login.microsoftonline.com/"},
		{"https://login.microsoftonline.com///", "https://login.microsoftonline.com/"},
		{" https://login.microsoftonline.us/ ", "https://login.microsoftonline.us/"},
		{"HTTPS://Login.Example:8443/", "https://Login.Example:8443/"},
		{"https://adfs.contoso.com/stack/", "https://adfs.contoso.com/stack/"},
		{"http://login.microsoftonline.com/", ""},
		{"login.microsoftonline.com", ""},
		{"", ""},
		{"https://", ""},
		{"https://:443/", ""},
		{"https://user:pass@host/", ""},
		{"https://host/?x=1", ""},
		{"https://host/?", ""},
		{"https://host/#frag", ""},
		{"https://host/#", ""},
		{"ftp://host/", ""},
		{"https://ho st/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := New(tt.in, hc)
			if tt.want == "" {
				if !errors.Is(err, ErrInvalidRequest) {
					t.Fatalf("New(%q) = %v, %v; want ErrInvalidRequest", tt.in, c, err)
				}
				if strings.Contains(tt.in, "pass") && strings.Contains(err.Error(), "pass") {
					t.Errorf("error quotes user info: %v", err)
				}
				return
			}
			if err != nil || c.Authority != tt.want {
				t.Fatalf("New(%q) = %v, %v; want %q", tt.in, c, err, tt.want)
			}
		})
	}
	if _, err := New("https://h/", nil); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("nil HTTP client: %v", err)
	}
}

func TestTokenURL(t *testing.T) {
	for _, tt := range []struct{ authority, tenant, want string }{
		{"https://login.microsoftonline.com/", "t1", "https://login.microsoftonline.com/t1/oauth2/v2.0/token"},
		{"https://login.microsoftonline.com", "t1", "https://login.microsoftonline.com/t1/oauth2/v2.0/token"},
		{"https://login.microsoftonline.com//", "t1", "https://login.microsoftonline.com/t1/oauth2/v2.0/token"},
		{"https://adfs.contoso.com/", "adfs", "https://adfs.contoso.com/adfs/oauth2/token"},
		{"https://adfs.contoso.com/", "Adfs", "https://adfs.contoso.com/adfs/oauth2/token"},
	} {
		c := &Client{Authority: tt.authority}
		if got := c.TokenURL(tt.tenant); got != tt.want {
			t.Errorf("TokenURL(%q, %q) = %q, want %q", tt.authority, tt.tenant, got, tt.want)
		}
	}
}

// TestHandBuiltClient: a Client built without New still refuses http and
// works with https.
func TestHandBuiltClient(t *testing.T) {
	f := newFakeEndpoint(t, ok())
	c := &Client{HTTP: f.srv.Client(), Authority: "http" + strings.TrimPrefix(f.srv.URL, "https")}
	if _, err := c.ClientCredentials(context.Background(), ccReq); !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("http authority: %v", err)
	}
	c = &Client{Authority: f.srv.URL}
	if _, err := c.ClientCredentials(context.Background(), ccReq); !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("nil HTTP: %v", err)
	}
	c = &Client{HTTP: f.srv.Client(), Authority: f.srv.URL}
	if _, err := c.ClientCredentials(context.Background(), ccReq); err != nil {
		t.Fatalf("hand-built client: %v", err)
	}
	if len(f.requests()) != 1 {
		t.Errorf("%d requests", len(f.requests()))
	}
}

// TestWriteFormValue: the form encoding is net/url's QueryEscape, byte for
// byte, over every byte value and some text.
func TestWriteFormValue(t *testing.T) {
	var all strings.Builder
	for i := 0; i < 256; i++ {
		all.WriteByte(byte(i))
	}
	for _, s := range []string{all.String(), "", "a b+c&d=e", "https://graph.microsoft.com/.default openid", "pässwörd ✓", `{"a":"<>"}`} {
		var b strings.Builder
		writeFormValue(&b, s)
		if want := url.QueryEscape(s); b.String() != want {
			t.Errorf("writeFormValue(%q)\n got %q\nwant %q", s, b.String(), want)
		}
	}
}

func TestLogging(t *testing.T) {
	f := newFakeEndpoint(t, reply{status: 503, header: map[string]string{"Retry-After": "2"}}, ok())
	c, _ := newTestClient(t, f)
	logs := newLogBuffer()
	c.Logger = slogLogger(logs)
	if _, err := c.ClientCredentials(context.Background(), ccReq); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	where := f.srv.Listener.Addr().String() + "/t/oauth2/v2.0/token"
	for _, want := range []string{
		`level=DEBUG msg="oauth2: sending request" request=client_credentials method=POST endpoint=` + where + ` try=1`,
		`level=WARN msg="oauth2: retrying" request=client_credentials try=1 delay=2s`,
		"status=503",
		`level=DEBUG msg="oauth2: response" request=client_credentials endpoint=` + where + ` try=2 status=200`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}
