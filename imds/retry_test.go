package imds

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

const sec = time.Second

func TestRetries(t *testing.T) {
	// PROTOCOL.md 7.3 (GO): "Expected waits (before jitter) 2, 6, 14, 25,
	// 25, 25 s". A 410 is retried until 70 s have been waited: five waits.
	imdsWaits := []time.Duration{2 * sec, 6 * sec, 14 * sec, 25 * sec, 25 * sec, 25 * sec}
	goneWaits := imdsWaits[:5] // 2+6+14+25+25 = 72 s
	tests := []struct {
		name       string
		maxRetries int
		answer     func(clk *fakeClock) func(int, *http.Request) reply
		waits      []time.Duration
		status     int // of the error; 0 when a token is expected
	}{
		{
			name: "410 then 200 after more than 70 s",
			answer: func(clk *fakeClock) func(int, *http.Request) reply {
				return func(int, *http.Request) reply {
					if clk.elapsed() <= 70*sec {
						return reply{status: http.StatusGone}
					}
					return reply{body: sampleIMDS}
				}
			},
			waits: goneWaits,
		},
		{
			name:       "410 retried past MaxRetries until 70 s",
			maxRetries: 1,
			answer:     always(reply{status: http.StatusGone}),
			waits:      goneWaits, // 2+6+14+25 = 47 s < 70 s, so one more
			status:     http.StatusGone,
		},
		{
			name:       "410 with Retry-After 0 still waits 70 s",
			maxRetries: 1,
			answer:     always(reply{status: http.StatusGone, header: map[string]string{"Retry-After": "0"}}),
			waits:      goneWaits,
			status:     http.StatusGone,
		},
		{
			name:   "429 with Retry-After",
			answer: script(reply{status: 429, header: map[string]string{"Retry-After": "7"}}, reply{body: sampleIMDS}),
			waits:  []time.Duration{7 * sec},
		},
		{
			name:   "429 with retry-after-ms",
			answer: script(reply{status: 429, header: map[string]string{"Retry-After-Ms": "1500"}}, reply{body: sampleIMDS}),
			waits:  []time.Duration{1500 * time.Millisecond},
		},
		{
			name:   "429 asking for more than the limit is not retried",
			answer: always(reply{status: 429, header: map[string]string{"Retry-After": "3600"}}),
			status: 429,
		},
		{
			name:   "404 limited",
			answer: always(reply{status: http.StatusNotFound}),
			waits:  imdsWaits,
			status: http.StatusNotFound,
		},
		{
			name:       "500 with MaxRetries 2",
			maxRetries: 2,
			answer:     always(reply{status: http.StatusInternalServerError}),
			waits:      []time.Duration{2 * sec, 6 * sec},
			status:     http.StatusInternalServerError,
		},
		{
			name:       "MaxRetries -1 sends once, even for 410",
			maxRetries: -1,
			answer:     always(reply{status: http.StatusGone}),
			status:     http.StatusGone,
		},
		{
			name:   "400 not retried",
			answer: always(reply{status: http.StatusBadRequest}),
			status: http.StatusBadRequest,
		},
		{
			name:   "503 then 200",
			answer: script(reply{status: 503}, reply{status: 503}, reply{body: sampleIMDS}),
			waits:  []time.Duration{2 * sec, 6 * sec},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			f := newEndpointFunc(t, false, tt.answer(clk))
			cfg := vmConfig(f, clk, ID{})
			cfg.MaxRetries = tt.maxRetries
			tok, err := mustNew(t, cfg).Token(context.Background(), testResource)
			if tt.status == 0 {
				if err != nil {
					t.Fatal(err)
				}
				checkToken(t, tok, expiresOn, time.Time{})
			} else if e := asError(t, err); e.StatusCode != tt.status {
				t.Errorf("status: got %d, want %d (%v)", e.StatusCode, tt.status, err)
			}
			if got := clk.slept(); !reflect.DeepEqual(got, tt.waits) && !(len(got) == 0 && len(tt.waits) == 0) {
				t.Errorf("waits: got %v, want %v", got, tt.waits)
			}
			if got, want := len(f.requests()), len(tt.waits)+1; got != want {
				t.Errorf("requests: got %d, want %d", got, want)
			}
		})
	}
}

// TestRetriesOtherSources: App Service and the others use the azcore
// statuses and delays (PROTOCOL.md 1.5, 7.2).
func TestRetriesOtherSources(t *testing.T) {
	tests := []struct {
		name   string
		reply  reply
		waits  []time.Duration
		status int
	}{
		{"503", reply{status: 503}, []time.Duration{800 * time.Millisecond, 2400 * time.Millisecond, 5600 * time.Millisecond}, 503},
		{"408", reply{status: 408}, []time.Duration{800 * time.Millisecond, 2400 * time.Millisecond, 5600 * time.Millisecond}, 408},
		{"404 not retried", reply{status: 404}, nil, 404},
		{"410 not retried", reply{status: 410}, nil, 410},
		{"501 not retried", reply{status: 501}, nil, 501},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newEndpoint(t, false, tt.reply)
			clk := newClock()
			s := mustNew(t, Config{Getenv: envOf(envIdentityEndpoint, f.URL, envIdentityHeader, "h"), now: clk.now, sleep: clk.sleep})
			_, err := s.Token(context.Background(), testResource)
			if e := asError(t, err); e.StatusCode != tt.status || e.Unavailable {
				t.Errorf("got %v (unavailable %v), want status %d", err, e.Unavailable, tt.status)
			}
			if got := clk.slept(); !reflect.DeepEqual(got, tt.waits) {
				t.Errorf("waits: got %v, want %v", got, tt.waits)
			}
		})
	}
}

// TestRetryCancelled: a context cancelled during a wait ends the exchange
// with the context's error and the last status.
func TestRetryCancelled(t *testing.T) {
	f := newEndpoint(t, false, reply{status: 503})
	ctx, cancel := context.WithCancel(context.Background())
	cfg := Config{Getenv: envOf(envPodIdentityHost, f.URL),
		sleep: func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }}
	_, err := mustNew(t, cfg).Token(ctx, testResource)
	e := asError(t, err)
	if !errors.Is(err, context.Canceled) || e.StatusCode != 503 || e.Unavailable {
		t.Errorf("got %v (unavailable %v), want context.Canceled after HTTP 503", err, e.Unavailable)
	}
	if len(f.requests()) != 1 {
		t.Errorf("got %d requests, want 1", len(f.requests()))
	}
}

// TestRetryCancelledBeforeSending: a dead context sends nothing useful and
// is not "unavailable".
func TestRetryCancelledBeforeSending(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	clk := newClock()
	_, err := mustNew(t, Config{Getenv: envOf(envPodIdentityHost, closedURL(t)), now: clk.now, sleep: clk.sleep}).Token(ctx, testResource)
	if e := asError(t, err); !errors.Is(err, context.Canceled) || e.Unavailable || len(clk.slept()) != 0 {
		t.Errorf("got %v (unavailable %v, waits %v), want context.Canceled at once", err, e.Unavailable, clk.slept())
	}
}

// TestLargeBodyReadWhole: a body far larger than one read is parsed whole,
// so the try's context outlives the read.
func TestLargeBodyReadWhole(t *testing.T) {
	pad := strings.Repeat("x", 900_000)
	f := newEndpoint(t, false, reply{body: `{"padding":"` + pad + `",` + sampleIMDS[1:]})
	tok, err := mustNew(t, vmConfig(f, newClock(), ID{})).Token(context.Background(), testResource)
	if err != nil {
		t.Fatal(err)
	}
	checkToken(t, tok, expiresOn, time.Time{})
}

func TestPolicyNext(t *testing.T) {
	p := newPolicy(IMDS, 100)
	if p.retries != maxAttempts-1 {
		t.Errorf("MaxRetries 100: got %d retries, want the cap %d", p.retries, maxAttempts-1)
	}
	if _, again := p.next(maxAttempts, nil, nil, 0, epoch); again {
		t.Error("retry past maxAttempts")
	}
}

func always(r reply) func(*fakeClock) func(int, *http.Request) reply {
	return func(*fakeClock) func(int, *http.Request) reply {
		return func(int, *http.Request) reply { return r }
	}
}

func script(rs ...reply) func(*fakeClock) func(int, *http.Request) reply {
	return func(*fakeClock) func(int, *http.Request) reply {
		return func(n int, _ *http.Request) reply { return rs[min(n, len(rs)-1)] }
	}
}
