package identity

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/azid-go/azid/cache"
	"github.com/azid-go/azid/identitytest"
)

// fakeTools puts fake az, azd and pwsh first on PATH and returns the
// directory whose logs identitytest.ReadArgv reads.
func fakeTools(t *testing.T, b identitytest.ToolBehavior) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake tools are POSIX shell scripts")
	}
	dir := t.TempDir()
	bin, err := identitytest.FakeTools(dir, b)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+"/usr/bin:/bin")
	return dir
}

func argv(t *testing.T, dir, tool string) [][]string {
	t.Helper()
	a, err := identitytest.ReadArgv(dir, tool)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return a
}

func TestAzureCLICredential(t *testing.T) {
	dir := fakeTools(t, identitytest.ToolBehavior{})
	c, err := NewAzureCLICredential(&AzureCLICredentialOptions{TenantID: "contoso.example"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil || tok.Token != identitytest.FakeToolToken || time.Until(tok.ExpiresOn) < 30*time.Minute {
		t.Fatalf("got %v, %v", tok, err)
	}
	want := "account get-access-token --output json --resource https://management.azure.com --tenant contoso.example"
	if got := argv(t, dir, "az"); len(got) != 1 || strings.Join(got[0], " ") != want {
		t.Fatalf("az argv %q, want %q", got, want)
	}
	// Cached: az does not run again.
	if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil || len(argv(t, dir, "az")) != 1 {
		t.Fatalf("second call ran az again (%v)", err)
	}
}

func TestDeveloperToolsRefuseBadInputBeforeRunning(t *testing.T) {
	dir := fakeTools(t, identitytest.ToolBehavior{})
	marker := filepath.Join(t.TempDir(), "p")
	az, _ := NewAzureCLICredential(nil)
	azd, _ := NewAzureDeveloperCLICredential(nil)
	pwsh, _ := NewAzurePowerShellCredential(nil)
	for _, c := range []TokenCredential{az, azd, pwsh} {
		for _, opts := range []TokenRequestOptions{
			{Scopes: []string{"x; touch " + marker}},
			{Scopes: []string{testScope}, TenantID: "a tenant"},
			{Scopes: []string{"$(touch " + marker + ")"}},
		} {
			if _, err := c.GetToken(context.Background(), opts); err == nil {
				t.Errorf("%T accepted %+v", c, opts)
			}
		}
	}
	if _, err := NewAzureCLICredential(&AzureCLICredentialOptions{Subscription: `my "sub"`}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("subscription with a quote: %v", err)
	}
	for _, tool := range []string{"az", "azd", "pwsh"} {
		if n := len(argv(t, dir, tool)); n != 0 {
			t.Errorf("%s ran %d times", tool, n)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("an injected command ran")
	}
}

func TestDeveloperToolErrors(t *testing.T) {
	tests := []struct {
		name        string
		outcome     identitytest.ToolOutcome
		unavailable bool
	}{
		{"not logged in", identitytest.ToolNotLoggedIn, true},
		{"not installed", identitytest.ToolNotInstalled, true},
		{"AADSTS", identitytest.ToolAADSTSError, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeTools(t, identitytest.ToolBehavior{Outcome: tt.outcome})
			c, _ := NewAzureCLICredential(nil)
			_, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
			var cue *CredentialUnavailableError
			var afe *AuthenticationFailedError
			if tt.unavailable && !errors.As(err, &cue) || !tt.unavailable && !errors.As(err, &afe) {
				t.Fatalf("err = %v (%T), want unavailable=%v", err, err, tt.unavailable)
			}
		})
	}
	t.Run("timeout", func(t *testing.T) {
		fakeTools(t, identitytest.ToolBehavior{Outcome: identitytest.ToolHang})
		c, _ := NewAzureCLICredential(&AzureCLICredentialOptions{ProcessTimeout: 300 * time.Millisecond})
		start := time.Now()
		_, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
		if err == nil || !strings.Contains(err.Error(), "ProcessTimeout") || time.Since(start) > 10*time.Second {
			t.Fatalf("err = %v after %v; want a timeout naming ProcessTimeout", err, time.Since(start))
		}
	})
}

// clearCredentialEnv unsets every variable a default chain reads.
func clearCredentialEnv(t *testing.T) {
	for _, v := range []string{envTenantID, envClientID, envClientSecret, envClientCertificatePath, envUsername, envPassword,
		envFederatedTokenFile, envTokenCredentials, "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET",
		"IMDS_ENDPOINT", "IDENTITY_SERVER_THUMBPRINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST"} {
		t.Setenv(v, "")
	}
}

func TestDefaultAzureCredentialSelection(t *testing.T) {
	clearCredentialEnv(t)
	names := func(v string, o *DefaultAzureCredentialOptions) ([]string, error) {
		t.Setenv(envTokenCredentials, v)
		c, err := NewDefaultAzureCredential(o)
		if err != nil {
			return nil, err
		}
		return c.chain.names, nil
	}
	all := "EnvironmentCredential WorkloadIdentityCredential ManagedIdentityCredential AzureCLICredential AzurePowerShellCredential AzureDeveloperCLICredential"
	if runtime.GOOS == "windows" {
		all = strings.Replace(all, "ManagedIdentityCredential", "ManagedIdentityCredential SharedTokenCacheCredential", 1)
	}
	tests := []struct {
		value string
		o     *DefaultAzureCredentialOptions
		want  string
	}{
		{"", nil, all},
		{"prod", nil, "EnvironmentCredential WorkloadIdentityCredential ManagedIdentityCredential"},
		{"DEV", nil, "AzureCLICredential AzurePowerShellCredential AzureDeveloperCLICredential"},
		{"azureclicredential", nil, "AzureCLICredential"},
		{"ManagedIdentityCredential", nil, "ManagedIdentityCredential"},
		{"dev", &DefaultAzureCredentialOptions{ExcludeAzureCLICredential: true}, "AzurePowerShellCredential AzureDeveloperCLICredential"},
		{"", &DefaultAzureCredentialOptions{IncludeVisualStudioCodeCredential: true, IncludeSharedTokenCacheCredential: true,
			ExcludeEnvironmentCredential: true, ExcludeWorkloadIdentityCredential: true, ExcludeManagedIdentityCredential: true},
			"SharedTokenCacheCredential VisualStudioCodeCredential AzureCLICredential AzurePowerShellCredential AzureDeveloperCLICredential"},
	}
	for _, tt := range tests {
		got, err := names(tt.value, tt.o)
		if err != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("%s=%q: got %q, %v; want %q", envTokenCredentials, tt.value, got, err, tt.want)
		}
	}
	if _, err := names("bogus", nil); !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "AzureCLICredential") {
		t.Errorf("bad value: %v", err)
	}
	// Selected alone, managed identity is not probed; in the chain it is.
	t.Setenv(envTokenCredentials, "ManagedIdentityCredential")
	alone, _ := NewDefaultAzureCredential(nil)
	t.Setenv(envTokenCredentials, "")
	chained, _ := NewDefaultAzureCredential(nil)
	if alone.chain.sources[0].(*ManagedIdentityCredential).probe || !chained.chain.sources[2].(*ManagedIdentityCredential).probe {
		t.Error("managed identity must be probed inside the chain and not when selected alone")
	}
}

func TestDefaultAzureCredentialChain(t *testing.T) {
	clearCredentialEnv(t)
	dir := fakeTools(t, identitytest.ToolBehavior{})
	logger, logs := newRecordingLogger()
	c, err := NewDefaultAzureCredential(&DefaultAzureCredentialOptions{ClientOptions: ClientOptions{Logger: logger}, ExcludeManagedIdentityCredential: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil || tok.Token != identitytest.FakeToolToken {
		t.Fatalf("got %v, %v; want the Azure CLI's token", tok, err)
	}
	if !strings.Contains(logs(), "credential=AzureCLICredential") {
		t.Errorf("the choice was not logged:\n%s", logs())
	}
	// Sticky: the next scope goes straight to az.
	if _, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{"https://vault.azure.net/.default"}}); err != nil {
		t.Fatal(err)
	}
	if n := len(argv(t, dir, "az")); n != 2 {
		t.Errorf("az ran %d times, want 2", n)
	}
}

func TestDefaultAzureCredentialAllUnavailable(t *testing.T) {
	clearCredentialEnv(t)
	fakeTools(t, identitytest.ToolBehavior{Outcome: identitytest.ToolAADSTSError})
	c, _ := NewDefaultAzureCredential(&DefaultAzureCredentialOptions{ExcludeManagedIdentityCredential: true})
	_, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	var cue *CredentialUnavailableError
	if !errors.As(err, &cue) {
		t.Fatalf("err = %v; inside the chain a tool's failure is unavailable", err)
	}
	for _, name := range []string{"EnvironmentCredential", "WorkloadIdentityCredential", "AzureCLICredential", "AzurePowerShellCredential", "AzureDeveloperCLICredential"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the message lacks %s:\n%v", name, err)
		}
	}
}

// TestDeveloperToolRecentRequest: the developer tools' hit path answers a
// repeat request from its cache.Ref without allocating, and never serves a
// token the cache no longer holds.
func TestDeveloperToolRecentRequest(t *testing.T) {
	dir := fakeTools(t, identitytest.ToolBehavior{})
	shared := cache.New(cache.Options{})
	c, err := NewAzureCLICredential(&AzureCLICredentialOptions{Cache: shared})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := TokenRequestOptions{Scopes: []string{testScope}}
	graph := TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
	for _, o := range []TokenRequestOptions{opts, graph, opts} {
		if _, err := c.GetToken(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(argv(t, dir, "az")); n != 2 {
		t.Fatalf("az ran %d times, want 2 (one per scope)", n)
	}
	// The latest fetch is remembered; a hit on another scope keeps it.
	if q := c.d.recent.match(&graph, ""); q == nil {
		t.Fatal("the latest fetched request is not the one remembered")
	}
	for _, o := range []TokenRequestOptions{graph, opts} {
		if a := testing.AllocsPerRun(100, func() { _, _ = c.GetToken(ctx, o) }); a != 0 {
			t.Errorf("%v: %v allocations per cached GetToken, want 0", o.Scopes, a)
		}
	}

	// Deleted behind the credential's back: az runs again.
	shared.Delete(cache.Key{Authority: "az", Scopes: cache.ScopeKey(graph.Scopes)})
	if _, err := c.GetToken(ctx, graph); err != nil || len(argv(t, dir, "az")) != 3 {
		t.Fatalf("after Delete: az ran %d times, %v; want a third run", len(argv(t, dir, "az")), err)
	}
	// A request the tool would refuse is refused, shortcut or not.
	if _, err := c.GetToken(ctx, TokenRequestOptions{Scopes: graph.Scopes, TenantID: "a tenant"}); !errors.Is(err, ErrInvalidTenantID) {
		t.Errorf("an invalid tenant: err = %v, want ErrInvalidTenantID", err)
	}
}

// TestDeveloperToolInputErrors: a request the tool must not be given is an
// input error whether identity or devcli finds it, standing alone or in
// DefaultAzureCredential, and nothing runs: a tenant starting with '-' is
// ErrInvalidTenantID, a scope without a resource ErrInvalidArgument.
func TestDeveloperToolInputErrors(t *testing.T) {
	dir := fakeTools(t, identitytest.ToolBehavior{})
	alone, _ := NewAzureCLICredential(nil)
	inChain, _ := NewAzureCLICredential(nil)
	inChain.d.inChain = true
	for _, c := range []*AzureCLICredential{alone, inChain} {
		for _, tt := range []struct {
			opts TokenRequestOptions
			want error
		}{
			{TokenRequestOptions{Scopes: []string{testScope}, TenantID: "-tenant"}, ErrInvalidTenantID},
			{TokenRequestOptions{Scopes: []string{"/.default"}}, ErrInvalidArgument},
		} {
			_, err := c.GetToken(context.Background(), tt.opts)
			var afe *AuthenticationFailedError
			var cue *CredentialUnavailableError
			if !errors.Is(err, tt.want) || errors.As(err, &afe) || errors.As(err, &cue) {
				t.Errorf("in chain %v, %+v: err = %v, want only %v", c.d.inChain, tt.opts, err, tt.want)
			}
		}
	}
	if n := len(argv(t, dir, "az")); n != 0 {
		t.Errorf("az ran %d times", n)
	}
}

// TestDefaultWorkloadIdentityClientID: DefaultAzureCredential's workload
// identity takes ManagedIdentityClientID when WorkloadIdentityClientID is
// not set (PROTOCOL.md 9.2), before AZURE_CLIENT_ID.
func TestDefaultWorkloadIdentityClientID(t *testing.T) {
	clearCredentialEnv(t)
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("header.payload.signature"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envTenantID, testTenant)
	t.Setenv(envFederatedTokenFile, file)
	c, err := NewDefaultAzureCredential(&DefaultAzureCredentialOptions{ManagedIdentityClientID: testClientID})
	if err != nil {
		t.Fatal(err)
	}
	w, ok := c.chain.sources[1].(*WorkloadIdentityCredential)
	if !ok {
		t.Fatalf("source 1 is %T %v, want a WorkloadIdentityCredential", c.chain.sources[1], c.chain.sources[1])
	}
	if w.ep.clientID != testClientID {
		t.Errorf("workload identity client ID %q, want %q", w.ep.clientID, testClientID)
	}
}

// TestToolStderrSecretsScrubbed: a refresh token (not a JWT) that a tool
// prints in an MSAL cache entry ("secret"), JSON or repr, or in a form body,
// does not reach the error. process.Scrub used to know only the access and
// refresh token member names and JWTs.
func TestToolStderrSecretsScrubbed(t *testing.T) {
	const rt = "0.AXoAcanary-tool-refresh-token-7d41"
	for name, stderr := range map[string]string{
		"MSAL cache entry, JSON": `ERROR: token cache corrupt: {"credential_type": "RefreshToken", "secret": "` + rt + `", "home_account_id": "uid.utid"}`,
		"MSAL cache entry, repr": `ERROR: {'credential_type': 'RefreshToken', 'secret': '` + rt + `'}`,
		"form body":              `ERROR: POST body grant_type=refresh_token&refresh_token=` + rt + `&client_id=04b07795`,
	} {
		t.Run(name, func(t *testing.T) {
			fakeTools(t, identitytest.ToolBehavior{Outcome: identitytest.ToolCustom, Stderr: stderr, ExitCode: 1})
			c, err := NewAzureCLICredential(nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), rt) {
				t.Errorf("the refresh token on az's stderr reached the error: %v", err)
			}
		})
	}
}
