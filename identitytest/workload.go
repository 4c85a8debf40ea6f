package identitytest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// WorkloadIdentityOptions configures a WorkloadIdentity. The zero value of
// every field is its default.
type WorkloadIdentityOptions struct {
	// TenantID is AZURE_TENANT_ID. "" means DefaultTenantID.
	TenantID string

	// ClientID is AZURE_CLIENT_ID, the app whose federated identity
	// credential trusts the cluster. "" means a fixed GUID.
	ClientID string

	// Issuer is the iss claim, the cluster's OIDC issuer URL. "" means an
	// AKS-style "https://eastus.oic.prod-aks.azure.com/<tenant>/<guid>/".
	Issuer string

	// Subject is the sub claim. "" means
	// "system:serviceaccount:default:workload-identity-sa".
	Subject string

	// TokenLifetime is the projected token's lifetime. Zero means one
	// hour, the azure-workload-identity webhook's default
	// (service-account-token-expiration, 3600 s).
	TokenLifetime time.Duration

	// Dir is where the token file is written. "" means a new temporary
	// directory, removed by Close.
	Dir string

	// Now is the clock for issuing and for Validate. Nil means time.Now.
	Now func() time.Time
}

// WorkloadIdentity stands in for an AKS pod with workload identity: a
// projected service account token (an RS256 JWT with aud
// FederatedAudience) in a file, and the variables the webhook sets
// (PROTOCOL 6.8). Register App with the Server so that the token is
// accepted as a client assertion. It is safe for concurrent use.
type WorkloadIdentity struct {
	opts   WorkloadIdentityOptions
	fed    *federatedIssuer
	srv    *Server // may be nil
	dir    string
	ownDir bool
	path   string

	mu sync.Mutex // serialises Rotate
}

// NewWorkloadIdentity writes a token file and returns the workload. srv is
// the fake Entra ID whose Authority becomes AZURE_AUTHORITY_HOST; it may be
// nil, and then Env leaves that variable out. o may be nil. Errors wrap
// ErrInvalidOptions or report a failure to write the file.
func NewWorkloadIdentity(srv *Server, o *WorkloadIdentityOptions) (*WorkloadIdentity, error) {
	w := &WorkloadIdentity{srv: srv}
	if o != nil {
		w.opts = *o
	}
	if w.opts.TenantID == "" {
		w.opts.TenantID = DefaultTenantID
	}
	if w.opts.ClientID == "" {
		w.opts.ClientID = derivedGUID("workload-identity-app")
	}
	if w.opts.Issuer == "" {
		w.opts.Issuer = "https://eastus.oic.prod-aks.azure.com/" + w.opts.TenantID + "/" + derivedGUID("aks-cluster") + "/"
	}
	if w.opts.Subject == "" {
		w.opts.Subject = "system:serviceaccount:default:workload-identity-sa"
	}
	if w.opts.TokenLifetime <= 0 {
		w.opts.TokenLifetime = time.Hour
	}
	w.fed = newFederatedIssuer(w.opts.Issuer, w.opts.Subject, w.opts.TokenLifetime, 0, w.opts.Now)
	// A projected token's aud is an array (Kubernetes TokenRequest), and it
	// names the pod and service account it was made for.
	w.fed.audiences = func(aud string) any { return []string{aud} }
	w.fed.extra = map[string]any{"kubernetes.io": map[string]any{
		"namespace":      "default",
		"pod":            map[string]string{"name": "workload", "uid": derivedGUID("workload-pod")},
		"serviceaccount": map[string]string{"name": "workload-identity-sa", "uid": derivedGUID("workload-sa")},
	}}

	switch dir := w.opts.Dir; {
	case dir == "":
		tmp, err := os.MkdirTemp("", "identitytest-workload-")
		if err != nil {
			return nil, fmt.Errorf("identitytest: workload token directory: %w", err)
		}
		w.dir, w.ownDir = tmp, true
	case !filepath.IsAbs(dir):
		return nil, fmt.Errorf("%w: Dir %s is not an absolute path", ErrInvalidOptions, quoted(dir))
	default:
		w.dir = filepath.Clean(dir)
	}
	w.path = filepath.Join(w.dir, "azure-identity-token")
	if err := w.Rotate(); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// TokenFile is the path of the token file, AZURE_FEDERATED_TOKEN_FILE.
func (w *WorkloadIdentity) TokenFile() string { return w.path }

// TenantID is AZURE_TENANT_ID.
func (w *WorkloadIdentity) TenantID() string { return w.opts.TenantID }

// ClientID is AZURE_CLIENT_ID.
func (w *WorkloadIdentity) ClientID() string { return w.opts.ClientID }

// Rotate writes a new token to the file, as the kubelet refreshes a
// projected token: a new file renamed over the old one, so a reader sees
// one token or the other, never a mix. Tokens written before stay valid
// until they expire.
func (w *WorkloadIdentity) Rotate() error {
	tok, err := w.fed.mint(FederatedAudience)
	if err != nil {
		return fmt.Errorf("identitytest: signing the workload token: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	f, err := os.CreateTemp(w.dir, ".token-") // mode 0600
	if err != nil {
		return fmt.Errorf("identitytest: writing the workload token: %w", err)
	}
	_, err = f.WriteString(tok) // no trailing newline, as the kubelet writes it
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), w.path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("identitytest: writing the workload token: %w", err)
	}
	return nil
}

// Validate checks assertion as Entra ID checks a federated token against
// the app's federated identity credential for this cluster: signature,
// iss, sub, aud holding FederatedAudience, exp and nbf with AssertionSkew.
// Errors wrap ErrFederatedToken and never quote the token.
func (w *WorkloadIdentity) Validate(assertion string) error { return w.fed.validate(assertion) }

// App is the app registration that trusts this workload's tokens, for
// Server.AddApp.
func (w *WorkloadIdentity) App() App {
	return App{ClientID: w.opts.ClientID, Tenant: w.opts.TenantID, Federated: w.Validate}
}

// Env returns the variables the workload identity webhook sets (PROTOCOL
// 6.8): AZURE_FEDERATED_TOKEN_FILE, AZURE_TENANT_ID, AZURE_CLIENT_ID and,
// when a Server was given, AZURE_AUTHORITY_HOST.
func (w *WorkloadIdentity) Env() map[string]string {
	env := map[string]string{
		envFederatedTokenFile: w.path,
		envTenantID:           w.opts.TenantID,
		envClientID:           w.opts.ClientID,
	}
	if w.srv != nil {
		env[envAuthorityHost] = w.srv.Authority()
	}
	return env
}

// Setenv sets Env's variables for the rest of the test with t.Setenv and
// unsets AZURE_AUTHORITY_HOST when there is no Server, and GO's token
// proxy variables (AZURE_KUBERNETES_TOKEN_PROXY and the three that go with
// it). Like t.Setenv it cannot be used in parallel tests.
func (w *WorkloadIdentity) Setenv(t testing.TB) {
	t.Helper()
	setenv(t, w.Env(), workloadVariables)
}

// Close removes the token file, and its directory when the workload made
// it.
func (w *WorkloadIdentity) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ownDir {
		_ = os.RemoveAll(w.dir)
		return
	}
	_ = os.Remove(w.path)
}
