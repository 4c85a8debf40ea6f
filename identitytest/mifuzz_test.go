package identitytest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/azid-go/azid/jwt"
)

// FuzzManagedIdentityRequest sends arbitrary queries, secret or Metadata
// header values, Authorization headers and bodies to every source's
// handler in-process: the answer is always JSON of the source's shape,
// its status one the source is documented to send, a 200 carries a token
// that verifies, and no answer echoes the source's secret.
func FuzzManagedIdentityRequest(f *testing.F) {
	mis := map[MISource]*ManagedIdentity{}
	for _, s := range allSources {
		m, err := NewManagedIdentity(s, &MIOptions{Identities: identitiesFor(s)})
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(m.Close)
		mis[s] = m
	}
	for _, seed := range []struct{ query, header, auth, body string }{
		{"api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net", "true", "", ""},
		{"api-version=2019-08-01&resource=x&client_id=" + userID.ClientID, "\x00secret", "", ""},
		{"api-version=2020-06-01&resource=x&msi_res_id=%2Fsubscriptions%2Fx", "true", "Basic x", ""},
		{"api-version=2019-07-01-preview&resource=x", "secret", "", ""},
		{"api-version=2017-09-01&resource=x&clientid=", "secret", "", ""},
		{"resource=a&resource=b&client_id=&object_id=", "TRUE", "basic ", "resource=x"},
		{"%zz", "", "Bearer", "%zz"},
		{"", "", "", ""},
		{"", "true", "", strings.Repeat("a", MaxRequestBody-1)},
		{"", "true", "", strings.Repeat("a", MaxRequestBody)},
		{"", "true", "", strings.Repeat("a", MaxRequestBody+1)},
	} {
		f.Add(seed.query, seed.header, seed.auth, seed.body)
	}
	allowed := map[int]bool{200: true, 400: true, 401: true, 404: true, 405: true, 413: true, 500: true}
	f.Fuzz(func(t *testing.T, query, header, auth, body string) {
		for _, s := range allSources {
			m := mis[s]
			value := header
			if value == "secret" { // lets the fuzzer past the secret check
				value = m.secret
			}
			req := httptest.NewRequest(m.spec.method, "/", strings.NewReader(body))
			req.URL.Path, req.URL.RawQuery = m.spec.path, query
			if m.spec.method == http.MethodPost {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			req.Header.Set("Metadata", value)
			if m.spec.secretHeader != "" {
				req.Header.Set(m.spec.secretHeader, value)
			}
			// Always sent, if empty: Arc's challenge writes a key file, and
			// fuzz workers are killed before their cleanup could remove it.
			req.Header.Set("Authorization", auth)
			w := httptest.NewRecorder()
			m.serve(w, req)
			out := w.Body.String()
			var answer map[string]any
			if err := json.Unmarshal([]byte(out), &answer); err != nil {
				t.Fatalf("%s %q: not JSON: %q", s, query, out)
			}
			if !allowed[w.Code] {
				t.Fatalf("%s %q: status %d", s, query, w.Code)
			}
			if m.secret != "" && strings.Contains(out, m.secret) {
				t.Fatalf("%s: the answer echoes the secret", s)
			}
			if w.Code == 200 {
				tok, _ := answer["access_token"].(string)
				if _, _, err := jwt.Verify(tok, m.SigningKey()); err != nil {
					t.Fatalf("%s %q: 200 without a valid token: %s", s, query, out)
				}
				continue
			}
			if s == SourceIMDS || s == SourceAzureArc {
				if _, ok := answer["error"].(string); !ok {
					t.Fatalf("%s: error of the wrong shape: %s", s, out)
				}
			}
		}
		for _, m := range mis {
			m.ResetRequests() // keep the log from growing over the run
		}
	})
}

// FuzzFederatedValidate: Validate accepts or refuses any text without
// panicking; what it accepts verifies with the issuer's key and has the
// issuer's iss and sub and the federated audience.
func FuzzFederatedValidate(f *testing.F) {
	fed := newFederatedIssuer("https://issuer.example", "subject", 5*time.Minute, 0, func() time.Time { return fixedTime })
	good, err := fed.mint(FederatedAudience)
	if err != nil {
		f.Fatal(err)
	}
	other, _ := fed.mint("api://other")
	head, _, _ := strings.Cut(good, ".")
	for _, seed := range []string{
		good, other, good + "x", strings.TrimSuffix(good, good[len(good)-4:]),
		head + ".e30.", "e30.e30.e30", "a.b.c", "..", "", "not a jwt",
		strings.Repeat("a", jwt.MaxTokenLen-1), strings.Repeat("a", jwt.MaxTokenLen), strings.Repeat("a", jwt.MaxTokenLen+1),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		err := fed.validate(token)
		if err == nil {
			_, payload, verr := jwt.Verify(token, &fed.key.PublicKey)
			var c struct{ Iss, Sub string }
			if verr != nil || json.Unmarshal(payload, &c) != nil || c.Iss != fed.issuer || c.Sub != fed.subject {
				t.Fatalf("accepted %q", token)
			}
			return
		}
		if len(token) >= 8 && strings.Contains(err.Error(), token) {
			t.Fatalf("the error quotes the token: %v", err)
		}
	})
}
