package imds

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// initCloudShell reads MSI_ENDPOINT ("Cloud Shell sets
// MSI_ENDPOINT=http://localhost:50342/oauth2/token", PROTOCOL.md 7.6).
// Cloud Shell's token is the signed-in user's, so no user-assigned identity
// can be chosen: "GO refuses user-assigned identities".
func (s *Source) initCloudShell(getenv func(string) string) error {
	if s.id.Kind != SystemAssigned {
		return s.unsupportedID("Cloud Shell doesn't support user-assigned managed identities")
	}
	return s.setEndpoint(envMSIEndpoint, getenv(envMSIEndpoint), false)
}

// cloudShellRequest builds PROTOCOL.md 7.6's request: "POST {MSI_ENDPOINT}
// with header Metadata: true and form body resource=<resource>
// (Content-Type: application/x-www-form-urlencoded)".
func (s *Source) cloudShellRequest(ctx context.Context, resource string) (*http.Request, error) {
	body := url.Values{"resource": {resource}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.tokenURL(nil), strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Metadata", "true")
	return req, nil
}

// cloudShellToken gets a token from Cloud Shell.
func (s *Source) cloudShellToken(ctx context.Context, resource string) (Token, error) {
	resp, sent, err := s.exchange(ctx, func(ctx context.Context) (*http.Request, error) {
		return s.cloudShellRequest(ctx, resource)
	})
	r, err := s.finish(ctx, resp, sent, err, cloudShellErrorMessage)
	return r.Token, err
}

// cloudShellErrorMessage reads a Cloud Shell error body, PROTOCOL.md 7.6:
// {"error":{"code":"...","message":"..."}}.
func cloudShellErrorMessage(body []byte) string { return nestedMessage(body) }
