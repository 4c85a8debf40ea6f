package identity

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// gateRT holds the first token request until release is closed and then
// answers it 503 (a transient failure: the code is put back); later requests
// go to base.
type gateRT struct {
	base    http.RoundTripper
	n       atomic.Int32
	entered chan struct{}
	release chan struct{}
}

func (g *gateRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if g.n.Add(1) == 1 {
		close(g.entered)
		<-g.release
		if r.Body != nil {
			r.Body.Close()
		}
		return &http.Response{
			StatusCode: http.StatusServiceUnavailable,
			Status:     "503 Service Unavailable",
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body:       io.NopCloser(strings.NewReader(`{"error":"temporarily_unavailable","error_description":"try again"}`)),
			Request:    r,
		}, nil
	}
	return g.base.RoundTrip(r)
}

// TestAuthorizationCodePutBackIsAtomic: a redemption that fails
// transiently puts the code back and ends (closes its channel) in one step.
// It used to put the code back, unlock, and only later close c.redeeming:
// a request taking the code in between replaced c.redeeming with its own
// channel, which the first redemption then closed and cleared, so that the
// requests waiting on the first one were never woken, and the second
// redemption's own close panicked on a nil channel with c.mu held.
//
// The sleeps below do not decide the outcome; they only make that
// interleaving likely, by queueing goroutines on c.mu so that sync.Mutex
// hands it over in order (starvation mode) when the first redemption
// unlocks.
func TestAuthorizationCodePutBackIsAtomic(t *testing.T) {
	s := userServer(t, nil)
	code := s.AuthCode(testPublic, testRedirect, testUser, []string{testScope}, "")
	o := testOptions(s)
	o.Retry.MaxRetries = -1
	gate := &gateRT{base: s.Client().Transport, entered: make(chan struct{}), release: make(chan struct{})}
	o.HTTPClient = &http.Client{Transport: gate}
	c, err := NewAuthorizationCodeCredential(testTenant, testPublic, code, testRedirect, &AuthorizationCodeCredentialOptions{ClientOptions: o})
	if err != nil {
		t.Fatal(err)
	}
	get := func(scope string, d time.Duration) chan error {
		ch := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), d)
			defer cancel()
			_, err := c.GetToken(ctx, TokenRequestOptions{Scopes: []string{scope}})
			ch <- err
		}()
		return ch
	}
	const pause = 20 * time.Millisecond

	errA := get(testScope, 10*time.Second) // takes the code; its request is held
	<-gate.entered
	errB := get("https://graph.microsoft.com/.default", 10*time.Second) // waits on A's redemption
	time.Sleep(pause)

	c.mu.Lock() // T1
	go func() { // T2: queued first on c.mu
		c.mu.Lock()
		c.mu.Unlock()
	}()
	time.Sleep(pause)
	close(gate.release) // A gets its 503 and queues on c.mu to put the code back
	time.Sleep(pause)
	errC := get("https://storage.azure.com/.default", 10*time.Second) // queues on c.mu in firstGrant
	time.Sleep(pause)
	// T1 unlocks and barges back in: T2, woken after waiting over 1 ms,
	// finds c.mu held and switches it to starvation mode.
	c.mu.Unlock()
	c.mu.Lock()
	time.Sleep(pause)
	c.mu.Unlock() // hand-off: T2, then A (put-back), then C, then A's deferred close

	if err := <-errA; err == nil {
		t.Fatal("setup: the first redemption should have failed with 503")
	}
	if err := <-errC; err != nil {
		t.Errorf("the request that took the returned code failed: %v", err)
	}
	if err := <-errB; err != nil {
		t.Errorf("the request waiting on the first redemption failed: %v", err)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("... it was never woken: the first redemption closed another channel than the one it waited on")
		}
	}
	free := false
	for i := 0; i < 100 && !free; i++ {
		if free = c.mu.TryLock(); free {
			c.mu.Unlock()
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !free {
		t.Errorf("c.mu is held for ever: a deferred close(c.redeeming) panicked on a nil channel with the lock held")
	}
}
