package identitytest

import (
	"crypto/rsa"
	"crypto/x509"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// DefaultTenantID is the tenant id ("tid") put in tokens requested through
// /common, /organizations or /consumers when neither the app nor the user
// names a home tenant, and through Server.AuthCode for such users.
const DefaultTenantID = "7e57e57e-0000-4000-8000-000000000001"

// Options configures a Server. The zero value of every field is its default.
type Options struct {
	// TokenLifetime is the lifetime of issued access tokens (expires_in).
	// Zero means one hour.
	TokenLifetime time.Duration

	// RefreshIn, when positive, adds refresh_in (in whole seconds) to every
	// token response (PROTOCOL 2.12). Zero means the field is not sent.
	RefreshIn time.Duration

	// RefreshTokenLifetime bounds how long a refresh token can be redeemed.
	// Zero means 90 days.
	RefreshTokenLifetime time.Duration

	// Now is the server's clock, for token times and every expiry check.
	// Nil means time.Now. Tests that move time forward set it.
	Now func() time.Time

	// DeviceCodeInterval is the polling interval the devicecode endpoint
	// announces, in whole seconds. Zero means 5 s; a negative value
	// announces 0, so a client under test polls without waiting.
	DeviceCodeInterval time.Duration

	// DeviceCodeLifetime is how long a device code lives (expires_in). Zero
	// means 15 minutes.
	DeviceCodeLifetime time.Duration

	// DeviceCodeUser, when set, approves every device code for this user as
	// it is issued, as if the user had signed in at once.
	DeviceCodeUser string

	// SlowDown makes the device code grant answer slow_down to a poll that
	// comes sooner than the interval after the previous one (RFC 8628,
	// Section 3.5). Off by default: Entra ID is not known to send it.
	SlowDown bool

	// AllowAssertionReuse accepts a certificate assertion whose jti was
	// seen before. By default a reused jti is refused (RFC 7523, Section 3,
	// item 7 allows it), which catches a client that replays assertions;
	// Entra ID itself tolerates reuse within the assertion's lifetime (MSAL
	// Python caches assertions, PROTOCOL 4.2), so set this to test such a
	// client.
	AllowAssertionReuse bool
}

// Server is a fake Microsoft Entra ID on an httptest TLS server. Create it
// with New and Close it when done. It is safe for concurrent use.
type Server struct {
	ts   *httptest.Server
	opts Options
	key  *rsa.PrivateKey
	kid  string

	done      chan struct{} // closed by Close, to end Delay faults
	closeOnce sync.Once

	// sigMu guards sigs, recently signed tokens by their claims JSON.
	sigMu sync.Mutex
	sigs  map[string]string

	// mu guards every field below it.
	mu        sync.Mutex
	apps      map[string]App         // by client id
	users     map[string]User        // by lower-cased username
	codes     map[string]*authCode   // authorization codes by value
	refresh   map[string]*refreshRec // refresh tokens by value
	devices   map[string]*deviceRec  // device codes by device_code
	userCodes map[string]*deviceRec  // the same records by user_code
	jtis      map[string]time.Time   // client id + "\x00" + jti -> assertion expiry
	faults    faultQueue             // has its own lock
	log       []Request
	logGen    int // counts ResetRequests, so a late status lands nowhere
	resources []*Resource
}

// New starts a Server on a loopback TLS listener. o may be nil.
func New(o *Options) *Server {
	s := &Server{
		apps:      make(map[string]App),
		users:     make(map[string]User),
		codes:     make(map[string]*authCode),
		refresh:   make(map[string]*refreshRec),
		devices:   make(map[string]*deviceRec),
		userCodes: make(map[string]*deviceRec),
		jtis:      make(map[string]time.Time),
		done:      make(chan struct{}),
		sigs:      make(map[string]string),
	}
	if o != nil {
		s.opts = *o
	}
	if s.opts.TokenLifetime <= 0 {
		s.opts.TokenLifetime = defaultTokenLifetime
	}
	if s.opts.RefreshTokenLifetime <= 0 {
		s.opts.RefreshTokenLifetime = defaultRefreshTokenLifetime
	}
	if s.opts.Now == nil {
		s.opts.Now = time.Now
	}
	switch {
	case s.opts.DeviceCodeInterval == 0:
		s.opts.DeviceCodeInterval = defaultDeviceCodeInterval
	case s.opts.DeviceCodeInterval < 0:
		s.opts.DeviceCodeInterval = 0
	}
	if s.opts.DeviceCodeLifetime <= 0 {
		s.opts.DeviceCodeLifetime = defaultDeviceCodeLifetime
	}
	s.key, s.kid = signingKey()
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.ts.Config.ErrorLog = log.New(quietAfterClose{s.done}, "", log.LstdFlags)
	s.ts.StartTLS()
	return s
}

// Close shuts the server down and blocks until every request has finished.
// Requests held by a Delay fault end at once.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
	s.ts.Close()
}

// Authority is the server's authority host with a trailing slash,
// "https://127.0.0.1:PORT/": the value identity.ClientOptions.AuthorityHost
// takes.
func (s *Server) Authority() string { return s.ts.URL + "/" }

// URL is the server's base URL without a trailing slash.
func (s *Server) URL() string { return s.ts.URL }

// Host is the server's host and port, "127.0.0.1:PORT".
func (s *Server) Host() string { return strings.TrimPrefix(s.ts.URL, "https://") }

// TokenURL is the token endpoint for tenant:
// "https://127.0.0.1:PORT/{tenant}/oauth2/v2.0/token", the audience a
// client assertion must name. For tenant "adfs" it is the ADFS endpoint,
// "https://127.0.0.1:PORT/adfs/oauth2/token".
func (s *Server) TokenURL(tenant string) string {
	if strings.EqualFold(tenant, "adfs") {
		return s.ts.URL + "/adfs/oauth2/token"
	}
	return s.ts.URL + "/" + tenant + "/oauth2/v2.0/token"
}

// Client returns an HTTP client that trusts the server's certificate. It
// stops working when the server is closed.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// CertPool returns a pool holding the server's certificate, for building a
// client with your own transport settings.
func (s *Server) CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(s.ts.Certificate())
	return pool
}

// Certificate is the server's TLS certificate.
func (s *Server) Certificate() *x509.Certificate { return s.ts.Certificate() }

// SigningKey is the public key that verifies every token the server issues.
func (s *Server) SigningKey() *rsa.PublicKey { return &s.key.PublicKey }

// quietAfterClose passes net/http's server log to the standard logger until
// the server is closed, then drops it: closing cuts connections the client
// transport was still setting up, and "TLS handshake error ... use of closed
// network connection" lines about them are noise in a test's output.
type quietAfterClose struct{ done chan struct{} }

func (q quietAfterClose) Write(p []byte) (int, error) {
	select {
	case <-q.done:
		return len(p), nil
	default:
		return log.Writer().Write(p)
	}
}

// now reads the server's clock.
func (s *Server) now() time.Time { return s.opts.Now() }
