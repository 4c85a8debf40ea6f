package identity

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/azid-go/azid/cache"
)

// TestCachedGetTokenAllocatesNothing: a hit allocates nothing, whether it is
// a repeat of the latest request (answered from its cache.Ref) or not
// (validated, keyed and looked up), and a caller alternating between two
// scopes stays on the allocation-free path.
func TestCachedGetTokenAllocatesNothing(t *testing.T) {
	s := newServer(t, nil)
	c := newSecretCredential(t, s, &ClientSecretCredentialOptions{ClientOptions: ClientOptions{AdditionallyAllowedTenants: []string{"*"}}})
	ctx := context.Background()
	a := TokenRequestOptions{Scopes: []string{testScope}}
	b := TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
	other := TokenRequestOptions{Scopes: []string{testScope}, TenantID: "11111111-2222-3333-4444-555555555555"}
	for _, o := range []TokenRequestOptions{other, b, a} {
		if _, err := c.GetToken(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name string
		f    func()
	}{
		{"repeat", func() { _, _ = c.GetToken(ctx, a) }},
		{"another scope", func() { _, _ = c.GetToken(ctx, b) }},
		{"another tenant", func() { _, _ = c.GetToken(ctx, other) }},
		{"alternating", func() { _, _ = c.GetToken(ctx, a); _, _ = c.GetToken(ctx, b) }},
	} {
		if n := testing.AllocsPerRun(100, tt.f); n != 0 {
			t.Errorf("%s: %v allocations per cached GetToken, want 0", tt.name, n)
		}
	}
	if n := len(s.Requests()); n != 3 {
		t.Errorf("%d token requests, want 3 (one per key)", n)
	}
}

// TestRecentRequestNeverOutlivesItsToken: the shortcut answers only what the
// cache would. A token deleted from a shared cache is fetched again, not
// served from the remembered Ref; a claims request always reaches the
// service; and a request that differs from the remembered one in any way is
// validated afresh.
func TestRecentRequestNeverOutlivesItsToken(t *testing.T) {
	s := newServer(t, nil)
	shared := cache.New(cache.Options{})
	c := newSecretCredential(t, s, &ClientSecretCredentialOptions{ClientOptions: ClientOptions{Cache: shared}})
	ctx := context.Background()
	opts := TokenRequestOptions{Scopes: []string{testScope}}
	first, err := c.GetToken(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := c.GetToken(ctx, opts); again.Token != first.Token || len(s.Requests()) != 1 {
		t.Fatalf("a repeat request was not answered from the cache (%d requests)", len(s.Requests()))
	}

	// Deleted behind the credential's back: the next call fetches anew.
	shared.Delete(keyOf(t, c, opts))
	if _, err := c.GetToken(ctx, opts); err != nil || len(s.Requests()) != 2 {
		t.Fatalf("after Delete: %d requests, %v; want a second request", len(s.Requests()), err)
	}
	if _, err := c.GetToken(ctx, opts); err != nil || len(s.Requests()) != 2 {
		t.Fatalf("after the refetch, a repeat request was not answered from the cache")
	}

	// Claims bypass the shortcut as they bypass the cache.
	withClaims := opts
	withClaims.Claims = `{"access_token":{"nbf":{"essential":true,"value":"1"}}}`
	if _, err := c.GetToken(ctx, withClaims); err != nil || len(s.Requests()) != 3 {
		t.Fatalf("a claims request: %d requests, %v; want a third request", len(s.Requests()), err)
	}

	// Same scope, a tenant this credential may not use: refused, not served.
	notAllowed := opts
	notAllowed.TenantID = "11111111-2222-3333-4444-555555555555"
	if _, err := c.GetToken(ctx, notAllowed); !errors.Is(err, ErrTenantNotAllowed) {
		t.Fatalf("a tenant not allowed: err = %v, want ErrTenantNotAllowed", err)
	}
	badScope := TokenRequestOptions{Scopes: []string{testScope + " "}}
	if _, err := c.GetToken(ctx, badScope); !errors.Is(err, ErrInvalidScope) {
		t.Fatalf("an invalid scope: err = %v, want ErrInvalidScope", err)
	}
}

// keyOf is the cache key c uses for opts.
func keyOf(t *testing.T, c *ClientSecretCredential, opts TokenRequestOptions) cache.Key {
	var k cache.Key
	if err := c.ep.key(&k, &opts, ""); err != nil {
		t.Fatal(err)
	}
	return k
}

// TestManagedIdentityCachedAllocatesNothing is the managed identity hit path.
func TestManagedIdentityCachedAllocatesNothing(t *testing.T) {
	_, n := fakeIMDS(t, http.StatusOK)
	c, _ := NewManagedIdentityCredential(nil)
	opts := TokenRequestOptions{Scopes: []string{testScope}}
	if _, err := c.GetToken(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(100, func() { _, _ = c.GetToken(context.Background(), opts) }); a != 0 {
		t.Errorf("%v allocations per cached GetToken, want 0", a)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1", n.Load())
	}
}
