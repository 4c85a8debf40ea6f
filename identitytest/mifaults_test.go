package identitytest

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestManagedIdentityFaults: each source answers a queued Fault's status
// (the statuses clients retry: 404, 410, 429, 5xx; PROTOCOL 7.3) in its
// own error shape with Retry-After, then serves normally.
func TestManagedIdentityFaults(t *testing.T) {
	for _, source := range allSources {
		m := newMI(t, source, nil)
		for _, status := range []int{404, 410, 429, 500, 503} {
			t.Run(string(source)+"/"+http.StatusText(status), func(t *testing.T) {
				m.Fault(Fault{Status: status, RetryAfter: "3"})
				r := goodCall(m, armResource, "", "").send(t, m)
				if r.status != status || r.header.Get("Retry-After") != "3" {
					t.Fatalf("got %d Retry-After %q: %s", r.status, r.header.Get("Retry-After"), r.raw)
				}
				checkShape(t, source, r)
				if code, _ := errorText(r); m.spec.shape != shapeAppService && code == "" {
					t.Fatalf("no error code: %s", r.raw)
				}
				if r := m.get(t, goodCall(m, armResource, "", "")); r.status != http.StatusOK {
					t.Fatalf("after the fault: %d %s", r.status, r.raw)
				}
			})
		}
	}
}

// TestManagedIdentityFaultKinds: Times, Drop, Malformed, Oversize, Body,
// Delay and ClearFaults behave as on the Server.
func TestManagedIdentityFaultKinds(t *testing.T) {
	m := newMI(t, SourceIMDS, nil)
	call := goodCall(m, armResource, "", "")

	m.Fault(Fault{Status: 410, Times: 2})
	for i, want := range []int{410, 410, 200} {
		if r := call.send(t, m); r.status != want {
			t.Fatalf("request %d: %d; want %d", i, r.status, want)
		}
	}

	// A fresh connection: net/http retries a GET once when a reused one
	// closes before answering.
	m.Fault(Fault{Drop: true})
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if _, err := fresh.Do(call.request(t, m.URL())); err == nil {
		t.Fatal("Drop: the request succeeded")
	}

	m.Fault(Fault{Malformed: true})
	if r := call.send(t, m); r.status != 200 || r.body != nil || !strings.HasPrefix(r.raw, `{"token_type":"Bearer","expires_on":"`) {
		t.Fatalf("Malformed: %d %q", r.status, r.raw)
	}
	m.Fault(Fault{Oversize: true})
	if r := call.send(t, m); len(r.raw) != OversizeBody || !strings.HasSuffix(r.raw, `"}`) {
		t.Fatalf("Oversize: %d bytes", len(r.raw))
	}
	m.Fault(Fault{Status: 403, Body: `{"error":"A socket operation was attempted to an unreachable network"}`})
	if r := call.send(t, m); r.status != 403 || !strings.Contains(r.raw, "unreachable") {
		t.Fatalf("Body: %d %s", r.status, r.raw)
	}

	m.Fault(Fault{Path: "/elsewhere", Status: 500})
	m.Fault(Fault{Status: 500, Times: -1})
	for i := 0; i < 3; i++ {
		if r := call.send(t, m); r.status != 500 {
			t.Fatalf("Times -1, request %d: %d", i, r.status)
		}
	}
	m.ClearFaults()
	if r := call.send(t, m); r.status != 200 {
		t.Fatalf("after ClearFaults: %d", r.status)
	}

	// A Delay ends when the client gives up.
	m.Fault(Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := m.Client().Do(call.request(t, m.URL()).WithContext(ctx))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Delay: err = %v", err)
	}
	log := m.Requests()
	if last := log[len(log)-1]; last.Status != 0 && last.Status != 200 {
		t.Fatalf("the abandoned request is logged with status %d", last.Status)
	}
}

// TestManagedIdentityDelayEndsAtClose: Close does not wait out a Delay.
func TestManagedIdentityDelayEndsAtClose(t *testing.T) {
	m, err := NewManagedIdentity(SourceAppService, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Fault(Fault{Delay: time.Hour})
	done := make(chan error, 1)
	go func() {
		resp, err := m.Client().Do(goodCall(m, armResource, "", "").request(t, m.URL()))
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	for len(m.Requests()) == 0 {
		runtime.Gosched() // until the request has arrived and is held
	}
	m.Close()
	<-done
}
