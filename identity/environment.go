package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/azid-go/azid/internal/localfile"
)

// EnvironmentCredential is a service principal (or, as a last resort, a
// user) configured entirely by environment variables, read once at
// construction (PROTOCOL.md 6.7):
//
//  1. AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET: a client secret;
//  2. else AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_CERTIFICATE_PATH
//     (PEM or PKCS#12), with AZURE_CLIENT_CERTIFICATE_PASSWORD and
//     AZURE_CLIENT_SEND_CERTIFICATE_CHAIN ("1" or "true") optional;
//  3. else AZURE_CLIENT_ID, AZURE_USERNAME, AZURE_PASSWORD, with
//     AZURE_TENANT_ID optional: username and password.
//
// AZURE_AUTHORITY_HOST and AZURE_ADDITIONALLY_ALLOWED_TENANTS apply as for
// every credential. When no branch is complete the credential is
// unavailable, and GetToken says which variables are missing. It is safe
// for concurrent use.
type EnvironmentCredential struct {
	redacted // fmt and slog print no field: some hold secrets
	cred     TokenCredential
	missing  string // why no branch is complete; "" when cred is set
}

// EnvironmentCredentialOptions configures an EnvironmentCredential. nil
// means defaults.
type EnvironmentCredentialOptions struct {
	ClientOptions
}

const envName = "EnvironmentCredential"

// NewEnvironmentCredential reads the environment and returns the
// credential it describes. An unreadable or invalid certificate file is an
// error here; incomplete configuration is reported by GetToken.
func NewEnvironmentCredential(o *EnvironmentCredentialOptions) (*EnvironmentCredential, error) {
	if o == nil {
		o = &EnvironmentCredentialOptions{}
	}
	tenant, clientID := getenv(envTenantID), getenv(envClientID)
	secret, certPath := getenv(envClientSecret), getenv(envClientCertificatePath)
	username, password := getenv(envUsername), getenv(envPassword)
	switch {
	case tenant != "" && clientID != "" && secret != "":
		c, err := NewClientSecretCredential(tenant, clientID, secret, &ClientSecretCredentialOptions{ClientOptions: o.ClientOptions})
		if err != nil {
			return nil, err
		}
		return &EnvironmentCredential{cred: c}, nil
	case tenant != "" && clientID != "" && certPath != "":
		data, err := readCertificateFile(certPath)
		if err != nil {
			return nil, fmt.Errorf("identity: %s: %s: %w", envName, envClientCertificatePath, err)
		}
		certs, key, err := ParseCertificates(data, []byte(getenv(envClientCertificatePass)))
		if err != nil {
			return nil, fmt.Errorf("identity: %s: %s: %w", envName, envClientCertificatePath, err)
		}
		chain := strings.EqualFold(getenv(envClientSendCertChain), "true") || getenv(envClientSendCertChain) == "1"
		c, err := NewClientCertificateCredential(tenant, clientID, certs, key,
			&ClientCertificateCredentialOptions{ClientOptions: o.ClientOptions, SendCertificateChain: chain})
		if err != nil {
			return nil, err
		}
		return &EnvironmentCredential{cred: c}, nil
	case clientID != "" && username != "" && password != "":
		c, err := NewUsernamePasswordCredential(tenant, clientID, username, password,
			&UsernamePasswordCredentialOptions{ClientOptions: o.ClientOptions})
		if err != nil {
			return nil, err
		}
		return &EnvironmentCredential{cred: c}, nil
	}
	return &EnvironmentCredential{missing: missingEnvironment(tenant, clientID, secret, certPath, username, password)}, nil
}

// missingEnvironment names what a service principal configuration lacks,
// never a value.
func missingEnvironment(tenant, clientID, secret, certPath, username, password string) string {
	var missing []string
	if tenant == "" {
		missing = append(missing, envTenantID)
	}
	if clientID == "" {
		missing = append(missing, envClientID)
	}
	switch {
	case username != "" || password != "":
		if username == "" {
			missing = append(missing, envUsername)
		}
		if password == "" {
			missing = append(missing, envPassword)
		}
	case secret == "" && certPath == "":
		missing = append(missing, envClientSecret+" or "+envClientCertificatePath)
	}
	return "environment variables are not fully configured; missing: " + strings.Join(missing, ", ")
}

// GetToken returns an access token from the configured credential, or a
// *CredentialUnavailableError naming the missing variables.
func (c *EnvironmentCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	if c.cred == nil {
		return AccessToken{}, unavailable(envName, "%s", c.missing)
	}
	return c.cred.GetToken(ctx, opts)
}

// readCertificateFile reads a PEM or PKCS#12 file, bounded.
func readCertificateFile(path string) ([]byte, error) {
	b, err := localfile.Read(path, maxCertificateFile)
	if errors.Is(err, localfile.ErrTooLarge) {
		return nil, fmt.Errorf("the file is larger than %d bytes", maxCertificateFile)
	}
	return b, err
}
