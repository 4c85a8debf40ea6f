package identitytest

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Fault is a misbehaviour queued with Server.Fault. A matching request first
// waits Delay, then either loses its connection (Drop), gets the fault's own
// answer (when Status, Body, Malformed or Oversize is set), or is served
// normally (a pure delay).
type Fault struct {
	// Path selects the requests: "" matches every request; a value starting
	// with "/" matches that exact URL path; any other value matches paths
	// ending in "/" + Path, so "oauth2/v2.0/token" matches every tenant's
	// token endpoint.
	Path string
	// Status is the HTTP status of the fault's answer. Zero means 200 when
	// Body, Malformed or Oversize is set.
	Status int
	// RetryAfter, if set, is sent as the Retry-After header.
	RetryAfter string
	// Delay holds the request this long before anything else happens. It
	// ends early when the client gives up or the server is closed.
	Delay time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// Body is sent as the answer's body, as JSON. When Status is set and
	// Body, Malformed and Oversize are not, the body is an Entra ID error
	// (temporarily_unavailable for 429 and 5xx, invalid_request otherwise).
	Body string
	// Malformed sends a body that is cut off in the middle of a JSON object.
	Malformed bool
	// Oversize sends a JSON body of OversizeBody bytes, one past 1 MiB.
	Oversize bool
	// Times is how many matching requests the fault applies to: zero means
	// one; a negative value means every matching request until ClearFaults.
	Times int
}

// faultRec is a queued fault and how many more requests it applies to
// (negative: unlimited).
type faultRec struct {
	f    Fault
	left int
}

// faultQueue holds queued faults; the fake Entra ID and each fake managed
// identity endpoint have one. It is safe for concurrent use.
type faultQueue struct {
	mu     sync.Mutex // guards faults
	faults []*faultRec
}

func (q *faultQueue) add(f Fault) {
	left := f.Times
	if left == 0 {
		left = 1
	}
	q.mu.Lock()
	q.faults = append(q.faults, &faultRec{f: f, left: left})
	q.mu.Unlock()
}

func (q *faultQueue) clear() {
	q.mu.Lock()
	q.faults = nil
	q.mu.Unlock()
}

// take returns the first queued fault whose Path matches path, counting
// the request against it, or false.
func (q *faultQueue) take(path string) (Fault, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, rec := range q.faults {
		if !faultMatches(rec.f.Path, path) {
			continue
		}
		if rec.left > 0 {
			rec.left--
			if rec.left == 0 {
				q.faults = append(q.faults[:i:i], q.faults[i+1:]...)
			}
		}
		return rec.f, true
	}
	return Fault{}, false
}

// Fault queues f. Faults apply in the order they were queued: a request
// takes the first one whose Path matches.
func (s *Server) Fault(f Fault) { s.faults.add(f) }

// ClearFaults removes every queued fault.
func (s *Server) ClearFaults() { s.faults.clear() }

// takeFault returns the fault that applies to a request for path, counting
// the request against it, or false.
func (s *Server) takeFault(path string) (Fault, bool) { return s.faults.take(path) }

func faultMatches(pattern, path string) bool {
	switch {
	case pattern == "":
		return true
	case strings.HasPrefix(pattern, "/"):
		return path == pattern
	default:
		return strings.HasSuffix(path, "/"+pattern)
	}
}

// applyFault carries out f. It reports whether the request is finished
// (answered, dropped or abandoned); false means serve it normally.
func (s *Server) applyFault(w *statusWriter, r *http.Request, f Fault) bool {
	return applyFault(w, r, f, s.done, faultAnswers{
		tokenHead: `{"token_type":"Bearer","expires_in":3600,"access_token":"`,
		writeError: func(w *statusWriter, r *http.Request, status int) {
			e := errorf(status, "invalid_request", codeMalformedRequest, "Invalid request. Request is malformed or invalid.")
			if status == http.StatusTooManyRequests || status >= 500 {
				// AADSTS90033: "A transient error has occurred. Please try again."
				e = errorf(status, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again.")
			}
			s.writeError(w, r, e, false)
		},
	})
}

// drop closes the client's connection without writing a response.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// net/http closes the connection, without logging, when a handler
	// panics with this value: the documented way to abort a response.
	panic(http.ErrAbortHandler)
}
