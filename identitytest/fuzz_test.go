package identitytest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseClaims: no panic; on success the claims a request adds never
// replace a claim the server sets itself.
func FuzzParseClaims(f *testing.F) {
	for _, seed := range []string{
		`{"access_token":{"xms_cc":{"values":["CP1"]}}}`,
		`{"access_token":{"nbf":{"essential":true,"value":"1726077595"}}}`,
		`{"access_token":{"acrs":{"essential":true,"values":["c1","c2"]}}}`,
		`{"access_token":{"deviceid":null,"aud":{"value":"x"}}}`,
		`{"id_token":{"auth_time":{"essential":true}}}`,
		`{"access_token":null}`, `{}`, `[]`, `null`, `"x"`, `{"access_token":[]}`, `{} {}`, ``,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, e := parseClaims(raw)
		if (c == nil) == (e == nil) {
			t.Fatalf("parseClaims(%q) = %v, %v", raw, c, e)
		}
		if c == nil {
			return
		}
		claims := map[string]any{"aud": "A", "oid": "O", "exp": 1}
		c.apply(claims)
		if claims["aud"] != "A" || claims["oid"] != "O" || claims["exp"] != 1 {
			t.Fatalf("claims %q changed reserved claims: %v", raw, claims)
		}
		if _, err := json.Marshal(claims); err != nil {
			t.Fatalf("claims %q made an unencodable token: %v", raw, err)
		}
	})
}

// FuzzParseScopes: no panic; on success one non-empty resource, and an
// app-only request is exactly one "/.default".
func FuzzParseScopes(f *testing.F) {
	for _, seed := range []string{
		"https://vault.azure.net/.default", "https://graph.microsoft.com/User.Read openid offline_access",
		"api://app/.default", "User.Read", "https://host", "api://app/", "a/b c/d", "openid", "", "//", "://x/y",
		"https://management.azure.com//.default",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, scope string, appOnly bool) {
		rr, e := parseScopes(splitScopes(scope), appOnly)
		if e != nil {
			if e.code != "invalid_scope" || e.status != 400 {
				t.Fatalf("parseScopes(%q) error %+v", scope, e)
			}
			return
		}
		if rr.aud == "" {
			t.Fatalf("parseScopes(%q): empty resource", scope)
		}
		if appOnly && (len(rr.perms) != 1 || rr.perms[0] != ".default") {
			t.Fatalf("parseScopes(%q, appOnly): perms %v", scope, rr.perms)
		}
	})
}

// FuzzTokenEndpoint posts arbitrary form bodies to the token endpoint
// in-process: the answer is always JSON, never a 5xx, never echoes the
// registered secret or password, and a 200 always carries an access token.
func FuzzTokenEndpoint(f *testing.F) {
	s := New(&Options{DeviceCodeUser: "u"})
	f.Cleanup(s.Close)
	s.AddApp(App{ClientID: "app", Secret: "s3cretvalue"})
	s.AddApp(App{ClientID: "cli", Public: true})
	s.AddUser(User{Username: "u", Password: "passw0rdvalue"})
	code := s.AuthCode("cli", "http://localhost", "u", []string{"User.Read"}, PKCEChallenge(strings.Repeat("a", 43)))
	for _, seed := range []string{
		"grant_type=client_credentials&client_id=app&client_secret=s3cretvalue&scope=https%3A%2F%2Fvault.azure.net%2F.default",
		"grant_type=client_credentials&client_id=app&client_secret=wrong&scope=x",
		"grant_type=password&client_id=cli&username=u&password=passw0rdvalue&scope=User.Read",
		"grant_type=password&client_id=cli&username=u&password=bad&scope=User.Read",
		"grant_type=authorization_code&client_id=cli&code=" + code + "&redirect_uri=http%3A%2F%2Flocalhost&code_verifier=" + strings.Repeat("a", 43),
		"grant_type=refresh_token&client_id=cli&refresh_token=x",
		"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&requested_token_use=on_behalf_of&client_id=app&client_secret=s3cretvalue&assertion=a.b.c&scope=x%2F.default",
		"grant_type=device_code&client_id=cli&device_code=x",
		"grant_type=client_credentials&client_id=app&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=e30.e30.",
		"claims=%7B&grant_type=x", "%zz", "a=1&a=2", "",
		// A secret that is a part of the server's own text ("value"): not an echo.
		"grant_type=client_credentials&client_id=app&client_secret=alue",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/t/oauth2/v2.0/token", "/adfs/oauth2/token", "/common/oauth2/v2.0/devicecode"} {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			s.serve(w, req)
			out := w.Body.String()
			if w.Code >= 500 {
				t.Fatalf("%s %q: status %d %s", path, body, w.Code, out)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("%s %q: not JSON: %s", path, body, out)
			}
			if w.Code != 200 {
				if leaked, v := echoedSecret(body, withoutRandomIDs(out, m)); leaked != "" && !fixedText(s, path, body, leaked, v) {
					t.Fatalf("%s %q: error echoes %s: %s", path, body, leaked, out)
				}
			}
			if w.Code == 200 && path != "/common/oauth2/v2.0/devicecode" && m["access_token"] == nil {
				t.Fatalf("%s %q: 200 without access_token: %s", path, body, out)
			}
		}
		s.ResetRequests() // keep the log from growing over the run
	})
}

// echoedSecret returns the name of a secret form field whose value (of 4
// bytes or more) appears in out, unless the client also sent that value in
// a field that is not secret, which the server may quote.
func echoedSecret(body, out string) (field, value string) {
	f, _ := url.ParseQuery(body)
	for name := range secretFields {
		for _, v := range f[name] {
			if len(v) < 4 || !strings.Contains(out, v) {
				continue
			}
			public := false
			for other, vs := range f {
				for _, w := range vs {
					public = public || !secretFields[other] && strings.Contains(w, v)
				}
			}
			if !public {
				return name, v
			}
		}
	}
	return "", ""
}

// withoutRandomIDs is the error answer out without the values the server
// makes up for each answer (correlation and trace IDs, the timestamp),
// which error_description repeats: a short hex secret such as "0000" can
// appear in a random UUID, and the answer to the same request again would
// not contain it.
func withoutRandomIDs(out string, m map[string]any) string {
	for _, name := range []string{"correlation_id", "trace_id", "timestamp"} {
		if v, ok := m[name].(string); ok && v != "" {
			out = strings.ReplaceAll(out, v, "")
		}
	}
	return out
}

// TestWithoutRandomIDs: a secret found only in the answer's made-up IDs is
// not an echo; one found anywhere else still is.
func TestWithoutRandomIDs(t *testing.T) {
	const cid = "feeda396-8d23-412e-92cc-00000d9e96a7"
	body := "client_secret=0000"
	for _, tt := range []struct {
		out  string
		echo bool
	}{
		{`{"correlation_id":"` + cid + `","error_description":"Correlation ID: ` + cid + `"}`, false},
		{`{"correlation_id":"` + cid + `","error_description":"bad secret 0000"}`, true},
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(tt.out), &m); err != nil {
			t.Fatal(err)
		}
		if field, _ := echoedSecret(body, withoutRandomIDs(tt.out, m)); (field != "") != tt.echo {
			t.Errorf("%s: echo %q, want echo %v", tt.out, field, tt.echo)
		}
	}
}

// fixedText reports whether value, found in the answer to body, is part of
// the server's own text rather than an echo: the answer to the same request
// with field set to another value of the same length still contains it
// (the fuzzer finds secrets such as "alue", a part of "value").
func fixedText(s *Server, path, body, field, value string) bool {
	f, _ := url.ParseQuery(body)
	f.Set(field, strings.Repeat("Z", len(value)))
	if strings.Contains(strings.Repeat("Z", len(value)), value) {
		return false
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.serve(w, req)
	return strings.Contains(w.Body.String(), value)
}

// FuzzResourceChallenge: Challenge accepts or refuses any claims text
// without panicking; an accepted challenge is sent on the next request, in
// standard base64 that decodes to the claims; any Authorization header gets
// 200 or 401, never anything else.
func FuzzResourceChallenge(f *testing.F) {
	s := New(nil)
	f.Cleanup(s.Close)
	s.AddApp(App{ClientID: "app", Secret: "s3cret"})
	res := s.Resource("https://vault.azure.net", nil)
	req := httptest.NewRequest(http.MethodPost, "/t/oauth2/v2.0/token", strings.NewReader(
		form("grant_type", "client_credentials", "client_id", "app", "client_secret", "s3cret", "scope", vault).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.serve(w, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		f.Fatalf("no token: %s", w.Body)
	}
	for _, seed := range []string{
		`{"access_token":{"nbf":{"essential":true,"value":"1726077595"}}}`,
		`{"access_token":{"acrs":{"essential":true,"values":["c1"]}}}`,
		`{"access_token":{"xms_cc":null,"deviceid":{"value":3}}}`,
		`{"access_token":{}}`, `{"id_token":{}}`, `{`, ``, `null`,
	} {
		f.Add(seed, "Bearer "+tok.AccessToken)
		f.Add(seed, "Bearer x.y.z")
	}
	f.Fuzz(func(t *testing.T, claims, auth string) {
		res.Reset()
		err := res.Challenge(claims)
		send := func(auth string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, "/resource/1/x", nil)
			req.Header.Set("Authorization", auth)
			w := httptest.NewRecorder()
			s.serve(w, req)
			return w
		}
		w := send("Bearer " + tok.AccessToken)
		if err == nil {
			h := w.Header().Get("WWW-Authenticate")
			_, after, _ := strings.Cut(h, `claims="`)
			b64, _, _ := strings.Cut(after, `"`)
			got, derr := base64.StdEncoding.DecodeString(b64)
			want := claims
			if want == "" {
				want = string(got) // the default challenge
			}
			if w.Code != 401 || derr != nil || string(got) != want {
				t.Fatalf("Challenge(%q): %d %q", claims, w.Code, h)
			}
		}
		if w := send(auth); w.Code != 200 && w.Code != 401 {
			t.Fatalf("Authorization %q: status %d", auth, w.Code)
		}
		s.ResetRequests()
	})
}

func TestStrictJSONRefusesTrailingData(t *testing.T) {
	for _, in := range []string{`{}]`, `{"access_token":null}}`, `{} {}`, `{}x`} {
		var v map[string]any
		if err := strictJSON([]byte(in), &v); err == nil {
			t.Errorf("strictJSON(%q) accepted trailing data", in)
		}
	}
	var v map[string]any
	if err := strictJSON([]byte(" {\"a\":1} \n"), &v); err != nil {
		t.Errorf("white space after the value must be fine: %v", err)
	}
}
