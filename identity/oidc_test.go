package identity

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/azid-go/azid/identitytest"
)

// deadlineRecorder is a RoundTripper that notes, per host, whether each
// request's context carried a deadline.
type deadlineRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	seen map[string][]bool // host -> had a deadline, per request
}

func (d *deadlineRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	_, ok := r.Context().Deadline()
	d.mu.Lock()
	d.seen[r.URL.Host] = append(d.seen[r.URL.Host], ok)
	d.mu.Unlock()
	return d.base.RoundTrip(r)
}

// TestOIDCRequestIsBounded: the OIDC request of AzurePipelinesCredential
// and GitHubActionsCredential carries a deadline when neither the caller's
// context nor its http.Client sets one, as the token request after it does
// (oauth2.MaxTryTime). It had none, and an OIDC endpoint that accepted the
// connection and never answered hung GetToken for ever.
func TestOIDCRequestIsBounded(t *testing.T) {
	for _, name := range []string{"pipelines", "github"} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, nil)
			s.AddApp(identitytest.App{ClientID: testClientID, Federated: func(string) error { return nil }})
			oidc := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"oidcToken":"oidc-token","value":"oidc-token"}`))
			}))
			defer oidc.Close()
			rec := &deadlineRecorder{base: trustBoth(s, oidc).Transport, seen: map[string][]bool{}}
			hc := &http.Client{Transport: rec} // a caller's client: no Timeout
			c := newOIDCCredential(t, name, s, oidc, hc)
			if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
				t.Fatal(err)
			}
			oidcHost := strings.TrimPrefix(oidc.URL, "https://")
			for host, deadlines := range rec.seen {
				for _, ok := range deadlines {
					if !ok && host == oidcHost {
						t.Errorf("the OIDC request to %s has no deadline (the token request is bounded by oauth2.MaxTryTime): a silent OIDC endpoint hangs GetToken for ever", host)
					} else if !ok {
						t.Errorf("request to %s has no deadline", host)
					}
				}
			}
			if len(rec.seen[oidcHost]) == 0 {
				t.Fatal("no OIDC request seen")
			}
		})
	}
}

func newOIDCCredential(t *testing.T, name string, s *identitytest.Server, oidc *httptest.Server, hc *http.Client) TokenCredential {
	t.Helper()
	co := ClientOptions{AuthorityHost: s.Authority(), HTTPClient: hc}
	var (
		c   TokenCredential
		err error
	)
	switch name {
	case "pipelines":
		t.Setenv(envSystemOIDCRequestURI, oidc.URL+"/oidc")
		c, err = NewAzurePipelinesCredential(testTenant, testClientID, "conn-1", "canary-system-token",
			&AzurePipelinesCredentialOptions{ClientOptions: co})
	default:
		t.Setenv(envActionsIDTokenRequestURL, oidc.URL+"/token?api-version=2.0")
		t.Setenv(envActionsIDTokenRequestTok, "canary-gh-request-token")
		c, err = NewGitHubActionsCredential(testTenant, testClientID, &GitHubActionsCredentialOptions{ClientOptions: co})
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}
