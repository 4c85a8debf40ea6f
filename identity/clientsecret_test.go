package identity

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azid-go/azid/cache"
	"github.com/azid-go/azid/identitytest"
	"github.com/azid-go/azid/jwt"
)

func newSecretCredential(t testing.TB, s *identitytest.Server, o *ClientSecretCredentialOptions) *ClientSecretCredential {
	t.Helper()
	s.AddApp(identitytest.App{ClientID: testClientID, Secret: testSecret})
	if o == nil {
		o = &ClientSecretCredentialOptions{}
	}
	if o.AuthorityHost == "" {
		o.ClientOptions.AuthorityHost = s.Authority()
		o.ClientOptions.HTTPClient = s.Client()
	}
	c, err := NewClientSecretCredential(testTenant, testClientID, testSecret, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientSecretCredential(t *testing.T) {
	s := newServer(t, nil)
	c := newSecretCredential(t, s, nil)
	ctx := context.Background()
	tok, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Token == "" || tok.TokenType != "Bearer" || time.Until(tok.ExpiresOn) < 50*time.Minute {
		t.Fatalf("token %v: want a Bearer token for about an hour", tok)
	}
	if _, _, err := jwt.Verify(tok.Token, s.SigningKey()); err != nil {
		t.Fatalf("the fake Entra ID's token does not verify: %v", err)
	}
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "/"+testTenant+"/oauth2/v2.0/token" {
		t.Errorf("request %s %s", r.Method, r.Path)
	}
	want := map[string]string{"grant_type": "client_credentials", "client_id": testClientID, "client_secret": testSecret, "scope": testScope}
	for k, v := range want {
		if got := r.Form.Get(k); got != v {
			t.Errorf("form %s = %q, want %q", k, got, v)
		}
	}
	// A second call is a cache hit: no request.
	tok2, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil || tok2.Token != tok.Token || tokenRequests(s) != 1 {
		t.Fatalf("second GetToken: %v, same token %v, requests %d; want a cache hit", err, tok2.Token == tok.Token, tokenRequests(s))
	}
}

func TestClientSecretCredentialConstruction(t *testing.T) {
	tests := []struct {
		name                   string
		tenant, client, secret string
		authority              string
		want                   error
	}{
		{"empty tenant", "", testClientID, testSecret, "", ErrInvalidTenantID},
		{"bad tenant", "a/b", testClientID, testSecret, "", ErrInvalidTenantID},
		{"empty client", testTenant, "", testSecret, "", ErrInvalidArgument},
		{"empty secret", testTenant, testClientID, "", "", ErrInvalidArgument},
		{"http authority", testTenant, testClientID, testSecret, "http://login.microsoftonline.com/", ErrInvalidAuthority},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClientSecretCredential(tt.tenant, tt.client, tt.secret, &ClientSecretCredentialOptions{ClientOptions: ClientOptions{AuthorityHost: tt.authority}})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Fatalf("error shows the secret: %v", err)
			}
		})
	}
}

func TestBadRequestsSendNothing(t *testing.T) {
	s := newServer(t, nil)
	c := newSecretCredential(t, s, nil)
	for _, opts := range []TokenRequestOptions{
		{},
		{Scopes: []string{""}},
		{Scopes: []string{"a b"}},
		{Scopes: []string{testScope}, TenantID: "bad tenant"},
		{Scopes: []string{testScope}, TenantID: "other-tenant"},
	} {
		if _, err := c.GetToken(context.Background(), opts); err == nil {
			t.Errorf("GetToken(%+v) succeeded", opts)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Fatalf("%d requests sent for invalid input", n)
	}
}

func TestClaimsBypassAndReplace(t *testing.T) {
	s := newServer(t, nil)
	c := newSecretCredential(t, s, nil)
	ctx := context.Background()
	first, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil {
		t.Fatal(err)
	}
	claims := `{"access_token":{"nbf":{"essential":true,"value":"1726077595"}}}`
	s.Fault(identitytest.Fault{Path: "oauth2/v2.0/token", Body: `{"access_token":"token-with-claims","expires_in":3600,"token_type":"Bearer"}`})
	second, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}, Claims: claims})
	if err != nil {
		t.Fatal(err)
	}
	if tokenRequests(s) != 2 || second.Token != "token-with-claims" || first.Token == second.Token {
		t.Fatalf("a request with claims must go to the network: %d requests", tokenRequests(s))
	}
	if got := s.Requests()[1].Form.Get("claims"); got != claims {
		t.Errorf("claims sent %q, want %q", got, claims)
	}
	third, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil || third.Token != second.Token || tokenRequests(s) != 2 {
		t.Fatalf("the claims token must replace the cached one: same=%v requests=%d", third.Token == second.Token, tokenRequests(s))
	}
}

func TestCAETokensCachedApart(t *testing.T) {
	s := newServer(t, nil)
	c := newSecretCredential(t, s, nil)
	ctx := context.Background()
	plain, _ := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}})
	cae, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}, EnableCAE: true})
	if err != nil {
		t.Fatal(err)
	}
	if tokenRequests(s) != 2 || cae.Token == plain.Token {
		t.Fatalf("CAE and non-CAE must be cached apart: %d requests", tokenRequests(s))
	}
	if got := s.Requests()[1].Form.Get("claims"); !strings.Contains(got, `"xms_cc"`) || !strings.Contains(got, "CP1") {
		t.Errorf("CAE request claims %q, want xms_cc CP1", got)
	}
}

func TestPerRequestTenant(t *testing.T) {
	s := newServer(t, nil)
	c := newSecretCredential(t, s, &ClientSecretCredentialOptions{ClientOptions: ClientOptions{
		AuthorityHost: s.Authority(), HTTPClient: s.Client(), AdditionallyAllowedTenants: []string{"contoso.onmicrosoft.com"},
	}})
	if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}, TenantID: "contoso.onmicrosoft.com"}); err != nil {
		t.Fatal(err)
	}
	if p := s.Requests()[0].Path; p != "/contoso.onmicrosoft.com/oauth2/v2.0/token" {
		t.Errorf("path %s, want the requested tenant's token endpoint", p)
	}
	if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}, TenantID: "fabrikam.com"}); !errors.Is(err, ErrTenantNotAllowed) {
		t.Errorf("err = %v, want ErrTenantNotAllowed", err)
	}
}

func TestSharedCache(t *testing.T) {
	s := newServer(t, nil)
	shared := cache.New(cache.Options{})
	opts := &ClientSecretCredentialOptions{ClientOptions: ClientOptions{AuthorityHost: s.Authority(), HTTPClient: s.Client(), Cache: shared}}
	a := newSecretCredential(t, s, opts)
	b := newSecretCredential(t, s, opts)
	ta, _ := a.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	tb, err := b.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil || ta.Token != tb.Token || tokenRequests(s) != 1 {
		t.Fatalf("two credentials on one cache: %v, same=%v, %d requests; want one request", err, ta.Token == tb.Token, tokenRequests(s))
	}
}

func TestAuthenticationFailedError(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(identitytest.App{ClientID: testClientID, Secret: "the-right-secret"})
	c, err := NewClientSecretCredential(testTenant, testClientID, testSecret, &ClientSecretCredentialOptions{ClientOptions: testOptions(s)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	var afe *AuthenticationFailedError
	if !errors.As(err, &afe) {
		t.Fatalf("err = %v, want *AuthenticationFailedError", err)
	}
	if afe.Credential != "ClientSecretCredential" || afe.StatusCode != 401 || afe.ErrorCode != "invalid_client" || len(afe.ErrorCodes) == 0 || afe.CorrelationID == "" {
		t.Errorf("error fields %+v", afe)
	}
	if strings.Contains(err.Error(), testSecret) {
		t.Errorf("error shows the secret: %v", err)
	}
}

// TestConcurrentColdKey: 1000 goroutines on a cold key cause exactly one
// request; 100 distinct scopes at once cause 100, one each.
func TestConcurrentColdKey(t *testing.T) {
	s := newServer(t, nil)
	c := newSecretCredential(t, s, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := tokenRequests(s); n != 1 {
		t.Fatalf("1000 concurrent callers sent %d requests, want 1", n)
	}
	s.ResetRequests()
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			scope := "api://app-" + string(rune('a'+i%26)) + "-" + strings.Repeat("x", i/26) + "/.default"
			if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{scope}}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if n := tokenRequests(s); n != 100 {
		t.Fatalf("100 distinct scopes sent %d requests, want 100", n)
	}
}

func TestWaiterContextEndsAlone(t *testing.T) {
	s := newServer(t, nil)
	c := newSecretCredential(t, s, nil)
	s.Fault(identitytest.Fault{Path: "oauth2/v2.0/token", Delay: 300 * time.Millisecond})
	done := make(chan error, 1)
	go func() {
		_, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
		done <- err
	}()
	// Wait until the first caller's request is at the server, held by the delay.
	deadline := time.Now().Add(10 * time.Second)
	for len(s.Requests()) == 0 && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: err = %v, want context.Canceled", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the other caller must still get its token: %v", err)
	}
}
