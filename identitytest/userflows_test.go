package identitytest

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

const graphRead = "https://graph.microsoft.com/User.Read"

// userServer has a public client "cli", a web app "web" with a secret, and
// user alice.
func userServer(t *testing.T, o *Options) *Server {
	s := newServer(t, o)
	s.AddApp(App{ClientID: "cli", Public: true})
	s.AddApp(App{ClientID: "web", Secret: "websecret"})
	s.AddUser(User{Username: "alice@contoso.com", Password: "pa55", Tenant: "contoso"})
	return s
}

func redeem(t *testing.T, s *Server, tenant string, kv ...string) reply {
	t.Helper()
	f := form(append([]string{"grant_type", "authorization_code"}, kv...)...)
	return post(t, s, "/"+tenant+"/oauth2/v2.0/token", f)
}

func TestAuthorizationCode(t *testing.T) {
	s := userServer(t, nil)
	code := s.AuthCode("web", "https://app/cb", "alice@contoso.com", []string{graphRead, "offline_access"}, "")
	r := redeem(t, s, "organizations", "client_id", "web", "client_secret", "websecret", "code", code,
		"redirect_uri", "https://app/cb", "scope", graphRead+" offline_access", "client_info", "1")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	c := tokenClaims(t, s, r.str("access_token"))
	u, _ := s.user("alice@contoso.com")
	for k, v := range map[string]any{"aud": "https://graph.microsoft.com", "scp": "User.Read", "tid": "contoso",
		"oid": u.ObjectID, "appid": "web", "upn": "alice@contoso.com", "idtyp": "user"} {
		if c[k] != v {
			t.Errorf("claim %s = %v, want %v", k, c[k], v)
		}
	}
	if r.str("refresh_token") == "" || r.str("scope") != graphRead+" offline_access" {
		t.Errorf("response %s", r.raw)
	}
	idt := tokenClaims(t, s, r.str("id_token"))
	if idt["preferred_username"] != "alice@contoso.com" || idt["oid"] != u.ObjectID || idt["tid"] != "contoso" || idt["aud"] != "web" {
		t.Errorf("id_token %v", idt)
	}
	ci, err := base64.RawURLEncoding.DecodeString(r.str("client_info"))
	var info map[string]string
	if err != nil || json.Unmarshal(ci, &info) != nil || info["uid"] != u.ObjectID || info["utid"] != "contoso" {
		t.Errorf("client_info %q: %v", ci, err)
	}

	// Codes are single use, and reuse revokes what the code produced.
	r2 := redeem(t, s, "organizations", "client_id", "web", "client_secret", "websecret", "code", code, "redirect_uri", "https://app/cb")
	if r2.status != 400 || r2.str("error") != "invalid_grant" || r2.code() != 54005 {
		t.Fatalf("reuse: %d %s", r2.status, r2.raw)
	}
	r3 := post(t, s, "/organizations/oauth2/v2.0/token", form("grant_type", "refresh_token", "client_id", "web",
		"client_secret", "websecret", "refresh_token", r.str("refresh_token"), "scope", graphRead))
	if r3.status != 400 || r3.code() != 50173 {
		t.Fatalf("refresh after code reuse: %d %s", r3.status, r3.raw)
	}
}

func TestAuthorizationCodeErrors(t *testing.T) {
	clock := &fixedClock{t: time.Unix(1_700_000_000, 0)}
	s := userServer(t, &Options{Now: clock.Now})
	verifier := strings.Repeat("v", 43)
	tests := []struct {
		name   string
		mint   func() string
		kv     []string
		status int
		err    string
		code   int
	}{
		{"redirect mismatch", func() string {
			return s.AuthCode("cli", "http://localhost/cb", "alice@contoso.com", []string{graphRead}, "")
		},
			[]string{"client_id", "cli", "redirect_uri", "http://localhost/cb/"}, 400, "invalid_grant", 500112},
		{"redirect missing", func() string {
			return s.AuthCode("cli", "http://localhost/cb", "alice@contoso.com", []string{graphRead}, "")
		},
			[]string{"client_id", "cli"}, 400, "invalid_request", 900144},
		{"pkce wrong verifier", func() string {
			return s.AuthCode("cli", "", "alice@contoso.com", []string{graphRead}, PKCEChallenge(verifier))
		}, []string{"client_id", "cli", "code_verifier", strings.Repeat("w", 43)}, 400, "invalid_grant", 501481},
		{"pkce short verifier", func() string {
			return s.AuthCode("cli", "", "alice@contoso.com", []string{graphRead}, PKCEChallenge("short"))
		}, []string{"client_id", "cli", "code_verifier", "short"}, 400, "invalid_grant", 501481},
		{"pkce no verifier", func() string {
			return s.AuthCode("cli", "", "alice@contoso.com", []string{graphRead}, PKCEChallenge(verifier))
		}, []string{"client_id", "cli"}, 400, "invalid_request", 900144},
		{"other client", func() string { return s.AuthCode("cli", "", "alice@contoso.com", []string{graphRead}, "") },
			[]string{"client_id", "web", "client_secret", "websecret"}, 400, "invalid_grant", 70000},
		{"confidential without secret", func() string { return s.AuthCode("web", "", "alice@contoso.com", []string{graphRead}, "") },
			[]string{"client_id", "web"}, 401, "invalid_client", 7000218},
		{"unknown code", func() string { return "nope" }, []string{"client_id", "cli"}, 400, "invalid_grant", 70000},
		{"no code", func() string { return "" }, []string{"client_id", "cli"}, 400, "invalid_request", 900144},
		{"unknown user", func() string { return s.AuthCode("cli", "", "bob@contoso.com", []string{graphRead}, "") },
			[]string{"client_id", "cli"}, 400, "invalid_grant", 50034},
		{"expired", func() string {
			c := s.AuthCode("cli", "", "alice@contoso.com", []string{graphRead}, "")
			clock.Add(AuthCodeLifetime)
			return c
		}, []string{"client_id", "cli"}, 400, "invalid_grant", 70008},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kv := append([]string{"code", tc.mint()}, tc.kv...)
			f := form(kv...)
			if f.Get("code") == "" {
				f.Del("code")
			}
			r := post(t, s, "/common/oauth2/v2.0/token", withGrant(f, "authorization_code"))
			if r.status != tc.status || r.str("error") != tc.err || r.code() != tc.code {
				t.Fatalf("got %d %s %d, want %d %s %d: %s", r.status, r.str("error"), r.code(), tc.status, tc.err, tc.code, r.raw)
			}
		})
	}
	t.Run("pkce right verifier", func(t *testing.T) {
		code := s.AuthCode("cli", "", "alice@contoso.com", []string{graphRead}, PKCEChallenge(verifier))
		r := redeem(t, s, "common", "client_id", "cli", "code", code, "code_verifier", verifier)
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
	})
}

func withGrant(f map[string][]string, grant string) map[string][]string {
	f["grant_type"] = []string{grant}
	return f
}

func TestAuthorizationCodeConcurrentRedemption(t *testing.T) {
	s := userServer(t, nil)
	code := s.AuthCode("cli", "", "alice@contoso.com", []string{graphRead}, "")
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := redeem(t, s, "common", "client_id", "cli", "code", code)
			if r.status == 200 {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Errorf("%d redemptions succeeded, want 1", ok)
	}
}

func TestRefreshTokenRotation(t *testing.T) {
	clock := &fixedClock{t: time.Unix(1_700_000_000, 0)}
	s := userServer(t, &Options{Now: clock.Now, RefreshTokenLifetime: 24 * time.Hour})
	r := post(t, s, "/common/oauth2/v2.0/token", form("grant_type", "password", "client_id", "cli",
		"username", "ALICE@contoso.com", "password", "pa55", "scope", graphRead))
	if r.status != 200 {
		t.Fatalf("password: %d %s", r.status, r.raw)
	}
	rt1 := r.str("refresh_token")
	refresh := func(rt string, kv ...string) reply {
		return post(t, s, "/common/oauth2/v2.0/token", form(append([]string{"grant_type", "refresh_token",
			"client_id", "cli", "refresh_token", rt}, kv...)...))
	}
	r2 := refresh(rt1, "scope", "https://vault.azure.net/.default")
	if r2.status != 200 {
		t.Fatalf("refresh: %d %s", r2.status, r2.raw)
	}
	rt2 := r2.str("refresh_token")
	if rt2 == "" || rt2 == rt1 {
		t.Fatalf("refresh token not rotated: %q", rt2)
	}
	c := tokenClaims(t, s, r2.str("access_token"))
	if c["aud"] != "https://vault.azure.net" || c["scp"] != "user_impersonation" || c["tid"] != "contoso" {
		t.Errorf("claims %v", c)
	}
	if r := refresh(rt1); r.status != 400 || r.str("error") != "invalid_grant" || r.code() != 70000 {
		t.Errorf("old token after rotation: %d %s", r.status, r.raw)
	}
	// No scope: the scopes the refresh token was issued with.
	r3 := refresh(rt2)
	if r3.status != 200 || tokenClaims(t, s, r3.str("access_token"))["aud"] != "https://vault.azure.net" {
		t.Fatalf("refresh without scope: %d %s", r3.status, r3.raw)
	}
	rt3 := r3.str("refresh_token")
	if r := post(t, s, "/common/oauth2/v2.0/token", form("grant_type", "refresh_token", "client_id", "web",
		"client_secret", "websecret", "refresh_token", rt3)); r.status != 400 || r.code() != 70000 {
		t.Errorf("other client: %d %s", r.status, r.raw)
	}
	if r := refresh("garbage"); r.status != 400 || r.str("error") != "invalid_grant" || r.code() != 9002313 {
		t.Errorf("garbage: %d %s", r.status, r.raw)
	}
	clock.Add(25 * time.Hour)
	if r := refresh(rt3); r.status != 400 || r.code() != 700082 {
		t.Errorf("expired: %d %s", r.status, r.raw)
	}
}

func TestRevokeRefreshTokens(t *testing.T) {
	s := userServer(t, nil)
	code := s.AuthCode("cli", "", "alice@contoso.com", []string{graphRead}, "")
	r := redeem(t, s, "common", "client_id", "cli", "code", code)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	s.RevokeRefreshTokens("Alice@Contoso.com")
	r2 := post(t, s, "/common/oauth2/v2.0/token", form("grant_type", "refresh_token", "client_id", "cli",
		"refresh_token", r.str("refresh_token"), "scope", graphRead))
	if r2.status != 400 || r2.str("error") != "invalid_grant" || r2.code() != 50173 {
		t.Fatalf("%d %s", r2.status, r2.raw)
	}
}

func TestPassword(t *testing.T) {
	s := userServer(t, nil)
	tests := []struct {
		name, user, pw string
		code           int
	}{
		{"wrong password", "alice@contoso.com", "nope", 50126},
		{"unknown user", "bob@contoso.com", "pa55", 50034},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, "/contoso/oauth2/v2.0/token", form("grant_type", "password", "client_id", "cli",
				"username", tc.user, "password", tc.pw, "scope", graphRead))
			if r.status != 400 || r.str("error") != "invalid_grant" || r.code() != tc.code {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if strings.Contains(r.raw, tc.pw) {
				t.Errorf("password echoed: %s", r.raw)
			}
		})
	}
}

func TestOnBehalfOf(t *testing.T) {
	s := userServer(t, nil)
	s.AddApp(App{ClientID: "mid", Secret: "midsecret"})
	s.AddUser(User{Username: "bob@contoso.com", Password: "b0b", Tenant: "contoso"})
	userToken := func(user, pw, scope string) string {
		r := post(t, s, "/contoso/oauth2/v2.0/token", form("grant_type", "password", "client_id", "cli",
			"username", user, "password", pw, "scope", scope))
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		return r.str("access_token")
	}
	obo := func(assertion string, kv ...string) reply {
		return post(t, s, "/contoso/oauth2/v2.0/token", form(append([]string{
			"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer", "requested_token_use", "on_behalf_of",
			"client_id", "mid", "client_secret", "midsecret", "assertion", assertion, "scope", graphRead}, kv...)...))
	}
	alice := userToken("alice@contoso.com", "pa55", "api://mid/access_as_user")
	bob := userToken("bob@contoso.com", "b0b", "api://mid/.default")
	ra, rb := obo(alice), obo(bob)
	if ra.status != 200 || rb.status != 200 {
		t.Fatalf("obo: %d %s / %d %s", ra.status, ra.raw, rb.status, rb.raw)
	}
	ca, cb := tokenClaims(t, s, ra.str("access_token")), tokenClaims(t, s, rb.str("access_token"))
	ua, _ := s.user("alice@contoso.com")
	if ca["oid"] != ua.ObjectID || ca["appid"] != "mid" || ca["aud"] != "https://graph.microsoft.com" || ca["oid"] == cb["oid"] {
		t.Errorf("claims %v / %v", ca, cb)
	}
	if ra.str("refresh_token") == "" {
		t.Error("no refresh token from OBO")
	}

	app := post(t, s, "/contoso/oauth2/v2.0/token", form("grant_type", "client_credentials", "client_id", "web",
		"client_secret", "websecret", "scope", "api://mid/.default")).str("access_token")
	tests := []struct {
		name   string
		r      reply
		status int
		err    string
		code   int
	}{
		{"wrong audience", obo(userToken("alice@contoso.com", "pa55", graphRead)), 400, "invalid_grant", 50013},
		{"app token", obo(app), 400, "invalid_grant", 50013},
		{"forged", obo(alice[:len(alice)-4] + "AAAA"), 400, "invalid_grant", 50013},
		{"not a JWT", obo("opaque"), 400, "invalid_grant", 50013},
		{"no assertion", obo(""), 400, "invalid_request", 900144},
		{"no secret", obo(alice, "client_secret", ""), 401, "invalid_client", 7000218},
		{"wrong use", obo(alice, "requested_token_use", "other"), 400, "invalid_request", 9002313},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.r.status != tc.status || tc.r.str("error") != tc.err || tc.r.code() != tc.code {
				t.Fatalf("got %d %s %d, want %d %s %d: %s", tc.r.status, tc.r.str("error"), tc.r.code(), tc.status, tc.err, tc.code, tc.r.raw)
			}
		})
	}
}

func TestOnBehalfOfExpiredAssertion(t *testing.T) {
	clock := &fixedClock{t: time.Unix(1_700_000_000, 0)}
	s := userServer(t, &Options{Now: clock.Now})
	s.AddApp(App{ClientID: "mid", Secret: "midsecret"})
	r := post(t, s, "/contoso/oauth2/v2.0/token", form("grant_type", "password", "client_id", "cli",
		"username", "alice@contoso.com", "password", "pa55", "scope", "api://mid/.default"))
	clock.Add(2 * time.Hour)
	r2 := post(t, s, "/contoso/oauth2/v2.0/token", form("grant_type", grantJWTBearer, "requested_token_use", "on_behalf_of",
		"client_id", "mid", "client_secret", "midsecret", "assertion", r.str("access_token"), "scope", graphRead))
	if r2.status != 400 || r2.code() != 500133 {
		t.Fatalf("%d %s", r2.status, r2.raw)
	}
}

func TestUserTokenForOnBehalfOf(t *testing.T) {
	s := userServer(t, nil)
	s.AddApp(App{ClientID: "mid", Secret: "midsecret"})
	assertion, err := s.UserToken("cli", "alice@contoso.com", []string{"api://mid/.default"})
	if err != nil {
		t.Fatal(err)
	}
	c := tokenClaims(t, s, assertion)
	if c["aud"] != "api://mid" || c["tid"] != "contoso" || c["appid"] != "cli" || c["idtyp"] != "user" {
		t.Errorf("claims %v", c)
	}
	r := post(t, s, "/contoso/oauth2/v2.0/token", form("grant_type", grantJWTBearer, "requested_token_use", "on_behalf_of",
		"client_id", "mid", "client_secret", "midsecret", "assertion", assertion, "scope", graphRead))
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	if _, err := s.UserToken("cli", "nobody", []string{graphRead}); err == nil {
		t.Error("token for an unknown user")
	}
	if _, err := s.UserToken("cli", "alice@contoso.com", []string{graphRead, vault}); err == nil {
		t.Error("token for two resources")
	}
	// UserToken itself sends no request: only the OBO exchange is logged.
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests logged", n)
	}
}
