package identity

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// claimsCredential returns "plain" without claims and "claims:<claims>" with
// them, and counts its calls.
type claimsCredential struct {
	calls atomic.Int32
	mu    sync.Mutex
	seen  []TokenRequestOptions
}

func (c *claimsCredential) GetToken(_ context.Context, opts TokenRequestOptions) (AccessToken, error) {
	c.calls.Add(1)
	c.mu.Lock()
	c.seen = append(c.seen, opts)
	c.mu.Unlock()
	tok := "plain"
	if opts.Claims != "" {
		tok = "claims:" + opts.Claims
	}
	return AccessToken{Token: tok, ExpiresOn: time.Now().Add(time.Hour), TokenType: "Bearer"}, nil
}

const testClaims = `{"access_token":{"nbf":{"essential":true,"value":"1726077595"}}}`

func caeChallenge(claims string) string {
	return `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="` +
		base64.StdEncoding.EncodeToString([]byte(claims)) + `"`
}

// challengeServer answers 401 with a CAE challenge until it sees a token
// carrying the claims, or always when always is set; it records what it saw.
type challengeServer struct {
	always bool
	mu     sync.Mutex
	auth   []string
	bodies []string
}

func (s *challengeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	s.bodies = append(s.bodies, string(b))
	s.mu.Unlock()
	if s.always || r.Header.Get("Authorization") != "Bearer claims:"+testClaims {
		w.Header().Set("WWW-Authenticate", caeChallenge(testClaims))
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, "challenge")
		return
	}
	io.WriteString(w, "ok")
}

func TestTransportAddsBearer(t *testing.T) {
	var got string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
	}))
	defer srv.Close()
	cred := &claimsCredential{}
	tr := &Transport{Credential: cred, Scopes: []string{"https://x/.default"}, Base: srv.Client().Transport}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got != "Bearer plain" {
		t.Errorf("Authorization = %q, want %q", got, "Bearer plain")
	}
	if req.Header.Get("Authorization") != "" {
		t.Error("the caller's request was modified")
	}
	if !cred.seen[0].EnableCAE || cred.seen[0].Scopes[0] != "https://x/.default" {
		t.Errorf("GetToken options = %+v; want the scopes and EnableCAE", cred.seen[0])
	}
}

func TestTransportCAEChallengeRetriesOnce(t *testing.T) {
	cs := &challengeServer{}
	srv := httptest.NewTLSServer(cs)
	defer srv.Close()
	cred := &claimsCredential{}
	tr := &Transport{Credential: cred, Scopes: []string{"s"}, Base: srv.Client().Transport}
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("payload"))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok" {
		t.Fatalf("status %d body %q; want 200 ok", resp.StatusCode, body)
	}
	if len(cs.auth) != 2 || cs.bodies[1] != "payload" {
		t.Fatalf("server saw %d requests, bodies %q; want 2 with the body replayed", len(cs.auth), cs.bodies)
	}
	if cred.calls.Load() != 2 || cred.seen[1].Claims != testClaims || !cred.seen[1].EnableCAE {
		t.Fatalf("credential calls %d, second %+v; want the decoded claims", cred.calls.Load(), cred.seen[1])
	}
}

func TestTransportSecondChallengeReturns401(t *testing.T) {
	cs := &challengeServer{always: true}
	srv := httptest.NewTLSServer(cs)
	defer srv.Close()
	tr := &Transport{Credential: &claimsCredential{}, Scopes: []string{"s"}, Base: srv.Client().Transport}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || len(cs.auth) != 2 {
		t.Fatalf("status %d after %d requests; want the second 401 returned after exactly 2", resp.StatusCode, len(cs.auth))
	}
}

func TestTransportUnreplayableBodyGets401(t *testing.T) {
	cs := &challengeServer{}
	srv := httptest.NewTLSServer(cs)
	defer srv.Close()
	cred := &claimsCredential{}
	tr := &Transport{Credential: cred, Scopes: []string{"s"}, Base: srv.Client().Transport}
	req, _ := http.NewRequest(http.MethodPost, srv.URL, io.NopCloser(bytes.NewReader([]byte("once"))))
	req.GetBody = nil
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || len(cs.auth) != 1 || cred.calls.Load() != 1 {
		t.Fatalf("status %d, %d requests, %d token calls; want the 401 back after one request", resp.StatusCode, len(cs.auth), cred.calls.Load())
	}
}

func TestTransportBadClaims(t *testing.T) {
	for _, claims := range []string{"!!!", base64.StdEncoding.EncodeToString([]byte("not json"))} {
		var n atomic.Int32
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_claims", claims="`+claims+`"`)
			w.WriteHeader(http.StatusUnauthorized)
		}))
		cred := &claimsCredential{}
		tr := &Transport{Credential: cred, Scopes: []string{"s"}, Base: srv.Client().Transport}
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		resp, err := tr.RoundTrip(req)
		srv.Close()
		if resp != nil || !errors.Is(err, ErrInvalidClaims) {
			t.Errorf("claims %q: got %v, %v; want ErrInvalidClaims", claims, resp, err)
		}
		if n.Load() != 1 || cred.calls.Load() != 1 {
			t.Errorf("claims %q: %d requests, %d token calls; nothing may be sent twice", claims, n.Load(), cred.calls.Load())
		}
	}
}

func TestTransportMalformedChallengeReturns401(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_claims", claims="e30`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	tr := &Transport{Credential: &claimsCredential{}, Scopes: []string{"s"}, Base: srv.Client().Transport}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := tr.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("got %v, %v; want the 401", resp, err)
	}
	resp.Body.Close()
}

func TestTransportRefusesPlainHTTP(t *testing.T) {
	cred := &claimsCredential{}
	tr := &Transport{Credential: cred, Scopes: []string{"s"}}
	for _, u := range []string{"http://example.com/", "http://10.0.0.1/", "ftp://example.com/"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if _, err := tr.RoundTrip(req); !errors.Is(err, ErrInsecureTransport) {
			t.Errorf("%s: err = %v, want ErrInsecureTransport", u, err)
		}
	}
	if cred.calls.Load() != 0 {
		t.Error("a token was requested for an insecure target")
	}
	for _, host := range []string{"localhost", "127.0.0.1", "[::1]"} {
		if !secureTarget("http", strings.Trim(host, "[]")) {
			t.Errorf("http to %s must be allowed (loopback)", host)
		}
	}
}

func TestTransportLoopbackHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	tr := &Transport{Credential: &claimsCredential{}, Scopes: []string{"s"}}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestBearerTokenProvider(t *testing.T) {
	cred := NewStaticCredential("tok", time.Now().Add(time.Hour), nil)
	p := BearerTokenProvider(cred, "a", "b")
	got, err := p(context.Background())
	if err != nil || got != "tok" {
		t.Fatalf("got %q, %v; want tok", got, err)
	}
	if r := cred.Requests(); len(r) != 1 || strings.Join(r[0].Scopes, " ") != "a b" {
		t.Fatalf("requests %+v", r)
	}
	failing := NewStaticCredential("", time.Time{}, errors.New("boom"))
	if _, err := BearerTokenProvider(failing, "a")(context.Background()); err == nil {
		t.Fatal("want the credential's error")
	}
}

func TestAccessTokenRedacted(t *testing.T) {
	tok := AccessToken{Token: "secret-token-value", ExpiresOn: time.Unix(0, 0), TokenType: "Bearer"}
	for _, s := range []string{tok.String(), tok.GoString(), tok.LogValue().String()} {
		if strings.Contains(s, "secret-token-value") {
			t.Errorf("%q shows the token", s)
		}
	}
}

// BenchmarkTransport compares a request through Transport with a cached
// token against the same request from a plain client: the difference is the
// request clone the RoundTripper contract requires.
func BenchmarkTransport(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	run := func(b *testing.B, client *http.Client) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	b.Run("plain", func(b *testing.B) { run(b, &http.Client{Transport: http.DefaultTransport}) })
	b.Run("transport", func(b *testing.B) {
		run(b, &http.Client{Transport: &Transport{Credential: TokenCredentialFunc(func(ctx context.Context, o TokenRequestOptions) (AccessToken, error) {
			return AccessToken{Token: "tok", ExpiresOn: time.Now().Add(time.Hour)}, nil
		}), Scopes: []string{"s"}}})
	})
}

// TestTransportKeepsTokenFromOtherOrigins: an http.Client follows a redirect
// by calling RoundTrip again; a hop to another origin (here another host
// name and port) goes out without the token, one to the same origin with it.
func TestTransportKeepsTokenFromOtherOrigins(t *testing.T) {
	var got sync.Map // path -> Authorization received
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.URL.Path, r.Header.Get("Authorization"))
	}))
	defer other.Close()
	resource := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.URL.Path, r.Header.Get("Authorization"))
		switch r.URL.Path {
		case "/away":
			// localhost, not 127.0.0.1, and another port: another origin.
			http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/elsewhere", http.StatusTemporaryRedirect)
		case "/here":
			http.Redirect(w, r, "/landed", http.StatusTemporaryRedirect)
		}
	}))
	defer resource.Close()

	cred := NewStaticCredential("canary-bearer-token", time.Now().Add(time.Hour), nil)
	client := &http.Client{Transport: &Transport{Credential: cred, Scopes: []string{testScope}}}
	for _, path := range []string{"/away", "/here"} {
		resp, err := client.Get(resource.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for path, want := range map[string]string{"/away": "Bearer canary-bearer-token", "/elsewhere": "", "/here": "Bearer canary-bearer-token", "/landed": "Bearer canary-bearer-token"} {
		if v, ok := got.Load(path); !ok || v.(string) != want {
			t.Errorf("%s received Authorization %q (arrived: %v), want %q", path, v, ok, want)
		}
	}
}

// TestTransportNilCredentials: a nil credential, typed or not, is an error
// from RoundTrip and from BearerTokenProvider's function, never a panic.
func TestTransportNilCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	var typedNil *ClientSecretCredential
	for _, cred := range []TokenCredential{nil, typedNil} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		if resp, err := (&Transport{Credential: cred, Scopes: []string{testScope}}).RoundTrip(req); err == nil {
			resp.Body.Close()
			t.Errorf("Transport with credential %#v: no error", cred)
		}
		if _, err := BearerTokenProvider(cred, testScope)(context.Background()); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("BearerTokenProvider with credential %#v: err = %v, want ErrInvalidArgument", cred, err)
		}
	}
}
