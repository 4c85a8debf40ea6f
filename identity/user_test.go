package identity

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azid-go/azid/cache"
	"github.com/azid-go/azid/identitytest"
	"github.com/azid-go/azid/jwt"
)

const (
	testUser     = "ada@contoso.example"
	testPassword = "canary-password-51ab"
	testPublic   = "99999999-8888-7777-6666-555555555555"
	testRedirect = "http://localhost:8400/callback"
	testVerifier = "0123456789abcdefghijklmnopqrstuvwxyz-._~ABCDEFG"
)

func challengeFor(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func userServer(t testing.TB, o *identitytest.Options) *identitytest.Server {
	s := newServer(t, o)
	s.AddApp(identitytest.App{ClientID: testPublic, Public: true})
	s.AddApp(identitytest.App{ClientID: testClientID, Secret: testSecret})
	s.AddUser(identitytest.User{Username: testUser, Password: testPassword})
	return s
}

func claimsOf(t testing.TB, token string) map[string]any {
	t.Helper()
	_, payload, err := jwt.ParseUnverified(token)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAuthorizationCodeCredential(t *testing.T) {
	s := userServer(t, nil)
	code := s.AuthCode(testPublic, testRedirect, testUser, []string{testScope}, challengeFor(testVerifier))
	c, err := NewAuthorizationCodeCredential(testTenant, testPublic, code, testRedirect,
		&AuthorizationCodeCredentialOptions{ClientOptions: testOptions(s), CodeVerifier: testVerifier})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
		t.Fatal(err)
	}
	r := s.Requests()[0]
	if r.Form.Get("grant_type") != "authorization_code" || r.Form.Get("code") != code ||
		r.Form.Get("redirect_uri") != testRedirect || r.Form.Get("code_verifier") != testVerifier {
		t.Errorf("redemption form %v", r.Form)
	}
	// Cached, then another scope through the refresh token, never the code again.
	if _, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}}); err != nil || tokenRequests(s) != 1 {
		t.Fatalf("second call: %v, %d requests; want a cache hit", err, tokenRequests(s))
	}
	if _, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}); err != nil {
		t.Fatal(err)
	}
	if g := s.Requests()[1].Form.Get("grant_type"); g != "refresh_token" {
		t.Errorf("second scope used grant %q, want refresh_token", g)
	}
}

func TestAuthorizationCodeReusedAndRevoked(t *testing.T) {
	s := userServer(t, nil)
	code := s.AuthCode(testPublic, testRedirect, testUser, []string{testScope}, "")
	shared := cache.New(cache.Options{})
	o := AuthorizationCodeCredentialOptions{ClientOptions: testOptions(s)}
	o.Cache = shared
	first, _ := NewAuthorizationCodeCredential(testTenant, testPublic, code, testRedirect, &o)
	if _, err := first.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
		t.Fatal(err)
	}
	// The same code in a second credential with its own cache: Entra refuses it.
	reuse, _ := NewAuthorizationCodeCredential(testTenant, testPublic, code, testRedirect, &AuthorizationCodeCredentialOptions{ClientOptions: testOptions(s)})
	_, err := reuse.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	var afe *AuthenticationFailedError
	if !errors.As(err, &afe) || afe.ErrorCode != "invalid_grant" {
		t.Fatalf("reused code: err = %v, want invalid_grant", err)
	}
	// Revoked refresh token: the user must sign in again.
	s.RevokeRefreshTokens(testUser)
	_, err = first.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if !errors.Is(err, ErrSignInRequired) || !errors.As(err, &afe) {
		t.Fatalf("revoked: err = %v, want ErrSignInRequired inside *AuthenticationFailedError", err)
	}
}

func TestOnBehalfOfTwoUsers(t *testing.T) {
	s := userServer(t, nil)
	s.AddUser(identitytest.User{Username: "grace@contoso.example", Password: testPassword})
	userToken := func(name string) string {
		u, _ := NewUsernamePasswordCredential(testTenant, testPublic, name, testPassword, &UsernamePasswordCredentialOptions{ClientOptions: testOptions(s)})
		tok, err := u.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{"api://" + testClientID + "/.default"}})
		if err != nil {
			t.Fatal(err)
		}
		return tok.Token
	}
	shared := cache.New(cache.Options{})
	o := OnBehalfOfCredentialOptions{ClientOptions: testOptions(s)}
	o.Cache = shared
	ada, err := NewOnBehalfOfCredentialWithSecret(testTenant, testClientID, userToken(testUser), testSecret, &o)
	if err != nil {
		t.Fatal(err)
	}
	grace, _ := NewOnBehalfOfCredentialWithSecret(testTenant, testClientID, userToken("grace@contoso.example"), testSecret, &o)
	s.ResetRequests()
	ta, err := ada.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := grace.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil {
		t.Fatal(err)
	}
	if ta.Token == tg.Token || tokenRequests(s) != 2 {
		t.Fatalf("two OBO users on one cache must get two tokens: %d requests", tokenRequests(s))
	}
	if claimsOf(t, ta.Token)["oid"] == claimsOf(t, tg.Token)["oid"] {
		t.Error("both tokens carry the same oid")
	}
	f := s.Requests()[0].Form
	if f.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || f.Get("requested_token_use") != "on_behalf_of" || f.Get("assertion") == "" {
		t.Errorf("OBO form %v", f)
	}
	if _, err := ada.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil || tokenRequests(s) != 2 {
		t.Fatalf("cached OBO token: %v, %d requests", err, tokenRequests(s))
	}
}

func TestDeviceCodeCredential(t *testing.T) {
	s := userServer(t, &identitytest.Options{DeviceCodeInterval: time.Second})
	var shown DeviceCodeMessage
	c, err := NewDeviceCodeCredential(&DeviceCodeCredentialOptions{ClientOptions: testOptions(s), ClientID: testPublic,
		UserPrompt: func(ctx context.Context, m DeviceCodeMessage) error {
			shown = m
			return s.ApproveDeviceCode(m.UserCode, testUser)
		}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.Authenticate(ctxTimeout(t, 10*time.Second), nil)
	if err != nil {
		t.Fatal(err)
	}
	if shown.UserCode == "" || shown.VerificationURL == "" || shown.Message == "" {
		t.Errorf("prompt got %+v", shown)
	}
	if rec.HomeAccountID == "" || rec.Username != testUser || rec.ClientID != testPublic || rec.Version != "1.0" {
		t.Errorf("record %+v", rec)
	}
	if !strings.HasPrefix(s.Requests()[0].Path, "/organizations/oauth2/v2.0/devicecode") {
		t.Errorf("first request %s, want the organizations devicecode endpoint", s.Requests()[0].Path)
	}
	// Later calls are silent: the refresh token, no prompt.
	shown = DeviceCodeMessage{}
	if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}); err != nil {
		t.Fatal(err)
	}
	if shown.UserCode != "" {
		t.Error("the user was prompted again")
	}
	// The record round-trips through JSON, and a bad version is refused.
	b, _ := json.Marshal(rec)
	var back AuthenticationRecord
	if err := json.Unmarshal(b, &back); err != nil || back != rec {
		t.Fatalf("record JSON round trip: %v, %+v", err, back)
	}
	if err := json.Unmarshal([]byte(`{"version":"9"}`), &back); err == nil {
		t.Error("unknown record version accepted")
	}
}

func TestDeviceCodeDeclinedAndCancelled(t *testing.T) {
	s := userServer(t, &identitytest.Options{DeviceCodeInterval: time.Second})
	c, _ := NewDeviceCodeCredential(&DeviceCodeCredentialOptions{ClientOptions: testOptions(s), ClientID: testPublic,
		UserPrompt: func(ctx context.Context, m DeviceCodeMessage) error { return s.DeclineDeviceCode(m.UserCode) }})
	_, err := c.GetToken(ctxTimeout(t, 10*time.Second), TokenRequestOptions{Scopes: []string{testScope}})
	var afe *AuthenticationFailedError
	if !errors.As(err, &afe) || afe.ErrorCode != "authorization_declined" {
		t.Fatalf("declined: err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c2, _ := NewDeviceCodeCredential(&DeviceCodeCredentialOptions{ClientOptions: testOptions(s), ClientID: testPublic,
		UserPrompt: func(context.Context, DeviceCodeMessage) error { cancel(); return nil }})
	if _, err := c2.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v, want context.Canceled", err)
	}
}

// TestAuthenticationRecordWithPersistedCache: a record from Authenticate and
// a file-backed cache let a new credential (a new process, say) stay silent.
func TestAuthenticationRecordWithPersistedCache(t *testing.T) {
	s := userServer(t, &identitytest.Options{DeviceCodeInterval: time.Second})
	path := filepath.Join(t.TempDir(), "tokens.json")
	prompts := 0
	newCred := func(rec AuthenticationRecord) *DeviceCodeCredential {
		o := testOptions(s)
		o.Cache = cache.New(cache.Options{Store: cache.NewFileStore(path)})
		c, err := NewDeviceCodeCredential(&DeviceCodeCredentialOptions{ClientOptions: o, ClientID: testPublic, AuthenticationRecord: rec,
			UserPrompt: func(ctx context.Context, m DeviceCodeMessage) error {
				prompts++
				return s.ApproveDeviceCode(m.UserCode, testUser)
			}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	rec, err := newCred(AuthenticationRecord{}).Authenticate(ctxTimeout(t, 10*time.Second), &TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil {
		t.Fatal(err)
	}
	later := newCred(rec)
	if _, err := later.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}); err != nil {
		t.Fatal(err)
	}
	if prompts != 1 {
		t.Fatalf("the user was prompted %d times; the record and the persisted cache must keep the second credential silent", prompts)
	}
	if _, err := NewDeviceCodeCredential(&DeviceCodeCredentialOptions{ClientID: "another-client", AuthenticationRecord: rec}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a record of another client: %v", err)
	}
}

// TestDeviceCodeOtherAccount: a credential for a known account (here from
// an AuthenticationRecord) whose prompt is answered by another user fails,
// and keeps nothing: the token would be cached under the first account's
// key, where another credential for that account would be served it.
func TestDeviceCodeOtherAccount(t *testing.T) {
	s := userServer(t, &identitytest.Options{DeviceCodeInterval: time.Second})
	const bob = "bob@contoso.example"
	s.AddUser(identitytest.User{Username: bob, Password: "bobs-password"})
	ctx := ctxTimeout(t, 20*time.Second)
	approveAs := func(user string) func(context.Context, DeviceCodeMessage) error {
		return func(_ context.Context, m DeviceCodeMessage) error { return s.ApproveDeviceCode(m.UserCode, user) }
	}

	// ada's record, made on a cache of its own.
	o := testOptions(s)
	o.Cache = cache.New(cache.Options{})
	first, err := NewDeviceCodeCredential(&DeviceCodeCredentialOptions{ClientOptions: o, ClientID: testPublic, UserPrompt: approveAs(testUser)})
	if err != nil {
		t.Fatal(err)
	}
	adaRec, err := first.Authenticate(ctx, &TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil {
		t.Fatal(err)
	}

	// A new shared cache: ada's record, but bob signs in at the prompt.
	shared := cache.New(cache.Options{})
	o.Cache = shared
	c1, err := NewDeviceCodeCredential(&DeviceCodeCredentialOptions{ClientOptions: o, ClientID: testPublic,
		AuthenticationRecord: adaRec, UserPrompt: approveAs(bob)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c1.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}})
	var afe *AuthenticationFailedError
	if !errors.As(err, &afe) || !errors.Is(err, errOtherAccount) {
		t.Fatalf("ada's credential, bob signed in: err = %v, want AuthenticationFailedError for another account", err)
	}
	if _, ok := c1.s.ep.cache.RefreshToken(cache.AccountKey{Authority: c1.s.ep.authority, ClientID: testPublic, HomeAccountID: adaRec.HomeAccountID}); ok {
		t.Error("a refresh token was kept under ada's account")
	}

	// Another credential for ada on the shared cache.
	prompted := false
	c2, err := NewDeviceCodeCredential(&DeviceCodeCredentialOptions{ClientOptions: o, ClientID: testPublic,
		AuthenticationRecord: adaRec, UserPrompt: func(ctx context.Context, m DeviceCodeMessage) error {
			prompted = true
			return s.ApproveDeviceCode(m.UserCode, testUser)
		}})
	if err != nil {
		t.Fatal(err)
	}
	tok2, err := c2.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil {
		t.Fatal(err)
	}
	if upn := claimsOf(t, tok2.Token)["upn"]; upn != testUser {
		t.Fatalf("a credential for %s (record %s) got a token for %v (prompted: %v): bob's token was cached under ada's key",
			testUser, adaRec.HomeAccountID, upn, prompted)
	}
}

// TestAuthorizationCodeOptionsRedacted: the options' client secret and PKCE
// verifier are printed by no fmt verb and no slog record.
func TestAuthorizationCodeOptionsRedacted(t *testing.T) {
	o := AuthorizationCodeCredentialOptions{ClientSecret: testSecret, CodeVerifier: testVerifier}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("options", "o", o)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		out := fmt.Sprintf(verb, o) + fmt.Sprintf(verb, &o) + logged.String()
		if strings.Contains(out, testSecret) || strings.Contains(out, testVerifier) {
			t.Errorf("fmt %s of AuthorizationCodeCredentialOptions prints a secret: %s", verb, out)
		}
	}
}

// TestAuthorizationCodeInteractionRequired: once the code is spent, a
// refresh the service answers with interaction_required is sent once per
// GetToken, and the caller gets that answer (the user must act; the refresh
// token is not said to be invalid).
func TestAuthorizationCodeInteractionRequired(t *testing.T) {
	s := userServer(t, nil)
	code := s.AuthCode(testPublic, testRedirect, testUser, []string{testScope}, "")
	c, err := NewAuthorizationCodeCredential(testTenant, testPublic, code, testRedirect,
		&AuthorizationCodeCredentialOptions{ClientOptions: testOptions(s)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
		t.Fatal(err)
	}
	s.ResetRequests()
	s.Fault(identitytest.Fault{Path: "oauth2/v2.0/token", Status: 400, Times: -1,
		Body: `{"error":"interaction_required","error_description":"AADSTS50076: multi-factor authentication required","error_codes":[50076]}`})
	_, err = c.GetToken(ctx, TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err == nil {
		t.Fatal("want an error")
	}
	if n := tokenRequests(s); n != 1 {
		t.Fatalf("%d refresh requests for one GetToken, want 1 (err %v)", n, err)
	}
	var afe *AuthenticationFailedError
	if !errors.As(err, &afe) || afe.ErrorCode != "interaction_required" || errors.Is(err, ErrSignInRequired) {
		t.Errorf("err = %v, want the service's interaction_required, not ErrSignInRequired", err)
	}
}

// TestAuthorizationCodeWaiterTakesReturnedCode: a request that waited on
// another's redemption of the code, which failed transiently (a 503) and so
// put the code back, redeems the code itself.
func TestAuthorizationCodeWaiterTakesReturnedCode(t *testing.T) {
	s := userServer(t, nil)
	code := s.AuthCode(testPublic, testRedirect, testUser, []string{testScope}, "")
	o := testOptions(s)
	o.Retry.MaxRetries = -1
	c, err := NewAuthorizationCodeCredential(testTenant, testPublic, code, testRedirect, &AuthorizationCodeCredentialOptions{ClientOptions: o})
	if err != nil {
		t.Fatal(err)
	}
	s.Fault(identitytest.Fault{Path: "oauth2/v2.0/token", Status: 503, Delay: time.Second})
	ctx := ctxTimeout(t, 20*time.Second)
	done := make(chan error, 1)
	go func() {
		_, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{testScope}})
		done <- err
	}()
	for len(s.Requests()) == 0 { // the first request has taken the code and is being answered, slowly
		time.Sleep(time.Millisecond)
	}
	_, errB := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if errA := <-done; errA == nil {
		t.Fatal("setup: the first redemption should have failed with 503")
	}
	if errB != nil {
		// Proof the code was still there: the very next call redeems it.
		_, errC := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
		t.Fatalf("the waiting request failed with %q although the code had been put back (the next call: err = %v)", errB, errC)
	}
}
