package identity

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/azid-go/azid/identitytest"
	"github.com/azid-go/azid/internal/secretstore"
	"github.com/azid-go/azid/internal/vscode"
)

// memorySecrets is a secretstore.Store in memory, keyed by item account
// (the cloud, for VS Code's refresh token). It records what was asked for.
type memorySecrets struct {
	mu      sync.Mutex
	secrets map[string]string
	asked   []secretstore.Item
}

func (m *memorySecrets) Lookup(ctx context.Context, item secretstore.Item) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.asked = append(m.asked, item)
	s, ok := m.secrets[item.Account]
	if !ok {
		return nil, secretstore.ErrNotFound
	}
	return []byte(s), nil // a new copy: the caller clears what it gets
}

// vscodeSetup writes VS Code settings naming cloud and tenant under a new
// HOME and returns a server that knows VS Code's client and testUser.
func vscodeSetup(t *testing.T, settings string) *identitytest.Server {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("APPDATA", home)
	path := vscode.SettingsPath(runtime.GOOS, os.Getenv)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(settings), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newServer(t, nil)
	s.AddApp(identitytest.App{ClientID: vscode.ClientID, Public: true})
	s.AddUser(identitytest.User{Username: testUser, Password: testPassword})
	return s
}

func TestVisualStudioCodeCredential(t *testing.T) {
	s := vscodeSetup(t, `{
		// VS Code's settings allow comments and trailing commas.
		"azure.cloud": "AzureChinaCloud",
		"azure.tenant": "`+testTenant+`",
	}`)
	rt := clientRefreshToken(t, s, vscode.ClientID, testUser)
	store := &memorySecrets{secrets: map[string]string{"AzureChinaCloud": rt}}
	// The authority host given here wins over the cloud's; the cloud still
	// names the stored token.
	c, err := NewVisualStudioCodeCredential(&VisualStudioCodeCredentialOptions{ClientOptions: testOptions(s)})
	if err != nil {
		t.Fatal(err)
	}
	c.store = store
	s.ResetRequests()

	ctx := context.Background()
	opts := TokenRequestOptions{Scopes: []string{testScope}}
	tok, err := c.GetToken(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	claims := claimsOf(t, tok.Token)
	if claims["tid"] != testTenant || claims["appid"] != vscode.ClientID || claims["oid"] == nil {
		t.Errorf("token claims %v: want a user token of VS Code's client in the settings' tenant", claims)
	}
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1: %v", len(reqs), reqs)
	}
	r := reqs[0]
	if want := "/" + testTenant + "/oauth2/v2.0/token"; r.Path != want {
		t.Errorf("path %q, want %q (tenant from azure.tenant)", r.Path, want)
	}
	if r.Form.Get("grant_type") != "refresh_token" || r.Form.Get("client_id") != vscode.ClientID || r.Form.Get("refresh_token") != rt {
		t.Errorf("form %v: want the stored refresh token redeemed by VS Code's client", r.Form)
	}
	if len(store.asked) != 1 || store.asked[0].Service != vscode.TokenItem("AzureChinaCloud").Service || store.asked[0].Account != "AzureChinaCloud" {
		t.Errorf("secret store asked for %+v, want VS Code's item for AzureChinaCloud", store.asked)
	}

	// Again: the cache answers, and neither the store nor the server is asked.
	if again, err := c.GetToken(ctx, opts); err != nil || again.Token != tok.Token {
		t.Fatalf("second GetToken: %v (same token: %v)", err, again.Token == tok.Token)
	}
	if n := len(s.Requests()); n != 1 || len(store.asked) != 1 {
		t.Errorf("after a cache hit: %d requests, %d store lookups; want 1 and 1", n, len(store.asked))
	}
}

func TestVisualStudioCodeCredentialFailures(t *testing.T) {
	s := vscodeSetup(t, `{"azure.cloud": "AzureCloud"}`)
	rt := clientRefreshToken(t, s, vscode.ClientID, testUser)
	ctx := context.Background()
	opts := TokenRequestOptions{Scopes: []string{testScope}}
	newCred := func(secrets map[string]string) *VisualStudioCodeCredential {
		t.Helper()
		c, err := NewVisualStudioCodeCredential(&VisualStudioCodeCredentialOptions{ClientOptions: testOptions(s), TenantID: testTenant})
		if err != nil {
			t.Fatal(err)
		}
		c.store = &memorySecrets{secrets: secrets}
		return c
	}

	// No token in the store: unavailable, so that a chain goes on.
	_, err := newCred(nil).GetToken(ctx, opts)
	var cue *CredentialUnavailableError
	if !errors.As(err, &cue) || !errors.Is(err, vscode.ErrNoToken) {
		t.Errorf("no stored token: err = %v, want unavailable wrapping vscode.ErrNoToken", err)
	}

	// A token the extension could not have stored: unavailable, not quoted.
	bad := "not a\ntoken"
	if _, err := newCred(map[string]string{"AzureCloud": bad}).GetToken(ctx, opts); !errors.As(err, &cue) || strings.Contains(err.Error(), bad) {
		t.Errorf("malformed stored token: err = %v, want unavailable without the token", err)
	}

	// A revoked token: the service's refusal, as AuthenticationFailedError,
	// without the token.
	s.RevokeRefreshTokens(testUser)
	_, err = newCred(map[string]string{"AzureCloud": rt}).GetToken(ctx, opts)
	var afe *AuthenticationFailedError
	if !errors.As(err, &afe) || afe.ErrorCode != "invalid_grant" {
		t.Errorf("revoked token: err = %v, want AuthenticationFailedError invalid_grant", err)
	}
	if err != nil && strings.Contains(err.Error(), rt) {
		t.Error("the error quotes the refresh token")
	}

	// Settings naming a cloud azid has no authority host for: unavailable,
	// and nothing is read or sent.
	s2 := vscodeSetup(t, `{"azure.cloud": "MyStack"}`)
	c, err := NewVisualStudioCodeCredential(nil)
	if err != nil {
		t.Fatal(err)
	}
	store := &memorySecrets{secrets: map[string]string{"MyStack": rt}}
	c.store = store
	s2.ResetRequests()
	if _, err := c.GetToken(ctx, opts); !errors.As(err, &cue) || !strings.Contains(err.Error(), "MyStack") {
		t.Errorf("custom cloud: err = %v, want unavailable naming the cloud", err)
	}
	if len(store.asked) != 0 || len(s2.Requests()) != 0 {
		t.Errorf("custom cloud: %d store lookups, %d requests; want none", len(store.asked), len(s2.Requests()))
	}
}

// TestVisualStudioCodeAuthorityHostEnv: AZURE_AUTHORITY_HOST comes before
// the host of the azure.cloud setting (PROTOCOL.md 11.1).
func TestVisualStudioCodeAuthorityHostEnv(t *testing.T) {
	s := vscodeSetup(t, `{"azure.cloud": "AzureChinaCloud"}`)
	t.Setenv(envAuthorityHost, s.Authority())
	c, err := NewVisualStudioCodeCredential(&VisualStudioCodeCredentialOptions{ClientOptions: ClientOptions{HTTPClient: s.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := normalizeAuthority(vscName, s.Authority())
	if c.ep.authority != want {
		t.Fatalf("authority %q; want %q from %s", c.ep.authority, want, envAuthorityHost)
	}
}

// TestVisualStudioCodeADFSUnavailable: the tenant adfs makes the
// credential unavailable ("ADFS is not supported", PROTOCOL.md 11.1), and
// the refresh token is sent nowhere.
func TestVisualStudioCodeADFSUnavailable(t *testing.T) {
	s := vscodeSetup(t, `{"azure.cloud": "AzureCloud"}`)
	rt := clientRefreshToken(t, s, "aebc6443-996d-45c2-90f0-388ff96faa56", testUser)
	c, err := NewVisualStudioCodeCredential(&VisualStudioCodeCredentialOptions{ClientOptions: testOptions(s), TenantID: "adfs"})
	if err != nil {
		t.Fatal(err)
	}
	c.store = &memorySecrets{secrets: map[string]string{"AzureCloud": rt}}
	s.ResetRequests()
	_, err = c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	var cue *CredentialUnavailableError
	if !errors.As(err, &cue) || len(s.Requests()) != 0 {
		t.Fatalf("tenant adfs: err = %v, %d requests (first %v); want CredentialUnavailableError and nothing sent",
			err, len(s.Requests()), firstPath(s))
	}
}

// firstPath is the path of the first request s received, or "".
func firstPath(s *identitytest.Server) string {
	if r := s.Requests(); len(r) > 0 {
		return r[0].Path
	}
	return ""
}
