package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/azid-go/azid/internal/send"
	"github.com/azid-go/azid/oauth2"
)

// AzurePipelinesCredential authenticates an Azure Pipelines job through a
// service connection with workload identity federation: it asks the
// pipeline's OIDC endpoint for a token and uses it as the client assertion
// (PROTOCOL.md 6.9). It is safe for concurrent use.
type AzurePipelinesCredential struct {
	redacted // fmt and slog print no field: some hold secrets
	ep       *tokenEndpoint
	oidc     oidcSource
}

// AzurePipelinesCredentialOptions configures an AzurePipelinesCredential.
// nil means defaults.
type AzurePipelinesCredentialOptions struct {
	ClientOptions
}

const apName = "AzurePipelinesCredential"

// NewAzurePipelinesCredential returns a credential for the app clientID in
// tenantID, federated with the service connection serviceConnectionID.
// systemAccessToken is the job's System.AccessToken. SYSTEM_OIDCREQUESTURI,
// which Azure Pipelines sets, must be set.
func NewAzurePipelinesCredential(tenantID, clientID, serviceConnectionID, systemAccessToken string, o *AzurePipelinesCredentialOptions) (*AzurePipelinesCredential, error) {
	if o == nil {
		o = &AzurePipelinesCredentialOptions{}
	}
	switch {
	case tenantID == "":
		return nil, inputError(apName, ErrInvalidTenantID, "the tenant ID is empty")
	case serviceConnectionID == "":
		return nil, inputError(apName, ErrInvalidArgument, "the service connection ID is empty")
	case systemAccessToken == "":
		return nil, inputError(apName, ErrInvalidArgument, "the system access token is empty")
	}
	base := getenv(envSystemOIDCRequestURI)
	if base == "" {
		return nil, inputError(apName, ErrInvalidArgument, "%s is not set; this credential works only inside Azure Pipelines", envSystemOIDCRequestURI)
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, inputError(apName, ErrInvalidArgument, "%s is not an https URL", envSystemOIDCRequestURI)
	}
	q := u.Query()
	q.Set("api-version", "7.1")
	q.Set("serviceConnectionId", serviceConnectionID)
	u.RawQuery = q.Encode()
	ep, err := newTokenEndpoint(apName, tenantID, clientID, &o.ClientOptions)
	if err != nil {
		return nil, err
	}
	c := &AzurePipelinesCredential{ep: ep}
	c.oidc = oidcSource{
		method: http.MethodPost,
		url:    u.String(),
		header: http.Header{
			"Authorization":         {"Bearer " + systemAccessToken},
			"Content-Type":          {"application/json"},
			"X-Tfs-Fedauthredirect": {"Suppress"}, // no 302 to a sign-in page when the token is bad
		},
		field:       "oidcToken",
		diagnostics: []string{"x-vss-e2eid", "x-msedge-ref"},
		client:      o.httpClient(),
		hint:        "check the service connection ID and the pipeline's configuration",
	}
	return c, nil
}

// GetToken returns an access token for opts.Scopes.
func (c *AzurePipelinesCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.ep.getToken(ctx, opts, "", c)
}

func (c *AzurePipelinesCredential) grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error) {
	req.Auth = oauth2.Auth{Assertion: c.oidc.assertion}
	return c.ep.client.ClientCredentials(ctx, req)
}

// oidcSource fetches a federated token from a CI system's OIDC endpoint
// (Azure Pipelines, GitHub Actions) for use as a client assertion.
type oidcSource struct {
	method      string
	url         string      // holds no secret; the bearer token is in header
	header      http.Header // holds the bearer token: never logged or printed
	field       string      // the JSON member holding the token
	diagnostics []string    // response headers worth reporting on failure
	client      *http.Client
	hint        string
}

// maxOIDCServerText bounds the server text quoted in an error.
const maxOIDCServerText = 200

func (s oidcSource) assertion(ctx context.Context, _ string) (string, error) {
	// Bounded as a token request is (oauth2.MaxTryTime): the callback runs
	// on the cache's flight, whose context outlives the caller's, and a
	// client without Timeout would wait for a silent endpoint for ever.
	if _, ok := ctx.Deadline(); !ok && s.client.Timeout <= 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, oauth2.MaxTryTime)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, s.method, s.url, nil)
	if err != nil {
		return "", fmt.Errorf("OIDC request: %w", err)
	}
	for k, v := range s.header {
		req.Header[k] = v
	}
	// No redirects: Go would follow one with the bearer token in the header,
	// even to plain http on the same host.
	hc := *s.client
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := send.Do(&hc, req)
	if err != nil {
		return "", fmt.Errorf("OIDC request: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var diag strings.Builder
		bearer := strings.TrimSpace(strings.TrimPrefix(s.header.Get("Authorization"), "Bearer"))
		for _, h := range s.diagnostics {
			if v := resp.Header.Get(h); v != "" {
				fmt.Fprintf(&diag, " %s: %.*s.", h, maxOIDCServerText, diagnostic(v, bearer))
			}
		}
		return "", fmt.Errorf("%d response from the OIDC endpoint %s; %s.%s", resp.StatusCode, send.Where(req.URL), s.hint, diag.String())
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		return "", fmt.Errorf("the OIDC endpoint %s answered with something other than a JSON object", send.Where(req.URL))
	}
	var tok string
	if raw, ok := body[s.field]; !ok || json.Unmarshal(raw, &tok) != nil || tok == "" {
		return "", fmt.Errorf("the OIDC endpoint %s answered without %q", send.Where(req.URL), s.field)
	}
	return tok, nil
}

// diagnostic is a response header value for an error, withheld when it
// repeats the request's bearer token (a server echoing it must not put it
// in our error). net/http refuses control characters in header values, so
// none reach here.
func diagnostic(v, bearer string) string {
	if bearer != "" && strings.Contains(v, bearer) {
		return "[withheld: it repeats the request's token]"
	}
	return v
}
