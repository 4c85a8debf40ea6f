package imds

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// epoch is the fake clock's start; expiresOn is 1715900000 as a time.
var (
	epoch     = time.Date(2024, 5, 16, 0, 0, 0, 0, time.UTC)
	expiresOn = time.Date(2024, 5, 16, 22, 53, 20, 0, time.UTC)
)

// fakeClock is the now and sleep of a Source under test: sleeping only
// records the wait and moves the clock.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

func newClock() *fakeClock { return &fakeClock{t: epoch} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) elapsed() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t.Sub(epoch)
}

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// recorded is one request as the fake endpoint saw it.
type recorded struct {
	Method string
	Path   string
	Query  url.Values
	Header map[string]string // without the headers Go's transport adds by itself
	Body   string
}

// reply is one scripted answer.
type reply struct {
	status int
	header map[string]string
	body   string
}

// fakeEndpoint records every request and answers with answer(n, r), n
// counting from 0.
type fakeEndpoint struct {
	*httptest.Server
	answer func(n int, r *http.Request) reply

	mu   sync.Mutex
	reqs []recorded
}

func (f *fakeEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: sentHeaders(r.Header), Body: string(body)})
	f.mu.Unlock()
	a := f.answer(n, r)
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	if a.status == 0 {
		a.status = http.StatusOK
	}
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func (f *fakeEndpoint) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// newEndpoint starts a loopback fake (TLS when tls is set) that answers
// with replies in order, repeating the last one.
func newEndpoint(t *testing.T, tls bool, replies ...reply) *fakeEndpoint {
	t.Helper()
	return newEndpointFunc(t, tls, func(n int, _ *http.Request) reply {
		if len(replies) == 0 {
			return reply{status: http.StatusOK, body: sampleIMDS}
		}
		return replies[min(n, len(replies)-1)]
	})
}

func newEndpointFunc(t *testing.T, tls bool, answer func(int, *http.Request) reply) *fakeEndpoint {
	t.Helper()
	f := &fakeEndpoint{answer: answer}
	if tls {
		f.Server = httptest.NewTLSServer(f)
	} else {
		f.Server = httptest.NewServer(f)
	}
	t.Cleanup(f.Close)
	return f
}

// sentHeaders flattens h without the headers Go's client adds on its own
// (User-Agent, Accept-Encoding) and Content-Length.
func sentHeaders(h http.Header) map[string]string {
	m := map[string]string{}
	for k, v := range h {
		switch k {
		case "User-Agent", "Accept-Encoding", "Content-Length":
			continue
		}
		m[k] = strings.Join(v, ",")
	}
	return m
}

// envOf makes a Getenv from name, value pairs.
func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// closedURL returns an http URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// mustNew is New that fails the test on error.
func mustNew(t *testing.T, cfg Config) *Source {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// asError returns err as *Error or fails the test.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *imds.Error", err, err)
	}
	return e
}

// checkRequest compares a recorded request with the expected one.
func checkRequest(t *testing.T, got recorded, method, path string, query url.Values, header map[string]string, body string) {
	t.Helper()
	if got.Method != method || got.Path != path {
		t.Errorf("request line: got %s %s, want %s %s", got.Method, got.Path, method, path)
	}
	if !reflect.DeepEqual(got.Query, query) {
		t.Errorf("query:\n got  %v\n want %v", got.Query, query)
	}
	if !reflect.DeepEqual(got.Header, header) {
		t.Errorf("headers:\n got  %v\n want %v", sorted(got.Header), sorted(header))
	}
	if got.Body != body {
		t.Errorf("body: got %q, want %q", got.Body, body)
	}
}

func sorted(m map[string]string) []string {
	var s []string
	for k, v := range m {
		s = append(s, k+": "+v)
	}
	sort.Strings(s)
	return s
}

// The success bodies of PROTOCOL.md 7.3 to 7.8, with the access token
// replaced by tokenValue.
const (
	tokenValue     = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ4In0.c2lnbmF0dXJl"
	sampleIMDS     = `{"access_token":"` + tokenValue + `","client_id":"11111111-1111-1111-1111-111111111111","expires_in":"86399","expires_on":"1715900000","ext_expires_in":"86399","not_before":"1715813300","resource":"https://management.azure.com/","token_type":"Bearer"}`
	sampleAppSvc   = `{"access_token":"` + tokenValue + `","expires_on":"1715900000","resource":"https://vault.azure.net","token_type":"Bearer","client_id":"11111111-1111-1111-1111-111111111111"}`
	sampleSF       = `{"token_type":"Bearer","access_token":"` + tokenValue + `","expires_on":1715900000,"resource":"https://vault.azure.net/"}`
	sampleML       = `{"access_token":"` + tokenValue + `","expires_on":1715900000,"resource":"https://vault.azure.net","token_type":"Bearer"}`
	sampleShell    = `{"access_token":"` + tokenValue + `","refresh_token":"","expires_in":"3599","expires_on":"1715900000","not_before":"1715896100","resource":"https://management.azure.com/","token_type":"Bearer"}`
	sampleArcBase  = `"access_token":"` + tokenValue + `","expires_in":86399,"expires_on":"1715900000","not_before":"1715813300","resource":"https://management.azure.com","token_type":"Bearer"`
	testResource   = "https://management.azure.com"
	testClientID   = "22222222-2222-2222-2222-222222222222"
	testObjectID   = "33333333-3333-3333-3333-333333333333"
	testResourceID = "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u"
)

// expiresForm is one way an endpoint states expiry (PROTOCOL.md 7.11).
type expiresForm struct {
	name    string
	fields  string // JSON members after access_token
	expires time.Time
	refresh time.Time
}

var expiresForms = []expiresForm{
	{"number", `"expires_on":1715900000`, expiresOn, time.Time{}},
	{"numeric string", `"expires_on":"1715900000"`, expiresOn, time.Time{}},
	{"decimal", `"expires_on":1715900000.75`, expiresOn, time.Time{}},
	{"exponent", `"expires_on":1.7159E9`, expiresOn, time.Time{}},
	{"2017-09-01 Linux date", `"expires_on":"05/16/2024 22:53:20 +00:00"`, expiresOn, time.Time{}},
	{"2017-09-01 Windows date", `"expires_on":"5/16/2024 10:53:20 PM +00:00"`, expiresOn, time.Time{}},
	{"MM/dd/yyyy HH:mm:ss", `"expires_on":"05/16/2024 22:53:20"`, expiresOn, time.Time{}},
	{"yyyy-MM-dd HH:mm:ss", `"expires_on":"2024-05-16 22:53:20"`, expiresOn, time.Time{}},
	{"RFC 3339", `"expires_on":"2024-05-16T23:53:20+01:00"`, expiresOn, time.Time{}},
	{"expires_in string", `"expires_in":"86399"`, epoch.Add(86399 * time.Second), time.Time{}},
	{"expires_in number", `"expires_in":3600,"refresh_in":1800`, epoch.Add(time.Hour), epoch.Add(30 * time.Minute)},
	{"expires_on wins", `"expires_on":"1715900000","expires_in":"60"`, expiresOn, time.Time{}},
	{"empty expires_on", `"expires_on":"","expires_in":60`, epoch.Add(time.Minute), time.Time{}},
}

// checkToken compares a token with the expected expiry and refresh time.
func checkToken(t *testing.T, tok Token, expires, refresh time.Time) {
	t.Helper()
	if tok.AccessToken != tokenValue || tok.TokenType != "Bearer" {
		t.Errorf("token: got %q %q, want the sample token, Bearer", tok.AccessToken, tok.TokenType)
	}
	if !tok.ExpiresOn.Equal(expires) || !tok.RefreshOn.Equal(refresh) {
		t.Errorf("times: got expires %v refresh %v, want %v and %v", tok.ExpiresOn, tok.RefreshOn, expires, refresh)
	}
}
