package oauth2

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/azid-go/azid/internal/send"
)

// Version is the azid version this package reports in its User-Agent.
const Version = "0.1.0"

// defaultUserAgent is "azid/<version> (<go version>; <GOOS>)", the shape of
// the Go Azure SDK's (spec/PROTOCOL.md 1.5).
var defaultUserAgent = "azid/" + Version + " (" + runtime.Version() + "; " + runtime.GOOS + ")"

// Client sends token requests to one authority. Set its fields before the
// first request and leave them alone afterwards; a Client is then safe for
// concurrent use. Build it with New, which checks the authority.
type Client struct {
	// HTTP sends every request; required. Its timeouts and transport are the
	// caller's. Redirects are never followed whatever its CheckRedirect says:
	// a token request must not carry its secrets to another URL.
	HTTP *http.Client
	// Authority is "https://host/" (a path is allowed); New checks it and
	// normalises the trailing slash.
	Authority string
	// UserAgent is sent as User-Agent. "" means
	// "azid/<version> (<go version>; <GOOS>)".
	UserAgent string
	// Retry says how often and how long to retry; zero fields mean defaults.
	Retry Retry
	// Logger receives Debug records for each try and its response and a
	// Warn record for each retry: endpoint, status, client-request-id,
	// delay. Never a body, a query string or a secret. nil means silent.
	Logger *slog.Logger
	// InstanceDiscovery, when true, validates the authority once per Client
	// before its first token request with
	// GET https://{authority host}/common/discovery/instance?api-version=1.1&authorization_endpoint=...
	// (spec/PROTOCOL.md 3). It never asks another host, and it is skipped for
	// the tenant "adfs" and for the hosts MSAL Go trusts without asking.
	// Because the host vouches for itself, this catches a mistyped or
	// non-Entra authority, not a hostile one: trust in the authority comes
	// from configuring it (and from TLS), never from this check.
	InstanceDiscovery bool

	// now and sleep are the clock; tests in this package replace them.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	// discoveryMu guards discovery.
	discoveryMu sync.Mutex
	discovery   *flight
}

// Retry configures retries of one request (spec/PROTOCOL.md 1.5).
type Retry struct {
	// MaxRetries is the number of retries after the first try. 0 means
	// DefaultMaxRetries; a negative value means none.
	MaxRetries int
	// Delay is the base of the exponential backoff; <= 0 means DefaultDelay.
	Delay time.Duration
	// MaxDelay caps every wait; <= 0 means DefaultMaxDelay. A server that
	// asks (Retry-After) for a longer wait gets no retry: its error is
	// returned at once.
	MaxDelay time.Duration
}

// ErrInvalidRequest is wrapped by every error about input that was refused
// before anything was sent: a bad authority, tenant, client ID, scope, claims
// or Auth.
var ErrInvalidRequest = errors.New("invalid request")

func invalid(format string, args ...any) error {
	return fmt.Errorf("oauth2: %w: %s", ErrInvalidRequest, fmt.Sprintf(format, args...))
}

// New returns a Client for authority, an https URL with a host and no query,
// fragment or user info, such as "https://login.microsoftonline.com/".
// httpClient is required.
func New(authority string, httpClient *http.Client) (*Client, error) {
	if httpClient == nil {
		return nil, invalid("no HTTP client")
	}
	a, err := NormalizeAuthority(authority)
	if err != nil {
		return nil, err
	}
	return &Client{HTTP: httpClient, Authority: a}, nil
}

// NormalizeAuthority checks an authority URL as New does and returns it with
// exactly one trailing slash: the form New stores, which a caller that has
// already called NormalizeAuthority may put in Client.Authority itself. Its
// errors quote no part of the URL but the scheme, as a mistyped authority
// could hold anything.
func NormalizeAuthority(authority string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(authority))
	if err != nil {
		return "", invalid("authority is not a URL")
	}
	switch {
	case u.Scheme != "https":
		// spec/PROTOCOL.md 1.1: authorities must be TLS protected (https).
		return "", invalid("authority must be an https URL, not %q", cut(u.Scheme, maxQuoted))
	case u.Host == "" || u.Hostname() == "":
		return "", invalid("authority has no host")
	case u.User != nil:
		return "", invalid("authority must not carry user info")
	case u.RawQuery != "" || u.ForceQuery:
		return "", invalid("authority must not have a query")
	case u.Fragment != "" || strings.Contains(authority, "#"):
		return "", invalid("authority must not have a fragment")
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	if isAuthority(authority, u.Host, path) {
		return authority, nil // already in this form: no copy
	}
	return "https://" + u.Host + path + "/", nil
}

// isAuthority reports whether s is "https://" + host + path + "/".
func isAuthority(s, host, path string) bool {
	rest, ok := strings.CutPrefix(s, "https://")
	if ok {
		rest, ok = strings.CutPrefix(rest, host)
	}
	if ok {
		rest, ok = strings.CutPrefix(rest, path)
	}
	return ok && rest == "/"
}

// authorityPrefix is the Authority with exactly one trailing slash, however
// the Client was built.
func (c *Client) authorityPrefix() string {
	a := c.Authority
	for strings.HasSuffix(a, "//") {
		a = a[:len(a)-1]
	}
	if !strings.HasSuffix(a, "/") {
		a += "/"
	}
	return a
}

// isADFS reports whether tenant names the ADFS endpoints (spec/PROTOCOL.md 3).
func isADFS(tenant string) bool { return strings.EqualFold(tenant, "adfs") }

// TokenURL is the token endpoint for tenant: {authority}{tenant}/oauth2/v2.0/token
// (spec/PROTOCOL.md 2.1), or {authority}adfs/oauth2/token when tenant is
// "adfs" (spec/PROTOCOL.md 3, ADFS). It is also the audience of a client
// assertion (spec/PROTOCOL.md 4.2). TokenURL does not check tenant; the
// grant methods do.
func (c *Client) TokenURL(tenant string) string {
	if isADFS(tenant) {
		return c.authorityPrefix() + "adfs/oauth2/token"
	}
	return c.authorityPrefix() + tenant + "/oauth2/v2.0/token"
}

// deviceCodeURL is the device authorization endpoint: the token URL with
// "token" replaced by "devicecode", as MSAL Go derives it (spec/PROTOCOL.md 2.9).
func (c *Client) deviceCodeURL(tenant string) string {
	if isADFS(tenant) {
		return c.authorityPrefix() + "adfs/oauth2/devicecode"
	}
	return c.authorityPrefix() + tenant + "/oauth2/v2.0/devicecode"
}

// checkTenant: spec/PROTOCOL.md 1.2, a tenant is non-empty ASCII letters,
// digits, '-' and '.'. It is a path segment, so this also keeps "/", "?",
// "%" and dot segments out of the URL.
func checkTenant(tenant string) error {
	if tenant == "" {
		return invalid("tenant is empty")
	}
	if len(tenant) > maxTenant {
		return invalid("tenant is longer than %d bytes", maxTenant)
	}
	dots := 0
	for i := 0; i < len(tenant); i++ {
		b := tenant[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '-':
		case b == '.':
			dots++
		default:
			return invalid("tenant has a character other than letters, digits, '-' and '.'")
		}
	}
	if dots == len(tenant) {
		return invalid("tenant is only dots")
	}
	return nil
}

func (c *Client) nowTime() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (c *Client) sleepFor(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		return c.sleep(ctx, d)
	}
	return send.Sleep(ctx, d)
}

func (c *Client) userAgent() string {
	if c.UserAgent != "" {
		return c.UserAgent
	}
	return defaultUserAgent
}

func (c *Client) retry() (retries int, delay, maxDelay time.Duration) {
	retries, delay, maxDelay = c.Retry.MaxRetries, c.Retry.Delay, c.Retry.MaxDelay
	switch {
	case retries == 0:
		retries = DefaultMaxRetries
	case retries < 0:
		retries = 0
	}
	if delay <= 0 {
		delay = DefaultDelay
	}
	if maxDelay <= 0 {
		maxDelay = DefaultMaxDelay
	}
	return retries, delay, maxDelay
}
