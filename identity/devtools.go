package identity

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/azid-go/azid/cache"
	"github.com/azid-go/azid/internal/devcli"
)

// devTool is what the three developer-tool credentials share: run a tool
// (without a shell, internal/process) for a token, validate what goes on its
// command line first, and cache what it prints like every other token.
//
// Unlike the official libraries, azid caches these tokens (DESIGN.md): a
// tool run costs a second or more. The consequence: after `az login` as
// someone else or `az account set`, a credential keeps returning its cached
// token until the token's refresh time; a new credential sees the change at
// once.
type devTool struct {
	name         string // credential type name
	tool         string // cache partition: "az", "azd", "pwsh"
	tenants      tenantPolicy
	subscription string
	timeout      time.Duration
	oneScope     bool
	run          func(context.Context, devcli.Request) (devcli.Token, error)
	cache        *cache.Cache
	log          *slog.Logger
	inChain      bool // inside DefaultAzureCredential: every failure is "unavailable", so the chain goes on
	// recent is the hit path's shortcut to the latest request's token. A
	// pointer, because a devTool is copied by value into its credential and
	// a recent must not be copied.
	recent *recent
}

func newDevTool(name, tool, tenant string, allowed []string, timeout time.Duration, c *cache.Cache) (devTool, error) {
	if tenant != "" {
		if err := devcli.ValidTenant(tenant); err != nil {
			return devTool{}, inputError(name, ErrInvalidTenantID, "in TenantID")
		}
	}
	if timeout < 0 {
		return devTool{}, inputError(name, ErrInvalidArgument, "ProcessTimeout is negative")
	}
	if allowed == nil {
		allowed = envList(envAdditionallyAllowedTenants)
	}
	if c == nil {
		c = cache.New(cache.Options{})
	}
	return devTool{name: name, tool: tool, tenants: newTenantPolicy(tenant, allowed), timeout: timeout, cache: c, log: discardLogger, recent: &recent{}}, nil
}

// getToken answers a repeat of the latest request from its cache.Ref (see
// recent), else validates opts, answers from the cache, else runs the tool.
func (d *devTool) getToken(ctx context.Context, opts TokenRequestOptions) (at AccessToken, err error) {
	if q := d.recent.match(&opts, ""); q != nil {
		if t, ok := q.ref.Get(); ok {
			at.fill(&t)
			return at, nil
		}
	}
	return d.getTokenSlow(ctx, opts)
}

// getTokenSlow is getToken past its shortcut.
func (d *devTool) getTokenSlow(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	if len(opts.Scopes) == 0 {
		return AccessToken{}, inputError(d.name, ErrInvalidScope, "GetToken requires at least one scope")
	}
	if d.oneScope && len(opts.Scopes) != 1 {
		return AccessToken{}, inputError(d.name, ErrInvalidScope, "this credential takes exactly one scope, got %d", len(opts.Scopes))
	}
	for _, s := range opts.Scopes {
		// PROTOCOL.md 1.3: the tools' character set, checked before anything runs.
		if devcli.ValidScope(s) != nil {
			return AccessToken{}, inputError(d.name, ErrInvalidScope, "only letters, digits, '.', '-', '_', ':' and '/' are allowed in a scope")
		}
	}
	tenant, err := d.tenants.resolve(d.name, opts.TenantID)
	if err != nil {
		return AccessToken{}, err
	}
	if tenant != "" && devcli.ValidTenant(tenant) != nil {
		// A tenant an Entra URL could carry but a command line must not,
		// such as one starting with '-' (PROTOCOL.md 1.3).
		return AccessToken{}, inputError(d.name, ErrInvalidTenantID, "the tenant cannot be passed to the tool")
	}
	key := cache.Key{Authority: d.tool, Tenant: tenant, ClientID: d.subscription, Scopes: cache.ScopeKey(opts.Scopes), CAE: opts.EnableCAE}
	bypass := opts.Claims != ""
	if !bypass {
		if t, ok := d.cache.Get(key); ok {
			if d.recent.stale(&opts, "") {
				d.recent.remember(d.cache, key, &opts, "")
			}
			return fromCache(t), nil
		}
	}
	req := devcli.Request{Scopes: opts.Scopes, Tenant: tenant, Subscription: d.subscription, Claims: opts.Claims, Timeout: d.timeout}
	t, err := d.cache.Token(ctx, key, bypass, func(ctx context.Context) (cache.Token, error) {
		tok, err := d.run(ctx, req)
		if err != nil {
			return cache.Token{}, d.wrap(err)
		}
		d.log.LogAttrs(ctx, slog.LevelInfo, "token acquired", slog.String("credential", d.name), slog.Time("expires_on", tok.ExpiresOn))
		return cache.Token{Value: tok.AccessToken, TokenType: "Bearer", ExpiresOn: tok.ExpiresOn}, nil
	})
	if err != nil {
		return AccessToken{}, d.wrap(err)
	}
	d.recent.remember(d.cache, key, &opts, "")
	return fromCache(t), nil
}

// wrap maps devcli's errors to this package's types. It runs twice on a
// failed run, inside the cache's flight and after it, so what it returns
// passes through it unchanged.
func (d *devTool) wrap(err error) error {
	var afe *AuthenticationFailedError
	var cue *CredentialUnavailableError
	if errors.As(err, &afe) || errors.As(err, &cue) || errors.Is(err, ErrInvalidArgument) {
		return err // wrapped already, inside the cache's flight
	}
	var ve *devcli.ValidationError
	if errors.As(err, &ve) {
		return inputError(d.name, ErrInvalidArgument, "%v", err)
	}
	var te *devcli.Error
	if errors.As(err, &te) && (te.Unavailable || d.inChain) {
		return &CredentialUnavailableError{Credential: d.name, Message: te.Message, err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return authFailed(d.name, err)
	}
	if d.inChain {
		return &CredentialUnavailableError{Credential: d.name, Message: err.Error(), err: err}
	}
	return authFailed(d.name, err)
}
