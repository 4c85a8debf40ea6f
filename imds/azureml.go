package imds

import (
	"context"
	"net/http"
	"net/url"
)

// azureMLAPIVersion is the 2017-09-01 protocol, PROTOCOL.md 7.8.
const azureMLAPIVersion = "2017-09-01"

// initAzureML reads MSI_ENDPOINT and MSI_SECRET, and, for the
// system-assigned case, DEFAULT_IDENTITY_CLIENT_ID. PROTOCOL.md 7.8: "GO:
// always sets clientid to DEFAULT_IDENTITY_CLIENT_ID (environment variable
// set by Azure ML) and overrides it with the configured client id"; "Object
// id and resource id are not supported".
func (s *Source) initAzureML(getenv func(string) string) error {
	switch s.id.Kind {
	case SystemAssigned:
		if def := getenv(envDefaultClientID); def != "" {
			if err := checkText(envDefaultClientID, def); err != nil {
				return s.fail(err.Error())
			}
			// The endpoint is asked for the identity Azure ML calls its
			// default; s.id stays system-assigned, as the caller asked.
			s.defaultClientID = def
		}
	case ClientID:
	default:
		return s.unsupportedID("Azure ML supports specifying a user-assigned managed identity by client ID only")
	}
	if err := s.setSecret(envMSISecret, getenv(envMSISecret)); err != nil {
		return err
	}
	return s.setEndpoint(envMSIEndpoint, getenv(envMSIEndpoint), false)
}

// azureMLRequest builds PROTOCOL.md 7.8's request: "GET
// {MSI_ENDPOINT}?api-version=2017-09-01&resource=<resource>[&clientid=<guid>]
// - note the parameter name clientid (no underscore)" with "Header secret:
// {MSI_SECRET} (lower-case name; HTTP header names are case-insensitive)".
// GO sends clientid even when empty; this leaves it out then, as PY does.
func (s *Source) azureMLRequest(ctx context.Context, resource string) (*http.Request, error) {
	q := url.Values{"api-version": {azureMLAPIVersion}, "resource": {resource}}
	clientID := s.defaultClientID
	if s.id.Kind == ClientID {
		clientID = s.id.Value
	}
	if clientID != "" {
		q.Set("clientid", clientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.tokenURL(q), nil)
	if err != nil {
		return nil, err
	}
	// Set directly, not through Header.Set, so the name goes out in the
	// lower case PROTOCOL.md gives rather than canonicalised as "Secret".
	req.Header["secret"] = []string{s.secret.value}
	return req, nil
}

// azureMLToken gets a token from Azure Machine Learning.
func (s *Source) azureMLToken(ctx context.Context, resource string) (Token, error) {
	resp, sent, err := s.exchange(ctx, func(ctx context.Context) (*http.Request, error) {
		return s.azureMLRequest(ctx, resource)
	})
	r, err := s.finish(ctx, resp, sent, err, azureMLErrorMessage, s.secret.value)
	return r.Token, err
}

// azureMLErrorMessage reads an Azure ML error body. PROTOCOL.md does not
// give its shape; the legacy App Service 2017-09-01 protocol it shares
// answered {"statusCode":...,"message":"..."}, and finish falls back to
// the other known shapes.
func azureMLErrorMessage(body []byte) string { return statusMessage(body) }
