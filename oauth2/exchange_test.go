package oauth2

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var ccReq = Request{Tenant: "t", ClientID: "c", Auth: Auth{Secret: "s"}, Scopes: []string{"r/.default"}}

// inJitter reports whether d is base*[0.8, 1.3), capped at max.
func inJitter(d, base, max time.Duration) bool {
	lo, hi := time.Duration(float64(base)*0.8), time.Duration(float64(base)*1.3)
	if lo > max {
		return d == max
	}
	return d >= lo && (d < hi || d == max)
}

func TestRetry(t *testing.T) {
	ra := func(status int, v string) reply {
		return reply{status: status, header: map[string]string{"Retry-After": v}, body: `{"error":"temporarily_unavailable"}`}
	}
	tests := []struct {
		name      string
		retry     Retry
		replies   []reply
		wantTries int
		wantBase  []time.Duration // backoff bases (jittered), or exact when exact is set
		exact     bool
		wantErr   int // status of the final *Error, 0 for success
	}{
		{name: "success first", replies: []reply{ok()}, wantTries: 1},
		{name: "each retryable status", replies: []reply{{status: 408}, {status: 429}, {status: 500}, ok()}, wantTries: 4,
			wantBase: []time.Duration{800 * time.Millisecond, 2400 * time.Millisecond, 5600 * time.Millisecond}},
		{name: "502 503 504", replies: []reply{{status: 502}, {status: 503}, {status: 504}, ok()}, wantTries: 4,
			wantBase: []time.Duration{800 * time.Millisecond, 2400 * time.Millisecond, 5600 * time.Millisecond}},
		{name: "gives up after MaxRetries", replies: []reply{{status: 503}}, wantTries: 4, wantErr: 503,
			wantBase: []time.Duration{800 * time.Millisecond, 2400 * time.Millisecond, 5600 * time.Millisecond}},
		{name: "400 not retried", replies: []reply{{status: 400, body: rfc6749Error}}, wantTries: 1, wantErr: 400},
		{name: "401 with Retry-After not retried", replies: []reply{ra(401, "1")}, wantTries: 1, wantErr: 401},
		{name: "501 not retried", replies: []reply{{status: 501}}, wantTries: 1, wantErr: 501},
		{name: "Retry-After honoured", replies: []reply{ra(429, "7"), ok()}, wantTries: 2, exact: true, wantBase: []time.Duration{7 * time.Second}},
		{name: "retry-after-ms honoured", replies: []reply{{status: 503, header: map[string]string{"Retry-After-Ms": "250"}}, ok()}, wantTries: 2,
			exact: true, wantBase: []time.Duration{250 * time.Millisecond}},
		{name: "Retry-After zero", replies: []reply{ra(503, "0"), ok()}, wantTries: 2, exact: true, wantBase: []time.Duration{0}},
		{name: "Retry-After beyond MaxDelay stops", replies: []reply{ra(429, "61"), ok()}, wantTries: 1, wantErr: 429},
		{name: "Retry-After within custom MaxDelay", retry: Retry{MaxDelay: 2 * time.Minute}, replies: []reply{ra(429, "61"), ok()}, wantTries: 2,
			exact: true, wantBase: []time.Duration{61 * time.Second}},
		{name: "no retries", retry: Retry{MaxRetries: -1}, replies: []reply{{status: 503}}, wantTries: 1, wantErr: 503},
		{name: "custom count and delay", retry: Retry{MaxRetries: 5, Delay: time.Second, MaxDelay: 3 * time.Second}, replies: []reply{{status: 500}}, wantTries: 6, wantErr: 500,
			wantBase: []time.Duration{time.Second, 3 * time.Second, 3 * time.Second, 3 * time.Second, 3 * time.Second}}, // 1, 3, 7 (capped) ... s
		{name: "dropped connection retried", replies: []reply{{drop: true}, ok()}, wantTries: 2, wantBase: []time.Duration{800 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEndpoint(t, tt.replies...)
			c, clock := newTestClient(t, f)
			c.Retry = tt.retry
			_, err := c.ClientCredentials(context.Background(), ccReq)
			if tries := len(f.requests()); tries != tt.wantTries {
				t.Errorf("%d tries, want %d", tries, tt.wantTries)
			}
			var e *Error
			switch {
			case tt.wantErr == 0 && err != nil:
				t.Errorf("err = %v", err)
			case tt.wantErr != 0 && (!errors.As(err, &e) || e.StatusCode != tt.wantErr):
				t.Errorf("err = %v, want an *Error with status %d", err, tt.wantErr)
			}
			slept := clock.slept()
			if len(slept) != len(tt.wantBase) {
				t.Fatalf("slept %v, want %d sleeps around %v", slept, len(tt.wantBase), tt.wantBase)
			}
			_, _, max := c.retry()
			for i, d := range slept {
				if tt.exact && d != tt.wantBase[i] || !tt.exact && !inJitter(d, tt.wantBase[i], max) {
					t.Errorf("sleep %d = %v, want %v (exact %v)", i, d, tt.wantBase[i], tt.exact)
				}
			}
		})
	}
}

func TestRetryStopsOnCancel(t *testing.T) {
	f := newFakeEndpoint(t, reply{status: 503})
	c, _ := newTestClient(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	c.sleep = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
	_, err := c.ClientCredentials(ctx, ccReq)
	if !errors.Is(err, context.Canceled) || len(f.requests()) != 1 {
		t.Fatalf("err = %v after %d tries", err, len(f.requests()))
	}
}

func TestCancelledContext(t *testing.T) {
	f := newFakeEndpoint(t, ok())
	c, clock := newTestClient(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.ClientCredentials(ctx, ccReq)
	if !errors.Is(err, context.Canceled) || len(clock.slept()) != 0 {
		t.Fatalf("err = %v, slept %v", err, clock.slept())
	}
}

// TestUntrustedCertificateNotRetried: the default client does not trust
// the test server's certificate; a second try would meet the same answer.
func TestUntrustedCertificateNotRetried(t *testing.T) {
	f := newFakeEndpoint(t, ok())
	c, clock := newTestClient(t, f)
	c.HTTP = &http.Client{}
	_, err := c.ClientCredentials(context.Background(), ccReq)
	if err == nil || len(clock.slept()) != 0 || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v, slept %v", err, clock.slept())
	}
}

func TestPlainHTTPServerNotRetried(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c, err := New("https://"+srv.Listener.Addr().String(), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: t0}
	c.now, c.sleep = clock.now, clock.sleep
	_, err = c.ClientCredentials(context.Background(), ccReq)
	if err == nil || len(clock.slept()) != 0 {
		t.Fatalf("err = %v, slept %v", err, clock.slept())
	}
}

func TestOversizedBody(t *testing.T) {
	big := `{"access_token":"` + strings.Repeat("a", 1<<20) + `","expires_in":1}`
	f := newFakeEndpoint(t, reply{status: 200, body: big})
	c, clock := newTestClient(t, f)
	_, err := c.ClientCredentials(context.Background(), ccReq)
	if err == nil || len(clock.slept()) != 0 || !strings.Contains(err.Error(), "1 MiB") {
		t.Fatalf("err = %v, slept %v", err, clock.slept())
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	other := newFakeEndpoint(t, ok())
	for _, status := range []int{302, 307, 308} {
		f := newFakeEndpoint(t, reply{status: status, header: map[string]string{"Location": other.srv.URL + "/steal"}})
		c, _ := newTestClient(t, f)
		_, err := c.ClientCredentials(context.Background(), ccReq)
		var e *Error
		if !errors.As(err, &e) || e.StatusCode != status || !strings.Contains(err.Error(), "redirects are not followed") {
			t.Errorf("%d: err = %v", status, err)
		}
	}
	if n := len(other.requests()); n != 0 {
		t.Errorf("redirect target got %d requests", n)
	}
}

func TestErrorOnSuccessStatus(t *testing.T) {
	f := newFakeEndpoint(t, reply{status: 200, body: `{"error":"invalid_grant","error_description":"AADSTS70008: expired"}`})
	c, _ := newTestClient(t, f)
	_, err := c.ClientCredentials(context.Background(), ccReq)
	var e *Error
	if !errors.As(err, &e) || e.Code != "invalid_grant" || e.StatusCode != 200 {
		t.Fatalf("err = %v", err)
	}
}

func TestMalformedSuccess(t *testing.T) {
	f := newFakeEndpoint(t, reply{status: 200, body: `{"access_token":"a","expires_in":"soon"}`})
	c, _ := newTestClient(t, f)
	req := ccReq
	req.Auth.Secret = "client-secret" // ccReq's "s" is in "soon", which would then not be quoted
	_, err := c.ClientCredentials(context.Background(), req)
	var e *Error
	if !errors.As(err, &e) || e.Malformed == "" || !uuidRE.MatchString(e.CorrelationID) {
		t.Fatalf("err = %#v", err)
	}
	want := "oauth2: " + f.srv.Listener.Addr().String() + `/t/oauth2/v2.0/token: 200: token response: expires_in "soon" is not a whole number (correlation ID ` + e.CorrelationID + ")"
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err, want)
	}
}

func TestTryContext(t *testing.T) {
	bg := context.Background()
	if ctx, cancel := tryContext(bg, &http.Client{}); true {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("no bound without a deadline or client timeout")
		}
		cancel()
	}
	if ctx, cancel := tryContext(bg, &http.Client{Timeout: time.Second}); ctx != bg {
		t.Error("bounded although the client has a timeout")
		cancel()
	}
	dctx, dcancel := context.WithTimeout(bg, time.Hour)
	defer dcancel()
	if ctx, cancel := tryContext(dctx, &http.Client{}); ctx != dctx {
		t.Error("bounded although the context has a deadline")
		cancel()
	}
}

func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		id := newRequestID()
		if !uuidRE.MatchString(id) || seen[id] {
			t.Fatalf("bad or repeated ID %q", id)
		}
		seen[id] = true
	}
}

// TestHugeNegativeRetryAfterRetries: a Retry-After of -10000000000 seconds
// reads as zero, so a 503 is retried at once (PROTOCOL.md 1.5). It used to
// overflow into centuries, which do() took for "longer than MaxDelay: stop".
func TestHugeNegativeRetryAfterRetries(t *testing.T) {
	f := newFakeEndpoint(t,
		reply{status: 503, header: map[string]string{"Retry-After": "-10000000000"}, body: `{"error":"temporarily_unavailable"}`},
		ok())
	c, clock := newTestClient(t, f)
	_, err := c.ClientCredentials(context.Background(), ccReq)
	if err != nil || len(f.requests()) != 2 {
		t.Fatalf("err = %v after %d tries (slept %v); want success on the second try", err, len(f.requests()), clock.slept())
	}
}
