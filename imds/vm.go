package imds

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// IMDS wire constants, PROTOCOL.md 7.3 and 16.
const (
	imdsTokenURL   = "http://169.254.169.254/metadata/identity/oauth2/token"
	imdsTokenPath  = "/metadata/identity/oauth2/token"
	imdsAPIVersion = "2018-02-01"
)

// vmIDParams names the query parameter of each user-assigned kind, table
// PROTOCOL.md 7.12: "client_id, object_id, msi_res_id".
var vmIDParams = map[IDKind]string{ClientID: "client_id", ObjectID: "object_id", ResourceID: "msi_res_id"}

// initVM sets the IMDS token URL: the link-local address, or
// AZURE_POD_IDENTITY_AUTHORITY_HOST (trailing "/" stripped) +
// "/metadata/identity/oauth2/token" when set. PROTOCOL.md 7.3: "PY and MPY
// use AZURE_POD_IDENTITY_AUTHORITY_HOST [...] when that variable is
// present"; DESIGN.md takes PY's side. That host answers for IMDS, so Probe
// is skipped ("the endpoint is assumed available and no probe is sent").
func (s *Source) initVM(getenv func(string) string) error {
	raw := imdsTokenURL
	s.probe = true
	if host := getenv(envPodIdentityHost); host != "" {
		raw, s.probe = strings.TrimRight(host, "/")+imdsTokenPath, false
	}
	if err := s.setEndpoint(envPodIdentityHost, raw, false); err != nil {
		return err
	}
	if len(s.query) != 0 {
		return s.fail(envPodIdentityHost + " must not have a query string")
	}
	return nil // every ID kind is supported (7.12)
}

// vmRequest builds the IMDS token request, PROTOCOL.md 7.3: "GET
// http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01
// &resource=<resource>[&client_id=...|&object_id=...|&msi_res_id=...]" with
// "Header Metadata: true (required; requests without it get HTTP 400)".
func (s *Source) vmRequest(ctx context.Context, resource string) (*http.Request, error) {
	q := url.Values{"api-version": {imdsAPIVersion}, "resource": {resource}}
	if name := vmIDParams[s.id.Kind]; name != "" {
		q.Set(name, s.id.Value)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.tokenURL(q), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Metadata", "true")
	return req, nil
}

// vmToken gets a token from IMDS and marks the failures after which a chain
// should move on (PROTOCOL.md 7.3 "Errors").
func (s *Source) vmToken(ctx context.Context, resource string) (Token, error) {
	resp, sent, err := s.exchange(ctx, func(ctx context.Context) (*http.Request, error) {
		return s.vmRequest(ctx, resource)
	})
	r, err := s.finish(ctx, resp, sent, err, vmErrorMessage)
	var e *Error
	if !errors.As(err, &e) || e.Err != nil || resp == nil {
		return r.Token, err
	}
	switch {
	case resp.StatusCode == http.StatusBadRequest && s.id.Kind == SystemAssigned:
		// GO: "400 system-assigned -> unavailable"; PY: "No identity has
		// been assigned to this resource."
		e.Unavailable = true
		e.Message = "no identity is assigned to this resource: " + e.Message
	case resp.StatusCode == http.StatusBadRequest:
		// GO: "400 and a user-assigned id -> authentication failed".
		e.Message = "the requested " + s.id.Kind.String() + " identity isn't assigned to this resource: " + e.Message
	case resp.StatusCode == http.StatusForbidden && bytes.Contains(resp.Body, []byte("unreachable")):
		// "403 with unreachable -> unavailable": Docker Desktop's proxy
		// answers "A socket operation was attempted to an unreachable
		// network/host" where IMDS would be.
		e.Unavailable = true
	}
	return r.Token, err
}

// vmErrorMessage reads an IMDS error body, PROTOCOL.md 7.3: {"error":
// "invalid_request","error_description":"Identity not found"}.
func vmErrorMessage(body []byte) string { return flatMessage(body) }
