package identity

import (
	"os"
	"strings"
)

// Every environment variable azid reads is named here, with who consults it
// (PROTOCOL.md section 15). Constructors read them, once; GetToken never
// does; an explicit option always wins.
const (
	// Every token-endpoint credential: the authority host when
	// ClientOptions.AuthorityHost is empty.
	envAuthorityHost = "AZURE_AUTHORITY_HOST"
	// Every credential that resolves tenants: when set to any non-empty
	// value, a request's TenantID is ignored (PY behaviour; PROTOCOL 1.4).
	envDisableMultiTenantAuth = "AZURE_IDENTITY_DISABLE_MULTITENANTAUTH"
	// Every credential that resolves tenants, when its options name no
	// allowed tenants: ';'-separated list, "*" for any (GO behaviour).
	envAdditionallyAllowedTenants = "AZURE_ADDITIONALLY_ALLOWED_TENANTS"

	// EnvironmentCredential, WorkloadIdentityCredential, DefaultAzureCredential.
	envTenantID                 = "AZURE_TENANT_ID"
	envClientID                 = "AZURE_CLIENT_ID"
	envClientSecret             = "AZURE_CLIENT_SECRET"
	envClientCertificatePath    = "AZURE_CLIENT_CERTIFICATE_PATH"
	envClientCertificatePass    = "AZURE_CLIENT_CERTIFICATE_PASSWORD"
	envClientSendCertChain      = "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN"
	envUsername                 = "AZURE_USERNAME"
	envPassword                 = "AZURE_PASSWORD"
	envFederatedTokenFile       = "AZURE_FEDERATED_TOKEN_FILE"
	envTokenCredentials         = "AZURE_TOKEN_CREDENTIALS"
	envSystemOIDCRequestURI     = "SYSTEM_OIDCREQUESTURI"
	envActionsIDTokenRequestURL = "ACTIONS_ID_TOKEN_REQUEST_URL"
	envActionsIDTokenRequestTok = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
)

// getenv is the one function through which this package reads the process
// environment. Managed identity hands it to package imds, which reads its own
// variables (IDENTITY_ENDPOINT, MSI_ENDPOINT, ...) through it.
func getenv(name string) string { return os.Getenv(name) }

// envList splits a ';'-separated variable, dropping blanks. A "*" anywhere
// collapses the list to just "*", as GO does.
func envList(name string) []string {
	v := getenv(name)
	if v == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(v, ";") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if s == "*" {
			return []string{"*"}
		}
		out = append(out, s)
	}
	return out
}
