package identity

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azid-go/azid/identitytest"
)

// trustBoth returns a client that trusts the fake Entra ID and srv.
func trustBoth(s *identitytest.Server, srv *httptest.Server) *http.Client {
	pool := s.CertPool()
	pool.AddCert(srv.Certificate())
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func TestClientCertificateCredential(t *testing.T) {
	s := newServer(t, nil)
	certs, key := loadTestCertificate(t)
	s.AddApp(identitytest.App{ClientID: testClientID, Certificate: certs[0]})
	c, err := NewClientCertificateCredential(testTenant, testClientID, certs, key,
		&ClientCertificateCredentialOptions{ClientOptions: testOptions(s), SendCertificateChain: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
		t.Fatal(err)
	}
	f := s.Requests()[0].Form
	if f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || f.Get("client_assertion") == "" || f.Get("client_secret") != "" {
		t.Errorf("form %v", f)
	}
	// The tenant of a multi-tenant request is the assertion's audience too.
	c2, _ := NewClientCertificateCredential(testTenant, testClientID, certs, key,
		&ClientCertificateCredentialOptions{ClientOptions: ClientOptions{AuthorityHost: s.Authority(), HTTPClient: s.Client(), AdditionallyAllowedTenants: []string{"*"}}})
	if _, err := c2.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}, TenantID: "fabrikam.example"}); err != nil {
		t.Fatalf("multi-tenant assertion: %v", err)
	}
}

func TestClientCertificateCredentialBadInput(t *testing.T) {
	certs, key := loadTestCertificate(t)
	if _, err := NewClientCertificateCredential(testTenant, testClientID, nil, key, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("no certificate: %v", err)
	}
	if _, err := NewClientCertificateCredential(testTenant, testClientID, certs, nil, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("no key: %v", err)
	}
	if _, err := NewClientCertificateCredential(testTenant, testClientID, certs, "not a key", nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("wrong key type: %v", err)
	}
}

func TestWorkloadIdentityCredential(t *testing.T) {
	s := newServer(t, nil)
	var seen atomic.Value
	s.AddApp(identitytest.App{ClientID: testClientID, Federated: func(a string) error {
		seen.Store(a)
		if !strings.HasPrefix(a, "k8s-token-") {
			return errors.New("bad")
		}
		return nil
	}})
	dir := t.TempDir()
	path := filepath.Join(dir, "token")
	os.WriteFile(path, []byte("k8s-token-1\n"), 0o600)
	t.Setenv(envTenantID, testTenant)
	t.Setenv(envClientID, testClientID)
	t.Setenv(envFederatedTokenFile, path)
	c, err := NewWorkloadIdentityCredential(&WorkloadIdentityCredentialOptions{ClientOptions: testOptions(s)})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c.file.now = func() time.Time { return now }
	if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
		t.Fatal(err)
	}
	if seen.Load() != "k8s-token-1" {
		t.Fatalf("assertion %q, want the file's content trimmed", seen.Load())
	}
	// Within five minutes the copy in hand is reused; after, the file is read again.
	os.WriteFile(path, []byte("k8s-token-2"), 0o600)
	c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{"api://a/.default"}})
	if seen.Load() != "k8s-token-1" {
		t.Fatalf("re-read too early: %q", seen.Load())
	}
	now = now.Add(tokenFileMaxAge + time.Second)
	c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{"api://b/.default"}})
	if seen.Load() != "k8s-token-2" {
		t.Fatalf("not re-read after %v: %q", tokenFileMaxAge, seen.Load())
	}
	// Options win over the environment; missing pieces are errors.
	t.Setenv(envFederatedTokenFile, "")
	if _, err := NewWorkloadIdentityCredential(nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("no token file: %v", err)
	}
}

func TestWorkloadIdentityRereadsOnExpiredAssertion(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(identitytest.App{ClientID: testClientID, Federated: func(a string) error {
		if a != "fresh" {
			return errors.New("stale")
		}
		return nil
	}})
	path := filepath.Join(t.TempDir(), "token")
	os.WriteFile(path, []byte("stale"), 0o600)
	c, err := NewWorkloadIdentityCredential(&WorkloadIdentityCredentialOptions{ClientOptions: testOptions(s),
		TenantID: testTenant, ClientID: testClientID, TokenFilePath: path})
	if err != nil {
		t.Fatal(err)
	}
	s.Fault(identitytest.Fault{Path: "oauth2/v2.0/token", Status: 400,
		Body: `{"error":"invalid_client","error_description":"AADSTS700024: Client assertion is not within its valid time range.","error_codes":[700024]}`})
	os.WriteFile(path, []byte("fresh"), 0o600)
	c.file.token, c.file.readAt = "stale", time.Now()
	if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
		t.Fatalf("after AADSTS700024 the file must be read again: %v", err)
	}
}

func TestAzurePipelinesCredential(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(identitytest.App{ClientID: testClientID, Federated: func(a string) error {
		if a != "pipelines-oidc-token" {
			return errors.New("bad")
		}
		return nil
	}})
	var got *http.Request
	oidc := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		if r.Header.Get("Authorization") != "Bearer canary-system-token" {
			w.Header().Set("x-vss-e2eid", "e2e-123")
			w.WriteHeader(401)
			return
		}
		w.Write([]byte(`{"oidcToken":"pipelines-oidc-token"}`))
	}))
	defer oidc.Close()
	t.Setenv(envSystemOIDCRequestURI, oidc.URL+"/oidc/")
	o := &AzurePipelinesCredentialOptions{ClientOptions: ClientOptions{AuthorityHost: s.Authority(), HTTPClient: trustBoth(s, oidc)}}
	c, err := NewAzurePipelinesCredential(testTenant, testClientID, "conn-1", "canary-system-token", o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
		t.Fatal(err)
	}
	if got.Method != "POST" || got.URL.Path != "/oidc" || got.URL.Query().Get("api-version") != "7.1" ||
		got.URL.Query().Get("serviceConnectionId") != "conn-1" || got.Header.Get("X-TFS-FedAuthRedirect") != "Suppress" {
		t.Errorf("OIDC request %s %s %v", got.Method, got.URL, got.Header)
	}
	bad, _ := NewAzurePipelinesCredential(testTenant, testClientID, "conn-1", "wrong-token", o)
	_, err = bad.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	if err == nil || !strings.Contains(err.Error(), "e2e-123") || strings.Contains(err.Error(), "wrong-token") {
		t.Fatalf("err = %v; want the diagnostic header and no token", err)
	}
	t.Setenv(envSystemOIDCRequestURI, "")
	if _, err := NewAzurePipelinesCredential(testTenant, testClientID, "c", "t", nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("without SYSTEM_OIDCREQUESTURI: %v", err)
	}
}

func TestGitHubActionsCredential(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(identitytest.App{ClientID: testClientID, Federated: func(a string) error {
		if a != "gh-oidc-token" {
			return errors.New("bad")
		}
		return nil
	}})
	var got *http.Request
	oidc := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		w.Write([]byte(`{"count":1,"value":"gh-oidc-token"}`))
	}))
	defer oidc.Close()
	t.Setenv(envActionsIDTokenRequestURL, oidc.URL+"/token?api-version=2.0")
	t.Setenv(envActionsIDTokenRequestTok, "canary-gh-request-token")
	c, err := NewGitHubActionsCredential(testTenant, testClientID,
		&GitHubActionsCredentialOptions{ClientOptions: ClientOptions{AuthorityHost: s.Authority(), HTTPClient: trustBoth(s, oidc)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
		t.Fatal(err)
	}
	if got.URL.Query().Get("audience") != "api://AzureADTokenExchange" || got.URL.Query().Get("api-version") != "2.0" ||
		got.Header.Get("Authorization") != "Bearer canary-gh-request-token" {
		t.Errorf("OIDC request %s %v", got.URL, got.Header)
	}
}

func TestEnvironmentCredential(t *testing.T) {
	s := newServer(t, nil)
	certs, _ := loadTestCertificate(t)
	s.AddApp(identitytest.App{ClientID: testClientID, Secret: testSecret, Certificate: certs[0]})
	s.AddApp(identitytest.App{ClientID: testPublic, Public: true})
	s.AddUser(identitytest.User{Username: testUser, Password: testPassword})
	clear := func() {
		for _, v := range []string{envTenantID, envClientID, envClientSecret, envClientCertificatePath, envClientCertificatePass, envUsername, envPassword} {
			t.Setenv(v, "")
		}
	}
	get := func() (string, error) {
		c, err := NewEnvironmentCredential(&EnvironmentCredentialOptions{ClientOptions: testOptions(s)})
		if err != nil {
			return "", err
		}
		s.ResetRequests()
		_, err = c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
		if err != nil {
			return "", err
		}
		return s.Requests()[0].Form.Get("grant_type") + "," + s.Requests()[0].Form.Get("client_assertion_type"), nil
	}
	clear()
	t.Setenv(envTenantID, testTenant)
	t.Setenv(envClientID, testClientID)
	t.Setenv(envClientSecret, testSecret)
	if g, err := get(); err != nil || g != "client_credentials," {
		t.Errorf("secret: %q %v", g, err)
	}
	t.Setenv(envClientSecret, "")
	t.Setenv(envClientCertificatePath, "testdata/p12-openssl3-default.p12")
	t.Setenv(envClientCertificatePass, "acceptance-pass")
	if g, err := get(); err != nil || !strings.HasSuffix(g, "jwt-bearer") {
		t.Errorf("certificate: %q %v", g, err)
	}
	clear()
	t.Setenv(envClientID, testPublic)
	t.Setenv(envUsername, testUser)
	t.Setenv(envPassword, testPassword)
	if g, err := get(); err != nil || g != "password," {
		t.Errorf("username/password: %q %v", g, err)
	}
	clear()
	t.Setenv(envTenantID, testTenant)
	_, err := get()
	var cue *CredentialUnavailableError
	if !errors.As(err, &cue) || !strings.Contains(err.Error(), envClientID) || !strings.Contains(err.Error(), envClientSecret) {
		t.Errorf("incomplete: err = %v; want unavailable naming the missing variables", err)
	}
	t.Setenv(envClientID, testClientID)
	t.Setenv(envClientCertificatePath, filepath.Join(t.TempDir(), "missing.pem"))
	if _, err := NewEnvironmentCredential(nil); err == nil {
		t.Error("an unreadable certificate file must fail construction")
	}
}

func TestFileLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, maxCertificateFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readCertificateFile(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("a certificate file of maxCertificateFile+1 bytes: %v", err)
	}
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte(strings.Repeat("a", maxTokenFile)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readTokenFile(tok); err != nil {
		t.Errorf("a token file of maxTokenFile bytes: %v", err)
	}
	if err := os.WriteFile(tok, []byte(strings.Repeat("a", maxTokenFile+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readTokenFile(tok); err == nil {
		t.Error("a token file of maxTokenFile+1 bytes must be refused")
	}
	if err := os.WriteFile(tok, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readTokenFile(tok); err == nil {
		t.Error("an empty token file must be refused")
	}
}

// TestOIDCDiagnosticHeaders: a failing OIDC endpoint's diagnostic header is
// quoted, but not when it repeats the request's bearer token; a header line
// net/http cannot parse is not quoted either (send.ErrMalformedResponse).
func TestOIDCDiagnosticHeaders(t *testing.T) {
	for _, tt := range []struct{ header, want, not string }{
		{"e2e-123", "e2e-123", "canary-system-token"},
		{"echo: canary-system-token", "[withheld", "canary-system-token"},
		{"canary-system-token\x01", "malformed", "canary-system-token"},
	} {
		oidc := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("x-vss-e2eid", tt.header)
			w.WriteHeader(401)
		}))
		s := newServer(t, nil)
		t.Setenv(envSystemOIDCRequestURI, oidc.URL+"/oidc/")
		o := &AzurePipelinesCredentialOptions{ClientOptions: ClientOptions{AuthorityHost: s.Authority(), HTTPClient: trustBoth(s, oidc)}}
		c, err := NewAzurePipelinesCredential(testTenant, testClientID, "conn-1", "canary-system-token", o)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
		oidc.Close()
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), tt.not) {
			t.Errorf("header %q: err = %q, want %q and not %q", tt.header, err, tt.want, tt.not)
		}
	}
}
