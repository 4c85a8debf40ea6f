package identity

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeIMDS answers IMDS token requests (PROTOCOL.md 7.3: numbers as strings)
// and counts them; tests point AZURE_POD_IDENTITY_AUTHORITY_HOST at it.
func fakeIMDS(t testing.TB, status int) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Header.Get("Metadata") != "true" || r.URL.Path != "/metadata/identity/oauth2/token" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if status != http.StatusOK {
			w.WriteHeader(status)
			fmt.Fprint(w, `{"error":"invalid_request","error_description":"Identity not found"}`)
			return
		}
		exp := time.Now().Add(24 * time.Hour).Unix()
		fmt.Fprintf(w, `{"access_token":"mi-token-%s","client_id":"c","expires_in":"86399","expires_on":"%d","resource":%q,"token_type":"Bearer"}`,
			r.URL.Query().Get("client_id"), exp, r.URL.Query().Get("resource"))
	}))
	t.Cleanup(srv.Close)
	clearCredentialEnvTB(t)
	t.Setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", srv.URL)
	return srv, &n
}

func clearCredentialEnvTB(t testing.TB) {
	for _, v := range []string{"IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET",
		"IMDS_ENDPOINT", "IDENTITY_SERVER_THUMBPRINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST"} {
		t.Setenv(v, "")
	}
}

func TestManagedIdentityCredential(t *testing.T) {
	_, n := fakeIMDS(t, http.StatusOK)
	c, err := NewManagedIdentityCredential(&ManagedIdentityCredentialOptions{ID: ClientID("uami")})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil || tok.Token != "mi-token-uami" {
		t.Fatalf("got %v, %v", tok, err)
	}
	// A 24-hour token is refreshed at half its life (DESIGN.md).
	if d := time.Until(tok.RefreshOn); d < 11*time.Hour || d > 13*time.Hour {
		t.Errorf("RefreshOn in %v; want about 12 h", d)
	}
	if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil || n.Load() != 1 {
		t.Fatalf("cached: %v, %d requests", err, n.Load())
	}
	for _, scopes := range [][]string{nil, {"a/.default", "b/.default"}} {
		if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: scopes}); !errors.Is(err, ErrInvalidScope) {
			t.Errorf("scopes %q: %v; want exactly one scope", scopes, err)
		}
	}
	if _, err := NewManagedIdentityCredential(&ManagedIdentityCredentialOptions{ID: ObjectID("")}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("empty id: %v", err)
	}
}

func TestManagedIdentityUnavailable(t *testing.T) {
	fakeIMDS(t, http.StatusBadRequest)
	c, _ := NewManagedIdentityCredential(nil)
	_, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	var cue *CredentialUnavailableError
	if !errors.As(err, &cue) {
		t.Fatalf("400 identity not found for the system identity: err = %v, want unavailable", err)
	}
}

func TestManagedIdentityUnsupportedIDKind(t *testing.T) {
	clearCredentialEnv(t)
	t.Setenv("MSI_ENDPOINT", "http://127.0.0.1:1/oauth2/token") // Cloud Shell: no user-assigned identities
	if _, err := NewManagedIdentityCredential(&ManagedIdentityCredentialOptions{ID: ClientID("x")}); err == nil {
		t.Fatal("Cloud Shell with a user-assigned id must fail at construction")
	}
}

// TestManagedIdentityConcurrentColdKey: 1000 goroutines on a cold credential
// cause exactly one request to the endpoint.
func TestManagedIdentityConcurrentColdKey(t *testing.T) {
	_, n := fakeIMDS(t, http.StatusOK)
	c, _ := NewManagedIdentityCredential(nil)
	var wg sync.WaitGroup
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n.Load() != 1 {
		t.Fatalf("%d requests, want 1", n.Load())
	}
}

func BenchmarkManagedIdentityCached(b *testing.B) {
	fakeIMDS(b, http.StatusOK)
	c, _ := NewManagedIdentityCredential(nil)
	opts := TokenRequestOptions{Scopes: []string{testScope}}
	if _, err := c.GetToken(context.Background(), opts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.GetToken(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
	}
}
