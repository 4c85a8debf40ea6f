package identitytest

import (
	"os"
	"sort"
	"testing"
)

// The environment variables the fakes set for the code under test
// (PROTOCOL 15), and who consults them.
const (
	// Managed identity (PROTOCOL 7.1).
	envIdentityEndpoint        = "IDENTITY_ENDPOINT"                 // App Service, Service Fabric, Azure Arc
	envIdentityHeader          = "IDENTITY_HEADER"                   // App Service (X-IDENTITY-HEADER), Service Fabric (Secret)
	envServerThumbprint        = "IDENTITY_SERVER_THUMBPRINT"        // Service Fabric
	envIMDSEndpoint            = "IMDS_ENDPOINT"                     // Azure Arc detection
	envMSIEndpoint             = "MSI_ENDPOINT"                      // Cloud Shell, Azure ML
	envMSISecret               = "MSI_SECRET"                        // Azure ML (secret)
	envDefaultIdentityClientID = "DEFAULT_IDENTITY_CLIENT_ID"        // Azure ML (GO)
	envPodIdentityHost         = "AZURE_POD_IDENTITY_AUTHORITY_HOST" // IMDS base URL override (PY, MPY, azid)
	envMSALIdentityEndpoint    = "MSAL_MANAGED_IDENTITY_ENDPOINT"    // IMDS URL override (MPY, PROTOCOL 7.10)
	envPSHostEnvironment       = "AZUREPS_HOST_ENVIRONMENT"          // Cloud Shell detection (MPY)

	// Workload identity (PROTOCOL 6.8); the first also turns PY's
	// managed identity into a token exchange (7.1, step 3).
	envFederatedTokenFile = "AZURE_FEDERATED_TOKEN_FILE"
	envTenantID           = "AZURE_TENANT_ID"
	envClientID           = "AZURE_CLIENT_ID"
	envAuthorityHost      = "AZURE_AUTHORITY_HOST"
	envKubeTokenProxy     = "AZURE_KUBERNETES_TOKEN_PROXY" // GO's proxy mode, with the next three
	envKubeSNIName        = "AZURE_KUBERNETES_SNI_NAME"
	envKubeCAFile         = "AZURE_KUBERNETES_CA_FILE"
	envKubeCAData         = "AZURE_KUBERNETES_CA_DATA"

	// Azure Pipelines (PROTOCOL 6.9) and GitHub Actions.
	envSystemOIDCRequestURI = "SYSTEM_OIDCREQUESTURI"
	envSystemAccessToken    = "SYSTEM_ACCESSTOKEN" // where pipelines map $(System.AccessToken) by convention
	envActionsRequestURL    = "ACTIONS_ID_TOKEN_REQUEST_URL"
	envActionsRequestToken  = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
)

// managedIdentityVariables are the variables that select or configure a
// managed identity source in some official library (PROTOCOL 7.1, 7.10,
// 15), and AZURE_FEDERATED_TOKEN_FILE, which sends PY's managed identity to
// a token exchange instead. ManagedIdentity.Setenv clears those it does
// not set.
var managedIdentityVariables = []string{
	envIdentityEndpoint, envIdentityHeader, envServerThumbprint, envIMDSEndpoint,
	envMSIEndpoint, envMSISecret, envDefaultIdentityClientID, envPodIdentityHost,
	envMSALIdentityEndpoint, envPSHostEnvironment, envFederatedTokenFile,
}

// ciVariables are the CI systems' OIDC variables: OIDCIssuer.Setenv
// clears those it does not set, so a test run inside a real pipeline does
// not reach the real issuer.
var ciVariables = []string{envSystemOIDCRequestURI, envSystemAccessToken, envActionsRequestURL, envActionsRequestToken}

// workloadVariables are the variables WorkloadIdentity.Setenv sets or
// clears: GO's proxy mode would send token requests elsewhere.
var workloadVariables = []string{
	envFederatedTokenFile, envTenantID, envClientID, envAuthorityHost,
	envKubeTokenProxy, envKubeSNIName, envKubeCAFile, envKubeCAData,
}

// setenv sets the variables of set with t.Setenv and unsets those of
// clear that set lacks, restoring every one when the test ends. Setting a
// variable to "" is not unsetting it: several libraries test presence
// (PROTOCOL 7.1, "MPY tests presence"), so t.Setenv registers the
// restoration and os.Unsetenv then removes it.
func setenv(t testing.TB, set map[string]string, clear []string) {
	t.Helper()
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Setenv(name, set[name])
	}
	for _, name := range clear {
		if _, ok := set[name]; ok {
			continue
		}
		t.Setenv(name, "")
		if err := os.Unsetenv(name); err != nil {
			t.Fatalf("identitytest: unsetting %s: %v", name, err)
		}
	}
}
