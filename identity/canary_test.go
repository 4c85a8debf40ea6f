package identity

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/azid-go/azid/identitytest"
)

// TestCanarySecretsNeverLeak triggers every failure we can and checks that
// no secret (client secret, assertion, access token) appears in an error
// string or a log record.
func TestCanarySecretsNeverLeak(t *testing.T) {
	const (
		assertionCanary = "canary.assertion.7c3e"
		tokenCanary     = "canary-access-token-9d1a"
	)
	faults := []struct {
		name  string
		fault *identitytest.Fault
		opts  func(s *identitytest.Server, o *ClientOptions)
		echo  bool // the server quotes the credential's own secret back in error_description
		ctx   func() (context.Context, context.CancelFunc)
	}{
		{name: "401 invalid_client"},
		{name: "500 html", fault: &identitytest.Fault{Status: 500, Body: `"<html>` + tokenCanary + `</html>"`, Times: -1}},
		{name: "400 echoing the secret", echo: true},
		{name: "bad expires_in", fault: &identitytest.Fault{Body: `{"access_token":"` + tokenCanary + `","expires_in":"soon","token_type":"Bearer"}`}},
		{name: "no expiry", fault: &identitytest.Fault{Body: `{"access_token":"` + tokenCanary + `","token_type":"Bearer"}`}},
		{name: "malformed", fault: &identitytest.Fault{Malformed: true}},
		{name: "oversize", fault: &identitytest.Fault{Oversize: true}},
		{name: "dropped", fault: &identitytest.Fault{Drop: true, Times: -1}},
		{name: "timeout", fault: &identitytest.Fault{Delay: 2 * time.Second, Times: -1},
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 100*time.Millisecond)
			}},
		{name: "cancelled", ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}},
		{name: "tls failure", opts: func(s *identitytest.Server, o *ClientOptions) { o.HTTPClient = &http.Client{} }},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			s := newServer(t, nil)
			s.AddApp(identitytest.App{ClientID: testClientID, Secret: "not-the-canary"})
			logger, logs := newRecordingLogger()
			o := ClientOptions{AuthorityHost: s.Authority(), HTTPClient: s.Client(), Logger: logger,
				Retry: RetryOptions{MaxRetries: 1, RetryDelay: time.Millisecond, MaxRetryDelay: time.Millisecond}}
			if f.opts != nil {
				f.opts(s, &o)
			}
			if f.fault != nil {
				s.Fault(*f.fault)
			}
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if f.ctx != nil {
				ctx, cancel = f.ctx()
			}
			defer cancel()
			secret, err := NewClientSecretCredential(testTenant, testClientID, testSecret, &ClientSecretCredentialOptions{ClientOptions: o})
			if err != nil {
				t.Fatal(err)
			}
			assertion, err := NewClientAssertionCredential(testTenant, testClientID, func(context.Context) (string, error) { return assertionCanary, nil },
				&ClientAssertionCredentialOptions{ClientOptions: o})
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range []TokenCredential{secret, assertion} {
				if f.fault != nil && f.fault.Times == 0 {
					s.Fault(*f.fault)
				}
				if f.echo {
					own := []string{testSecret, assertionCanary}[i]
					s.Fault(identitytest.Fault{Status: 400, Body: `{"error":"invalid_request","error_description":"you sent ` + own + `"}`})
				}
				_, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}})
				if err == nil {
					t.Fatalf("%T: want an error", c)
				}
				for _, canary := range []string{testSecret, assertionCanary, tokenCanary} {
					if strings.Contains(err.Error(), canary) {
						t.Errorf("%T: error shows %q: %v", c, canary, err)
					}
					if strings.Contains(logs(), canary) {
						t.Errorf("%T: log shows %q:\n%s", c, canary, logs())
					}
				}
			}
		})
	}
}
