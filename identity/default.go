package identity

import (
	"context"
	"log/slog"
	"runtime"
	"sort"
	"strings"
	"time"
)

// DefaultAzureCredential is the chain most programs want: it works
// unchanged in production on Azure and on a developer's machine. Its
// sources, in order (PROTOCOL.md 9.2, the seed's order):
//
//	EnvironmentCredential        service principal from AZURE_* variables
//	WorkloadIdentityCredential   Kubernetes workload identity
//	ManagedIdentityCredential    the Azure host's identity (probed once, quickly)
//	SharedTokenCacheCredential   on Windows, or when IncludeSharedTokenCacheCredential
//	VisualStudioCodeCredential   only when IncludeVisualStudioCodeCredential
//	AzureCLICredential
//	AzurePowerShellCredential
//	AzureDeveloperCLICredential
//
// Each has an Exclude option. AZURE_TOKEN_CREDENTIALS narrows the chain:
// "dev" (the developer sources), "prod" (environment, workload identity,
// managed identity) or one credential's type name, case-insensitive; any
// other value is a construction error; Exclude options still apply on top.
// Inside the chain, every failure of a developer tool counts as
// "unavailable", so the chain goes on; managed identity first sends one
// short probe so that a laptop does not wait for IMDS retries. It sticks to
// the first source that succeeds, and logs once, at Info, which one that
// is. It is safe for concurrent use.
type DefaultAzureCredential struct {
	redacted // fmt and slog print no field: some hold secrets
	chain    *ChainedTokenCredential
}

// DefaultAzureCredentialOptions configures a DefaultAzureCredential. nil
// means defaults.
type DefaultAzureCredentialOptions struct {
	ClientOptions
	// TenantID goes to workload identity, the shared cache, VS Code and the
	// developer tools. "": AZURE_TENANT_ID for workload identity, the
	// tools' own tenant for the tools.
	TenantID string
	// ManagedIdentityClientID selects a user-assigned managed identity. "":
	// AZURE_CLIENT_ID, else the system-assigned identity.
	ManagedIdentityClientID string
	// WorkloadIdentityClientID: "": ManagedIdentityClientID, else
	// AZURE_CLIENT_ID (PROTOCOL.md 9.2, as PY).
	WorkloadIdentityClientID string
	// ProcessTimeout bounds each developer tool run. 0: 10 s.
	ProcessTimeout time.Duration

	ExcludeEnvironmentCredential       bool
	ExcludeWorkloadIdentityCredential  bool
	ExcludeManagedIdentityCredential   bool
	ExcludeSharedTokenCacheCredential  bool
	ExcludeAzureCLICredential          bool
	ExcludeAzurePowerShellCredential   bool
	ExcludeAzureDeveloperCLICredential bool
	// IncludeVisualStudioCodeCredential adds VS Code (left out by default,
	// as in the seed).
	IncludeVisualStudioCodeCredential bool
	// IncludeSharedTokenCacheCredential adds the shared cache outside
	// Windows, where it is left out by default.
	IncludeSharedTokenCacheCredential bool
}

const dacName = "DefaultAzureCredential"

// The type names AZURE_TOKEN_CREDENTIALS may select, and its two groups.
var (
	dacProd = []string{"EnvironmentCredential", "WorkloadIdentityCredential", "ManagedIdentityCredential"}
	dacDev  = []string{"SharedTokenCacheCredential", "VisualStudioCodeCredential", "AzureCLICredential", "AzurePowerShellCredential", "AzureDeveloperCLICredential"}
)

// NewDefaultAzureCredential builds the chain. A source that cannot be
// built (say, workload identity without its variables) stays in the chain
// as a placeholder that reports why it is unavailable.
func NewDefaultAzureCredential(o *DefaultAzureCredentialOptions) (*DefaultAzureCredential, error) {
	if o == nil {
		o = &DefaultAzureCredentialOptions{}
	}
	selected, only, err := selectDefaultSources(getenv(envTokenCredentials))
	if err != nil {
		return nil, err
	}
	if o.TenantID != "" && !validTenantID(o.TenantID) {
		return nil, inputError(dacName, ErrInvalidTenantID, "in TenantID")
	}
	copts := o.ClientOptions
	if copts.AdditionallyAllowedTenants == nil {
		copts.AdditionallyAllowedTenants = envList(envAdditionallyAllowedTenants)
	}
	if copts.Cache == nil {
		copts.Cache = copts.cache() // one cache for the whole chain
	}
	include := func(name string, excluded, byDefault bool) bool {
		if excluded {
			return false
		}
		if only != "" {
			return name == only // named alone, a source is in even if off by default
		}
		if selected != nil {
			return selected[name] && byDefault // "dev" or "prod" keep off what is off by default
		}
		return byDefault
	}
	var sources []TokenCredential
	var names []string
	add := func(name string, c TokenCredential, err error) {
		if err != nil {
			c = unavailableSource{name: name, msg: err.Error()}
		}
		sources = append(sources, c)
		names = append(names, name)
	}
	if include("EnvironmentCredential", o.ExcludeEnvironmentCredential, true) {
		c, err := NewEnvironmentCredential(&EnvironmentCredentialOptions{ClientOptions: copts})
		add("EnvironmentCredential", c, err)
	}
	if include("WorkloadIdentityCredential", o.ExcludeWorkloadIdentityCredential, true) {
		c, err := NewWorkloadIdentityCredential(&WorkloadIdentityCredentialOptions{ClientOptions: copts,
			TenantID: o.TenantID, ClientID: firstNonEmpty(o.WorkloadIdentityClientID, o.ManagedIdentityClientID)})
		add("WorkloadIdentityCredential", c, err)
	}
	if include("ManagedIdentityCredential", o.ExcludeManagedIdentityCredential, true) {
		mo := &ManagedIdentityCredentialOptions{ClientOptions: copts}
		if id := firstNonEmpty(o.ManagedIdentityClientID, getenv(envClientID)); id != "" {
			mo.ID = ClientID(id)
		}
		c, err := NewManagedIdentityCredential(mo)
		if err == nil {
			// Selected alone, managed identity behaves as it does standalone:
			// no probe, full retries (PROTOCOL.md 9.4).
			c.probe = only != "ManagedIdentityCredential"
		}
		add("ManagedIdentityCredential", c, err)
	}
	if include("SharedTokenCacheCredential", o.ExcludeSharedTokenCacheCredential, runtime.GOOS == "windows" || o.IncludeSharedTokenCacheCredential) {
		c, err := NewSharedTokenCacheCredential(&SharedTokenCacheCredentialOptions{ClientOptions: copts,
			TenantID: o.TenantID, Username: getenv(envUsername)})
		add("SharedTokenCacheCredential", c, err)
	}
	if include("VisualStudioCodeCredential", false, o.IncludeVisualStudioCodeCredential) {
		c, err := NewVisualStudioCodeCredential(&VisualStudioCodeCredentialOptions{ClientOptions: copts, TenantID: o.TenantID})
		add("VisualStudioCodeCredential", c, err)
	}
	tools := []struct {
		name     string
		excluded bool
		make     func() (TokenCredential, *devTool, error)
	}{
		{"AzureCLICredential", o.ExcludeAzureCLICredential, func() (TokenCredential, *devTool, error) {
			c, err := NewAzureCLICredential(&AzureCLICredentialOptions{TenantID: o.TenantID, ProcessTimeout: o.ProcessTimeout,
				AdditionallyAllowedTenants: copts.AdditionallyAllowedTenants, Cache: copts.Cache})
			if err != nil {
				return nil, nil, err
			}
			return c, &c.d, nil
		}},
		{"AzurePowerShellCredential", o.ExcludeAzurePowerShellCredential, func() (TokenCredential, *devTool, error) {
			c, err := NewAzurePowerShellCredential(&AzurePowerShellCredentialOptions{TenantID: o.TenantID, ProcessTimeout: o.ProcessTimeout,
				AdditionallyAllowedTenants: copts.AdditionallyAllowedTenants, Cache: copts.Cache})
			if err != nil {
				return nil, nil, err
			}
			return c, &c.d, nil
		}},
		{"AzureDeveloperCLICredential", o.ExcludeAzureDeveloperCLICredential, func() (TokenCredential, *devTool, error) {
			c, err := NewAzureDeveloperCLICredential(&AzureDeveloperCLICredentialOptions{TenantID: o.TenantID, ProcessTimeout: o.ProcessTimeout,
				AdditionallyAllowedTenants: copts.AdditionallyAllowedTenants, Cache: copts.Cache})
			if err != nil {
				return nil, nil, err
			}
			return c, &c.d, nil
		}},
	}
	for _, t := range tools {
		if !include(t.name, t.excluded, true) {
			continue
		}
		c, d, err := t.make()
		if d != nil {
			d.inChain = only != t.name
			d.log = copts.logger()
		}
		add(t.name, c, err)
	}
	if len(sources) == 0 {
		return nil, inputError(dacName, ErrInvalidArgument, "every credential is excluded")
	}
	chain := &ChainedTokenCredential{name: dacName, sources: sources, names: names}
	log := copts.logger()
	chain.onPick = func(ctx context.Context, name string) {
		log.LogAttrs(ctx, slog.LevelInfo, "DefaultAzureCredential chose a credential", slog.String("credential", name))
	}
	return &DefaultAzureCredential{chain: chain}, nil
}

// GetToken returns a token from the first source that gets one.
func (c *DefaultAzureCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.chain.GetToken(ctx, opts)
}

// selectDefaultSources reads AZURE_TOKEN_CREDENTIALS (PROTOCOL.md 9.4):
// nil for unset (the whole chain), the set for "dev" or "prod", or one name,
// also returned as only.
func selectDefaultSources(v string) (selected map[string]bool, only string, err error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, "", nil
	}
	selected = map[string]bool{}
	switch strings.ToLower(v) {
	case "dev":
		for _, n := range dacDev {
			selected[n] = true
		}
		return selected, "", nil
	case "prod":
		for _, n := range dacProd {
			selected[n] = true
		}
		return selected, "", nil
	}
	all := append(append([]string(nil), dacProd...), dacDev...)
	for _, n := range all {
		if strings.EqualFold(n, v) {
			selected[n] = true
			return selected, n, nil
		}
	}
	sort.Strings(all)
	return nil, "", inputError(dacName, ErrInvalidArgument, "%s=%q; valid values are \"dev\", \"prod\" or one of %s",
		envTokenCredentials, v, strings.Join(all, ", "))
}

// unavailableSource stands in the chain for a source that could not be
// built, and says why every time it is asked.
type unavailableSource struct{ name, msg string }

func (u unavailableSource) GetToken(context.Context, TokenRequestOptions) (AccessToken, error) {
	return AccessToken{}, unavailable(u.name, "%s", u.msg)
}
