package identity

import (
	"context"
	"time"

	"github.com/azid-go/azid/cache"
	"github.com/azid-go/azid/internal/devcli"
)

// AzureCLICredential gets tokens from the Azure CLI, as the account signed
// in with `az login`: it runs `az account get-access-token --output json
// --resource R` (PROTOCOL.md 8.2), directly, never through a shell. Tokens
// are cached (see the consequences on devTool in devtools.go's doc). It is
// safe for concurrent use.
type AzureCLICredential struct {
	redacted // fmt and slog print no field
	d        devTool
}

// AzureCLICredentialOptions configures an AzureCLICredential. nil means
// defaults.
type AzureCLICredentialOptions struct {
	// TenantID: "" means az's current tenant.
	TenantID string
	// Subscription (id or name) whose tenant az uses; "" means az's current
	// subscription. Configure at most one of TenantID and Subscription.
	Subscription string
	// ProcessTimeout bounds one run of az. 0: 10 s (or the context's
	// deadline, whichever is sooner).
	ProcessTimeout time.Duration
	// AdditionallyAllowedTenants as in ClientOptions.
	AdditionallyAllowedTenants []string
	// Cache as in ClientOptions: nil means a private cache.
	Cache *cache.Cache
}

// NewAzureCLICredential returns an Azure CLI credential.
func NewAzureCLICredential(o *AzureCLICredentialOptions) (*AzureCLICredential, error) {
	const name = "AzureCLICredential"
	if o == nil {
		o = &AzureCLICredentialOptions{}
	}
	d, err := newDevTool(name, "az", o.TenantID, o.AdditionallyAllowedTenants, o.ProcessTimeout, o.Cache)
	if err != nil {
		return nil, err
	}
	if o.Subscription != "" {
		if err := devcli.ValidSubscription(o.Subscription); err != nil {
			return nil, inputError(name, ErrInvalidArgument, "Subscription contains characters other than letters, digits, '_', '-', '.' and space; use its ID")
		}
	}
	d.subscription, d.oneScope, d.run = o.Subscription, true, devcli.AzToken
	return &AzureCLICredential{d: d}, nil
}

// GetToken returns a token for the one scope in opts.Scopes.
func (c *AzureCLICredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.d.getToken(ctx, opts)
}

// AzureDeveloperCLICredential gets tokens from the Azure Developer CLI, as
// the account signed in with `azd auth login`: it runs `azd auth token
// --output json --no-prompt --scope S...` (PROTOCOL.md 8.3), never through a
// shell. It is safe for concurrent use.
type AzureDeveloperCLICredential struct {
	redacted // fmt and slog print no field
	d        devTool
}

// AzureDeveloperCLICredentialOptions configures an
// AzureDeveloperCLICredential. nil means defaults.
type AzureDeveloperCLICredentialOptions struct {
	TenantID                   string        // "": azd's current tenant
	ProcessTimeout             time.Duration // 0: 10 s
	AdditionallyAllowedTenants []string
	Cache                      *cache.Cache // nil: a private cache
}

// NewAzureDeveloperCLICredential returns an Azure Developer CLI credential.
func NewAzureDeveloperCLICredential(o *AzureDeveloperCLICredentialOptions) (*AzureDeveloperCLICredential, error) {
	if o == nil {
		o = &AzureDeveloperCLICredentialOptions{}
	}
	d, err := newDevTool("AzureDeveloperCLICredential", "azd", o.TenantID, o.AdditionallyAllowedTenants, o.ProcessTimeout, o.Cache)
	if err != nil {
		return nil, err
	}
	d.run = devcli.AzdToken
	return &AzureDeveloperCLICredential{d: d}, nil
}

// GetToken returns a token for opts.Scopes.
func (c *AzureDeveloperCLICredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.d.getToken(ctx, opts)
}

// AzurePowerShellCredential gets tokens from Azure PowerShell, as the
// account signed in with Connect-AzAccount: it runs pwsh (on Windows,
// powershell.exe when pwsh is missing) with -NoProfile -NonInteractive and
// an encoded script that asks Az.Accounts for the token (PROTOCOL.md 8.4),
// never through a shell. It is safe for concurrent use.
type AzurePowerShellCredential struct {
	redacted // fmt and slog print no field
	d        devTool
}

// AzurePowerShellCredentialOptions configures an AzurePowerShellCredential.
// nil means defaults.
type AzurePowerShellCredentialOptions struct {
	TenantID                   string        // "": the current Az context's tenant
	ProcessTimeout             time.Duration // 0: 10 s
	AdditionallyAllowedTenants []string
	Cache                      *cache.Cache // nil: a private cache
}

// NewAzurePowerShellCredential returns an Azure PowerShell credential.
func NewAzurePowerShellCredential(o *AzurePowerShellCredentialOptions) (*AzurePowerShellCredential, error) {
	if o == nil {
		o = &AzurePowerShellCredentialOptions{}
	}
	d, err := newDevTool("AzurePowerShellCredential", "pwsh", o.TenantID, o.AdditionallyAllowedTenants, o.ProcessTimeout, o.Cache)
	if err != nil {
		return nil, err
	}
	d.oneScope, d.run = true, devcli.PowerShellToken
	return &AzurePowerShellCredential{d: d}, nil
}

// GetToken returns a token for the one scope in opts.Scopes.
func (c *AzurePowerShellCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.d.getToken(ctx, opts)
}
