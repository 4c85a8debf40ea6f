package imds

import (
	"crypto/sha1"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
)

// newClient returns the client every request of a Source goes through: a
// copy of c (nil: a default one, with tryTimeout) whose *http.Transport is
// cloned with Proxy set to nil, which refuses redirects and keeps no
// cookies. With pin (the
// Service Fabric thumbprint), the transport must be an *http.Transport and
// accepts only a server whose leaf certificate has that SHA-1.
func newClient(c *http.Client, pin []byte) (*http.Client, error) {
	var rt http.RoundTripper
	var timeout = tryTimeout
	if c != nil {
		rt, timeout = c.Transport, c.Timeout
	}
	if rt == nil {
		// What http.Client would use, unless a program replaced it with a
		// wrapper that might proxy: then a plain transport of our own.
		rt = http.DefaultTransport
		if _, ok := rt.(*http.Transport); !ok {
			rt = &http.Transport{
				DialContext:         (&net.Dialer{Timeout: dialTimeout}).DialContext,
				TLSHandshakeTimeout: dialTimeout,
			}
		}
	}
	t, ok := rt.(*http.Transport)
	if ok && t == nil {
		return nil, errors.New("the HTTPClient transport is a nil *http.Transport")
	}
	if ok {
		t = t.Clone()
		// PROTOCOL.md 7.3: "no proxy should be used (169.254.169.254 is
		// link-local)"; the other endpoints are on the host too.
		t.Proxy = nil
		rt = t
	}
	if pin != nil {
		if !ok {
			return nil, errors.New("the HTTPClient transport must be an *http.Transport to pin the server certificate")
		}
		// A TLS dialer of the caller's would bypass TLSClientConfig, and the pin.
		if t.DialTLSContext != nil || t.DialTLS != nil {
			return nil, errors.New("the server certificate cannot be pinned through a custom TLS dialer")
		}
		t.TLSClientConfig = pinnedTLS(t.TLSClientConfig, pin)
	}
	return &http.Client{
		Transport: rt,
		Timeout:   timeout,
		// Never follow: Go forwards custom headers such as X-IDENTITY-HEADER
		// and Secret to the redirect target. finish reports the 3xx.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// pinnedTLS returns a copy of base (nil: an empty config) that skips chain
// building and hostname checks, which a self-signed node certificate would
// fail, and instead requires the leaf certificate's SHA-1 to equal pin.
// PROTOCOL.md 7.7 (GO): "the TLS handshake skips chain validation and
// instead compares SHA-1(leaf certificate DER) with the thumbprint in
// constant time".
func pinnedTLS(base *tls.Config, pin []byte) *tls.Config {
	cfg := &tls.Config{}
	if base != nil {
		cfg = base.Clone()
	}
	cfg.InsecureSkipVerify = true // chain building only: VerifyConnection below still runs
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
	want := append([]byte(nil), pin...)
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("imds: ServiceFabric: the server sent no certificate")
		}
		got := sha1.Sum(cs.PeerCertificates[0].Raw)
		if subtle.ConstantTimeCompare(got[:], want) != 1 {
			return errPinMismatch
		}
		return nil
	}
	return cfg
}
