package identity

import (
	"context"
	"runtime"
	"strings"

	"github.com/azid-go/azid/internal/secretstore"
	"github.com/azid-go/azid/internal/vscode"
	"github.com/azid-go/azid/oauth2"
)

// VisualStudioCodeCredential signs in silently as the user signed in to VS
// Code's Azure Account extension (PROTOCOL.md 11.1): the cloud and tenant
// come from VS Code's user settings ("azure.cloud", "azure.tenant"), the
// refresh token from the system's secret store where the extension kept it,
// redeemed with VS Code's client id. It is unavailable, with the reason, when
// any piece is missing. It is safe for concurrent use.
type VisualStudioCodeCredential struct {
	redacted // fmt and slog print no field: some hold secrets
	ep       *tokenEndpoint
	cloud    string
	subject  string // the cache key's subject: "vscode/<cloud>", made once
	store    secretstore.Store
	missing  string // why the credential cannot work here; "" when it can
}

// VisualStudioCodeCredentialOptions configures a VisualStudioCodeCredential.
// nil means defaults.
type VisualStudioCodeCredentialOptions struct {
	ClientOptions
	// TenantID: "" means VS Code's "azure.tenant" setting, else
	// "organizations".
	TenantID string
}

const vscName = "VisualStudioCodeCredential"

// NewVisualStudioCodeCredential reads VS Code's settings and returns the
// credential they describe. Settings that cannot be used (a custom cloud, a
// malformed file) make it unavailable at GetToken rather than fail here.
func NewVisualStudioCodeCredential(o *VisualStudioCodeCredentialOptions) (*VisualStudioCodeCredential, error) {
	if o == nil {
		o = &VisualStudioCodeCredentialOptions{}
	}
	c := &VisualStudioCodeCredential{store: secretstore.Default(getenv)}
	settings, err := vscode.LoadSettings(vscode.SettingsPath(runtime.GOOS, getenv))
	if err != nil {
		c.missing = "VS Code settings: " + err.Error()
		settings = vscode.DefaultSettings
	}
	c.cloud = settings.Cloud
	c.subject = "vscode/" + settings.Cloud
	copts := o.ClientOptions
	// PROTOCOL.md 11.1: the option, then AZURE_AUTHORITY_HOST, then the
	// host of the azure.cloud setting.
	if copts.AuthorityHost == "" && getenv(envAuthorityHost) == "" {
		host, err := vscode.AuthorityHost(settings.Cloud)
		if err != nil && c.missing == "" {
			c.missing = err.Error()
		}
		copts.AuthorityHost = host
	}
	tenant := firstNonEmpty(o.TenantID, settings.Tenant, organizationsTenant)
	if !validTenantID(tenant) {
		return nil, inputError(vscName, ErrInvalidTenantID, "in TenantID or the azure.tenant setting")
	}
	if strings.EqualFold(tenant, "adfs") && c.missing == "" {
		c.missing = "ADFS is not supported" // PROTOCOL.md 11.1
	}
	ep, err := newTokenEndpoint(vscName, tenant, vscode.ClientID, &copts)
	if err != nil {
		return nil, err
	}
	c.ep = ep
	return c, nil
}

// GetToken returns an access token for opts.Scopes.
func (c *VisualStudioCodeCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	if c.missing != "" {
		return AccessToken{}, unavailable(vscName, "%s", c.missing)
	}
	return c.ep.getToken(ctx, opts, c.subject, c)
}

// grant redeems the extension's refresh token (RFC 6749, Section 6).
func (c *VisualStudioCodeCredential) grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error) {
	rt, err := vscode.RefreshToken(ctx, c.store, c.cloud)
	if err != nil {
		return oauth2.Token{}, &CredentialUnavailableError{Credential: vscName,
			Message: "no VS Code Azure sign-in found (sign in with the Azure Account extension): " + err.Error(), err: err}
	}
	return c.ep.client.RefreshToken(ctx, req, rt)
}
