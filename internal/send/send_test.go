package send

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestDoBoundsTheBody(t *testing.T) {
	for _, tt := range []struct {
		size int
		ok   bool
	}{{0, true}, {MaxBody - 1, true}, {MaxBody, true}, {MaxBody + 1, false}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(strings.Repeat("x", tt.size)))
		}))
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/p?secret=s3cr3t", nil)
		resp, err := Do(srv.Client(), req)
		srv.Close()
		if tt.ok != (err == nil) {
			t.Fatalf("size %d: err = %v, want ok=%v", tt.size, err, tt.ok)
		}
		if err != nil {
			if !errors.Is(err, ErrBodyTooLarge) || strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("size %d: err = %v; want ErrBodyTooLarge without the query", tt.size, err)
			}
			continue
		}
		if len(resp.Body) != tt.size || resp.StatusCode != 200 {
			t.Errorf("size %d: got %d bytes, status %d", tt.size, len(resp.Body), resp.StatusCode)
		}
	}
}

func TestDoTransportErrorHidesQuery(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens now
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/token?client_secret=s3cr3t", nil)
	_, err := Do(&http.Client{}, req)
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "POST 127.0.0.1") {
		t.Fatalf("err = %v; want METHOD host/path without the query", err)
	}
}

func TestWhere(t *testing.T) {
	u, _ := url.Parse("https://user:pw@login.example/t/oauth2/v2.0/token?x=1#f")
	if got := Where(u); got != "login.example/t/oauth2/v2.0/token" {
		t.Errorf("Where = %q", got)
	}
	if got := Where(nil); got != "(no URL)" {
		t.Errorf("Where(nil) = %q", got)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
		ok     bool
	}{
		{"none", nil, 0, false},
		{"seconds", map[string]string{"Retry-After": "7"}, 7 * time.Second, true},
		{"date", map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second, true},
		{"past date", map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 0, true},
		{"negative", map[string]string{"Retry-After": "-5"}, 0, true},
		{"garbage", map[string]string{"Retry-After": "soon"}, 0, false},
		{"ms wins", map[string]string{"Retry-After": "7", "retry-after-ms": "250"}, 250 * time.Millisecond, true},
		{"x-ms", map[string]string{"x-ms-retry-after-ms": "1500"}, 1500 * time.Millisecond, true},
		{"huge", map[string]string{"Retry-After": "99999999999999"}, time.Duration(maxSeconds) * time.Second, true},
		{"huge ms", map[string]string{"retry-after-ms": "9223372036854775807"}, time.Duration(maxSeconds) * time.Second, true},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.header {
			h.Set(k, v)
		}
		got, ok := RetryAfter(h, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: RetryAfter = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	base, max := 800*time.Millisecond, 60*time.Second
	// PROTOCOL.md 1.5 (GO): (2^n - 1) * base.
	want := []time.Duration{0, 800 * time.Millisecond, 2400 * time.Millisecond, 5600 * time.Millisecond, 12 * time.Second}
	for n, w := range want {
		if got := Backoff(n, base, max); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, w)
		}
	}
	if got := Backoff(100, base, max); got != max {
		t.Errorf("Backoff(100) = %v, want the cap %v", got, max)
	}
	// PROTOCOL.md 7.3 (GO, IMDS): "Expected waits (before jitter) 2, 6, 14,
	// 25, 25, 25 s".
	for n, w := range []time.Duration{2, 6, 14, 25, 25, 25} {
		if got := Backoff(n+1, 2*time.Second, 25*time.Second); got != w*time.Second {
			t.Errorf("IMDS Backoff(%d) = %v, want %v", n+1, got, w*time.Second)
		}
	}
}

func TestSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a cancelled context = %v", err)
	}
	if err := Sleep(context.Background(), 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep(1ms) = %v", err)
	}
}

// chunkReader hands out its data a few bytes per Read, then err (io.EOF if
// nil), as a network body does.
type chunkReader struct {
	data  []byte
	chunk int
	err   error
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.chunk)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestReadBody checks that a Content-Length is a hint only: right, too
// small, too large or absent, the body read is the body sent, and the bound
// holds whatever the hint says.
func TestReadBody(t *testing.T) {
	body := []byte(strings.Repeat("0123456789", 300))
	n := int64(len(body))
	for _, size := range []int64{-1, 0, 1, n - 1, n, n + 1, 10 * n, MaxBody, MaxBody + 5} {
		got, err := readBody(&chunkReader{data: body, chunk: 700}, size)
		if err != nil || string(got) != string(body) {
			t.Errorf("Content-Length %d: got %d bytes, %v; want the %d sent", size, len(got), err, n)
		}
	}
	for _, size := range []int64{-1, MaxBody, 10} {
		big := make([]byte, MaxBody+1)
		if _, err := readBody(&chunkReader{data: big, chunk: 64 << 10}, size); !errors.Is(err, ErrBodyTooLarge) {
			t.Errorf("Content-Length %d, body MaxBody+1: err = %v, want ErrBodyTooLarge", size, err)
		}
	}
	broken := errors.New("connection reset")
	if _, err := readBody(&chunkReader{data: body, chunk: 100, err: broken}, n); !errors.Is(err, broken) {
		t.Errorf("a failing body: err = %v, want its error", err)
	}
	// A known size costs one allocation.
	if a := testing.AllocsPerRun(100, func() { _, _ = readBody(&chunkReader{data: body, chunk: 700}, n) }); a > 2 {
		t.Errorf("readBody with a Content-Length allocates %v times, want the buffer (and the reader) only", a)
	}
}

// TestRetryAfterHugeNegative: a negative delay of any size reads as zero;
// multiplied into a time.Duration unbounded, it overflowed into centuries,
// which callers took as "longer than the cap: stop retrying".
func TestRetryAfterHugeNegative(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, h := range []map[string]string{
		{"Retry-After": "-10000000000"},
		{"Retry-After-Ms": "-10000000000000"},
		{"X-Ms-Retry-After-Ms": "-9223372036854775808"},
		{"Retry-After": "-9223372036854775808"},
	} {
		hdr := http.Header{}
		for k, v := range h {
			hdr.Set(k, v)
		}
		if d, ok := RetryAfter(hdr, now); !ok || d != 0 {
			t.Errorf("RetryAfter(%v) = %v, %v; want 0, true", h, d, ok)
		}
	}
}

// TestMalformedResponseNotQuoted: net/http's error for a header line it
// cannot parse quotes the line; a server echoing the bearer token into such
// a line must not get it into our error.
func TestMalformedResponseNotQuoted(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		bufio.NewReader(c).ReadString('\n') // the request line is enough
		c.Write([]byte("HTTP/1.1 200 OK\r\nX-Echo: Bearer canary-token\x01\r\nContent-Length: 0\r\n\r\n"))
	}()
	req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/x", nil)
	_, err = Do(&http.Client{}, req)
	if !errors.Is(err, ErrMalformedResponse) || strings.Contains(err.Error(), "canary-token") {
		t.Fatalf("err = %v, want ErrMalformedResponse without the server's text", err)
	}
}
