package identity

import (
	"context"
	"log/slog"

	"github.com/azid-go/azid/cache"
	"github.com/azid-go/azid/oauth2"
)

// tokenEndpoint is what every credential that redeems a grant at the Entra
// ID token endpoint shares: its identity (name, client, tenant policy), the
// oauth2 client for its authority, and its cache. It is immutable after
// construction and safe for concurrent use.
type tokenEndpoint struct {
	name      string // the credential's type name, for errors and logs
	clientID  string
	authority string // "https://host/"
	tenants   tenantPolicy
	client    *oauth2.Client
	cache     *cache.Cache
	log       *slog.Logger
	recent    recent // the hit path's shortcut to the latest request's token
}

func newTokenEndpoint(name, tenant, clientID string, o *ClientOptions) (*tokenEndpoint, error) {
	if o == nil {
		o = &ClientOptions{}
	}
	if clientID == "" {
		return nil, inputError(name, ErrInvalidArgument, "client ID is empty")
	}
	if tenant != "" && !validTenantID(tenant) {
		return nil, inputError(name, ErrInvalidTenantID, "in the tenant ID argument")
	}
	authority, err := o.authority(name)
	if err != nil {
		return nil, err
	}
	// authority is normalized already, which is all oauth2.New would add.
	client := &oauth2.Client{HTTP: o.httpClient(), Authority: authority}
	client.Logger = o.Logger
	client.InstanceDiscovery = o.EnableInstanceDiscovery && !o.DisableInstanceDiscovery
	client.Retry = oauth2.Retry{MaxRetries: o.Retry.MaxRetries, Delay: o.Retry.RetryDelay, MaxDelay: o.Retry.MaxRetryDelay}
	return &tokenEndpoint{
		name:      name,
		clientID:  clientID,
		authority: authority,
		tenants:   newTenantPolicy(tenant, o.allowedTenants()),
		client:    client,
		cache:     o.cache(),
		log:       o.logger(),
	}, nil
}

// key validates the request and fills in its cache key. It allocates
// nothing for a request with one scope, and writes through a pointer because
// a Key is six strings: copying it on every cache hit costs more than the
// lookup itself.
func (e *tokenEndpoint) key(key *cache.Key, opts *TokenRequestOptions, subject string) error {
	if err := checkScopes(e.name, opts.Scopes); err != nil {
		return err
	}
	tenant, err := e.tenants.resolve(e.name, opts.TenantID)
	if err != nil {
		return err
	}
	*key = cache.Key{
		Authority: e.authority,
		Tenant:    tenant,
		ClientID:  e.clientID,
		Scopes:    cache.ScopeKey(opts.Scopes),
		CAE:       opts.EnableCAE,
		Subject:   subject,
	}
	return nil
}

// granter redeems one grant at the token endpoint for req. Credentials
// implement it on their pointer, so passing one costs no allocation.
type granter interface {
	grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error)
}

// getToken is GetToken for every token-endpoint credential: cached, else
// the grant run once per key however many callers wait, its token cached.
func (e *tokenEndpoint) getToken(ctx context.Context, opts TokenRequestOptions, subject string, g granter) (at AccessToken, err error) {
	if q := e.recent.match(&opts, subject); q != nil {
		if t, ok := q.ref.Get(); ok {
			at.fill(&t)
			return at, nil
		}
	}
	return e.getTokenSlow(ctx, opts, subject, g)
}

// getTokenSlow is getToken past its first shortcut, kept apart so that the
// shortcut's stack frame stays small.
func (e *tokenEndpoint) getTokenSlow(ctx context.Context, opts TokenRequestOptions, subject string, g granter) (AccessToken, error) {
	var key cache.Key
	if t, done, err := e.cached(&key, &opts, subject); done {
		return t, err
	}
	return e.fetchAndRemember(ctx, key, opts, subject, g)
}

// cached is the slow hit path of getToken, for a request that is not a
// repeat of the latest one or whose Ref missed: it validates and keys the
// request (into key) and looks it up in the cache. It allocates nothing on a
// hit unless the request becomes the one recent remembers. done reports that
// the answer is t, err: a hit, or a request in error.
func (e *tokenEndpoint) cached(key *cache.Key, opts *TokenRequestOptions, subject string) (t AccessToken, done bool, err error) {
	if err := e.key(key, opts, subject); err != nil {
		return AccessToken{}, true, err
	}
	if opts.Claims == "" { // DESIGN.md: claims never come from the cache
		if tok, ok := e.cache.Get(*key); ok {
			if e.recent.stale(opts, subject) {
				e.recent.remember(e.cache, *key, opts, subject)
			}
			return fromCache(tok), true, nil
		}
	}
	return AccessToken{}, false, nil
}

// fetchAndRemember is fetch, after which the request is the one recent
// answers next.
func (e *tokenEndpoint) fetchAndRemember(ctx context.Context, key cache.Key, opts TokenRequestOptions, subject string, g granter) (AccessToken, error) {
	t, err := e.fetch(ctx, key, opts, g)
	if err == nil {
		e.recent.remember(e.cache, key, &opts, subject)
	}
	return t, err
}

// fetch runs g for key through the cache: one flight per key, a refresh
// that fails keeps the still-valid token, claims bypass and replace.
func (e *tokenEndpoint) fetch(ctx context.Context, key cache.Key, opts TokenRequestOptions, g granter) (AccessToken, error) {
	// The flight may outlive this caller, who may then reuse its slice.
	req := e.request(key.Tenant, opts)
	req.Scopes = append([]string(nil), opts.Scopes...)
	t, err := e.cache.Token(ctx, key, opts.Claims != "", func(ctx context.Context) (cache.Token, error) {
		tok, err := g.grant(ctx, req)
		if err != nil {
			e.log.LogAttrs(ctx, slog.LevelWarn, "token request failed",
				slog.String("credential", e.name), slog.String("tenant", key.Tenant), slog.String("error", err.Error()))
			return cache.Token{}, authFailed(e.name, err)
		}
		e.log.LogAttrs(ctx, slog.LevelInfo, "token acquired",
			slog.String("credential", e.name), slog.String("tenant", key.Tenant),
			slog.String("scopes", key.Scopes), slog.Time("expires_on", tok.ExpiresOn))
		return cache.Token{Value: tok.AccessToken, TokenType: tok.TokenType, ExpiresOn: tok.ExpiresOn, RefreshOn: tok.RefreshOn}, nil
	})
	if err != nil {
		return AccessToken{}, authFailed(e.name, err)
	}
	return fromCache(t), nil
}

// request is the oauth2 request for opts at tenant; the flow adds the
// client authentication.
func (e *tokenEndpoint) request(tenant string, opts TokenRequestOptions) oauth2.Request {
	return oauth2.Request{
		Tenant:   tenant,
		ClientID: e.clientID,
		Scopes:   opts.Scopes,
		Claims:   opts.Claims,
		CAE:      opts.EnableCAE,
	}
}
