package identitytest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func ccForm() map[string][]string {
	return form("grant_type", "client_credentials", "client_id", "app", "client_secret", "s3cret", "scope", vault)
}

func TestFaults(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(App{ClientID: "app", Secret: "s3cret"})
	tok := "/t/oauth2/v2.0/token"

	s.Fault(Fault{Path: "oauth2/v2.0/token", Status: 429, RetryAfter: "7", Times: 2})
	for i := 0; i < 2; i++ {
		r := post(t, s, tok, ccForm())
		if r.status != 429 || r.header.Get("Retry-After") != "7" || r.str("error") != "temporarily_unavailable" {
			t.Fatalf("429 #%d: %d %v %s", i, r.status, r.header, r.raw)
		}
	}
	if r := post(t, s, tok, ccForm()); r.status != 200 {
		t.Fatalf("after the fault: %d %s", r.status, r.raw)
	}

	s.Fault(Fault{Path: "/other", Status: 500})
	s.Fault(Fault{Status: 503})
	if r := post(t, s, tok, ccForm()); r.status != 503 {
		t.Fatalf("Path \"\": %d", r.status)
	}
	if r := post(t, s, tok, ccForm()); r.status != 200 {
		t.Fatalf("unmatched fault applied: %d", r.status)
	}
	s.ClearFaults()

	s.Fault(Fault{Status: 400, Body: `{"error":"custom"}`})
	if r := post(t, s, tok, ccForm()); r.status != 400 || r.str("error") != "custom" {
		t.Fatalf("Body: %d %s", r.status, r.raw)
	}
	s.Fault(Fault{Status: 403})
	if r := post(t, s, tok, ccForm()); r.status != 403 || r.str("error") != "invalid_request" {
		t.Fatalf("4xx default body: %d %s", r.status, r.raw)
	}

	s.Fault(Fault{Malformed: true})
	r := post(t, s, tok, ccForm())
	if r.status != 200 || r.body != nil || !strings.HasPrefix(r.raw, `{"token_type"`) {
		t.Fatalf("Malformed: %d %q", r.status, r.raw)
	}

	s.Fault(Fault{Oversize: true, Status: 502})
	r = post(t, s, tok, ccForm())
	if r.status != 502 || len(r.raw) != OversizeBody {
		t.Fatalf("Oversize: %d, %d bytes", r.status, len(r.raw))
	}

	s.Fault(Fault{Drop: true})
	req, _ := http.NewRequest(http.MethodPost, s.URL()+tok, strings.NewReader("a=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := s.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("Drop: got status %d", resp.StatusCode)
	}

	s.Fault(Fault{Times: -1, Status: 500})
	for i := 0; i < 3; i++ {
		if r := post(t, s, tok, ccForm()); r.status != 500 {
			t.Fatalf("Times -1, request %d: %d", i, r.status)
		}
	}
	s.ClearFaults()

	log := s.Requests()
	var statuses []int
	for _, r := range log {
		statuses = append(statuses, r.Status)
	}
	want := []int{429, 429, 200, 503, 200, 400, 403, 200, 502, 0, 500, 500, 500}
	if len(statuses) != len(want) {
		t.Fatalf("statuses %v, want %v", statuses, want)
	}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("statuses %v, want %v", statuses, want)
		}
	}
}

func TestFaultDelay(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(App{ClientID: "app", Secret: "s3cret"})
	// A pure delay: served normally afterwards.
	s.Fault(Fault{Delay: time.Millisecond})
	if r := post(t, s, "/t/oauth2/v2.0/token", ccForm()); r.status != 200 {
		t.Fatalf("delayed: %d %s", r.status, r.raw)
	}
	// A long delay ends when the client gives up.
	s.Fault(Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/t/oauth2/v2.0/token", strings.NewReader(""))
	_, err := s.Client().Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want deadline exceeded", err)
	}
}

func TestCloseEndsDelay(t *testing.T) {
	s := New(nil)
	s.Fault(Fault{Delay: time.Hour})
	client := s.Client()
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := client.Get(s.URL() + "/anything")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	for len(s.Requests()) == 0 {
		time.Sleep(time.Millisecond) // wait for the request to arrive; no timing assertion
	}
	s.Close() // must not wait an hour
	<-done
}

func TestRequestLog(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(App{ClientID: "app", Secret: "s3cret"})
	post(t, s, "/t/oauth2/v2.0/token", ccForm())
	log := s.Requests()
	if len(log) != 1 {
		t.Fatalf("%d requests", len(log))
	}
	r := log[0]
	if r.Method != "POST" || r.Path != "/t/oauth2/v2.0/token" || r.Status != 200 || r.Form.Get("client_secret") != "s3cret" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.Time.IsZero() {
		t.Errorf("entry %+v", r)
	}
	want := "POST /t/oauth2/v2.0/token client_id=app client_secret=[REDACTED] grant_type=client_credentials scope=https://vault.azure.net/.default -> 200"
	if got := r.String(); got != want {
		t.Errorf("String\n got %s\nwant %s", got, want)
	}
	// The copy is the caller's own.
	log[0].Form.Set("client_id", "changed")
	if s.Requests()[0].Form.Get("client_id") != "app" {
		t.Error("Requests returned the log itself")
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 {
		t.Error("ResetRequests left entries")
	}
}

func TestOversizedRequestBody(t *testing.T) {
	s := newServer(t, nil)
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/t/oauth2/v2.0/token", strings.NewReader("a="+strings.Repeat("x", MaxRequestBody)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := do(t, s, req); r.status != 413 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
}

func TestConcurrentRequests(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(App{ClientID: "app", Secret: "s3cret"})
	cert, key, _, _ := testCert(t)
	s.AddApp(App{ClientID: "certapp", Certificate: cert})
	s.AddUser(User{Username: "u", Password: "p"})
	s.AddApp(App{ClientID: "cli", Public: true})
	res := s.Resource("https://vault.azure.net", nil)
	s.Fault(Fault{Status: 503, Times: 5})
	var wg sync.WaitGroup
	const n = 50
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			switch i % 5 {
			case 0:
				post(t, s, "/t/oauth2/v2.0/token", ccForm())
			case 1:
				post(t, s, "/t/oauth2/v2.0/token", form("grant_type", "client_credentials", "client_id", "certapp", "scope", vault,
					"client_assertion_type", assertionTypeJWT, "client_assertion",
					signAssertion(t, jwtHeaderFor(cert), assertionClaims("certapp", s.TokenURL("t"), time.Now()), key)))
			case 2:
				r := post(t, s, "/t/oauth2/v2.0/token", form("grant_type", "password", "client_id", "cli", "username", "u", "password", "p", "scope", graphRead))
				if rt := r.str("refresh_token"); rt != "" {
					post(t, s, "/t/oauth2/v2.0/token", form("grant_type", "refresh_token", "client_id", "cli", "refresh_token", rt))
				}
			case 3:
				if i%2 == 0 {
					res.Challenge("")
				}
				getResource(t, s, res.URL(), "x")
			case 4:
				s.RevokeRefreshTokens("u")
				_ = s.Requests()
				s.AddApp(App{ClientID: "late", Secret: "x"})
			}
		}(i)
	}
	wg.Wait()
	// Cases 0, 1 and 3 send one request each, case 2 one or two, case 4 none.
	if got := len(s.Requests()); got < n*3/5+n/5 {
		t.Errorf("%d requests logged, want at least %d", got, n*3/5+n/5)
	}
}

// TestRequestsIsACopy: changing what Requests returns changes nothing in
// the log.
func TestRequestsIsACopy(t *testing.T) {
	s := New(nil)
	defer s.Close()
	resp, err := s.Client().PostForm(s.TokenURL("t"), map[string][]string{"grant_type": {"client_credentials"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	first := s.Requests()
	first[0].Form.Set("grant_type", "changed")
	first[0].Header.Set("X-Changed", "1")
	again := s.Requests()
	if again[0].Form.Get("grant_type") != "client_credentials" || again[0].Header.Get("X-Changed") != "" {
		t.Fatal("Requests returned the log itself, not a copy")
	}
}
