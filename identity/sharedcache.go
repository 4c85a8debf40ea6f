package identity

import (
	"context"
	"errors"
	"net/url"
	"runtime"

	"github.com/azid-go/azid/internal/msalcache"
	"github.com/azid-go/azid/internal/secretstore"
	"github.com/azid-go/azid/oauth2"
)

// SharedTokenCacheCredential signs in silently as a user who signed in to
// Visual Studio, an older Azure CLI or Azure PowerShell, which keep their
// tokens in the MSAL shared cache (PROTOCOL.md 10): a DPAPI-encrypted file
// on Windows, the Keychain on macOS, the Secret Service (or a plaintext
// file) on Linux. It reads the cache, never writes it, picks one account by
// Username and TenantID, and redeems that account's refresh token with the
// developer sign-on client. It is unavailable when there is no cache or no
// matching account. It is safe for concurrent use.
type SharedTokenCacheCredential struct {
	redacted // fmt and slog print no field: some hold secrets
	ep       *tokenEndpoint
	username string
	tenant   string
	path     string
	store    secretstore.Store // nil: path is a plaintext file
	// subject keys this credential's tokens in a shared cache apart from
	// app-only tokens and from other caches' and users' tokens.
	subject string
}

// SharedTokenCacheCredentialOptions configures a SharedTokenCacheCredential.
// nil means defaults.
type SharedTokenCacheCredentialOptions struct {
	ClientOptions
	// Username selects the account when the cache holds several. "": any.
	Username string
	// TenantID selects the account by home tenant and is the tenant tokens
	// are requested from. "": the account's home tenant.
	TenantID string
	// CachePath is a plaintext MSAL cache file to read instead of the
	// system's shared cache. "": the system's cache.
	CachePath string
}

const stcName = "SharedTokenCacheCredential"

// NewSharedTokenCacheCredential returns a shared token cache credential.
func NewSharedTokenCacheCredential(o *SharedTokenCacheCredentialOptions) (*SharedTokenCacheCredential, error) {
	if o == nil {
		o = &SharedTokenCacheCredentialOptions{}
	}
	if o.TenantID != "" && !validTenantID(o.TenantID) {
		return nil, inputError(stcName, ErrInvalidTenantID, "in TenantID")
	}
	ep, err := newTokenEndpoint(stcName, o.TenantID, msalcache.DeveloperClientID, &o.ClientOptions)
	if err != nil {
		return nil, err
	}
	c := &SharedTokenCacheCredential{ep: ep, username: o.Username, tenant: o.TenantID, path: o.CachePath}
	if c.path == "" {
		c.path = msalcache.DefaultPath(runtime.GOOS, getenv)
		c.store = secretstore.Default(getenv)
	}
	c.subject = "msal-shared-cache/" + c.path + "/" + c.username + "/" + c.tenant
	return c, nil
}

// GetToken returns an access token for opts.Scopes for the selected account.
func (c *SharedTokenCacheCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.ep.getToken(ctx, opts, c.subject, c)
}

// grant reads the shared cache, selects the account and redeems its
// refresh tokens in order until one works (PROTOCOL.md 10.4).
func (c *SharedTokenCacheCredential) grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error) {
	data, err := msalcache.Load(ctx, c.path, c.store)
	if err != nil {
		return oauth2.Token{}, &CredentialUnavailableError{Credential: stcName, Message: "no shared token cache: " + err.Error(), err: err}
	}
	mc, err := msalcache.Parse(data)
	if err != nil {
		return oauth2.Token{}, &CredentialUnavailableError{Credential: stcName, Message: err.Error(), err: err}
	}
	acct, err := mc.Select(hostOf(c.ep.authority), c.username, c.tenant)
	if err != nil {
		return oauth2.Token{}, &CredentialUnavailableError{Credential: stcName, Message: err.Error(), err: err}
	}
	if req.Tenant == "" {
		req.Tenant = firstNonEmpty(acct.Realm, organizationsTenant)
	}
	rts := mc.RefreshTokens(acct, msalcache.DeveloperClientID)
	if len(rts) == 0 {
		return oauth2.Token{}, unavailable(stcName, "the cache holds no refresh token for %s", acct.Username)
	}
	var last error
	for _, rt := range rts {
		tok, err := c.ep.client.RefreshToken(ctx, req, rt)
		if err == nil {
			return tok, nil
		}
		var oe *oauth2.Error
		if !errors.As(err, &oe) {
			return oauth2.Token{}, err // a network failure: another token would fail the same way
		}
		last = err
	}
	return oauth2.Token{}, errors.Join(ErrSignInRequired, last)
}

// hostOf returns the host of an authority URL.
func hostOf(authority string) string {
	u, err := url.Parse(authority)
	if err != nil {
		return ""
	}
	return u.Host
}
