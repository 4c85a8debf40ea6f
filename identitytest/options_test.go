package identitytest

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestOptionsLifetimes(t *testing.T) {
	clock := &fixedClock{t: time.Unix(1_700_000_000, 0)}
	s := newServer(t, &Options{Now: clock.Now, TokenLifetime: 24 * time.Hour, RefreshIn: 12 * time.Hour})
	s.AddApp(App{ClientID: "app", Secret: "s3cret"})
	r := post(t, s, "/t/oauth2/v2.0/token", ccForm())
	if r.body["expires_in"] != float64(86400) || r.body["refresh_in"] != float64(43200) {
		t.Fatalf("%s", r.raw)
	}
	c := tokenClaims(t, s, r.str("access_token"))
	if c["exp"] != float64(1_700_000_000+86400) || c["iat"] != float64(1_700_000_000) {
		t.Errorf("claims %v", c)
	}
	s2 := newServer(t, nil)
	s2.AddApp(App{ClientID: "app", Secret: "s3cret"})
	if r := post(t, s2, "/t/oauth2/v2.0/token", ccForm()); r.body["refresh_in"] != nil {
		t.Errorf("refresh_in sent by default: %s", r.raw)
	}
}

func TestAddAppReplaces(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(App{ClientID: "app", Secret: "old"})
	s.AddApp(App{ClientID: "app", Secret: "s3cret", ObjectID: "sp-oid"})
	r := post(t, s, "/t/oauth2/v2.0/token", ccForm())
	if r.status != 200 || tokenClaims(t, s, r.str("access_token"))["oid"] != "sp-oid" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
}

func TestBasicClientAuthentication(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(App{ClientID: "a:b", Secret: "s3 cret"})
	send := func(user, pass string, kv ...string) reply {
		f := form(append([]string{"grant_type", "client_credentials", "scope", vault}, kv...)...)
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/t/oauth2/v2.0/token", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(user, pass)
		return do(t, s, req)
	}
	if r := send("a%3Ab", "s3+cret"); r.status != 200 {
		t.Fatalf("Basic: %d %s", r.status, r.raw)
	}
	r := send("a%3Ab", "wrong")
	if r.status != 401 || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic ") {
		t.Fatalf("wrong Basic secret: %d %v", r.status, r.header)
	}
	if r := send("a%3Ab", "s3+cret", "client_secret", "s3 cret"); r.status != 400 || r.str("error") != "invalid_request" {
		t.Fatalf("two methods: %d %s", r.status, r.raw)
	}
	if r := send("a%3Ab", "s3+cret", "client_id", "other"); r.status != 400 {
		t.Fatalf("client_id mismatch: %d %s", r.status, r.raw)
	}
	if r := send("%zz", "x"); r.status != 400 {
		t.Fatalf("bad encoding: %d %s", r.status, r.raw)
	}
}

func TestChallengeRefusesBadClaims(t *testing.T) {
	s := newServer(t, nil)
	res := s.Resource("aud", nil)
	for _, claims := range []string{"{", "[]", `{"id_token":{}}`, `{"access_token":{"nbf":1}}`} {
		if err := res.Challenge(claims); err == nil || !strings.HasPrefix(err.Error(), "identitytest: ") {
			t.Errorf("Challenge(%q) = %v", claims, err)
		}
	}
}

func TestNoClientInfoUnlessAsked(t *testing.T) {
	s := userServer(t, nil)
	r := post(t, s, "/common/oauth2/v2.0/token", form("grant_type", "password", "client_id", "cli",
		"username", "alice@contoso.com", "password", "pa55", "scope", "openid profile offline_access"))
	if r.status != 200 || r.body["client_info"] != nil || r.str("id_token") == "" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	// Only OpenID scopes: a Microsoft Graph token, as Entra ID issues.
	if c := tokenClaims(t, s, r.str("access_token")); c["aud"] != graphResource || c["tid"] != "contoso" {
		t.Errorf("claims %v", c)
	}
}
