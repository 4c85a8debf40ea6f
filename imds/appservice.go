package imds

import (
	"context"
	"net/http"
	"net/url"
)

// appServiceAPIVersion is the 2019-08-01 protocol, PROTOCOL.md 7.4.
const appServiceAPIVersion = "2019-08-01"

// appServiceIDParams names the query parameter of each user-assigned kind,
// PROTOCOL.md 7.12: "client_id, object_id (docs: principal_id), mi_res_id"
// (MGO and MPY send object_id; mi_res_id, not IMDS's msi_res_id).
var appServiceIDParams = map[IDKind]string{ClientID: "client_id", ObjectID: "object_id", ResourceID: "mi_res_id"}

// initAppService reads IDENTITY_ENDPOINT, "a local plain-HTTP URL such as
// http://127.0.0.1:41741/MSI/token/" (on Linux containers it may be a
// private address, so the host is not checked), and IDENTITY_HEADER, "a
// per-site random secret" (PROTOCOL.md 7.4). Every ID kind is supported.
func (s *Source) initAppService(getenv func(string) string) error {
	if err := s.setSecret(envIdentityHeader, getenv(envIdentityHeader)); err != nil {
		return err
	}
	return s.setEndpoint(envIdentityEndpoint, getenv(envIdentityEndpoint), false)
}

// appServiceRequest builds PROTOCOL.md 7.4's request: "GET
// {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=<resource> plus one
// optional selector", "Existing query parameters of IDENTITY_ENDPOINT are
// kept", "Header X-IDENTITY-HEADER: {IDENTITY_HEADER}". "MPY also sends
// Metadata: true (harmless; needed by Azure Automation, which uses the same
// protocol)", and so does this.
func (s *Source) appServiceRequest(ctx context.Context, resource string) (*http.Request, error) {
	q := url.Values{"api-version": {appServiceAPIVersion}, "resource": {resource}}
	if name := appServiceIDParams[s.id.Kind]; name != "" {
		q.Set(name, s.id.Value)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.tokenURL(q), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-IDENTITY-HEADER", s.secret.value)
	req.Header.Set("Metadata", "true")
	return req, nil
}

// appServiceToken gets a token from App Service, Functions or Container Apps.
func (s *Source) appServiceToken(ctx context.Context, resource string) (Token, error) {
	resp, sent, err := s.exchange(ctx, func(ctx context.Context) (*http.Request, error) {
		return s.appServiceRequest(ctx, resource)
	})
	r, err := s.finish(ctx, resp, sent, err, appServiceErrorMessage, s.secret.value)
	return r.Token, err
}

// appServiceErrorMessage reads an App Service error body, PROTOCOL.md 7.4:
// {"statusCode":<n>,"message":"...","correlationId":"..."}.
func appServiceErrorMessage(body []byte) string { return statusMessage(body) }
