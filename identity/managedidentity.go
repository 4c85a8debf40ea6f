package identity

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"

	"github.com/azid-go/azid/cache"
	"github.com/azid-go/azid/imds"
)

// ManagedIDKind selects a user-assigned managed identity: ClientID,
// ObjectID or ResourceID.
type ManagedIDKind interface {
	String() string
	imdsID() imds.ID
}

// ClientID is a user-assigned managed identity's client (application) id.
type ClientID string

// ObjectID is a user-assigned managed identity's object (principal) id.
type ObjectID string

// ResourceID is a user-assigned managed identity's ARM resource id.
type ResourceID string

// String returns the id.
func (c ClientID) String() string { return string(c) }

// String returns the id.
func (o ObjectID) String() string { return string(o) }

// String returns the id.
func (r ResourceID) String() string { return string(r) }

func (c ClientID) imdsID() imds.ID   { return imds.ID{Kind: imds.ClientID, Value: string(c)} }
func (o ObjectID) imdsID() imds.ID   { return imds.ID{Kind: imds.ObjectID, Value: string(o)} }
func (r ResourceID) imdsID() imds.ID { return imds.ID{Kind: imds.ResourceID, Value: string(r)} }

// ManagedIdentityCredential gets tokens for the managed identity of the
// Azure host it runs on: a VM or scale set (IMDS), App Service, Functions
// and Container Apps, Azure Arc, Cloud Shell, Service Fabric or Azure
// Machine Learning. The host is detected from the environment once, at
// construction (PROTOCOL.md 7.1). Tokens are cached like every other
// credential's; long-lived ones are refreshed at half their life. It is safe
// for concurrent use.
type ManagedIdentityCredential struct {
	redacted // fmt and slog print no field: some hold secrets
	source   *imds.Source
	id       string // the cache key's client field: kind and value of the user-assigned id, "" for system-assigned
	cache    *cache.Cache
	log      *slog.Logger
	recent   recent // the hit path's shortcut to the latest request's token

	// probe: inside DefaultAzureCredential, the first request is preceded by
	// one quick probe so a machine without IMDS fails fast; probed records
	// that an endpoint answered, after which no probe is sent again.
	probe  bool
	probed atomic.Bool
}

// ManagedIdentityCredentialOptions configures a ManagedIdentityCredential.
// nil means defaults: the system-assigned identity.
type ManagedIdentityCredentialOptions struct {
	ClientOptions
	// ID selects a user-assigned identity. nil: the system-assigned one. A
	// kind of id the detected host cannot honour is a construction error,
	// never a silent fall back to the system-assigned identity.
	ID ManagedIDKind
}

const miName = "ManagedIdentityCredential"

// NewManagedIdentityCredential detects the hosting environment and returns
// a credential for its managed identity.
func NewManagedIdentityCredential(o *ManagedIdentityCredentialOptions) (*ManagedIdentityCredential, error) {
	if o == nil {
		o = &ManagedIdentityCredentialOptions{}
	}
	var id imds.ID
	var keyID string
	if o.ID != nil {
		id = o.ID.imdsID()
		if id.Value == "" {
			return nil, inputError(miName, ErrInvalidArgument, "the %s is empty", id.Kind)
		}
		keyID = id.Kind.String() + "=" + id.Value
	}
	src, err := imds.New(imds.Config{
		Getenv:     getenv,
		ID:         id,
		HTTPClient: o.HTTPClient,
		MaxRetries: o.Retry.MaxRetries,
	})
	if err != nil {
		return nil, inputError(miName, ErrInvalidArgument, "%v", err)
	}
	return &ManagedIdentityCredential{source: src, id: keyID, cache: o.cache(), log: o.logger()}, nil
}

// GetToken returns a token for the one scope in opts.Scopes ("<resource>/.default"
// or a resource). TenantID is ignored: a managed identity lives in its
// host's tenant.
func (c *ManagedIdentityCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (at AccessToken, err error) {
	if q := c.recent.match(&opts, ""); q != nil {
		if t, ok := q.ref.Get(); ok {
			at.fill(&t)
			return at, nil
		}
	}
	if err := checkScopes(miName, opts.Scopes); err != nil {
		return AccessToken{}, err
	}
	if len(opts.Scopes) != 1 {
		return AccessToken{}, inputError(miName, ErrInvalidScope, "managed identity takes exactly one scope, got %d", len(opts.Scopes))
	}
	key := cache.Key{Authority: string(c.source.Kind()), ClientID: c.id, Scopes: opts.Scopes[0]}
	bypass := opts.Claims != ""
	if !bypass {
		if t, ok := c.cache.Get(key); ok {
			if c.recent.stale(&opts, "") {
				c.recent.remember(c.cache, key, &opts, "")
			}
			return fromCache(t), nil
		}
	}
	resource := imds.Resource(opts.Scopes[0]) // PROTOCOL.md 1.3: "<resource>/.default" -> "<resource>"
	t, err := c.cache.Token(ctx, key, bypass, func(ctx context.Context) (cache.Token, error) {
		return c.fetch(ctx, resource)
	})
	if err != nil {
		return AccessToken{}, err
	}
	c.recent.remember(c.cache, key, &opts, "")
	return fromCache(t), nil
}

// fetch probes once when asked to, then gets a token from the source.
func (c *ManagedIdentityCredential) fetch(ctx context.Context, resource string) (cache.Token, error) {
	if c.probe && !c.probed.Load() {
		if err := c.source.Probe(ctx); err != nil {
			return cache.Token{}, c.wrap(err)
		}
		c.probed.Store(true)
	}
	tok, err := c.source.Token(ctx, resource)
	if err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "managed identity token request failed",
			slog.String("credential", miName), slog.String("source", string(c.source.Kind())), slog.String("error", err.Error()))
		return cache.Token{}, c.wrap(err)
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "token acquired",
		slog.String("credential", miName), slog.String("source", string(c.source.Kind())),
		slog.String("resource", resource), slog.Time("expires_on", tok.ExpiresOn))
	return cache.Token{Value: tok.AccessToken, TokenType: tok.TokenType, ExpiresOn: tok.ExpiresOn, RefreshOn: tok.RefreshOn}, nil
}

// wrap turns an imds error into this package's types: unavailable where a
// chain should move on (nothing listening, no identity assigned), else an
// authentication failure with the status.
func (c *ManagedIdentityCredential) wrap(err error) error {
	var ie *imds.Error
	if errors.As(err, &ie) {
		if ie.Unavailable {
			return &CredentialUnavailableError{Credential: miName, Message: ie.Error(), err: err}
		}
		return &AuthenticationFailedError{Credential: miName, StatusCode: ie.StatusCode, err: err}
	}
	return authFailed(miName, err)
}
