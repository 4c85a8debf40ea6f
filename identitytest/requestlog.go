package identitytest

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Request is one request the server received, as the client sent it.
type Request struct {
	Time   time.Time   // when it arrived, by Options.Now
	Method string      // "POST", "GET", ...
	Path   string      // URL path, e.g. "/tenant/oauth2/v2.0/token"
	Query  url.Values  // URL query parameters
	Header http.Header // request headers
	// Form holds the fields of an application/x-www-form-urlencoded body,
	// secrets included, exactly as sent; nil for other bodies.
	Form url.Values
	// Status is the HTTP status of the answer; 0 when a Fault dropped the
	// connection or the request is still being served.
	Status int
}

// secretFields are the form fields whose values Request.String hides.
var secretFields = map[string]bool{
	"client_secret":    true,
	"client_assertion": true,
	"assertion":        true,
	"password":         true,
	"refresh_token":    true,
	"code":             true,
	"code_verifier":    true,
	"device_code":      true,
	// A bearer token a client sends in a form body (RFC 6750, Section
	// 2.2), and the tokens of a token exchange.
	"access_token":  true,
	"id_token":      true,
	"subject_token": true,
	"actor_token":   true,
}

// String is a one-line summary for test output, with form fields sorted by
// name and every secret (client_secret, client_assertion, assertion,
// password, refresh_token, code, code_verifier, device_code, access_token,
// id_token, subject_token, actor_token) shown as
// "[REDACTED]", for example
//
//	POST /tenant/oauth2/v2.0/token client_id=app client_secret=[REDACTED] grant_type=client_credentials scope=https://vault.azure.net/.default -> 200
//
// Headers and the query string are left out.
func (r Request) String() string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte(' ')
	b.WriteString(r.Path)
	names := make([]string, 0, len(r.Form))
	for name := range r.Form {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range r.Form[name] {
			b.WriteByte(' ')
			b.WriteString(name)
			b.WriteByte('=')
			if secretFields[name] {
				v = "[REDACTED]"
			}
			b.WriteString(v)
		}
	}
	b.WriteString(" -> ")
	b.WriteString(strconv.Itoa(r.Status))
	return b.String()
}

// GoString is String, so that %#v shows no secret either.
func (r Request) GoString() string { return r.String() }

// Format prints String for every fmt verb (%d and %x would otherwise walk
// the fields and print the secrets).
func (r Request) Format(f fmt.State, _ rune) { io.WriteString(f, r.String()) }

// LogValue is String, for log/slog.
func (r Request) LogValue() slog.Value { return slog.StringValue(r.String()) }

// Requests returns a copy of the log of every request received since New
// or the last ResetRequests, in order of arrival.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyRequests(s.log)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.log = nil
	s.logGen++
	s.mu.Unlock()
}

// record appends r to the log and returns a ticket for setStatus.
func (s *Server) record(r Request) *logTicket {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, r)
	return &logTicket{gen: s.logGen, index: len(s.log) - 1}
}

// logTicket finds a log entry again after the request is served, unless
// ResetRequests emptied the log in between.
type logTicket struct {
	gen   int
	index int
}

// setStatus fills in the status of the entry t names.
func (s *Server) setStatus(t *logTicket, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.gen == s.logGen && t.index < len(s.log) {
		s.log[t.index].Status = status
	}
}

func copyValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// copyRequests returns a deep copy of a request log, so that a caller can
// neither see later changes nor change the log.
func copyRequests(log []Request) []Request {
	out := make([]Request, len(log))
	for i, r := range log {
		r.Query = copyValues(r.Query)
		r.Form = copyValues(r.Form)
		r.Header = r.Header.Clone()
		out[i] = r
	}
	return out
}
