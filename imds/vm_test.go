package imds

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// vmConfig points a Config at f through AZURE_POD_IDENTITY_AUTHORITY_HOST,
// the way DESIGN.md lets IMDS be moved.
func vmConfig(f *fakeEndpoint, clk *fakeClock, id ID) Config {
	return Config{Getenv: envOf(envPodIdentityHost, f.URL+"/"), ID: id, now: clk.now, sleep: clk.sleep}
}

func TestVMRequest(t *testing.T) {
	tests := []struct {
		name  string
		id    ID
		param string // the selector's query parameter
	}{
		{"system-assigned", ID{}, ""},
		{"client ID", ID{ClientID, testClientID}, "client_id"},
		{"object ID", ID{ObjectID, testObjectID}, "object_id"},
		{"resource ID", ID{ResourceID, testResourceID}, "msi_res_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newEndpoint(t, false, reply{body: sampleIMDS})
			clk := newClock()
			s := mustNew(t, vmConfig(f, clk, tt.id))
			if s.Kind() != IMDS {
				t.Fatalf("Kind: got %s, want IMDS", s.Kind())
			}
			tok, err := s.Token(context.Background(), testResource)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, tok, expiresOn, time.Time{})
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			q := url.Values{"api-version": {"2018-02-01"}, "resource": {testResource}}
			if tt.param != "" {
				q.Set(tt.param, tt.id.Value)
			}
			checkRequest(t, reqs[0], "GET", "/metadata/identity/oauth2/token", q, map[string]string{"Metadata": "true"}, "")
		})
	}
}

func TestVMExpiresForms(t *testing.T) {
	for _, form := range expiresForms {
		t.Run(form.name, func(t *testing.T) {
			f := newEndpoint(t, false, reply{body: `{"access_token":"` + tokenValue + `",` + form.fields + `}`})
			clk := newClock()
			tok, err := mustNew(t, vmConfig(f, clk, ID{})).Token(context.Background(), testResource)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, tok, form.expires, form.refresh)
		})
	}
}

func TestVMDefaultEndpoint(t *testing.T) {
	s := mustNew(t, Config{})
	if s.Kind() != IMDS || s.Endpoint() != "169.254.169.254/metadata/identity/oauth2/token" || !s.probe {
		t.Errorf("got %s at %s (probe %v), want IMDS at 169.254.169.254/metadata/identity/oauth2/token with probe", s.Kind(), s.Endpoint(), s.probe)
	}
	req, err := s.vmRequest(context.Background(), testResource)
	if err != nil {
		t.Fatal(err)
	}
	want := "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com"
	if req.URL.String() != want {
		t.Errorf("URL: got %s, want %s", req.URL, want)
	}
}

func TestVMErrors(t *testing.T) {
	tests := []struct {
		name        string
		id          ID
		reply       reply
		unavailable bool
		message     string // a substring of Error()
	}{
		{"400 system-assigned", ID{}, reply{status: 400, body: `{"error":"invalid_request","error_description":"Identity not found"}`},
			true, "HTTP 400: no identity is assigned to this resource: invalid_request: Identity not found"},
		{"400 user-assigned", ID{ClientID, testClientID}, reply{status: 400, body: `{"error":"invalid_request","error_description":"Identity not found"}`},
			false, "the requested client ID identity isn't assigned to this resource: invalid_request: Identity not found"},
		{"403 unreachable", ID{}, reply{status: 403, body: "A socket operation was attempted to an unreachable network."},
			true, "HTTP 403"},
		{"403 other", ID{}, reply{status: 403, body: `{"error":"forbidden","error_description":"no"}`},
			false, "HTTP 403: forbidden: no"},
		{"200 not JSON", ID{}, reply{body: "<html>captive portal</html>"},
			true, "HTTP 200: unusable token response: the body is not a JSON object"},
		{"200 JSON without token", ID{}, reply{body: `{"expires_on":"1715900000"}`},
			false, "unusable token response: no access_token"},
		{"401 body not JSON", ID{}, reply{status: 401, body: "nope"},
			false, "HTTP 401: no error message in the 4-byte body"},
		{"redirect", ID{}, reply{status: 307, header: map[string]string{"Location": "/elsewhere"}},
			false, "HTTP 307: redirect refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newEndpoint(t, false, tt.reply)
			clk := newClock()
			_, err := mustNew(t, vmConfig(f, clk, tt.id)).Token(context.Background(), testResource)
			e := asError(t, err)
			if e.Unavailable != tt.unavailable || !strings.Contains(err.Error(), tt.message) {
				t.Errorf("got %q (unavailable %v), want it to contain %q (unavailable %v)", err, e.Unavailable, tt.message, tt.unavailable)
			}
			if len(f.requests()) != 1 {
				t.Errorf("got %d requests, want 1 (not retried)", len(f.requests()))
			}
		})
	}
}

// TestVMNoAnswerUnavailable: nothing listening is Unavailable after the
// retries, which the fake clock makes instant.
func TestVMNoAnswerUnavailable(t *testing.T) {
	clk := newClock()
	s := mustNew(t, Config{Getenv: envOf(envPodIdentityHost, closedURL(t)), now: clk.now, sleep: clk.sleep})
	_, err := s.Token(context.Background(), testResource)
	e := asError(t, err)
	if !e.Unavailable || e.StatusCode != 0 || e.Err == nil {
		t.Errorf("got %v (unavailable %v), want an unavailable error with a cause", err, e.Unavailable)
	}
	if got := len(clk.slept()); got != imdsRetries {
		t.Errorf("got %d waits, want %d", got, imdsRetries)
	}
}

func TestVMPodIdentityHost(t *testing.T) {
	tests := []struct {
		name, host, want string
		ok               bool
	}{
		{"host", "http://10.0.0.1", "10.0.0.1/metadata/identity/oauth2/token", true},
		{"trailing slash", "http://10.0.0.1:2579/", "10.0.0.1:2579/metadata/identity/oauth2/token", true},
		{"https", "https://nmi.local", "nmi.local/metadata/identity/oauth2/token", true},
		{"no scheme", "10.0.0.1", "", false},
		{"ftp", "ftp://10.0.0.1", "", false},
		{"query", "http://10.0.0.1/?a=b", "", false},
		{"user info", "http://u:p@10.0.0.1", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(Config{Getenv: envOf(envPodIdentityHost, tt.host)})
			if !tt.ok {
				if err == nil {
					t.Fatalf("New accepted %q", tt.host)
				}
				if strings.Contains(err.Error(), "u:p") {
					t.Errorf("error quotes the URL: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Endpoint() != tt.want || s.probe {
				t.Errorf("got %s (probe %v), want %s without probe", s.Endpoint(), s.probe, tt.want)
			}
		})
	}
}

// TestVMIgnoresProxy is the HTTP_PROXY security test: with HTTP_PROXY
// pointing at a listener that counts connections, IMDS requests reach the
// fake IMDS and the proxy sees nothing, both with the default client and
// with a caller's client whose transport would use the proxy.
func TestVMIgnoresProxy(t *testing.T) {
	var proxied, connected atomic.Int32
	proxy := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		proxied.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	// Only new connections count: the control request's connection moves to
	// idle and closed later, on the server's goroutines, after the counters
	// are reset (CI saw that event counted as an IMDS request's).
	proxy.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			connected.Add(1)
		}
	}
	proxy.Start()
	t.Cleanup(proxy.Close)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")

	imds := newEndpoint(t, false, reply{body: sampleIMDS})
	// A name that is not loopback, so that net/http's environment proxy
	// rule would apply to it, dialled to the fake IMDS.
	const fakeHost = "imds.test:80"
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == fakeHost {
			addr = imds.Listener.Addr().String()
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	callers := &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, DialContext: dial}}

	// Control: the caller's client alone does go through the proxy. If
	// this fails, something in the test binary read the proxy variables
	// before t.Setenv (net/http reads them once).
	resp, err := callers.Get("http://" + fakeHost + "/control")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if proxied.Load() != 1 {
		t.Fatalf("control: the proxy saw %d requests, want 1; the test cannot tell a proxied request", proxied.Load())
	}
	proxied.Store(0)
	connected.Store(0)

	tests := []struct {
		name   string
		host   string
		client *http.Client
	}{
		{"default client", imds.URL, nil},
		{"caller's client with ProxyFromEnvironment", "http://" + fakeHost, callers},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(imds.requests())
			clk := newClock() // a proxied request would fail and be retried: no real waits
			s := mustNew(t, Config{Getenv: envOf(envPodIdentityHost, tt.host), HTTPClient: tt.client, now: clk.now, sleep: clk.sleep})
			if _, err := s.Token(context.Background(), testResource); err != nil {
				t.Fatal(err)
			}
			if got := len(imds.requests()) - before; got != 1 {
				t.Errorf("the fake IMDS got %d requests, want 1", got)
			}
			if proxied.Load() != 0 || connected.Load() != 0 {
				t.Errorf("the proxy saw %d requests and %d new connections, want none", proxied.Load(), connected.Load())
			}
		})
	}
	if tr := callers.Transport.(*http.Transport); tr.Proxy == nil {
		t.Error("New changed the caller's transport instead of a clone")
	}
}
