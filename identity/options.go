package identity

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/azid-go/azid/cache"
	"github.com/azid-go/azid/oauth2"
)

// Authority hosts of the public clouds (PROTOCOL.md 1.1).
const (
	AzurePublicCloud = "https://login.microsoftonline.com/"
	AzureChina       = "https://login.chinacloudapi.cn/"
	AzureGovernment  = "https://login.microsoftonline.us/"
)

// ClientOptions are the options every credential that makes HTTP requests
// shares. The zero value means defaults throughout.
type ClientOptions struct {
	// AuthorityHost is the Entra ID host, an https URL. "": the value of
	// AZURE_AUTHORITY_HOST, else AzurePublicCloud. Managed identity and the
	// developer tools ignore it.
	AuthorityHost string
	// HTTPClient sends every request. nil: a client with connect, TLS and
	// response-header timeouts (http.DefaultClient has none).
	HTTPClient *http.Client
	// Logger receives what the credential does, never a secret. nil: silent.
	Logger *slog.Logger
	// Retry governs retries of throttled (429) and failed (5xx) requests.
	Retry RetryOptions
	// Cache holds the credential's tokens. nil: a private cache per
	// credential; pass one from cache.New to several credentials to share it.
	Cache *cache.Cache
	// AdditionallyAllowedTenants lists the tenants, besides the configured
	// one, that a request's TenantID may name; "*" allows any. nil: the
	// value of AZURE_ADDITIONALLY_ALLOWED_TENANTS (';'-separated).
	AdditionallyAllowedTenants []string
	// DisableInstanceDiscovery is accepted for compatibility with azidentity.
	// azid never performs instance discovery unless asked through
	// EnableInstanceDiscovery; when both are set, this one wins.
	DisableInstanceDiscovery bool
	// EnableInstanceDiscovery validates the authority once, with a request
	// to the same host's discovery endpoint, before the first token request.
	EnableInstanceDiscovery bool
}

// RetryOptions governs retries of token requests. Zero values mean the
// defaults of PROTOCOL.md 1.5: 3 retries, 0.8 s base delay, 60 s at most.
// Managed identity has its own defaults (PROTOCOL.md 7.3).
type RetryOptions struct {
	MaxRetries    int           // 0: 3; negative: no retries
	RetryDelay    time.Duration // 0: 800 ms
	MaxRetryDelay time.Duration // 0: 60 s
}

// defaultHTTPClient is shared by every credential that was given no client,
// so they share connections. It is built on first use.
var defaultHTTPClient = sync.OnceValue(func() *http.Client {
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: t, Timeout: requestTimeout}
})

func (o *ClientOptions) httpClient() *http.Client {
	if o.HTTPClient != nil {
		return o.HTTPClient
	}
	return defaultHTTPClient()
}

func (o *ClientOptions) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return discardLogger
}

var discardLogger = slog.New(discardHandler{})

// discardHandler drops every record (slog.DiscardHandler is Go 1.24).
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }

func (o *ClientOptions) cache() *cache.Cache {
	if o.Cache != nil {
		return o.Cache
	}
	return cache.New(cache.Options{})
}

func (o *ClientOptions) allowedTenants() []string {
	if o.AdditionallyAllowedTenants != nil {
		return o.AdditionallyAllowedTenants
	}
	return envList(envAdditionallyAllowedTenants)
}

// authority returns the normalised authority host ("https://host/") from the
// option, else AZURE_AUTHORITY_HOST, else the public cloud. A host without
// scheme gets https (as PY does); any other scheme is refused.
func (o *ClientOptions) authority(cred string) (string, error) {
	a := o.AuthorityHost
	if a == "" {
		a = getenv(envAuthorityHost)
	}
	if a == "" {
		return AzurePublicCloud, nil
	}
	return normalizeAuthority(cred, a)
}

// normalizeAuthority accepts a host alone ("login.microsoftonline.us") as
// https, then checks and normalizes the URL as package oauth2 does, so that
// the result can go into an oauth2.Client without being parsed again.
func normalizeAuthority(cred, a string) (string, error) {
	a = strings.TrimSpace(a)
	if !strings.Contains(a, "://") {
		a = "https://" + a
	}
	a, err := oauth2.NormalizeAuthority(a)
	if err != nil {
		return "", inputError(cred, ErrInvalidAuthority, "%v", err)
	}
	return a, nil
}
