package identity

import (
	"context"
	"net/http"
	"net/url"

	"github.com/azid-go/azid/oauth2"
)

// GitHubActionsCredential authenticates a GitHub Actions job (with
// `permissions: id-token: write`) through workload identity federation: it
// asks GitHub's OIDC provider for a token with audience
// api://AzureADTokenExchange and uses it as the client assertion. No
// official Azure Identity library has it. It is safe for concurrent use.
type GitHubActionsCredential struct {
	redacted // fmt and slog print no field: some hold secrets
	ep       *tokenEndpoint
	oidc     oidcSource
}

// GitHubActionsCredentialOptions configures a GitHubActionsCredential. nil
// means defaults.
type GitHubActionsCredentialOptions struct {
	ClientOptions
	// Audience of the GitHub token. "": api://AzureADTokenExchange, what
	// Entra's federated credentials expect.
	Audience string
}

const ghName = "GitHubActionsCredential"

// federatedAudience is the audience Entra ID expects of federated tokens
// (PROTOCOL.md 16).
const federatedAudience = "api://AzureADTokenExchange"

// NewGitHubActionsCredential returns a credential for clientID in tenantID.
// ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN, which
// GitHub sets for jobs allowed to request OIDC tokens, must be set.
func NewGitHubActionsCredential(tenantID, clientID string, o *GitHubActionsCredentialOptions) (*GitHubActionsCredential, error) {
	if o == nil {
		o = &GitHubActionsCredentialOptions{}
	}
	if tenantID == "" {
		return nil, inputError(ghName, ErrInvalidTenantID, "the tenant ID is empty")
	}
	reqURL, reqToken := getenv(envActionsIDTokenRequestURL), getenv(envActionsIDTokenRequestTok)
	if reqURL == "" || reqToken == "" {
		return nil, inputError(ghName, ErrInvalidArgument, "%s and %s are not both set; give the job `permissions: id-token: write`",
			envActionsIDTokenRequestURL, envActionsIDTokenRequestTok)
	}
	u, err := url.Parse(reqURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, inputError(ghName, ErrInvalidArgument, "%s is not an https URL", envActionsIDTokenRequestURL)
	}
	q := u.Query()
	q.Set("audience", firstNonEmpty(o.Audience, federatedAudience))
	u.RawQuery = q.Encode()
	ep, err := newTokenEndpoint(ghName, tenantID, clientID, &o.ClientOptions)
	if err != nil {
		return nil, err
	}
	return &GitHubActionsCredential{ep: ep, oidc: oidcSource{
		method:      http.MethodGet,
		url:         u.String(),
		header:      http.Header{"Authorization": {"Bearer " + reqToken}, "Accept": {"application/json"}},
		field:       "value",
		diagnostics: []string{"x-github-request-id"},
		client:      o.httpClient(),
		hint:        "check that the job has `permissions: id-token: write`",
	}}, nil
}

// GetToken returns an access token for opts.Scopes.
func (c *GitHubActionsCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.ep.getToken(ctx, opts, "", c)
}

func (c *GitHubActionsCredential) grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error) {
	req.Auth = oauth2.Auth{Assertion: c.oidc.assertion}
	return c.ep.client.ClientCredentials(ctx, req)
}
