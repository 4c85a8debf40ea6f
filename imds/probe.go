package imds

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/azid-go/azid/internal/send"
)

// Probe tells quickly whether an IMDS endpoint is there: one request, no
// retries, at most one second (PROTOCOL.md 7.3 "Probe", 16). It returns nil
// when an endpoint answered, and an *Error with Unavailable set when nothing
// did, when a proxy said the address is unreachable, or when the answer is
// not JSON (IMDS always answers in JSON, so something else is listening).
//
// The request is GO's probe: "one probe GET
// http://169.254.169.254/metadata/identity/oauth2/token (no query, no
// headers)". It asks for no token and carries no identity; IMDS answers it
// at once with a 400. Only IMDS is probed: the other sources are declared
// by their environment variables, and with AZURE_POD_IDENTITY_AUTHORITY_HOST
// set "the endpoint is assumed available and no probe is sent". For those
// Probe returns nil without a request.
func (s *Source) Probe(ctx context.Context) error {
	if s == nil || s.client == nil {
		return &Error{Message: "Source was not made by New"}
	}
	if ctx == nil {
		return s.fail("nil context")
	}
	if s.kind != IMDS || !s.probe {
		return nil
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(pctx, http.MethodGet, s.endpoint.String(), nil)
	if err != nil {
		return &Error{Source: s.kind, Message: "probe", Err: err}
	}
	resp, err := send.Do(s.client, req)
	switch {
	case err != nil && ctx.Err() != nil:
		// The caller gave up; that says nothing about IMDS.
		return &Error{Source: s.kind, Message: "probe cancelled", Err: err}
	case err != nil:
		// PY: "ManagedIdentityCredential authentication unavailable, no
		// response from the IMDS endpoint."
		return &Error{Source: s.kind, Message: "no response from the IMDS endpoint", Err: err, Unavailable: true}
	case resp.StatusCode == http.StatusForbidden && bytes.Contains(resp.Body, []byte("unreachable")):
		// PROTOCOL.md 7.3: "A 403 whose message contains unreachable
		// (Docker Desktop's proxy [...]) -> unavailable".
		return &Error{Source: s.kind, StatusCode: resp.StatusCode,
			Message: "a proxy reports the IMDS address unreachable", Unavailable: true}
	case !isJSONObject(resp.Body):
		return &Error{Source: s.kind, StatusCode: resp.StatusCode,
			Message:     fmt.Sprintf("the answer at the IMDS address is not JSON (%d bytes), so it is not IMDS", len(resp.Body)),
			Unavailable: true}
	}
	return nil
}

// isJSONObject reports whether body holds one JSON object.
func isJSONObject(body []byte) bool {
	_, ok := decodeErrorFields(body)
	t := bytes.TrimLeft(body, " \t\r\n")
	return ok && len(t) > 0 && t[0] == '{'
}
