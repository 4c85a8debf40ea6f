package oauth2

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Canaries: one distinct value per secret the package handles. None may
// appear in an error or a log record, whatever fails.
const (
	canarySecret        = "CANARY-client-secret-0001"
	canaryAssertion     = "CANARY-client-assertion-0002"
	canaryRefreshToken  = "CANARY-refresh-token-0003"
	canaryPassword      = "CANARY-password-0004"
	canaryAccessToken   = "CANARY-access-token-0005"
	canaryDeviceCode    = "CANARY-device-code-0006"
	canaryCode          = "CANARY-authorization-code-0007"
	canaryVerifier      = "CANARY-code-verifier-0008-xxxxxxxxxxxxxxxxxxxxxxx"
	canaryUserAssertion = "CANARY-user-assertion-0009"
	canaryNewRefresh    = "CANARY-new-refresh-token-0010"
	canaryIDToken       = "CANARY-id-token-0011"
)

var canaries = []string{canarySecret, canaryAssertion, canaryRefreshToken, canaryPassword, canaryAccessToken,
	canaryDeviceCode, canaryCode, canaryVerifier, canaryUserAssertion, canaryNewRefresh, canaryIDToken}

func TestCanaries(t *testing.T) {
	withSecret := Request{Tenant: "t", ClientID: "c", Scopes: []string{"r"}, Auth: Auth{Secret: canarySecret}}
	withAssertion := Request{Tenant: "t", ClientID: "c", Scopes: []string{"r"},
		Auth: Auth{Assertion: func(context.Context, string) (string, error) { return canaryAssertion, nil }}}
	device := DeviceAuthorization{DeviceCode: canaryDeviceCode, ExpiresOn: t0.Add(time.Hour), Interval: time.Second}
	grants := map[string]func(context.Context, *Client) error{
		"client credentials, secret": func(ctx context.Context, c *Client) error {
			_, err := c.ClientCredentials(ctx, withSecret)
			return err
		},
		"client credentials, assertion": func(ctx context.Context, c *Client) error {
			_, err := c.ClientCredentials(ctx, withAssertion)
			return err
		},
		"authorization code": func(ctx context.Context, c *Client) error {
			_, err := c.AuthorizationCode(ctx, withSecret, canaryCode, "https://app/cb", canaryVerifier)
			return err
		},
		"refresh token": func(ctx context.Context, c *Client) error {
			_, err := c.RefreshToken(ctx, withAssertion, canaryRefreshToken)
			return err
		},
		"on-behalf-of": func(ctx context.Context, c *Client) error {
			_, err := c.OnBehalfOf(ctx, withSecret, canaryUserAssertion)
			return err
		},
		"password": func(ctx context.Context, c *Client) error {
			_, err := c.Password(ctx, withSecret, "user@contoso.com", canaryPassword)
			return err
		},
		"device code request": func(ctx context.Context, c *Client) error {
			_, err := c.DeviceCode(ctx, withSecret)
			return err
		},
		"device code poll": func(ctx context.Context, c *Client) error {
			_, err := c.PollDeviceCode(ctx, withSecret, device)
			return err
		},
	}
	failures := []struct {
		name    string
		replies []reply
		client  func(*fakeEndpoint) *http.Client
		ctx     func() (context.Context, context.CancelFunc)
	}{
		{name: "401", replies: []reply{{status: 401, body: entraError}}},
		{name: "error echoing the request", replies: []reply{{echo: true}}},
		{name: "503 HTML, retried", replies: []reply{{status: 503, header: map[string]string{"Content-Type": "text/html"}, body: "<html>" + strings.Join(canaries, " ") + "</html>"}}},
		{name: "bad JSON", replies: []reply{{status: 200, body: `{"access_token":"` + canaryAccessToken + `","refresh_token":"` + canaryNewRefresh + `"`}}},
		{name: "wrong type", replies: []reply{{status: 200, body: `{"access_token":["` + canaryAccessToken + `"],"expires_in":1}`}}},
		{name: "no expiry", replies: []reply{{status: 200, body: `{"access_token":"` + canaryAccessToken + `","id_token":"` + canaryIDToken + `"}`}}},
		{name: "token in expires_in", replies: []reply{{status: 200, body: `{"access_token":"` + canaryAccessToken + `","expires_in":"` + canaryAccessToken + `"}`}}},
		{name: "no access token", replies: []reply{{status: 200, body: `{"refresh_token":"` + canaryNewRefresh + `","expires_in":1}`}}},
		{name: "oversized body", replies: []reply{{status: 200, body: `{"access_token":"` + canaryAccessToken + strings.Repeat("A", 1<<20) + `"}`}}},
		{name: "dropped connection", replies: []reply{{drop: true}}},
		{name: "redirect", replies: []reply{{status: 307, header: map[string]string{"Location": "https://127.0.0.1:1/?code=" + canaryCode}}}},
		{name: "timeout", replies: []reply{{hang: true}}, ctx: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}},
		{name: "cancelled", replies: []reply{ok()}, ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}},
		{name: "untrusted certificate", replies: []reply{ok()}, client: func(*fakeEndpoint) *http.Client { return http.DefaultClient }},
	}
	for _, fl := range failures {
		for name, grant := range grants {
			t.Run(fl.name+"/"+name, func(t *testing.T) {
				f := newFakeEndpoint(t, fl.replies...)
				c, _ := newTestClient(t, f)
				if fl.client != nil {
					c.HTTP = fl.client(f)
				}
				logs := newLogBuffer()
				c.Logger = slogLogger(logs)
				ctx, cancel := context.Background(), context.CancelFunc(func() {})
				if fl.ctx != nil {
					ctx, cancel = fl.ctx()
				}
				defer cancel()
				err := grant(ctx, c)
				if err == nil {
					t.Fatal("no error")
				}
				if testing.Verbose() && name == "authorization code" {
					t.Logf("err: %v", err)
				}
				texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), logs.String()}
				for _, text := range texts {
					for _, canary := range canaries {
						if strings.Contains(text, canary) {
							t.Errorf("canary %s leaked into %q", canary, text)
						}
					}
				}
				if logs.String() == "" && fl.ctx == nil {
					t.Errorf("nothing logged")
				}
			})
		}
	}
}
