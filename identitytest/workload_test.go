package identitytest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// newWorkload makes a WorkloadIdentity closed at the end of the test.
func newWorkload(t testing.TB, srv *Server, o *WorkloadIdentityOptions) *WorkloadIdentity {
	t.Helper()
	w, err := NewWorkloadIdentity(srv, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

// TestWorkloadIdentity: the token file holds a projected-token-like JWT
// that Validate accepts, Env names it, and the fake Entra ID redeems it for
// the registered App (PROTOCOL 6.8).
func TestWorkloadIdentity(t *testing.T) {
	srv := newServer(t, nil)
	clock := &fixedClock{t: fixedTime}
	w := newWorkload(t, srv, &WorkloadIdentityOptions{TenantID: "contoso", Now: clock.Now})
	srv.AddApp(w.App())

	b, err := os.ReadFile(w.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	tok := string(b)
	if strings.TrimSpace(tok) != tok || strings.Count(tok, ".") != 2 {
		t.Fatalf("token file %q", tok)
	}
	if fi, _ := os.Stat(w.TokenFile()); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v", fi.Mode().Perm())
	}
	claims := fedClaims(t, srv.SigningKey(), tok)
	if !reflect.DeepEqual(claims["aud"], []any{FederatedAudience}) || claims["sub"] != "system:serviceaccount:default:workload-identity-sa" ||
		claims["exp"] != float64(fixedTime.Add(time.Hour).Unix()) || claims["kubernetes.io"] == nil {
		t.Fatalf("claims %v", claims)
	}
	if err := w.Validate(tok); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"AZURE_FEDERATED_TOKEN_FILE": w.TokenFile(),
		"AZURE_TENANT_ID":            "contoso",
		"AZURE_CLIENT_ID":            w.ClientID(),
		"AZURE_AUTHORITY_HOST":       srv.Authority(),
	}
	if !reflect.DeepEqual(w.Env(), want) || w.TenantID() != "contoso" {
		t.Fatalf("Env = %v", w.Env())
	}
	r := post(t, srv, "/contoso/oauth2/v2.0/token", form(
		"grant_type", "client_credentials", "client_id", w.ClientID(), "scope", "https://vault.azure.net/.default",
		"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", tok))
	if r.status != 200 {
		t.Fatalf("token request: %d %s", r.status, r.raw)
	}

	// Rotate writes a new token; the old one stays valid until it expires.
	clock.Add(time.Minute)
	if err := w.Rotate(); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(w.TokenFile())
	if string(b) == tok || w.Validate(string(b)) != nil || w.Validate(tok) != nil {
		t.Fatal("Rotate")
	}
	if files, _ := os.ReadDir(filepath.Dir(w.TokenFile())); len(files) != 1 {
		t.Fatalf("%d files after Rotate", len(files))
	}
	clock.Add(time.Hour + AssertionSkew)
	if err := w.Validate(tok); !errors.Is(err, ErrFederatedToken) {
		t.Fatalf("expired token: %v", err)
	}
	dir := filepath.Dir(w.TokenFile())
	w.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("Close left %s", dir)
	}
}

// TestWorkloadIdentityOptions: Dir is used as given and kept by Close; a
// relative Dir is an error; without a Server there is no
// AZURE_AUTHORITY_HOST, and Setenv unsets it and GO's proxy variables.
func TestWorkloadIdentityOptions(t *testing.T) {
	if _, err := NewWorkloadIdentity(nil, &WorkloadIdentityOptions{Dir: "relative"}); !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("relative Dir: %v", err)
	}
	dir := t.TempDir()
	w := newWorkload(t, nil, &WorkloadIdentityOptions{Dir: dir, ClientID: "app", Subject: "system:serviceaccount:ns:sa"})
	if filepath.Dir(w.TokenFile()) != dir || w.ClientID() != "app" {
		t.Fatalf("TokenFile %s", w.TokenFile())
	}
	if _, ok := w.Env()["AZURE_AUTHORITY_HOST"]; ok {
		t.Fatal("AZURE_AUTHORITY_HOST without a Server")
	}
	t.Setenv("AZURE_AUTHORITY_HOST", "https://login.example/")
	t.Setenv("AZURE_KUBERNETES_TOKEN_PROXY", "https://proxy.example")
	t.Run("inside", func(t *testing.T) {
		w.Setenv(t)
		for _, name := range []string{"AZURE_AUTHORITY_HOST", "AZURE_KUBERNETES_TOKEN_PROXY"} {
			if _, ok := os.LookupEnv(name); ok {
				t.Errorf("%s is set", name)
			}
		}
		if os.Getenv("AZURE_FEDERATED_TOKEN_FILE") != w.TokenFile() || os.Getenv("AZURE_CLIENT_ID") != "app" {
			t.Error("variables not set")
		}
	})
	w.Close()
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("Close removed the caller's directory: %v", err)
	}
	if _, err := os.Stat(w.TokenFile()); !os.IsNotExist(err) {
		t.Fatalf("Close left the token file: %v", err)
	}
}
