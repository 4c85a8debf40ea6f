package imds

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewClient(t *testing.T) {
	proxied := &http.Transport{Proxy: http.ProxyFromEnvironment}
	custom := roundTripper{}
	tests := []struct {
		name      string
		in        *http.Client
		timeout   time.Duration
		transport string // "clone": an *http.Transport other than the caller's; "same": the caller's RoundTripper
	}{
		{"nil", nil, tryTimeout, "clone"},
		{"nil transport", &http.Client{Timeout: time.Second}, time.Second, "clone"},
		{"caller's transport", &http.Client{Transport: proxied}, 0, "clone"},
		{"other RoundTripper", &http.Client{Transport: custom}, 0, "same"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := newClient(tt.in, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c == tt.in || c.Timeout != tt.timeout || c.Jar != nil || c.CheckRedirect == nil {
				t.Errorf("client: got timeout %v jar %v redirect %v, want a new client with timeout %v, no jar, redirects refused",
					c.Timeout, c.Jar, c.CheckRedirect != nil, tt.timeout)
			}
			if c.CheckRedirect != nil && c.CheckRedirect(nil, nil) != http.ErrUseLastResponse {
				t.Error("redirects are followed")
			}
			switch tr, ok := c.Transport.(*http.Transport); tt.transport {
			case "clone":
				if !ok || tr == proxied || tr == http.DefaultTransport || tr.Proxy != nil {
					t.Errorf("transport: got %T (proxy set: %v), want a clone without proxy", c.Transport, ok && tr.Proxy != nil)
				}
			case "same":
				if c.Transport != custom {
					t.Errorf("transport: got %T, want the caller's", c.Transport)
				}
			}
		})
	}
	if proxied.Proxy == nil {
		t.Error("the caller's transport was changed")
	}
}

// TestNewClientReplacedDefault: a program whose http.DefaultTransport is a
// wrapper still gets a transport without a proxy.
func TestNewClientReplacedDefault(t *testing.T) {
	saved := http.DefaultTransport
	http.DefaultTransport = roundTripper{}
	defer func() { http.DefaultTransport = saved }()
	c, err := newClient(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tr, ok := c.Transport.(*http.Transport); !ok || tr.Proxy != nil || tr.DialContext == nil {
		t.Errorf("got %T, want a plain *http.Transport without proxy", c.Transport)
	}
}

// TestNilTypedTransport: a Config whose HTTPClient holds a nil
// *http.Transport is an error from New, not a panic.
func TestNilTypedTransport(t *testing.T) {
	var tr *http.Transport
	if _, err := New(Config{HTTPClient: &http.Client{Transport: tr}}); err == nil {
		t.Error("New accepted a nil *http.Transport")
	}
}

// TestStringOfZeroSource: a Source not made by New prints, as Token and
// Probe refuse it, without a panic.
func TestStringOfZeroSource(t *testing.T) {
	for _, s := range []string{(&Source{}).String(), (&Source{}).GoString(), (&Source{}).LogValue().String()} {
		if !strings.HasPrefix(s, "imds.Source{") {
			t.Errorf("zero Source prints %q", s)
		}
	}
}
