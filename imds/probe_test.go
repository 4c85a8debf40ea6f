package imds

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"
)

// probeAt returns an IMDS source whose link-local endpoint is replaced by
// rawURL, the one field a test cannot reach through Config (the pod
// identity variable turns the probe off).
func probeAt(t *testing.T, rawURL string) *Source {
	t.Helper()
	s := mustNew(t, Config{})
	u, err := url.Parse(rawURL + imdsTokenPath)
	if err != nil {
		t.Fatal(err)
	}
	s.endpoint = u
	return s
}

// TestProbeClosedPort: nothing listening is Unavailable, quickly.
func TestProbeClosedPort(t *testing.T) {
	s := probeAt(t, closedURL(t))
	start := time.Now()
	err := s.Probe(context.Background())
	took := time.Since(start)
	if e := asError(t, err); !e.Unavailable || e.StatusCode != 0 {
		t.Errorf("got %v (unavailable %v), want Unavailable without a status", err, e.Unavailable)
	}
	if took >= 2*time.Second {
		t.Errorf("the probe took %v, want well under 2 s", took)
	}
}

// TestProbeSilentListener: a listener that accepts and never answers is the
// stall the probe exists for; the 1 s limit ends it.
func TestProbeSilentListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent, until the listener closes
		}
	}()
	s := probeAt(t, "http://"+l.Addr().String())
	start := time.Now()
	err = s.Probe(context.Background())
	took := time.Since(start)
	if e := asError(t, err); !e.Unavailable || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want Unavailable after the deadline", err)
	}
	if took >= 2*time.Second {
		t.Errorf("the probe took %v, want about 1 s", took)
	}
}

func TestProbeAnswers(t *testing.T) {
	tests := []struct {
		name        string
		reply       reply
		unavailable bool // false: Probe returns nil
	}{
		{"IMDS 400", reply{status: 400, body: `{"error":"invalid_request","error_description":"Required metadata header not specified"}`}, false},
		{"IMDS 404 JSON", reply{status: 404, body: `{"error":"not_found"}`}, false},
		{"403 unreachable", reply{status: 403, body: "connecting to 169.254.169.254:80: A socket operation was attempted to an unreachable network."}, true},
		{"not JSON", reply{status: 200, body: "<html>hello</html>"}, true},
		{"empty body", reply{status: 400}, true},
		{"JSON array", reply{status: 400, body: "[1]"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newEndpoint(t, false, tt.reply)
			s := probeAt(t, f.URL)
			err := s.Probe(context.Background())
			if !tt.unavailable {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
			} else if e := asError(t, err); !e.Unavailable {
				t.Fatalf("got %v, want Unavailable", err)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1 (no retries)", len(reqs))
			}
			// GO's probe: "no query, no headers".
			checkRequest(t, reqs[0], "GET", imdsTokenPath, url.Values{}, map[string]string{}, "")
		})
	}
}

// TestProbeSkipped: no request where the probe means nothing.
func TestProbeSkipped(t *testing.T) {
	f := newEndpoint(t, false)
	for _, env := range []func(string) string{
		envOf(envPodIdentityHost, f.URL),
		envOf(envIdentityEndpoint, f.URL, envIdentityHeader, "h"),
		envOf(envMSIEndpoint, f.URL),
	} {
		if err := mustNew(t, Config{Getenv: env}).Probe(context.Background()); err != nil {
			t.Errorf("got %v, want nil", err)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("got %d requests, want none", n)
	}
}

// TestProbeCancelled: the caller's own cancellation is not "unavailable".
func TestProbeCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := probeAt(t, closedURL(t)).Probe(ctx)
	if e := asError(t, err); e.Unavailable || !errors.Is(err, context.Canceled) {
		t.Errorf("got %v (unavailable %v), want a cancellation", err, e.Unavailable)
	}
}

// TestSourcePrintsNoSecret: no fmt verb shows IDENTITY_HEADER, value or
// pointer.
func TestSourcePrintsNoSecret(t *testing.T) {
	env := map[string]string{"IDENTITY_ENDPOINT": "http://127.0.0.1:1/msi/token", "IDENTITY_HEADER": "canary-identity-header"}
	s, err := New(Config{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("%v %+v %#v %s", s, *s, s, s)
	if strings.Contains(out, "canary-identity-header") {
		t.Fatalf("printing the source shows its secret: %s", out)
	}
}
