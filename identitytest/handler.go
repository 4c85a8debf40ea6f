package identitytest

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// serve is the server's single handler: it reads the body, logs the
// request, applies a queued fault, then routes.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	form, bodyErr := readForm(w, r)
	ticket := s.record(Request{
		Time:   s.now(),
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
		Form:   copyValues(form),
	})
	sw := &statusWriter{ResponseWriter: w}
	defer func() { s.setStatus(ticket, sw.status) }()

	if f, ok := s.takeFault(r.URL.Path); ok && s.applyFault(sw, r, f) {
		return
	}
	if bodyErr != nil {
		s.writeError(sw, r, bodyErr, false)
		return
	}
	s.route(sw, r, form)
}

// statusWriter remembers the status written, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// readForm reads the request body, at most MaxRequestBody bytes, and parses
// it when it is a form (RFC 6749, Section 3.2: "application/x-www-form-urlencoded").
// Other bodies give a nil form. Only the body counts: a query string is
// never merged into the form, since the token endpoint takes none
// (PROTOCOL 2.1).
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, *oauthError) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBody))
	// A Resource's handler reads the body again (serveResource).
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errorf(http.StatusRequestEntityTooLarge, "invalid_request", codeMalformedRequest,
				"Invalid request. The request body is larger than %d bytes.", MaxRequestBody)
		}
		return nil, errorf(http.StatusBadRequest, "invalid_request", codeMalformedRequest,
			"Invalid request. The request body could not be read.")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return nil, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return form, errorf(http.StatusBadRequest, "invalid_request", codeMalformedRequest,
			"Invalid request. Request is malformed or invalid: the form body is not valid URL encoding.")
	}
	return form, nil
}

// route sends a request to its endpoint by the segments of its path.
func (s *Server) route(w http.ResponseWriter, r *http.Request, form url.Values) {
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(seg) >= 2 && seg[0] == "resource":
		s.serveResource(w, r, seg[1])
	case len(seg) == 3 && seg[0] == "adfs" && seg[1] == "oauth2" && seg[2] == "token":
		s.token(w, r, form, "adfs", true)
	case len(seg) == 3 && seg[0] == "adfs" && seg[1] == ".well-known" && seg[2] == "openid-configuration":
		s.adfsConfiguration(w, r)
	case len(seg) == 3 && seg[0] == "adfs" && seg[1] == "discovery" && seg[2] == "keys":
		s.keys(w, r)
	case len(seg) == 3 && seg[0] == "common" && seg[1] == "discovery" && seg[2] == "instance":
		s.instanceDiscovery(w, r)
	case len(seg) == 4 && seg[1] == "oauth2" && seg[2] == "v2.0" && seg[3] == "token":
		if e := checkTenant(seg[0]); e != nil {
			s.writeError(w, r, e, false)
			return
		}
		s.token(w, r, form, seg[0], false)
	case len(seg) == 4 && seg[1] == "oauth2" && seg[2] == "v2.0" && seg[3] == "devicecode":
		if e := checkTenant(seg[0]); e != nil {
			s.writeError(w, r, e, false)
			return
		}
		s.deviceCode(w, r, form, seg[0])
	case len(seg) == 4 && seg[1] == "v2.0" && seg[2] == ".well-known" && seg[3] == "openid-configuration":
		if e := checkTenant(seg[0]); e != nil {
			s.writeError(w, r, e, false)
			return
		}
		s.openIDConfiguration(w, r, seg[0])
	case len(seg) == 4 && seg[1] == "discovery" && seg[2] == "v2.0" && seg[3] == "keys":
		s.keys(w, r)
	default:
		http.NotFound(w, r)
	}
}

// checkTenant refuses a tenant segment that is not a tenant id or domain
// (PROTOCOL 1.2: letters, digits, '-' and '.'), and "adfs", which has its
// own endpoints.
func checkTenant(t string) *oauthError {
	ok := t != "" && !strings.EqualFold(t, "adfs")
	for i := 0; ok && i < len(t); i++ {
		c := t[i]
		ok = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.'
	}
	if ok {
		return nil
	}
	// AADSTS900023: "Specified tenant identifier is neither a valid
	// DirectoryName nor a valid ExternalDomainName."
	return errorf(http.StatusBadRequest, "invalid_request", 900023,
		"Specified tenant identifier %s is neither a valid DirectoryName nor a valid ExternalDomainName.", quoted(t))
}

// isOrganizationsLike reports whether tenant names no particular tenant.
func isOrganizationsLike(tenant string) bool {
	switch strings.ToLower(tenant) {
	case "common", "organizations", "consumers":
		return true
	}
	return false
}
