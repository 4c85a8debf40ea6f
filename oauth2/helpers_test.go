package oauth2

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// reply is one canned answer of the fake token endpoint.
type reply struct {
	status int
	header map[string]string
	body   string
	drop   bool // close the connection without answering
	hang   bool // answer nothing until the client gives up
	echo   bool // answer 400 with every value of the request's form in error_description
}

// recorded is one request the fake endpoint received.
type recorded struct {
	method string
	path   string
	query  string
	header http.Header
	form   url.Values
}

// fakeEndpoint answers with its replies in order; the last one repeats.
type fakeEndpoint struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex // guards replies and reqs
	replies []reply
	reqs    []recorded
}

func newFakeEndpoint(t *testing.T, replies ...reply) *fakeEndpoint {
	t.Helper()
	f := &fakeEndpoint{t: t, replies: replies}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are expected in some tests
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeEndpoint) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	f.reqs = append(f.reqs, recorded{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery, header: r.Header.Clone(), form: form})
	rep := reply{status: 500, body: `{"error":"no_reply"}`}
	if len(f.replies) > 0 {
		rep = f.replies[0]
		if len(f.replies) > 1 {
			f.replies = f.replies[1:]
		}
	}
	f.mu.Unlock()
	if rep.echo {
		var all []string
		for _, v := range form {
			all = append(all, v...)
		}
		desc, _ := json.Marshal(strings.Join(all, " "))
		rep = reply{status: 400, body: `{"error":"invalid_grant","error_description":` + string(desc) + `,"claims":` + string(desc) + `}`}
	}
	if rep.hang {
		<-r.Context().Done()
		return
	}
	if rep.drop {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

func (f *fakeEndpoint) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// fakeClock is the Client's clock in tests: sleeping advances it.
type fakeClock struct {
	mu     sync.Mutex // guards t and sleeps
	t      time.Time
	sleeps []time.Duration
}

var t0 = time.Date(2024, 9, 11, 18, 0, 0, 0, time.UTC)

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return nil
}

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// newTestClient is a Client for f with a fake clock.
func newTestClient(t *testing.T, f *fakeEndpoint) (*Client, *fakeClock) {
	t.Helper()
	c, err := New(f.srv.URL, f.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: t0}
	c.now, c.sleep = clock.now, clock.sleep
	return c, clock
}

// logBuffer is a slog.Handler that records every record, attributes and
// all, as text.
type logBuffer struct {
	mu  *sync.Mutex // guards buf
	buf *bytes.Buffer
	h   slog.Handler
}

func newLogBuffer() *logBuffer {
	b := &logBuffer{mu: new(sync.Mutex), buf: new(bytes.Buffer)}
	b.h = slog.NewTextHandler(lockedWriter{b}, &slog.HandlerOptions{Level: slog.LevelDebug})
	return b
}

type lockedWriter struct{ b *logBuffer }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.b.mu.Lock()
	defer w.b.mu.Unlock()
	return w.b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

const okBody = `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAi.access.token"}`

func ok() reply { return reply{status: 200, body: okBody} }

func slogLogger(b *logBuffer) *slog.Logger { return slog.New(b.h) }
