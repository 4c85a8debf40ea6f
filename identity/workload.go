package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/azid-go/azid/internal/localfile"
	"github.com/azid-go/azid/oauth2"
)

// WorkloadIdentityCredential authenticates a Kubernetes workload (AKS
// workload identity) with the service account token the cluster projects
// into a file, used as a federated client assertion (PROTOCOL.md 6.8). The
// file is re-read when the copy in hand is older than five minutes, and
// after Entra ID says the assertion has expired; never once for the life of
// the process. It is safe for concurrent use.
type WorkloadIdentityCredential struct {
	redacted // fmt and slog print no field: some hold secrets
	ep       *tokenEndpoint
	file     *tokenFile
}

// WorkloadIdentityCredentialOptions configures a WorkloadIdentityCredential.
// Each empty field is taken from the environment the AKS webhook sets.
type WorkloadIdentityCredentialOptions struct {
	ClientOptions
	TenantID      string // "": AZURE_TENANT_ID
	ClientID      string // "": AZURE_CLIENT_ID
	TokenFilePath string // "": AZURE_FEDERATED_TOKEN_FILE
}

const wiName = "WorkloadIdentityCredential"

// NewWorkloadIdentityCredential returns a workload identity credential.
func NewWorkloadIdentityCredential(o *WorkloadIdentityCredentialOptions) (*WorkloadIdentityCredential, error) {
	if o == nil {
		o = &WorkloadIdentityCredentialOptions{}
	}
	tenant := firstNonEmpty(o.TenantID, getenv(envTenantID))
	clientID := firstNonEmpty(o.ClientID, getenv(envClientID))
	path := firstNonEmpty(o.TokenFilePath, getenv(envFederatedTokenFile))
	switch {
	case tenant == "":
		return nil, inputError(wiName, ErrInvalidTenantID, "no tenant ID: set TenantID or %s", envTenantID)
	case clientID == "":
		return nil, inputError(wiName, ErrInvalidArgument, "no client ID: set ClientID or %s", envClientID)
	case path == "":
		return nil, inputError(wiName, ErrInvalidArgument, "no token file: set TokenFilePath or %s", envFederatedTokenFile)
	}
	ep, err := newTokenEndpoint(wiName, tenant, clientID, &o.ClientOptions)
	if err != nil {
		return nil, err
	}
	return &WorkloadIdentityCredential{ep: ep, file: &tokenFile{path: path, now: time.Now}}, nil
}

// GetToken returns an access token for opts.Scopes.
func (c *WorkloadIdentityCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.ep.getToken(ctx, opts, "", c)
}

func (c *WorkloadIdentityCredential) grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error) {
	req.Auth = oauth2.Auth{Assertion: c.file.assertion}
	tok, err := c.ep.client.ClientCredentials(ctx, req)
	if hasErrorCode(err, aadstsAssertionExpired) {
		// The projected token expired under us: read the file again and try once more.
		c.file.invalidate()
		tok, err = c.ep.client.ClientCredentials(ctx, req)
	}
	return tok, err
}

// aadstsAssertionExpired: AADSTS700024, "Client assertion is not within its
// valid time range" (PROTOCOL.md 2.13).
const aadstsAssertionExpired = 700024

func hasErrorCode(err error, code int) bool {
	var oe *oauth2.Error
	if !errors.As(err, &oe) {
		return false
	}
	for _, c := range oe.ErrorCodes {
		if c == code {
			return true
		}
	}
	return false
}

// tokenFile holds the federated token read from a file, re-read when older
// than tokenFileMaxAge or when invalidated.
type tokenFile struct {
	path string
	now  func() time.Time

	mu     sync.Mutex // guards token, readAt
	token  string
	readAt time.Time
}

func (f *tokenFile) assertion(context.Context, string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.token != "" && f.now().Sub(f.readAt) < tokenFileMaxAge {
		return f.token, nil
	}
	t, err := readTokenFile(f.path)
	if err != nil {
		return "", err
	}
	f.token, f.readAt = t, f.now()
	return t, nil
}

func (f *tokenFile) invalidate() {
	f.mu.Lock()
	f.token = ""
	f.mu.Unlock()
}

// readTokenFile reads a federated token, bounded. Surrounding white space is
// trimmed: a JWT has none, and a trailing newline from an editor or
// `echo` would otherwise make Entra reject it.
func readTokenFile(path string) (string, error) {
	b, err := localfile.Read(path, maxTokenFile)
	if errors.Is(err, localfile.ErrTooLarge) {
		return "", fmt.Errorf("the federated token file %s is larger than %d bytes", path, maxTokenFile)
	}
	if err != nil {
		return "", fmt.Errorf("reading the federated token file: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("the federated token file %s is empty", path)
	}
	return t, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
