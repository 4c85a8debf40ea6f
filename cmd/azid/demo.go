package main

import (
	"context"
	"crypto/tls"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/azid-go/azid/identity"
	"github.com/azid-go/azid/identitytest"
	"github.com/azid-go/azid/imds"
)

const demoHelp = `Usage: azid demo

Starts a fake Microsoft Entra ID (package identitytest) on a loopback TLS
port, registers demo apps and users with it, and runs every credential
against it twice: once cold (the flow runs) and once warm (the cache
answers). It prints, per credential, the flow, the requests each call sent,
whether the cache answered, and how long each call took. Nothing leaves the
machine; no real secret is involved.
`

//go:embed demodata/demo.p12
var demoPFX []byte

// demoPFXPassword is the password of demodata/demo.p12 (see its README).
const demoPFXPassword = "acceptance-pass"

const (
	demoTenant   = "00000000-0000-0000-0000-0000000000d0"
	demoClientID = "00000000-0000-0000-0000-00000000c11e"
	demoSecret   = "demo-secret"
	demoScope    = "https://management.azure.com/.default"
)

// demoCase is one credential the demo runs.
type demoCase struct {
	name string // credential type
	flow string // what it does on a miss
	// make builds the credential; it may register what it needs with the server.
	make func(ctx context.Context, s *identitytest.Server, o identity.ClientOptions) (identity.TokenCredential, error)
	// env, when set, starts what the case needs (a fake managed identity
	// endpoint, an OIDC issuer) and returns the environment the hosting
	// system would set and a func that stops it. The environment is set
	// only while make runs: constructors read it, GetToken never does.
	env func(s *identitytest.Server) (demoFake, error)
	// opts is the request; nil means demoScope.
	opts *identity.TokenRequestOptions
}

func runDemo(ctx context.Context, args []string, out, errOut io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() { fmt.Fprint(errOut, demoHelp) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	s := identitytest.New(&identitytest.Options{DeviceCodeUser: demoUser, DeviceCodeInterval: time.Second})
	defer s.Close()
	defer func() {
		for _, stop := range demoStops {
			stop()
		}
		demoStops = nil
	}()
	fmt.Fprintf(out, "fake Entra ID listening at %s (loopback TLS)\n\n", s.Authority())

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CREDENTIAL\tFLOW\tCALL\tREQUESTS\tCACHE\tTIME\tRESULT")
	failed := 0
	for _, c := range demoCases() {
		o := identity.ClientOptions{AuthorityHost: s.Authority(), HTTPClient: s.Client()}
		demoFakeRequests = func() int { return 0 }
		cred, restore, err := makeWithEnv(ctx, c, s, o)
		if err != nil {
			restore()
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\tsetup failed: %v\n", c.name, c.flow, err)
			failed++
			continue
		}
		opts := identity.TokenRequestOptions{Scopes: []string{demoScope}}
		if c.opts != nil {
			opts = *c.opts
		}
		for call, label := range []string{"cold", "warm"} {
			before := len(s.Requests()) + demoFakeRequests()
			start := time.Now()
			tok, err := cred.GetToken(ctx, opts)
			elapsed := time.Since(start)
			sent := len(s.Requests()) + demoFakeRequests() - before
			result := "ok: token valid for " + time.Until(tok.ExpiresOn).Round(time.Minute).String()
			if err != nil {
				result = "FAILED: " + err.Error()
				failed++
			}
			cacheState := "miss"
			if sent == 0 && err == nil {
				cacheState = "hit"
			}
			flow := c.flow
			if call > 0 {
				flow = ""
			}
			name := c.name
			if call > 0 {
				name = ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", name, flow, label, sent, cacheState, round(elapsed), result)
		}
		restore()
	}
	tw.Flush()
	if err := demoTransport(ctx, s, out); err != nil {
		fmt.Fprintf(out, "Transport: FAILED: %v\n", err)
		failed++
	}
	fmt.Fprintf(out, "\n%d requests reached the fake Entra ID in all.\n", len(s.Requests()))
	if failed > 0 {
		fmt.Fprintf(errOut, "azid demo: %d calls failed\n", failed)
		return exitFailed
	}
	return exitOK
}

// makeWithEnv runs c.make with c's environment set; restore puts the
// process environment back. The environment stays set while the case runs,
// since the developer tools are found on PATH when they run.
func makeWithEnv(ctx context.Context, c demoCase, s *identitytest.Server, o identity.ClientOptions) (cred identity.TokenCredential, restore func(), err error) {
	if c.env == nil {
		cred, err = c.make(ctx, s, o)
		return cred, func() {}, err
	}
	fake, err := c.env(s)
	if err != nil {
		return nil, func() {}, err
	}
	demoStops = append(demoStops, fake.stop)
	if fake.requests != nil {
		demoFakeRequests = fake.requests
	}
	restore = setDemoEnv(fake.env)
	cred, err = c.make(ctx, s, o)
	return cred, restore, err
}

// demoFake is what a case started besides the fake Entra ID.
type demoFake struct {
	env      map[string]string // the variables the host would set
	stop     func()
	requests func() int // requests it has served; nil: none counted
}

// demoStops are the fakes to stop when the demo ends; demoFakeRequests
// counts the requests of the current case's fake.
var (
	demoStops        []func()
	demoFakeRequests = func() int { return 0 }
)

// demoEnvNames are every variable a managed identity or federated case
// may set; each case clears the others, so one source never leaks into the
// next one's detection.
var demoEnvNames = []string{"IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT",
	"MSI_ENDPOINT", "MSI_SECRET", "DEFAULT_IDENTITY_CLIENT_ID", "AZURE_POD_IDENTITY_AUTHORITY_HOST",
	"SYSTEM_OIDCREQUESTURI", "SYSTEM_ACCESSTOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
	"AZURE_FEDERATED_TOKEN_FILE", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_AUTHORITY_HOST", "AZURE_CLIENT_SECRET",
	"AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_USERNAME", "AZURE_PASSWORD", "AZURE_TOKEN_CREDENTIALS"}

func setDemoEnv(vars map[string]string) (restore func()) {
	saved := map[string]*string{}
	for _, k := range demoEnvNames {
		if v, ok := os.LookupEnv(k); ok {
			saved[k] = &v
		} else {
			saved[k] = nil
		}
		os.Unsetenv(k)
	}
	for k, v := range vars {
		if _, known := saved[k]; !known {
			if old, ok := os.LookupEnv(k); ok {
				saved[k] = &old
			} else {
				saved[k] = nil
			}
		}
		os.Setenv(k, v)
	}
	return func() {
		for k, v := range saved {
			if v == nil {
				os.Unsetenv(k)
			} else {
				os.Setenv(k, *v)
			}
		}
	}
}

func round(d time.Duration) string {
	switch {
	case d < time.Microsecond:
		return d.String()
	case d < time.Millisecond:
		return d.Round(100 * time.Nanosecond).String()
	default:
		return d.Round(10 * time.Microsecond).String()
	}
}

const (
	demoUser     = "ada@contoso.example"
	demoPassword = "demo-password"
	demoPublic   = "00000000-0000-0000-0000-0000000000a9"
	demoRedirect = "http://localhost:8400/callback"
)

func demoCases() []demoCase {
	return []demoCase{
		{name: "ClientSecretCredential", flow: "client_credentials, secret", make: func(_ context.Context, s *identitytest.Server, o identity.ClientOptions) (identity.TokenCredential, error) {
			s.AddApp(identitytest.App{ClientID: demoClientID, Secret: demoSecret})
			return identity.NewClientSecretCredential(demoTenant, demoClientID, demoSecret, &identity.ClientSecretCredentialOptions{ClientOptions: o})
		}},
		{name: "ClientCertificateCredential", flow: "client_credentials, RS256 assertion (PKCS#12)", make: func(_ context.Context, s *identitytest.Server, o identity.ClientOptions) (identity.TokenCredential, error) {
			certs, key, err := identity.ParseCertificates(demoPFX, []byte(demoPFXPassword))
			if err != nil {
				return nil, err
			}
			s.AddApp(identitytest.App{ClientID: "00000000-0000-0000-0000-0000000000ce", Certificate: certs[0]})
			return identity.NewClientCertificateCredential(demoTenant, "00000000-0000-0000-0000-0000000000ce", certs, key,
				&identity.ClientCertificateCredentialOptions{ClientOptions: o, SendCertificateChain: true})
		}},
		{name: "ClientAssertionCredential", flow: "client_credentials, caller's assertion", make: func(_ context.Context, s *identitytest.Server, o identity.ClientOptions) (identity.TokenCredential, error) {
			const id = "00000000-0000-0000-0000-0000000000a5"
			s.AddApp(identitytest.App{ClientID: id, Federated: func(a string) error {
				if a != "demo-federated-token" {
					return errors.New("unknown assertion")
				}
				return nil
			}})
			return identity.NewClientAssertionCredential(demoTenant, id, func(context.Context) (string, error) { return "demo-federated-token", nil },
				&identity.ClientAssertionCredentialOptions{ClientOptions: o})
		}},
		{name: "AuthorizationCodeCredential", flow: "authorization_code + PKCE", make: func(_ context.Context, s *identitytest.Server, o identity.ClientOptions) (identity.TokenCredential, error) {
			s.AddApp(identitytest.App{ClientID: demoPublic, Public: true})
			s.AddUser(identitytest.User{Username: demoUser, Password: demoPassword})
			verifier := strings.Repeat("demo-verifier-", 4)
			code := s.AuthCode(demoPublic, demoRedirect, demoUser, []string{demoScope}, pkceChallenge(verifier))
			return identity.NewAuthorizationCodeCredential(demoTenant, demoPublic, code, demoRedirect,
				&identity.AuthorizationCodeCredentialOptions{ClientOptions: o, CodeVerifier: verifier})
		}},
		{name: "OnBehalfOfCredential", flow: "jwt-bearer on_behalf_of", make: func(ctx context.Context, s *identitytest.Server, o identity.ClientOptions) (identity.TokenCredential, error) {
			// The user signs in to the middle tier, whose API then calls on.
			const middle = "00000000-0000-0000-0000-0000000000b0"
			s.AddApp(identitytest.App{ClientID: middle, Secret: demoSecret})
			s.AddUser(identitytest.User{Username: demoUser, Password: demoPassword})
			userCred, err := identity.NewUsernamePasswordCredential(demoTenant, demoPublic, demoUser, demoPassword,
				&identity.UsernamePasswordCredentialOptions{ClientOptions: o})
			if err != nil {
				return nil, err
			}
			userToken, err := userCred.GetToken(ctx, identity.TokenRequestOptions{Scopes: []string{"api://" + middle + "/.default"}})
			if err != nil {
				return nil, err
			}
			return identity.NewOnBehalfOfCredentialWithSecret(demoTenant, middle, userToken.Token, demoSecret,
				&identity.OnBehalfOfCredentialOptions{ClientOptions: o})
		}},
		{name: "DeviceCodeCredential", flow: "device code (approved at once)", make: func(_ context.Context, s *identitytest.Server, o identity.ClientOptions) (identity.TokenCredential, error) {
			s.AddApp(identitytest.App{ClientID: demoPublic, Public: true})
			s.AddUser(identitytest.User{Username: demoUser, Password: demoPassword})
			return identity.NewDeviceCodeCredential(&identity.DeviceCodeCredentialOptions{ClientOptions: o, TenantID: demoTenant, ClientID: demoPublic,
				UserPrompt: func(context.Context, identity.DeviceCodeMessage) error { return nil }})
		}},
		managedIdentityCase(identitytest.SourceIMDS, "IMDS (VM), user-assigned client_id", identity.ClientID(demoMIClientID)),
		managedIdentityCase(identitytest.SourceAppService, "App Service, X-IDENTITY-HEADER", identity.ResourceID(demoMIResourceID)),
		managedIdentityCase(identitytest.SourceAzureArc, "Azure Arc, 401 challenge + key file (imds.Source)", nil),
		managedIdentityCase(identitytest.SourceCloudShell, "Cloud Shell, form POST", nil),
		managedIdentityCase(identitytest.SourceServiceFabric, "Service Fabric, pinned TLS thumbprint", nil),
		managedIdentityCase(identitytest.SourceAzureML, "Azure ML, clientid", identity.ClientID(demoMIClientID)),
		{name: "WorkloadIdentityCredential", flow: "client_credentials, projected token file",
			env: func(s *identitytest.Server) (demoFake, error) {
				w, err := identitytest.NewWorkloadIdentity(s, &identitytest.WorkloadIdentityOptions{TenantID: demoTenant})
				if err != nil {
					return demoFake{}, err
				}
				s.AddApp(w.App())
				return demoFake{env: w.Env(), stop: w.Close}, nil
			},
			make: func(_ context.Context, s *identitytest.Server, o identity.ClientOptions) (identity.TokenCredential, error) {
				o.AuthorityHost = ""
				return identity.NewWorkloadIdentityCredential(&identity.WorkloadIdentityCredentialOptions{ClientOptions: o})
			}},
		federatedCICase("AzurePipelinesCredential", "client_credentials, Azure DevOps OIDC token", identitytest.NewPipelinesOIDC),
		federatedCICase("GitHubActionsCredential", "client_credentials, GitHub OIDC token", identitytest.NewGitHubOIDC),
		{name: "AzureCLICredential", flow: "az account get-access-token (fake az, no shell)",
			env: func(*identitytest.Server) (demoFake, error) {
				dir, err := os.MkdirTemp("", "azid-demo-tools-")
				if err != nil {
					return demoFake{}, err
				}
				bin, err := identitytest.FakeTools(dir, identitytest.ToolBehavior{})
				if err != nil {
					os.RemoveAll(dir)
					return demoFake{}, err
				}
				stop := func() { os.RemoveAll(dir) }
				count := func() int { a, _ := identitytest.ReadArgv(dir, "az"); return len(a) }
				return demoFake{env: map[string]string{"PATH": bin + string(os.PathListSeparator) + os.Getenv("PATH")}, stop: stop, requests: count}, nil
			},
			make: func(context.Context, *identitytest.Server, identity.ClientOptions) (identity.TokenCredential, error) {
				return identity.NewAzureCLICredential(nil)
			}},
		{name: "DefaultAzureCredential", flow: "chain: EnvironmentCredential answers",
			env: func(*identitytest.Server) (demoFake, error) {
				return demoFake{env: map[string]string{"AZURE_TENANT_ID": demoTenant, "AZURE_CLIENT_ID": demoClientID, "AZURE_CLIENT_SECRET": demoSecret},
					stop: func() {}}, nil
			},
			make: func(_ context.Context, _ *identitytest.Server, o identity.ClientOptions) (identity.TokenCredential, error) {
				return identity.NewDefaultAzureCredential(&identity.DefaultAzureCredentialOptions{ClientOptions: o})
			}},
	}
}

const (
	demoMIClientID   = "00000000-0000-0000-0000-0000000000f1"
	demoMIResourceID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.ManagedIdentity/userAssignedIdentities/demo"
)

// managedIdentityCase runs ManagedIdentityCredential against a fake
// endpoint of one hosting source, found from the environment it sets.
func managedIdentityCase(src identitytest.MISource, flow string, id identity.ManagedIDKind) demoCase {
	var m *identitytest.ManagedIdentity
	return demoCase{
		name: "ManagedIdentityCredential",
		flow: flow,
		env: func(*identitytest.Server) (demoFake, error) {
			var err error
			o := &identitytest.MIOptions{}
			if id != nil {
				o.Identities = []identitytest.MIIdentity{{ClientID: demoMIClientID, ResourceID: demoMIResourceID}}
			}
			if m, err = identitytest.NewManagedIdentity(src, o); err != nil {
				return demoFake{}, err
			}
			return demoFake{env: m.Env(), stop: m.Close, requests: func() int { return len(m.Requests()) }}, nil
		},
		make: func(_ context.Context, _ *identitytest.Server, _ identity.ClientOptions) (identity.TokenCredential, error) {
			if src == identitytest.SourceAzureArc {
				// The credential reads Arc's key file only from the agent's
				// own directory (/var/opt/azcmagent/tokens); the demo does not
				// write there, so it shows the source through package imds,
				// which takes the directory as a test setting. No cache here.
				arc, err := imds.New(imds.Config{Getenv: os.Getenv, ArcTokenDir: m.ArcTokenDir()})
				if err != nil {
					return nil, err
				}
				return identity.TokenCredentialFunc(func(ctx context.Context, o identity.TokenRequestOptions) (identity.AccessToken, error) {
					t, err := arc.Token(ctx, imds.Resource(o.Scopes[0]))
					return identity.AccessToken{Token: t.AccessToken, ExpiresOn: t.ExpiresOn, TokenType: t.TokenType}, err
				}), nil
			}
			// The local endpoints are plain http on loopback (Service
			// Fabric: https pinned by thumbprint); no client to configure.
			return identity.NewManagedIdentityCredential(&identity.ManagedIdentityCredentialOptions{ID: id})
		},
	}
}

// federatedCICase runs a CI credential whose client assertion comes from a
// fake OIDC issuer that the fake Entra ID trusts.
func federatedCICase(name, flow string, issuer func(*identitytest.OIDCOptions) *identitytest.OIDCIssuer) demoCase {
	const id = "00000000-0000-0000-0000-0000000000c1"
	var iss *identitytest.OIDCIssuer
	return demoCase{
		name: name,
		flow: flow,
		env: func(s *identitytest.Server) (demoFake, error) {
			iss = issuer(nil)
			s.AddApp(identitytest.App{ClientID: id, Federated: iss.Validate})
			return demoFake{env: iss.Env(), stop: iss.Close, requests: func() int { return len(iss.Requests()) }}, nil
		},
		make: func(_ context.Context, s *identitytest.Server, o identity.ClientOptions) (identity.TokenCredential, error) {
			pool := s.CertPool()
			pool.AddCert(iss.Certificate())
			o.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
			if name == "AzurePipelinesCredential" {
				return identity.NewAzurePipelinesCredential(demoTenant, id, iss.ServiceConnectionID(), iss.RequestToken(),
					&identity.AzurePipelinesCredentialOptions{ClientOptions: o})
			}
			return identity.NewGitHubActionsCredential(demoTenant, id, &identity.GitHubActionsCredentialOptions{ClientOptions: o})
		},
	}
}

// demoTransport calls a protected resource through identity.Transport, then
// has the resource send a CAE claims challenge, which the Transport answers
// with a token carrying the claims and one retry.
func demoTransport(ctx context.Context, s *identitytest.Server, out io.Writer) error {
	const id = "00000000-0000-0000-0000-0000000000e1"
	s.AddApp(identitytest.App{ClientID: id, Secret: demoSecret})
	api := s.Resource("https://vault.azure.net", nil)
	cred, err := identity.NewClientSecretCredential(demoTenant, id, demoSecret,
		&identity.ClientSecretCredentialOptions{ClientOptions: identity.ClientOptions{AuthorityHost: s.Authority(), HTTPClient: s.Client()}})
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &identity.Transport{Credential: cred, Scopes: []string{"https://vault.azure.net/.default"}, Base: s.Client().Transport}}
	get := func(label string) error {
		before := len(s.Requests())
		start := time.Now()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, api.URL(), nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Fprintf(out, "  %-44s %s after %d requests (token endpoint and resource), %s\n", label, resp.Status, len(s.Requests())-before, round(time.Since(start)))
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s", label, resp.Status)
		}
		return nil
	}
	fmt.Fprintln(out, "\nidentity.Transport against a protected resource:")
	if err := get("GET with a fresh token"); err != nil {
		return err
	}
	if err := get("GET again (token from the cache)"); err != nil {
		return err
	}
	if err := api.Challenge(""); err != nil {
		return err
	}
	return get("GET after a CAE claims challenge (one retry)")
}
