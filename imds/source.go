package imds

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/azid-go/azid/internal/send"
)

// IDKind says which managed identity a Source asks for.
type IDKind int

// The identity kinds. PROTOCOL.md 7.2: "GO maps ClientID, ObjectID,
// ResourceID to the correct name per source (table 7.12)".
const (
	SystemAssigned IDKind = iota // the resource's own identity; ID.Value is empty
	ClientID                     // a user-assigned identity by client (application) id
	ObjectID                     // a user-assigned identity by object (principal) id
	ResourceID                   // a user-assigned identity by ARM resource id
)

// String names the kind as errors print it.
func (k IDKind) String() string {
	switch k {
	case SystemAssigned:
		return "system-assigned"
	case ClientID:
		return "client ID"
	case ObjectID:
		return "object ID"
	case ResourceID:
		return "resource ID"
	}
	return fmt.Sprintf("IDKind(%d)", int(k))
}

// ID names the identity to ask for. The zero value is the system-assigned
// identity. Identity ids are not secrets.
type ID struct {
	Kind  IDKind
	Value string // empty for SystemAssigned, required otherwise
}

// SourceKind names a hosting environment's managed identity endpoint.
type SourceKind string

// The sources New can detect (PROTOCOL.md 7.1).
const (
	IMDS          SourceKind = "IMDS"          // VMs, VM scale sets, AKS nodes, Container Instances (7.3)
	AppService    SourceKind = "AppService"    // App Service, Functions, Container Apps (7.4)
	AzureArc      SourceKind = "AzureArc"      // Arc-enabled servers (7.5)
	CloudShell    SourceKind = "CloudShell"    // Azure Cloud Shell (7.6)
	ServiceFabric SourceKind = "ServiceFabric" // Service Fabric applications (7.7)
	AzureML       SourceKind = "AzureML"       // Azure Machine Learning (7.8)
)

// Config is what New needs. The zero value asks IMDS (or Azure Arc, on a
// machine where its agent is installed) for the system-assigned identity
// with the default client and retries.
type Config struct {
	// Getenv returns an environment variable; package identity passes
	// os.Getenv. Nil means no variable is set, which selects IMDS unless
	// the Azure Arc agent is installed.
	Getenv func(string) string

	// ID is the identity to ask for; the zero value is system-assigned. A
	// kind the detected source cannot honour (PROTOCOL.md 7.12) makes New
	// fail: there is never a silent fallback to the system identity.
	ID ID

	// HTTPClient sends the requests. Nil means a client with a 60 s limit
	// per request whose transport is a clone of http.DefaultTransport (or a
	// plain one, if a program replaced that). Either way an *http.Transport is
	// cloned with Proxy set to nil, because these endpoints are local or
	// link-local (PROTOCOL.md 7.3: "no proxy should be used"), redirects
	// are refused, and cookies are not kept. A RoundTripper of another
	// type is used as it is: it is then the caller's job to keep the
	// requests off proxies. Service Fabric needs an *http.Transport (or
	// nil) without a custom TLS dialer, to pin the server certificate.
	HTTPClient *http.Client

	// MaxRetries is how many times a failed request is retried. Zero means
	// the source's default: 6 for IMDS (PROTOCOL.md 7.3), 3 for the others
	// (7.2); at most 19. Negative means no retries at all. A 410 from IMDS is retried
	// until at least 70 s have been spent waiting, even past MaxRetries.
	MaxRetries int

	// ArcTokenDir is the directory the Azure Arc agent writes key files
	// to. Empty means the agent's directory for this OS (PROTOCOL.md 7.5):
	// /var/opt/azcmagent/tokens on Linux, and on Windows
	// %ProgramData%\AzureConnectedMachineAgent\Tokens, from
	// Getenv("ProgramData"). Other systems must set it to use Arc.
	ArcTokenDir string

	now   func() time.Time                           // nil: time.Now
	sleep func(context.Context, time.Duration) error // nil: send.Sleep
	stat  func(string) (fs.FileInfo, error)          // nil: os.Stat; finds the HIMDS agent
}

// Source gets tokens from one managed identity endpoint. It is immutable
// after New and safe for concurrent use. Its secret (IDENTITY_HEADER or
// MSI_SECRET) is never printed: String, GoString and LogValue redact it.
type Source struct {
	kind            SourceKind
	id              ID
	endpoint        *url.URL   // the token URL, without the query this package adds
	query           url.Values // the endpoint's own query parameters, kept (7.4)
	secret          *secret    // IDENTITY_HEADER or MSI_SECRET; never in errors; behind a pointer so fmt prints an address
	defaultClientID string     // Azure ML: DEFAULT_IDENTITY_CLIENT_ID (7.8)
	client          *http.Client
	retry           policy
	probe           bool   // false when AZURE_POD_IDENTITY_AUTHORITY_HOST is set (7.3)
	arcDir          string // Azure Arc key file directory, cleaned

	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

// New detects the managed identity source from cfg.Getenv (PROTOCOL.md 7.1,
// in MGO's order), checks that it can honour cfg.ID (7.12) and prepares the
// client. It sends nothing. Errors are *Error.
func New(cfg Config) (*Source, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	stat := cfg.stat
	if stat == nil {
		stat = os.Stat
	}
	s := &Source{
		kind:   detect(getenv, stat),
		id:     cfg.ID,
		now:    cfg.now,
		sleep:  cfg.sleep,
		secret: &secret{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sleep == nil {
		s.sleep = send.Sleep
	}
	if err := checkID(cfg.ID); err != nil {
		return nil, s.fail(err.Error())
	}
	var pin []byte
	var err error
	switch s.kind {
	case IMDS:
		err = s.initVM(getenv)
	case AppService:
		err = s.initAppService(getenv)
	case AzureArc:
		err = s.initArc(getenv, cfg.ArcTokenDir)
	case CloudShell:
		err = s.initCloudShell(getenv)
	case ServiceFabric:
		pin, err = s.initServiceFabric(getenv)
	case AzureML:
		err = s.initAzureML(getenv)
	}
	if err != nil {
		return nil, err
	}
	if s.client, err = newClient(cfg.HTTPClient, pin); err != nil {
		return nil, s.fail(err.Error())
	}
	s.retry = newPolicy(s.kind, cfg.MaxRetries)
	return s, nil
}

// Kind returns the detected source.
func (s *Source) Kind() SourceKind {
	if s == nil {
		return ""
	}
	return s.kind
}

// Endpoint returns the host and path of the token endpoint, the form errors
// use: no scheme, query or user information.
func (s *Source) Endpoint() string {
	if s == nil || s.endpoint == nil {
		return ""
	}
	return send.Where(s.endpoint)
}

// Token gets a token for resource, a v1 resource such as
// "https://management.azure.com" (Resource converts a scope). Failed
// requests are retried as Config.MaxRetries says. Errors are *Error; one
// with Unavailable set tells a chain to try its next credential.
func (s *Source) Token(ctx context.Context, resource string) (Token, error) {
	if s == nil || s.client == nil {
		return Token{}, &Error{Message: "Source was not made by New"}
	}
	if ctx == nil {
		return Token{}, s.fail("nil context")
	}
	if err := checkText("resource", resource); err != nil {
		return Token{}, s.fail(err.Error())
	}
	switch s.kind {
	case IMDS:
		return s.vmToken(ctx, resource)
	case AppService:
		return s.appServiceToken(ctx, resource)
	case AzureArc:
		return s.arcToken(ctx, resource)
	case CloudShell:
		return s.cloudShellToken(ctx, resource)
	case ServiceFabric:
		return s.serviceFabricToken(ctx, resource)
	case AzureML:
		return s.azureMLToken(ctx, resource)
	}
	return Token{}, s.fail("unknown source")
}

// Resource turns a scope into the v1 resource that managed identity
// endpoints take. PROTOCOL.md 1.3: "if the scope ends with the exact suffix
// /.default, remove that suffix; otherwise use it unchanged."
func Resource(scope string) string {
	return strings.TrimSuffix(scope, "/.default")
}

// String describes s without its secret.
func (s *Source) String() string {
	if s == nil {
		return "imds.Source(nil)"
	}
	id := s.id.Kind.String()
	if s.id.Value != "" {
		id += " " + s.id.Value
	}
	secret := ""
	if s.secret != nil && s.secret.value != "" {
		secret = ", secret [REDACTED]"
	}
	return fmt.Sprintf("imds.Source{%s at %s, %s%s}", s.kind, s.Endpoint(), id, secret)
}

// GoString is String, so that %#v cannot print the secret field.
func (s *Source) GoString() string { return s.String() }

// LogValue is String, for log/slog.
func (s *Source) LogValue() slog.Value { return slog.StringValue(s.String()) }

// fail returns an *Error from this source with msg and no response.
func (s *Source) fail(msg string) *Error {
	return &Error{Source: s.kind, Message: msg}
}

// checkID refuses an ID that names nothing or two things at once.
func checkID(id ID) error {
	switch id.Kind {
	case SystemAssigned:
		if id.Value != "" {
			return fmt.Errorf("a system-assigned ID takes no value")
		}
		return nil
	case ClientID, ObjectID, ResourceID:
		return checkText(id.Kind.String(), id.Value)
	}
	return fmt.Errorf("unknown ID kind %d", int(id.Kind))
}

// checkText refuses an empty, oversized or control-character-bearing value
// before it reaches a query string or a form.
func checkText(what, v string) error {
	if v == "" {
		return fmt.Errorf("empty %s", what)
	}
	if len(v) > maxInput {
		return fmt.Errorf("%s is %d bytes; the limit is %d", what, len(v), maxInput)
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] == 0x7f {
			return fmt.Errorf("%s contains a control character", what)
		}
	}
	return nil
}

// unsupportedID returns the error for an ID kind the source cannot honour.
func (s *Source) unsupportedID(why string) error {
	return s.fail(fmt.Sprintf("a %s identity cannot be used here: %s", s.id.Kind, why))
}

// secret holds a header secret. Source keeps it behind a pointer: fmt
// cannot call methods on unexported fields, so a string there would be
// printed raw by %+v; a pointer prints as an address.
type secret struct{ value string }
