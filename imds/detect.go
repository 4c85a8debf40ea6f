package imds

import (
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"runtime"
)

// The environment variables this package consults (PROTOCOL.md 15). They
// are read through Config.Getenv only, once, in New.
const (
	envIdentityEndpoint = "IDENTITY_ENDPOINT"                 // App Service, Service Fabric, Azure Arc: token URL
	envIdentityHeader   = "IDENTITY_HEADER"                   // App Service, Service Fabric: the secret
	envThumbprint       = "IDENTITY_SERVER_THUMBPRINT"        // Service Fabric: server certificate SHA-1
	envIMDSEndpoint     = "IMDS_ENDPOINT"                     // Azure Arc: detection only
	envMSIEndpoint      = "MSI_ENDPOINT"                      // Cloud Shell, Azure ML: token URL
	envMSISecret        = "MSI_SECRET"                        // Azure ML: the secret
	envDefaultClientID  = "DEFAULT_IDENTITY_CLIENT_ID"        // Azure ML: default clientid (GO)
	envPodIdentityHost  = "AZURE_POD_IDENTITY_AUTHORITY_HOST" // IMDS: base URL override (PY, MPY)
	envProgramData      = "ProgramData"                       // Windows: Arc key and agent directories
)

// detect picks the source in MGO's order, PROTOCOL.md 7.1: "1.
// IDENTITY_ENDPOINT and IDENTITY_HEADER set: thumbprint set -> Service
// Fabric, else App Service. 2. else MSI_ENDPOINT set: MSI_SECRET set ->
// Azure ML, else Cloud Shell. 3. else Azure Arc if (IDENTITY_ENDPOINT and
// IMDS_ENDPOINT set) or the HIMDS executable exists [...] 4. else IMDS."
// "Set" means present and non-empty.
func detect(getenv func(string) string, stat func(string) (fs.FileInfo, error)) SourceKind {
	switch {
	case getenv(envIdentityEndpoint) != "" && getenv(envIdentityHeader) != "":
		if getenv(envThumbprint) != "" {
			return ServiceFabric
		}
		return AppService
	case getenv(envMSIEndpoint) != "":
		if getenv(envMSISecret) != "" {
			return AzureML
		}
		return CloudShell
	case getenv(envIdentityEndpoint) != "" && getenv(envIMDSEndpoint) != "":
		return AzureArc
	case himdsInstalled(getenv, stat):
		return AzureArc
	}
	return IMDS
}

// himdsInstalled reports whether the Azure Arc agent's HIMDS executable is
// where MGO looks for it (PROTOCOL.md 7.1): Linux /opt/azcmagent/bin/himds,
// Windows %ProgramData%\AzureConnectedMachineAgent\himds.exe. The agent
// exists for no other system.
func himdsInstalled(getenv func(string) string, stat func(string) (fs.FileInfo, error)) bool {
	var path string
	switch runtime.GOOS {
	case "linux":
		path = "/opt/azcmagent/bin/himds"
	case "windows":
		pd := getenv(envProgramData)
		if pd == "" {
			return false
		}
		path = filepath.Join(pd, "AzureConnectedMachineAgent", "himds.exe")
	default:
		return false
	}
	fi, err := stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// endpointURL parses an endpoint from the environment: an absolute http or
// https URL with a host and no user information or fragment. With
// httpsOnly, http is refused too. The value itself is not quoted in the
// error: it may carry a query string.
func endpointURL(name, raw string, httpsOnly bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s is not a URL", name)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && !httpsOnly:
	case httpsOnly:
		return nil, fmt.Errorf("%s must be an https URL", name)
	default:
		return nil, fmt.Errorf("%s must be an http or https URL", name)
	}
	if u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%s has no host", name)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s must not carry user information", name)
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("%s must not have a fragment", name)
	}
	return u, nil
}

// setEndpoint parses raw into s.endpoint and keeps its query parameters in
// s.query, for the sources that add theirs to the endpoint's (PROTOCOL.md
// 7.4: "Existing query parameters of IDENTITY_ENDPOINT are kept").
func (s *Source) setEndpoint(name, raw string, httpsOnly bool) error {
	u, err := endpointURL(name, raw, httpsOnly)
	if err != nil {
		return s.fail(err.Error())
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return s.fail(name + " has a malformed query string")
	}
	u.RawQuery = ""
	s.endpoint, s.query = u, q
	return nil
}

// tokenURL is the endpoint with the endpoint's own query parameters and
// then params (which win on a clash), encoded.
func (s *Source) tokenURL(params url.Values) string {
	q := url.Values{}
	for k, v := range s.query {
		q[k] = v
	}
	for k, v := range params {
		q[k] = v
	}
	u := *s.endpoint
	u.RawQuery = q.Encode()
	return u.String()
}

// setSecret keeps the value of the secret variable name, which must be fit
// for an HTTP header as it is. The value is never quoted in an error.
func (s *Source) setSecret(name, v string) error {
	if v == "" || len(v) > maxInput || !headerSafe(v) {
		return s.fail(name + " is not a valid header value")
	}
	s.secret = &secret{value: v}
	return nil
}
