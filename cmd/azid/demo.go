package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/azid-go/azid/identity"
	"github.com/azid-go/azid/identitytest"
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
	fmt.Fprintf(out, "fake Entra ID listening at %s (loopback TLS)\n\n", s.Authority())

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CREDENTIAL\tFLOW\tCALL\tREQUESTS\tCACHE\tTIME\tRESULT")
	failed := 0
	for _, c := range demoCases() {
		o := identity.ClientOptions{AuthorityHost: s.Authority(), HTTPClient: s.Client()}
		cred, err := c.make(ctx, s, o)
		if err != nil {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\tsetup failed: %v\n", c.name, c.flow, err)
			failed++
			continue
		}
		opts := identity.TokenRequestOptions{Scopes: []string{demoScope}}
		if c.opts != nil {
			opts = *c.opts
		}
		for call, label := range []string{"cold", "warm"} {
			before := len(s.Requests())
			start := time.Now()
			tok, err := cred.GetToken(ctx, opts)
			elapsed := time.Since(start)
			sent := len(s.Requests()) - before
			result := "ok: token expires " + tok.ExpiresOn.UTC().Format(time.TimeOnly)
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
