package identitytest

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The managed identity fakes: one loopback endpoint per hosting source that
// checks what the real endpoint checks (spec/PROTOCOL.md 7.3 to 7.8) and
// answers with the source's own field types and error shapes. The
// per-source rules are in misources.go, their error answers in
// mierrors.go, Azure Arc's challenge in miarc.go and Service Fabric's
// certificate in mitls.go.

// MISource names the hosting environment a ManagedIdentity imitates. The
// values are those of package imds's SourceKind.
type MISource string

// The managed identity sources (PROTOCOL 7.1).
const (
	SourceIMDS          MISource = "IMDS"          // VMs, scale sets, AKS nodes, Container Instances (PROTOCOL 7.3)
	SourceAppService    MISource = "AppService"    // App Service, Functions, Container Apps (7.4)
	SourceAzureArc      MISource = "AzureArc"      // Arc-enabled servers (7.5)
	SourceCloudShell    MISource = "CloudShell"    // Azure Cloud Shell (7.6)
	SourceServiceFabric MISource = "ServiceFabric" // Service Fabric applications (7.7)
	SourceAzureML       MISource = "AzureML"       // Azure Machine Learning (7.8)
)

// The values of MIOptions.ExpiresOnFormat: how expires_on is written in
// token answers (PROTOCOL 7.11, "expires_on formats").
const (
	ExpiresOnNumber   = "number"    // Unix seconds as a JSON number: 1715900000
	ExpiresOnString   = "string"    // Unix seconds as a JSON string: "1715900000"
	ExpiresOnDate     = "date"      // 2017-09-01 protocol, Linux form: "06/20/2019 02:57:58 +00:00"
	ExpiresOnDateAMPM = "date-ampm" // 2017-09-01 protocol, Windows form: "1/16/2020 5:24:12 AM +00:00"
)

// ErrInvalidOptions is wrapped by every error NewManagedIdentity and
// NewWorkloadIdentity return for options they cannot honour.
var ErrInvalidOptions = errors.New("identitytest: invalid options")

// MIIdentity names one managed identity by its three ids. Ids are matched
// without regard to case, as GUIDs and ARM ids are.
type MIIdentity struct {
	ClientID   string // the identity's application (client) id
	ObjectID   string // its service principal's object (principal) id
	ResourceID string // its ARM resource id
}

// MIOptions configures a ManagedIdentity. The zero value of every field is
// its default.
type MIOptions struct {
	// Identities are the user-assigned identities the endpoint knows. Each
	// needs at least one id; those left empty are derived from it, so every
	// identity can be asked for by client, object or resource id. Cloud
	// Shell and Service Fabric cannot select an identity (PROTOCOL 7.12)
	// and refuse a non-empty list.
	Identities []MIIdentity

	// NoSystemAssigned leaves the host without a system-assigned identity:
	// asking for it gets the source's "identity not found" answer. (IMDS
	// then answers a system-assigned request with the only user-assigned
	// identity, when there is exactly one, as Azure VMs do: PROTOCOL 7.3.)
	NoSystemAssigned bool

	// TenantID is the "tid" of issued tokens. "" means DefaultTenantID.
	TenantID string

	// TokenLifetime is the lifetime of issued tokens. Zero means 24 hours,
	// typical of managed identity tokens (PROTOCOL 7.3).
	TokenLifetime time.Duration

	// ExpiresOnFormat is one of the ExpiresOn constants. "" means what the
	// source sends (PROTOCOL 7.11): a number for Service Fabric and Azure
	// ML, a string for the others.
	ExpiresOnFormat string

	// ArcTokenDir is where the Azure Arc fake writes its key files; it
	// must be an absolute path and is created if missing. Point the client
	// under test at the same directory (package imds: Config.ArcTokenDir).
	// "" means a new temporary directory, removed by Close. Other sources
	// ignore it.
	ArcTokenDir string

	// LegacyArcAgent makes the Azure Arc fake behave as an agent that
	// predates user-assigned identities: it ignores the id in the request,
	// answers for the system-assigned identity and echoes no id, which a
	// client must notice (PROTOCOL 7.5, "an older agent silently returns
	// the system-assigned identity").
	LegacyArcAgent bool

	// Now is the endpoint's clock for token times. Nil means time.Now.
	Now func() time.Time
}

// ManagedIdentity is a fake managed identity endpoint of one hosting
// source on a loopback listener: plain HTTP, except Service Fabric's,
// which is HTTPS with a certificate of its own. Create it with
// NewManagedIdentity and Close it when done. It is safe for concurrent use.
type ManagedIdentity struct {
	source MISource
	spec   sourceSpec
	opts   MIOptions
	system MIIdentity   // the system-assigned identity (see SystemAssigned)
	ids    []MIIdentity // user-assigned, every id filled in
	secret string       // IDENTITY_HEADER or MSI_SECRET; "" where the source has none
	key    *rsa.PrivateKey
	kid    string
	cert   *x509.Certificate // Service Fabric's server certificate; nil otherwise
	ts     *httptest.Server
	log    *endpointLog
	arc    *arcKeys // Azure Arc only
}

// NewManagedIdentity starts a fake endpoint for source. o may be nil.
// Errors wrap ErrInvalidOptions, or report a failure to create the Azure
// Arc key directory or Service Fabric's certificate.
func NewManagedIdentity(source MISource, o *MIOptions) (*ManagedIdentity, error) {
	spec, ok := sourceSpecs[source]
	if !ok {
		return nil, fmt.Errorf("%w: unknown managed identity source %s", ErrInvalidOptions, quoted(string(source)))
	}
	m := &ManagedIdentity{source: source, spec: spec}
	if o != nil {
		m.opts = *o
	}
	if err := m.settle(); err != nil {
		return nil, err
	}
	m.key, m.kid = signingKey()
	m.log = newEndpointLog(m.opts.Now)
	if spec.secretHeader != "" {
		m.secret = randomToken(24)
	}
	var err error
	switch source {
	case SourceAzureArc:
		m.arc, err = newArcKeys(m.opts.ArcTokenDir)
	case SourceServiceFabric:
		m.ts, m.cert, err = m.startServiceFabric()
	}
	if err != nil {
		return nil, err
	}
	if m.ts == nil {
		m.ts = m.log.start(m.serve, false, nil)
	}
	return m, nil
}

// settle checks the options and fills in defaults and derived ids.
func (m *ManagedIdentity) settle() error {
	o := &m.opts
	if o.TenantID == "" {
		o.TenantID = DefaultTenantID
	}
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = defaultMITokenLifetime
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	switch o.ExpiresOnFormat {
	case "", ExpiresOnNumber, ExpiresOnString, ExpiresOnDate, ExpiresOnDateAMPM:
	default:
		return fmt.Errorf("%w: ExpiresOnFormat %s is not one of number, string, date, date-ampm", ErrInvalidOptions, quoted(o.ExpiresOnFormat))
	}
	if len(o.Identities) > 0 && len(m.spec.idParams) == 0 {
		return fmt.Errorf("%w: %s cannot select a user-assigned identity (PROTOCOL 7.12); leave Identities empty", ErrInvalidOptions, m.source)
	}
	m.system = deriveIdentity(MIIdentity{ClientID: derivedGUID("mi-system\x00" + string(m.source))}, "Microsoft.Compute/virtualMachines/identitytest-host")
	seen := map[string]bool{}
	for i, id := range o.Identities {
		if id.ClientID == "" && id.ObjectID == "" && id.ResourceID == "" {
			return fmt.Errorf("%w: Identities[%d] has no id", ErrInvalidOptions, i)
		}
		id = deriveIdentity(id, "")
		for _, v := range []string{id.ClientID, id.ObjectID, id.ResourceID} {
			k := strings.ToLower(v)
			if seen[k] {
				return fmt.Errorf("%w: Identities[%d]: id %s is used twice", ErrInvalidOptions, i, quoted(v))
			}
			seen[k] = true
		}
		m.ids = append(m.ids, id)
	}
	return nil
}

// deriveIdentity fills in the ids id lacks, from the first one it has. A
// derived resource id names a user-assigned identity resource, or the
// resource given by provider ("Microsoft.Compute/virtualMachines/name").
func deriveIdentity(id MIIdentity, provider string) MIIdentity {
	seed := strings.ToLower(id.ClientID + "\x00" + id.ObjectID + "\x00" + id.ResourceID)
	if id.ClientID == "" {
		id.ClientID = derivedGUID("mi-client\x00" + seed)
	}
	if id.ObjectID == "" {
		id.ObjectID = derivedGUID("mi-object\x00" + seed)
	}
	if id.ResourceID == "" {
		if provider == "" {
			provider = "Microsoft.ManagedIdentity/userAssignedIdentities/identity-" + derivedGUID("mi-name\x00" + seed)[:8]
		}
		id.ResourceID = "/subscriptions/" + miSubscription + "/resourceGroups/identitytest/providers/" + provider
	}
	return id
}

// miSubscription is the subscription in derived ARM resource ids.
const miSubscription = "6f9f3a4b-0000-4000-8000-0000000000ab"

// defaultMITokenLifetime is MIOptions.TokenLifetime's default: "Managed
// identity tokens are typically valid 24 h" (PROTOCOL 7.3).
const defaultMITokenLifetime = 24 * time.Hour

// Close shuts the endpoint down, blocks until every request has finished
// and removes the Azure Arc key files it wrote (and their directory, when
// it made it). Requests held by a Delay fault end at once.
func (m *ManagedIdentity) Close() {
	m.log.close()
	m.ts.Close()
	if m.arc != nil {
		m.arc.remove()
	}
}

// Source is the hosting source the endpoint imitates.
func (m *ManagedIdentity) Source() MISource { return m.source }

// URL is the endpoint's base URL, "http://127.0.0.1:PORT" (https for
// Service Fabric), without a trailing slash.
func (m *ManagedIdentity) URL() string { return m.ts.URL }

// TokenURL is the URL of the token endpoint, as Env hands it to clients:
// for IMDS URL() + "/metadata/identity/oauth2/token".
func (m *ManagedIdentity) TokenURL() string { return m.ts.URL + m.spec.path }

// Client returns an HTTP client for the endpoint. For Service Fabric it
// trusts the endpoint's certificate the ordinary way; a client that pins
// IDENTITY_SERVER_THUMBPRINT does not need it. It stops working when the
// endpoint is closed.
func (m *ManagedIdentity) Client() *http.Client { return m.ts.Client() }

// Certificate is Service Fabric's server certificate, whose SHA-1
// thumbprint Env gives as IDENTITY_SERVER_THUMBPRINT; nil for the other
// sources.
func (m *ManagedIdentity) Certificate() *x509.Certificate { return m.cert }

// ArcTokenDir is the directory the Azure Arc fake writes key files to; ""
// for the other sources.
func (m *ManagedIdentity) ArcTokenDir() string {
	if m.arc == nil {
		return ""
	}
	return m.arc.dir
}

// SystemAssigned is the host's system-assigned identity, with the ids its
// tokens carry (appid, oid, xms_mirid). It exists unless
// MIOptions.NoSystemAssigned is set; a request may also name it by any of
// its ids.
func (m *ManagedIdentity) SystemAssigned() MIIdentity { return m.system }

// Identities returns the user-assigned identities with every id filled in.
func (m *ManagedIdentity) Identities() []MIIdentity { return append([]MIIdentity(nil), m.ids...) }

// SigningKey is the public key that verifies the tokens the endpoint
// issues: the same key as Server.SigningKey.
func (m *ManagedIdentity) SigningKey() *rsa.PublicKey { return &m.key.PublicKey }

// Requests returns a copy of the log of every request received since the
// start or the last ResetRequests, in order of arrival, secret headers
// included.
func (m *ManagedIdentity) Requests() []Request { return m.log.requests() }

// ResetRequests empties the request log.
func (m *ManagedIdentity) ResetRequests() { m.log.reset() }

// Fault queues f, as Server.Fault does. A Status without a Body is
// answered in the source's own error shape; Malformed and Oversize send
// the source's token answer cut off or padded past 1 MiB. Azure Arc's
// challenge counts as a request.
func (m *ManagedIdentity) Fault(f Fault) { m.log.addFault(f) }

// ClearFaults removes every queued fault.
func (m *ManagedIdentity) ClearFaults() { m.log.clearFaults() }

// Env returns the environment variables the hosting environment sets for
// its applications, pointing at this endpoint (PROTOCOL 7.1, 15):
//
//	IMDS           AZURE_POD_IDENTITY_AUTHORITY_HOST (the IMDS address override)
//	AppService     IDENTITY_ENDPOINT, IDENTITY_HEADER
//	AzureArc       IDENTITY_ENDPOINT, IMDS_ENDPOINT
//	CloudShell     MSI_ENDPOINT
//	ServiceFabric  IDENTITY_ENDPOINT (https), IDENTITY_HEADER, IDENTITY_SERVER_THUMBPRINT
//	AzureML        MSI_ENDPOINT, MSI_SECRET, DEFAULT_IDENTITY_CLIENT_ID
//
// IDENTITY_HEADER and MSI_SECRET are the secret the endpoint checks.
func (m *ManagedIdentity) Env() map[string]string {
	tokenURL := m.TokenURL()
	switch m.source {
	case SourceIMDS:
		return map[string]string{envPodIdentityHost: m.ts.URL}
	case SourceAppService:
		return map[string]string{envIdentityEndpoint: tokenURL, envIdentityHeader: m.secret}
	case SourceAzureArc:
		return map[string]string{envIdentityEndpoint: tokenURL, envIMDSEndpoint: m.ts.URL}
	case SourceCloudShell:
		return map[string]string{envMSIEndpoint: tokenURL}
	case SourceServiceFabric:
		return map[string]string{envIdentityEndpoint: tokenURL, envIdentityHeader: m.secret,
			envServerThumbprint: thumbprint(m.cert)}
	case SourceAzureML:
		// GO sends clientid=DEFAULT_IDENTITY_CLIENT_ID on every request
		// (PROTOCOL 7.8); Azure ML sets it to the compute's identity.
		def := m.system.ClientID
		if m.opts.NoSystemAssigned && len(m.ids) > 0 {
			def = m.ids[0].ClientID
		}
		return map[string]string{envMSIEndpoint: tokenURL, envMSISecret: m.secret, envDefaultIdentityClientID: def}
	}
	return nil
}

// Setenv sets Env's variables for the rest of the test with t.Setenv and
// unsets every other variable that selects or configures a managed
// identity source, restoring all of them when the test ends. Like
// t.Setenv it cannot be used in parallel tests. It cannot hide the Azure
// Arc agent's executable, by which MGO also detects Arc (PROTOCOL 7.1).
func (m *ManagedIdentity) Setenv(t testing.TB) {
	t.Helper()
	setenv(t, m.Env(), managedIdentityVariables)
}
