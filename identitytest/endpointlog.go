package identitytest

import (
	"crypto/tls"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// endpointLog is the request log and fault queue of the fakes that are not
// the Entra ID Server (ManagedIdentity, OIDCIssuer). It keeps the Server's
// rules: Requests in order of arrival with the status filled in after the
// answer, faults taken in the order queued by the first matching Path, and a
// Delay that ends when the client gives up or the fake is closed.
type endpointLog struct {
	now       func() time.Time
	done      chan struct{} // closed by close, to end Delay faults
	closeOnce sync.Once

	faults faultQueue // has its own lock

	// mu guards log and logGen.
	mu     sync.Mutex
	log    []Request
	logGen int // counts reset calls, so a late status lands nowhere
}

func newEndpointLog(now func() time.Time) *endpointLog {
	if now == nil {
		now = time.Now
	}
	return &endpointLog{now: now, done: make(chan struct{})}
}

// start runs h on a loopback httptest server, over TLS when useTLS is set
// (with tlsConfig's certificate, or httptest's when it has none). Its log
// goes quiet once the fake is closed, as the Server's does
// (quietAfterClose).
func (l *endpointLog) start(h http.HandlerFunc, useTLS bool, tlsConfig *tls.Config) *httptest.Server {
	ts := httptest.NewUnstartedServer(h)
	ts.Config.ErrorLog = log.New(quietAfterClose{l.done}, "", log.LstdFlags)
	if !useTLS {
		ts.Start()
		return ts
	}
	ts.TLS = tlsConfig
	ts.StartTLS()
	return ts
}

// close ends Delay faults; the caller closes the server.
func (l *endpointLog) close() { l.closeOnce.Do(func() { close(l.done) }) }

// begin logs r and returns the writer to answer through and a function
// that records the answer's status, to be deferred.
func (l *endpointLog) begin(w http.ResponseWriter, r *http.Request, form url.Values) (*statusWriter, func()) {
	l.mu.Lock()
	l.log = append(l.log, Request{
		Time:   l.now(),
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
		Form:   copyValues(form),
	})
	gen, index := l.logGen, len(l.log)-1
	l.mu.Unlock()
	sw := &statusWriter{ResponseWriter: w}
	return sw, func() {
		l.mu.Lock()
		if gen == l.logGen && index < len(l.log) {
			l.log[index].Status = sw.status
		}
		l.mu.Unlock()
	}
}

// requests returns a deep copy of the log.
func (l *endpointLog) requests() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return copyRequests(l.log)
}

func (l *endpointLog) reset() {
	l.mu.Lock()
	l.log = nil
	l.logGen++
	l.mu.Unlock()
}

func (l *endpointLog) addFault(f Fault) { l.faults.add(f) }

func (l *endpointLog) clearFaults() { l.faults.clear() }

// takeFault returns the first queued fault whose Path matches path,
// counting the request against it.
func (l *endpointLog) takeFault(path string) (Fault, bool) { return l.faults.take(path) }

// faultAnswers is what a fake sends for a fault that sets a Status alone
// (the endpoint's own error shape for that status: errorBody, written as
// JSON, or writeError when the endpoint writes its errors itself) and for
// Malformed and Oversize: tokenHead is the JSON of the endpoint's token
// answer up to the opening quote of its last member, a string, which a
// Malformed body leaves unfinished and an Oversize one pads with "A"s.
type faultAnswers struct {
	errorBody  func(status int) any
	writeError func(w *statusWriter, r *http.Request, status int)
	tokenHead  string
}

// apply carries out f for a managed identity or OIDC fake.
func (l *endpointLog) apply(w *statusWriter, r *http.Request, f Fault, a faultAnswers) bool {
	return applyFault(w, r, f, l.done, a)
}

// applyFault carries out f for any fake: it waits f.Delay (ending early,
// with a dropped connection, when the client goes or done closes), then
// drops the connection, answers as the fault says, or reports false so that
// the request is served normally.
func applyFault(w *statusWriter, r *http.Request, f Fault, done <-chan struct{}, a faultAnswers) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			// The client has gone. Close rather than return: returning
			// would send an empty 200, which a client still there would
			// take for a broken token response.
			drop(w.ResponseWriter)
			return true
		case <-done:
			drop(w.ResponseWriter)
			return true
		}
	}
	if f.Drop {
		drop(w.ResponseWriter)
		return true
	}
	if f.Status == 0 && f.Body == "" && !f.Malformed && !f.Oversize {
		return false
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	var body string
	switch {
	case f.Oversize:
		body = a.tokenHead + strings.Repeat("A", OversizeBody-len(a.tokenHead)-2) + `"}`
	case f.Malformed:
		body = a.tokenHead + "eyJ0eXAiOiJKV1Qi"
	case f.Body != "":
		body = f.Body
	case a.writeError != nil:
		a.writeError(w, r, status)
		return true
	default:
		writeJSON(w, status, a.errorBody(status))
		return true
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
	return true
}
