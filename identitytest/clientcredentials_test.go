package identitytest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/azid-go/azid/jwt"
)

const vault = "https://vault.azure.net/.default"

func TestClientCredentialsSecret(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(App{ClientID: "app", Secret: "s3cret", Roles: []string{"Reader"}})
	r := post(t, s, "/tenant-a/oauth2/v2.0/token", form(
		"grant_type", "client_credentials", "client_id", "app", "client_secret", "s3cret", "scope", vault))
	if r.status != 200 {
		t.Fatalf("status %d, body %s", r.status, r.raw)
	}
	if r.str("token_type") != "Bearer" || r.body["expires_in"] != float64(3600) || r.str("scope") != vault {
		t.Errorf("response %s", r.raw)
	}
	if _, ok := r.body["refresh_token"]; ok {
		t.Errorf("client credentials got a refresh token: %s", r.raw)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", got)
	}
	c := tokenClaims(t, s, r.str("access_token"))
	want := map[string]any{
		"aud": "https://vault.azure.net", "iss": "https://sts.windows.net/tenant-a/", "tid": "tenant-a",
		"appid": "app", "idtyp": "app", "oid": derivedGUID("app\x00app"),
	}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("claim %s = %v, want %v", k, c[k], v)
		}
	}
	if roles, _ := c["roles"].([]any); len(roles) != 1 || roles[0] != "Reader" {
		t.Errorf("roles %v", c["roles"])
	}
	if _, ok := c["scp"]; ok {
		t.Error("app token has scp")
	}
}

func TestClientCredentialsErrors(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(App{ClientID: "app", Secret: "s3cret", Tenant: "home"})
	s.AddApp(App{ClientID: "pub", Public: true})
	good := func(kv ...string) []string {
		base := []string{"grant_type", "client_credentials", "client_id", "app", "client_secret", "s3cret", "scope", vault}
		return append(base, kv...)
	}
	tests := []struct {
		name   string
		path   string
		kv     []string
		status int
		err    string
		code   int
	}{
		{"wrong secret", "/home/oauth2/v2.0/token", good("client_secret", "nope"), 401, "invalid_client", 7000215},
		{"no secret", "/home/oauth2/v2.0/token", good("client_secret", ""), 401, "invalid_client", 7000218},
		{"unknown app", "/home/oauth2/v2.0/token", good("client_id", "ghost"), 400, "unauthorized_client", 700016},
		{"other tenant", "/elsewhere/oauth2/v2.0/token", good(), 400, "unauthorized_client", 700016},
		{"common tenant", "/common/oauth2/v2.0/token", good(), 400, "invalid_request", 50059},
		{"scope without .default", "/home/oauth2/v2.0/token", good("scope", "https://vault.azure.net/read"), 400, "invalid_scope", 1002012},
		{"two resources", "/home/oauth2/v2.0/token", good("scope", vault+" https://storage.azure.com/.default"), 400, "invalid_scope", 28000},
		{"no scope", "/home/oauth2/v2.0/token", good("scope", ""), 400, "invalid_request", 900144},
		{"only openid", "/home/oauth2/v2.0/token", good("scope", "openid profile"), 400, "invalid_scope", 70011},
		{"no grant type", "/home/oauth2/v2.0/token", good("grant_type", ""), 400, "invalid_request", 900144},
		{"unknown grant type", "/home/oauth2/v2.0/token", good("grant_type", "magic"), 400, "unsupported_grant_type", 70003},
		{"no client id", "/home/oauth2/v2.0/token", good("client_id", ""), 400, "invalid_request", 900144},
		{"public client with secret", "/home/oauth2/v2.0/token", good("client_id", "pub"), 401, "invalid_client", 700025},
		{"public client without secret", "/home/oauth2/v2.0/token", good("client_id", "pub", "client_secret", ""), 401, "invalid_client", 7000218},
		{"bad tenant", "/ten%20ant/oauth2/v2.0/token", good(), 400, "invalid_request", 900023},
		{"adfs on v2 path", "/adfs/oauth2/v2.0/token", good(), 400, "invalid_request", 900023},
		{"bad claims", "/home/oauth2/v2.0/token", good("claims", "not json"), 400, "invalid_request", 9002313},
		{"claims array", "/home/oauth2/v2.0/token", good("claims", "[1]"), 400, "invalid_request", 9002313},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := form(tc.kv...)
			for k, v := range f {
				if v[0] == "" {
					delete(f, k)
				}
			}
			r := post(t, s, tc.path, f)
			if r.status != tc.status || r.str("error") != tc.err || r.code() != tc.code {
				t.Fatalf("got %d %s %d, want %d %s %d; body %s", r.status, r.str("error"), r.code(), tc.status, tc.err, tc.code, r.raw)
			}
			desc := r.str("error_description")
			if !strings.HasPrefix(desc, "AADSTS") || !strings.Contains(desc, "\r\nTrace ID: ") || !strings.Contains(desc, "\r\nCorrelation ID: ") {
				t.Errorf("description %q", desc)
			}
			if strings.Contains(r.raw, "s3cret") || strings.Contains(r.raw, "nope") {
				t.Errorf("error body echoes a secret: %s", r.raw)
			}
			for _, k := range []string{"timestamp", "trace_id", "correlation_id"} {
				if r.str(k) == "" {
					t.Errorf("no %s in %s", k, r.raw)
				}
			}
		})
	}
}

func TestRepeatedParameterAndMethod(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(App{ClientID: "app", Secret: "s3cret"})
	f := form("grant_type", "client_credentials", "client_id", "app", "client_secret", "s3cret", "scope", vault)
	f.Add("scope", vault)
	if r := post(t, s, "/t/oauth2/v2.0/token", f); r.status != 400 || r.code() != 9002313 {
		t.Errorf("repeated scope: %d %s", r.status, r.raw)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/t/oauth2/v2.0/token", nil)
	if r := do(t, s, req); r.status != 400 || r.code() != 900561 {
		t.Errorf("GET: %d %s", r.status, r.raw)
	}
	// A JSON body is not a form: Entra says grant_type is missing.
	req, _ = http.NewRequest(http.MethodPost, s.URL()+"/t/oauth2/v2.0/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	if r := do(t, s, req); r.status != 400 || r.code() != 900144 {
		t.Errorf("JSON body: %d %s", r.status, r.raw)
	}
}

func TestCorrelationIDEchoed(t *testing.T) {
	s := newServer(t, nil)
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/t/oauth2/v2.0/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	const id = "2f0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b"
	req.Header.Set("client-request-id", id)
	if r := do(t, s, req); r.str("correlation_id") != id {
		t.Errorf("correlation_id %q, want %q", r.str("correlation_id"), id)
	}
	req, _ = http.NewRequest(http.MethodPost, s.URL()+"/t/oauth2/v2.0/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("client-request-id", "<script>")
	if r := do(t, s, req); !isGUID(r.str("correlation_id")) {
		t.Errorf("correlation_id %q reflects junk", r.str("correlation_id"))
	}
}

func TestClientCredentialsAssertion(t *testing.T) {
	clock := &fixedClock{t: time.Unix(1_700_000_000, 0)}
	s := newServer(t, &Options{Now: clock.Now})
	cert, key, otherCert, otherKey := testCert(t)
	s.AddApp(App{ClientID: "app", Certificate: cert})
	aud := s.TokenURL("tenant")
	now := clock.Now()
	send := func(assertion string, kv ...string) reply {
		f := form("grant_type", "client_credentials", "client_id", "app", "scope", vault,
			"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", assertion)
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return post(t, s, "/tenant/oauth2/v2.0/token", f)
	}
	rs := jwt.Header{Alg: jwt.RS256, Typ: "JWT", X5t: jwt.X5t(cert.Raw)}
	ps := jwt.Header{Alg: jwt.PS256, Typ: "JWT", X5tS256: jwt.X5tS256(cert.Raw)}
	with := func(k string, v any) map[string]any {
		c := assertionClaims("app", aud, now)
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	sum := sha1.Sum(cert.Raw)
	paddedStd := jwt.Header{Alg: jwt.RS256, X5t: base64.StdEncoding.EncodeToString(sum[:])}

	good := []struct {
		name string
		a    string
	}{
		{"RS256 x5t", signAssertion(t, rs, assertionClaims("app", aud, now), key)},
		{"PS256 x5t#S256", signAssertion(t, ps, assertionClaims("app", aud, now), key)},
		{"x5t padded standard base64", signAssertion(t, paddedStd, assertionClaims("app", aud, now), key)},
		{"aud array", signAssertion(t, rs, with("aud", []string{"x", aud}), key)},
		{"iat instead of nbf", signAssertion(t, rs, with("nbf", nil), key)},
		{"float times", signAssertion(t, rs, with("exp", float64(now.Unix())+600.5), key)},
		{"via jwt.ClientAssertion", func() string {
			a, err := jwt.ClientAssertion(jwt.PS256, key, [][]byte{cert.Raw}, "app", aud, now, 10*time.Minute, true)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}()},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			r := send(tc.a)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			if c := tokenClaims(t, s, r.str("access_token")); c["appid"] != "app" {
				t.Errorf("appid %v", c["appid"])
			}
		})
	}

	bad := []struct {
		name string
		a    string
		code int
	}{
		{"other key", signAssertion(t, rs, assertionClaims("app", aud, now), otherKey), 700027},
		{"other certificate's thumbprint", signAssertion(t, jwt.Header{Alg: jwt.RS256, X5t: jwt.X5t(otherCert.Raw)}, assertionClaims("app", aud, now), key), 700027},
		{"no thumbprint", signAssertion(t, jwt.Header{Alg: jwt.RS256}, assertionClaims("app", aud, now), key), 700027},
		{"x5t right, x5t#S256 wrong", signAssertion(t, jwt.Header{Alg: jwt.RS256, X5t: jwt.X5t(cert.Raw), X5tS256: jwt.X5tS256(otherCert.Raw)}, assertionClaims("app", aud, now), key), 700027},
		{"aud of another tenant", signAssertion(t, rs, with("aud", s.TokenURL("other")), key), 700023},
		{"aud with trailing slash", signAssertion(t, rs, with("aud", aud+"/"), key), 700023},
		{"no aud", signAssertion(t, rs, with("aud", nil), key), 700023},
		{"iss not client", signAssertion(t, rs, with("iss", "someone"), key), 700021},
		{"sub not client", signAssertion(t, rs, with("sub", "someone"), key), 700021},
		{"expired", signAssertion(t, rs, with("exp", now.Add(-6*time.Minute).Unix()), key), 700024},
		{"not yet valid", signAssertion(t, rs, with("nbf", now.Add(6*time.Minute).Unix()), key), 700024},
		{"no exp", signAssertion(t, rs, with("exp", nil), key), 700024},
		{"exp a string", signAssertion(t, rs, with("exp", "soon"), key), 700024},
		{"lifetime too long", signAssertion(t, rs, with("exp", now.Add(2*time.Hour).Unix()), key), 700024},
		{"exp before nbf", signAssertion(t, rs, with("nbf", now.Add(4*time.Minute).Unix()), key), 0},
		{"no jti", signAssertion(t, rs, with("jti", nil), key), 50027},
		{"not a JWT", "abc.def", 50027},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if tc.code == 0 {
				// nbf 4 min ahead of an exp 10 min ahead is fine; move exp.
				c := with("nbf", now.Add(4*time.Minute).Unix())
				c["exp"] = now.Add(3 * time.Minute).Unix()
				tc.a, tc.code = signAssertion(t, rs, c, key), 700024
			}
			r := send(tc.a)
			if r.status != 401 || r.str("error") != "invalid_client" || r.code() != tc.code {
				t.Fatalf("got %d %s %d, want 401 invalid_client %d: %s", r.status, r.str("error"), r.code(), tc.code, r.raw)
			}
		})
	}

	t.Run("jti reuse", func(t *testing.T) {
		a := signAssertion(t, rs, assertionClaims("app", aud, now), key)
		if r := send(a); r.status != 200 {
			t.Fatalf("first use: %d %s", r.status, r.raw)
		}
		if r := send(a); r.status != 401 || r.code() != 50027 {
			t.Fatalf("second use: %d %s", r.status, r.raw)
		}
	})
	t.Run("wrong assertion type", func(t *testing.T) {
		a := signAssertion(t, rs, assertionClaims("app", aud, now), key)
		if r := send(a, "client_assertion_type", "jwt"); r.status != 400 || r.str("error") != "invalid_request" {
			t.Fatalf("%d %s", r.status, r.raw)
		}
	})
	t.Run("secret for a certificate app", func(t *testing.T) {
		r := post(t, s, "/tenant/oauth2/v2.0/token", form("grant_type", "client_credentials", "client_id", "app", "client_secret", "x", "scope", vault))
		if r.status != 401 || r.code() != 7000215 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
	})
}

func TestAssertionReuseAllowed(t *testing.T) {
	s := newServer(t, &Options{AllowAssertionReuse: true})
	cert, key, _, _ := testCert(t)
	s.AddApp(App{ClientID: "app", Certificate: cert})
	a := signAssertion(t, jwt.Header{Alg: jwt.RS256, X5t: jwt.X5t(cert.Raw)}, assertionClaims("app", s.TokenURL("t"), time.Now()), key)
	for i := 0; i < 2; i++ {
		r := post(t, s, "/t/oauth2/v2.0/token", form("grant_type", "client_credentials", "client_id", "app", "scope", vault,
			"client_assertion_type", assertionTypeJWT, "client_assertion", a))
		if r.status != 200 {
			t.Fatalf("use %d: %d %s", i+1, r.status, r.raw)
		}
	}
}

func TestFederatedAssertion(t *testing.T) {
	s := newServer(t, nil)
	cert, key, _, _ := testCert(t)
	var seen []string
	s.AddApp(App{ClientID: "wi", Certificate: cert, Federated: func(a string) error {
		seen = append(seen, a)
		if a != "k8s-token" {
			return errTest
		}
		return nil
	}})
	send := func(a string) reply {
		return post(t, s, "/t/oauth2/v2.0/token", form("grant_type", "client_credentials", "client_id", "wi", "scope", vault,
			"client_assertion_type", assertionTypeJWT, "client_assertion", a))
	}
	if r := send("k8s-token"); r.status != 200 {
		t.Fatalf("federated: %d %s", r.status, r.raw)
	}
	if r := send("wrong-token"); r.status != 401 || r.code() != 70021 || strings.Contains(r.raw, "wrong-token") {
		t.Fatalf("refused federated: %d %s", r.status, r.raw)
	}
	// An assertion naming the certificate goes to the certificate check.
	a := signAssertion(t, jwt.Header{Alg: jwt.RS256, X5t: jwt.X5t(cert.Raw)}, assertionClaims("wi", s.TokenURL("t"), time.Now()), key)
	if r := send(a); r.status != 200 {
		t.Fatalf("certificate: %d %s", r.status, r.raw)
	}
	if len(seen) != 2 {
		t.Errorf("Federated called %d times, want 2", len(seen))
	}
	// An app with neither refuses assertions.
	s.AddApp(App{ClientID: "plain", Secret: "x"})
	r := post(t, s, "/t/oauth2/v2.0/token", form("grant_type", "client_credentials", "client_id", "plain", "scope", vault,
		"client_assertion_type", assertionTypeJWT, "client_assertion", a))
	if r.status != 401 || r.code() != 700027 {
		t.Fatalf("no certificate: %d %s", r.status, r.raw)
	}
}

func TestADFS(t *testing.T) {
	s := newServer(t, nil)
	cert, key, _, _ := testCert(t)
	s.AddApp(App{ClientID: "app", Certificate: cert})
	aud := s.TokenURL("adfs")
	send := func(h jwt.Header) reply {
		a := signAssertion(t, h, assertionClaims("app", aud, time.Now()), key)
		return post(t, s, "/adfs/oauth2/token", form("grant_type", "client_credentials", "client_id", "app", "scope", vault,
			"client_assertion_type", assertionTypeJWT, "client_assertion", a))
	}
	r := send(jwt.Header{Alg: jwt.RS256, X5t: jwt.X5t(cert.Raw)})
	if r.status != 200 {
		t.Fatalf("RS256: %d %s", r.status, r.raw)
	}
	if c := tokenClaims(t, s, r.str("access_token")); c["iss"] != s.URL()+"/adfs" {
		t.Errorf("iss %v", c["iss"])
	}
	for _, h := range []jwt.Header{{Alg: jwt.PS256, X5t: jwt.X5t(cert.Raw)}, {Alg: jwt.RS256, X5tS256: jwt.X5tS256(cert.Raw)}} {
		r := send(h)
		if r.status != 401 || r.str("error") != "invalid_client" {
			t.Errorf("%+v: %d %s", h, r.status, r.raw)
		}
		if _, ok := r.body["error_codes"]; ok {
			t.Errorf("ADFS error has error_codes: %s", r.raw)
		}
	}
}

// TestPaddedAssertion: PROTOCOL 4.3: PY aio pads the three segments of its
// client assertion with '=' and Entra ID accepts it, so the fake does: the
// signature is checked over the segments as sent. A padded assertion whose
// signature is over other bytes (the unpadded ones) is refused.
func TestPaddedAssertion(t *testing.T) {
	clock := &fixedClock{t: time.Unix(1_700_000_000, 0)}
	s := newServer(t, &Options{Now: clock.Now})
	cert, key, _, _ := testCert(t)
	s.AddApp(App{ClientID: "app", Certificate: cert})
	aud := s.TokenURL("tenant")
	pad := func(seg string) string { return seg + strings.Repeat("=", (4-len(seg)%4)%4) }
	sign := func(input string, alg string) string {
		digest := sha256.Sum256([]byte(input))
		var sig []byte
		var err error
		if alg == jwt.PS256 {
			sig, err = rsa.SignPSS(rand.Reader, key, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
		}
		if err != nil {
			t.Fatal(err)
		}
		return pad(base64.RawURLEncoding.EncodeToString(sig))
	}
	padded := func(alg string, overUnpadded bool) string {
		h := jwt.Header{Alg: alg, Typ: "JWT", X5t: jwt.X5t(cert.Raw)}
		a := signAssertion(t, h, assertionClaims("app", aud, clock.Now()), key)
		parts := strings.Split(a, ".")
		input := pad(parts[0]) + "." + pad(parts[1])
		if overUnpadded {
			return input + "." + sign(parts[0]+"."+parts[1], alg)
		}
		return input + "." + sign(input, alg)
	}
	send := func(a string) reply {
		return post(t, s, "/tenant/oauth2/v2.0/token", form("grant_type", "client_credentials", "client_id", "app", "scope", vault,
			"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", a))
	}
	for _, alg := range []string{jwt.RS256, jwt.PS256} {
		a := padded(alg, false)
		if !strings.Contains(a, "=") {
			t.Fatalf("%s: the test assertion has no padding: %s", alg, a)
		}
		if r := send(a); r.status != 200 {
			t.Errorf("%s padded assertion: %d %s", alg, r.status, r.raw)
		}
		if r := send(padded(alg, true)); r.status != 401 {
			t.Errorf("%s padded assertion signed over the unpadded segments: %d, want 401", alg, r.status)
		}
	}
}
