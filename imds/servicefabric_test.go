package imds

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const sfSecret = "service-fabric-secret-5e6f"

// sfThumbprint is the SHA-1 thumbprint of srv's certificate, in hex.
func sfThumbprint(srv *httptest.Server) string {
	sum := sha1.Sum(srv.Certificate().Raw)
	return hex.EncodeToString(sum[:])
}

func sfEnv(endpoint, thumbprint string) func(string) string {
	return envOf(envIdentityEndpoint, endpoint, envIdentityHeader, sfSecret, envThumbprint, thumbprint)
}

func TestServiceFabricRequest(t *testing.T) {
	f := newEndpoint(t, true, reply{body: sampleSF})
	tp := sfThumbprint(f.Server)
	tests := []struct {
		name       string
		thumbprint string
	}{
		{"lower-case hex", tp},
		{"upper case with colons", strings.ToUpper(strings.Join(pairs(tp), ":"))},
		{"spaces", strings.Join(pairs(tp), " ")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.requests())
			s := mustNew(t, Config{Getenv: sfEnv(f.URL+"/metadata/identity/oauth2/token", tt.thumbprint)})
			if s.Kind() != ServiceFabric {
				t.Fatalf("Kind: got %s, want ServiceFabric", s.Kind())
			}
			tok, err := s.Token(context.Background(), "https://vault.azure.net")
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, tok, expiresOn, time.Time{})
			reqs := f.requests()[before:]
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			checkRequest(t, reqs[0], "GET", "/metadata/identity/oauth2/token",
				url.Values{"api-version": {"2019-07-01-preview"}, "resource": {"https://vault.azure.net"}},
				map[string]string{"Secret": sfSecret, "Accept": "application/json"}, "")
		})
	}
}

func TestServiceFabricExpiresForms(t *testing.T) {
	for _, form := range expiresForms {
		t.Run(form.name, func(t *testing.T) {
			f := newEndpoint(t, true, reply{body: `{"access_token":"` + tokenValue + `",` + form.fields + `}`})
			tok, err := mustNew(t, Config{Getenv: sfEnv(f.URL, sfThumbprint(f.Server)), now: newClock().now}).Token(context.Background(), testResource)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, tok, form.expires, form.refresh)
		})
	}
}

// TestServiceFabricOtherCertificate: a server whose certificate is not the
// pinned one gets no request at all: the handshake fails.
func TestServiceFabricOtherCertificate(t *testing.T) {
	pinned := newEndpoint(t, true) // only its thumbprint is used
	other := &fakeEndpoint{answer: func(int, *http.Request) reply { return reply{body: sampleSF} }}
	other.Server = httptest.NewUnstartedServer(other)
	other.TLS = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	other.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	other.StartTLS()
	t.Cleanup(other.Close)

	clk := newClock()
	s := mustNew(t, Config{Getenv: sfEnv(other.URL, sfThumbprint(pinned.Server)), now: clk.now, sleep: clk.sleep})
	_, err := s.Token(context.Background(), testResource)
	e := asError(t, err)
	if e.StatusCode != 0 || !errors.Is(err, errPinMismatch) || strings.Count(err.Error(), "imds:") != 1 {
		t.Errorf("got %v, want a thumbprint mismatch", err)
	}
	if len(clk.slept()) != 0 {
		t.Errorf("a certificate mismatch was retried: waits %v", clk.slept())
	}
	if strings.Contains(err.Error(), sfSecret) {
		t.Errorf("secret in error: %v", err)
	}
	if n := len(other.requests()); n != 0 {
		t.Errorf("the impostor got %d requests, want 0", n)
	}
}

// TestServiceFabricRedirect: a redirect is not followed, so its target
// never sees the Secret header.
func TestServiceFabricRedirect(t *testing.T) {
	target := newEndpoint(t, true, reply{body: sampleSF})
	f := newEndpoint(t, true, reply{status: http.StatusFound, header: map[string]string{"Location": target.URL + "/steal"}})
	s := mustNew(t, Config{Getenv: sfEnv(f.URL, sfThumbprint(f.Server))})
	_, err := s.Token(context.Background(), testResource)
	if e := asError(t, err); e.StatusCode != http.StatusFound || !strings.Contains(err.Error(), "redirect refused") {
		t.Errorf("got %v, want the 302 refused", err)
	}
	if len(f.requests()) != 1 || len(target.requests()) != 0 {
		t.Errorf("requests: endpoint %d (want 1), redirect target %d (want 0)", len(f.requests()), len(target.requests()))
	}
}

func TestServiceFabricNew(t *testing.T) {
	f := newEndpoint(t, true)
	tp := sfThumbprint(f.Server)
	tests := []struct {
		name   string
		cfg    Config
		reason string
	}{
		{"http endpoint", Config{Getenv: sfEnv("http://127.0.0.1:2377/", tp)}, "must be an https URL"},
		{"short thumbprint", Config{Getenv: sfEnv(f.URL, tp[:38])}, "is not a SHA-1 thumbprint"},
		{"long thumbprint", Config{Getenv: sfEnv(f.URL, tp+"00")}, "is not a SHA-1 thumbprint"},
		{"not hex", Config{Getenv: sfEnv(f.URL, "zz"+tp[2:])}, "is not a SHA-1 thumbprint"},
		{"client ID", Config{Getenv: sfEnv(f.URL, tp), ID: ID{ClientID, testClientID}}, "doesn't support specifying a user-assigned identity"},
		{"resource ID", Config{Getenv: sfEnv(f.URL, tp), ID: ID{ResourceID, testResourceID}}, "doesn't support specifying a user-assigned identity"},
		{"custom RoundTripper", Config{Getenv: sfEnv(f.URL, tp), HTTPClient: &http.Client{Transport: roundTripper{}}}, "must be an *http.Transport"},
		{"custom TLS dialer", Config{Getenv: sfEnv(f.URL, tp), HTTPClient: &http.Client{Transport: &http.Transport{
			DialTLSContext: (&net.Dialer{}).DialContext}}}, "custom TLS dialer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("got %v, want an error saying %q", err, tt.reason)
			}
			if strings.Contains(err.Error(), sfSecret) {
				t.Errorf("secret in error: %v", err)
			}
		})
	}
}

// TestServiceFabricKeepsCallerTLS: a caller's transport is cloned, not
// changed.
func TestServiceFabricKeepsCallerTLS(t *testing.T) {
	f := newEndpoint(t, true, reply{body: sampleSF})
	tr := &http.Transport{TLSClientConfig: &tls.Config{ServerName: "keep"}}
	s := mustNew(t, Config{Getenv: sfEnv(f.URL, sfThumbprint(f.Server)), HTTPClient: &http.Client{Transport: tr}})
	if _, err := s.Token(context.Background(), testResource); err != nil {
		t.Fatal(err)
	}
	if tr.TLSClientConfig.InsecureSkipVerify || tr.TLSClientConfig.VerifyConnection != nil {
		t.Error("New changed the caller's TLS configuration")
	}
}

type roundTripper struct{}

func (roundTripper) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, http.ErrNotSupported
}

// pairs splits hex into two-character groups.
func pairs(hex string) []string {
	var p []string
	for i := 0; i+1 < len(hex); i += 2 {
		p = append(p, hex[i:i+2])
	}
	return p
}

// selfSigned makes a fresh P-256 certificate for 127.0.0.1.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "impostor"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  nil,
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
