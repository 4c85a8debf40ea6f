package identity

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azid-go/azid/cache"
	"github.com/azid-go/azid/identitytest"
)

// TestSharedCacheKeepsUsersApart: in one shared cache, a user credential
// never finds an app-only token or another user's token.
func TestSharedCacheKeepsUsersApart(t *testing.T) {
	s := userServer(t, nil)
	s.AddUser(identitytest.User{Username: "bob@contoso.example", Password: "bobs-password"})
	shared := cache.New(cache.Options{})
	o := testOptions(s)
	o.Cache = shared
	ada, _ := NewUsernamePasswordCredential(testTenant, testPublic, testUser, testPassword, &UsernamePasswordCredentialOptions{ClientOptions: o})
	if _, err := ada.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
		t.Fatal(err)
	}
	bob, _ := NewUsernamePasswordCredential(testTenant, testPublic, "bob@contoso.example", "a-wrong-password", &UsernamePasswordCredentialOptions{ClientOptions: o})
	if tok, err := bob.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err == nil {
		t.Fatalf("bob with a wrong password got a token (upn %v)", claimsOf(t, tok.Token)["upn"])
	}
	// An app-only token for the same client and tenant is not a user's.
	app, _ := NewClientSecretCredential(testTenant, testClientID, testSecret, &ClientSecretCredentialOptions{ClientOptions: o})
	if _, err := app.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
		t.Fatal(err)
	}
	code := s.AuthCode(testClientID, testRedirect, testUser, []string{testScope}, "")
	user, _ := NewAuthorizationCodeCredential(testTenant, testClientID, code, testRedirect,
		&AuthorizationCodeCredentialOptions{ClientOptions: o, ClientSecret: testSecret})
	s.ResetRequests()
	tok, err := user.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil || tokenRequests(s) != 1 || s.Requests()[0].Form.Get("grant_type") != "authorization_code" {
		t.Fatalf("the user credential must redeem its code, not take the app's token: %v, %d requests", err, tokenRequests(s))
	}
	if claimsOf(t, tok.Token)["scp"] == nil {
		t.Errorf("not a delegated token: %v", claimsOf(t, tok.Token))
	}
}

func TestOIDCRedirectRefused(t *testing.T) {
	var leaked atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
	}))
	defer plain.Close()
	oidc := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/steal", http.StatusFound)
	}))
	defer oidc.Close()
	s := newServer(t, nil)
	s.AddApp(identitytest.App{ClientID: testClientID, Federated: func(string) error { return nil }})
	t.Setenv(envActionsIDTokenRequestURL, oidc.URL+"/token")
	t.Setenv(envActionsIDTokenRequestTok, "canary-gh-request-token")
	c, err := NewGitHubActionsCredential(testTenant, testClientID,
		&GitHubActionsCredentialOptions{ClientOptions: ClientOptions{AuthorityHost: s.Authority(), HTTPClient: trustBoth(s, oidc)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err == nil {
		t.Fatal("a redirect answer must fail")
	}
	if leaked.Load() != 0 {
		t.Fatal("the request token followed a redirect to plain http")
	}
}

// TestCredentialsPrintNoSecret: no fmt verb and no slog handler shows a
// credential's secret.
func TestCredentialsPrintNoSecret(t *testing.T) {
	s := userServer(t, nil)
	o := testOptions(s)
	secret, _ := NewClientSecretCredential(testTenant, testClientID, testSecret, &ClientSecretCredentialOptions{ClientOptions: o})
	up, _ := NewUsernamePasswordCredential(testTenant, testPublic, testUser, testPassword, &UsernamePasswordCredentialOptions{ClientOptions: o})
	obo, _ := NewOnBehalfOfCredentialWithSecret(testTenant, testClientID, "canary-user-assertion", testSecret, &OnBehalfOfCredentialOptions{ClientOptions: o})
	code, _ := NewAuthorizationCodeCredential(testTenant, testPublic, "canary-auth-code", testRedirect, &AuthorizationCodeCredentialOptions{ClientOptions: o})
	static := NewStaticCredential("canary-static-token", time.Now(), nil)
	tok := AccessToken{Token: "canary-access-token"}
	canaries := []string{testSecret, testPassword, "canary-user-assertion", "canary-auth-code", "canary-static-token", "canary-access-token"}
	for _, v := range []any{secret, up, obo, code, static, tok, *secret} {
		var out bytes.Buffer
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		slog.New(slog.NewTextHandler(&out, nil)).Info("x", "v", v)
		slog.New(slog.NewJSONHandler(&out, nil)).Info("x", "v", v)
		for _, c := range canaries {
			if strings.Contains(out.String(), c) {
				t.Errorf("%T printed %q:\n%s", v, c, out.String())
			}
		}
	}
}

func TestAuthorizationCodeSurvivesTransientFailure(t *testing.T) {
	s := userServer(t, nil)
	code := s.AuthCode(testPublic, testRedirect, testUser, []string{testScope}, "")
	c, _ := NewAuthorizationCodeCredential(testTenant, testPublic, code, testRedirect,
		&AuthorizationCodeCredentialOptions{ClientOptions: ClientOptions{AuthorityHost: s.Authority(), HTTPClient: s.Client(), Retry: RetryOptions{MaxRetries: -1}}})
	s.Fault(identitytest.Fault{Path: "oauth2/v2.0/token", Status: 503})
	if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err == nil {
		t.Fatal("the 503 must fail this call")
	}
	if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
		t.Fatalf("after a 503 the code must still be redeemable: %v", err)
	}
}

func TestDeviceCodePromptsAgainOnInteractionRequired(t *testing.T) {
	s := userServer(t, &identitytest.Options{DeviceCodeInterval: time.Second})
	var prompts atomic.Int32
	c, _ := NewDeviceCodeCredential(&DeviceCodeCredentialOptions{ClientOptions: testOptions(s), ClientID: testPublic,
		UserPrompt: func(ctx context.Context, m DeviceCodeMessage) error {
			prompts.Add(1)
			return s.ApproveDeviceCode(m.UserCode, testUser)
		}})
	if _, err := c.GetToken(ctxTimeout(t, 10*time.Second), TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
		t.Fatal(err)
	}
	s.Fault(identitytest.Fault{Path: "oauth2/v2.0/token", Status: 400,
		Body: `{"error":"interaction_required","error_description":"AADSTS50076: multi-factor authentication required","error_codes":[50076]}`})
	if _, err := c.GetToken(ctxTimeout(t, 10*time.Second), TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}); err != nil {
		t.Fatal(err)
	}
	if prompts.Load() != 2 {
		t.Fatalf("prompted %d times; interaction_required on refresh must sign the user in again", prompts.Load())
	}
}

func TestContextErrorWrappedOnce(t *testing.T) {
	s := newServer(t, nil)
	c := newSecretCredential(t, s, nil)
	// A deadline already past: the flow ends on it before anything is sent,
	// with no timing to race.
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}, Claims: `{"a":{}}`})
	if !errors.Is(err, context.DeadlineExceeded) || strings.Count(err.Error(), "identity: ClientSecretCredential") != 1 {
		t.Fatalf("err = %v; want DeadlineExceeded, named once", err)
	}
}

func TestNoPanicOnNilAndPanickingCallbacks(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "https://example.invalid/", nil)
	if _, err := (&Transport{}).RoundTrip(req); err == nil {
		t.Error("a Transport without a Credential must fail, not panic")
	}
	var nilFunc TokenCredentialFunc
	if _, err := NewChainedTokenCredential([]TokenCredential{nilFunc}, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("nil func source: %v", err)
	}
	s := newServer(t, nil)
	c, _ := NewClientAssertionCredential(testTenant, testClientID, func(context.Context) (string, error) { panic("canary-panic-secret") },
		&ClientAssertionCredentialOptions{ClientOptions: testOptions(s)})
	_, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	if err == nil || strings.Contains(err.Error(), "canary-panic-secret") {
		t.Fatalf("a panicking callback: err = %v; want an error without the panic value", err)
	}
}

// TestAuthorizationCodeConcurrentScopes: two first requests for different
// scopes share one code: one redeems it, the other waits and uses the
// refresh token it brought.
func TestAuthorizationCodeConcurrentScopes(t *testing.T) {
	s := userServer(t, nil)
	code := s.AuthCode(testPublic, testRedirect, testUser, []string{testScope}, "")
	c, _ := NewAuthorizationCodeCredential(testTenant, testPublic, code, testRedirect, &AuthorizationCodeCredentialOptions{ClientOptions: testOptions(s)})
	s.Fault(identitytest.Fault{Path: "oauth2/v2.0/token", Delay: 200 * time.Millisecond}) // hold the redemption
	errs := make(chan error, 2)
	for _, scope := range []string{testScope, "https://graph.microsoft.com/.default"} {
		go func(scope string) {
			_, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{scope}})
			errs <- err
		}(scope)
	}
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	grants := map[string]int{}
	for _, r := range s.Requests() {
		grants[r.Form.Get("grant_type")]++
	}
	if grants["authorization_code"] != 1 || grants["refresh_token"] != 1 {
		t.Fatalf("grants %v; want the code once and the refresh token once", grants)
	}
}
