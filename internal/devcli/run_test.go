package devcli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/azid-go/azid/identitytest"
	"github.com/azid-go/azid/internal/process"
)

// These tests run the fake az, azd and pwsh of identitytest through the
// real runner: PATH holds only the fakes, so no real tool is ever reached.

// fakes writes the fake tools with behaviour b, makes their directory the
// whole PATH for the rest of the test, and returns the directory whose
// argument logs identitytest.ReadArgv reads.
func fakes(t *testing.T, b identitytest.ToolBehavior) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake tools are shell scripts")
	}
	dir := t.TempDir()
	pathDir, err := identitytest.FakeTools(dir, b)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", pathDir)
	return dir
}

// getToken is the signature AzToken, AzdToken and PowerShellToken share.
type getToken func(context.Context, Request) (Token, error)

var tools = []struct {
	name string
	get  getToken
}{{"az", AzToken}, {"azd", AzdToken}, {"pwsh", PowerShellToken}}

func argv(t *testing.T, dir, tool string) [][]string {
	t.Helper()
	runs, err := identitytest.ReadArgv(dir, tool)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

func mustScript(t *testing.T, resource, tenant string) string {
	t.Helper()
	s, err := PowerShellScript(resource, tenant)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestExactArgv(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	const mgmt = "https://management.azure.com/.default"
	pwshArgs := func(resource, tenant string) []string {
		return PowerShellArgs(mustScript(t, resource, tenant))
	}
	tests := []struct {
		name string
		tool string
		get  getToken
		req  Request
		want []string
	}{
		{"az resource", "az", AzToken, Request{Scopes: []string{mgmt}},
			[]string{"account", "get-access-token", "--output", "json", "--resource", "https://management.azure.com"}},
		{"az tenant", "az", AzToken, Request{Scopes: []string{mgmt}, Tenant: "contoso.onmicrosoft.com"},
			[]string{"account", "get-access-token", "--output", "json", "--resource", "https://management.azure.com", "--tenant", "contoso.onmicrosoft.com"}},
		{"az subscription name", "az", AzToken, Request{Scopes: []string{mgmt}, Subscription: "My Dev Sub"},
			[]string{"account", "get-access-token", "--output", "json", "--resource", "https://management.azure.com", "--subscription", "My Dev Sub"}},
		{"azd scopes", "azd", AzdToken, Request{Scopes: []string{mgmt, "https://vault.azure.net/.default"}},
			[]string{"auth", "token", "--output", "json", "--no-prompt", "--scope", mgmt, "--scope", "https://vault.azure.net/.default"}},
		{"azd tenant and claims", "azd", AzdToken, Request{Scopes: []string{mgmt}, Tenant: "t1", Claims: "{}"},
			[]string{"auth", "token", "--output", "json", "--no-prompt", "--scope", mgmt, "--tenant-id", "t1", "--claims", "e30="}},
		{"pwsh", "pwsh", PowerShellToken, Request{Scopes: []string{mgmt}}, pwshArgs("https://management.azure.com", "")},
		{"pwsh tenant", "pwsh", PowerShellToken, Request{Scopes: []string{"api://x/.default"}, Tenant: "t1"}, pwshArgs("api://x", "t1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fakes(t, identitytest.ToolBehavior{Token: "tok-" + tt.tool, ExpiresOn: exp})
			tok, err := tt.get(context.Background(), tt.req)
			if err != nil {
				t.Fatalf("%s: %v", tt.tool, err)
			}
			if tok.AccessToken != "tok-"+tt.tool || !tok.ExpiresOn.Equal(exp) {
				t.Errorf("token %q %v, want tok-%s %v", tok.AccessToken, tok.ExpiresOn, tt.tool, exp)
			}
			if runs := argv(t, dir, tt.tool); len(runs) != 1 || !reflect.DeepEqual(runs[0], tt.want) {
				t.Errorf("%s ran with\n%q\nwant\n%q", tt.tool, runs, tt.want)
			}
		})
	}
}

func TestAzLegacyExpiresOnEndToEnd(t *testing.T) {
	// az 2.45: expiresOn in the machine's local time, six fraction digits, no expires_on.
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	fakes(t, identitytest.ToolBehavior{ExpiresOn: exp, Legacy: true})
	tok, err := AzToken(context.Background(), Request{Scopes: []string{"https://vault.azure.net/.default"}})
	if err != nil || !tok.ExpiresOn.Equal(exp) || tok.AccessToken != identitytest.FakeToolToken {
		t.Errorf("got %v, %v; want the fake token expiring %v", tok, err, exp)
	}
}

func TestRefusedBeforeAnyProcess(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "p")
	injection := "x; touch " + marker
	const mgmt = "https://management.azure.com/.default"
	tests := []struct {
		name string
		get  getToken
		req  Request
		want string // the start of the error
	}{
		{"az scope", AzToken, Request{Scopes: []string{injection}}, `devcli: invalid scope "x; touch `},
		{"az tenant with a space", AzToken, Request{Scopes: []string{mgmt}, Tenant: "contoso com"}, `devcli: invalid tenant ID "contoso com"`},
		{"az subscription with a quote", AzToken, Request{Scopes: []string{mgmt}, Subscription: `My "Sub"`}, `devcli: subscription "My \"Sub\"" contains invalid characters`},
		{"az subscription with an apostrophe", AzToken, Request{Scopes: []string{mgmt}, Subscription: `Bob's`}, `devcli: subscription "Bob's" contains invalid characters`},
		{"az two scopes", AzToken, Request{Scopes: []string{mgmt, mgmt}}, "devcli: got 2 scopes"},
		{"az no scope", AzToken, Request{}, "devcli: got 0 scopes"},
		{"az claims", AzToken, Request{Scopes: []string{mgmt}, Claims: "{}"}, "devcli: az: This credential doesn't support claims challenges."},
		{"azd scope", AzdToken, Request{Scopes: []string{mgmt, injection}}, `devcli: invalid scope "x; touch `},
		{"azd tenant with a space", AzdToken, Request{Scopes: []string{mgmt}, Tenant: "contoso com"}, `devcli: invalid tenant ID "contoso com"`},
		{"azd no scope", AzdToken, Request{}, "devcli: a token request needs at least one scope"},
		{"azd subscription", AzdToken, Request{Scopes: []string{mgmt}, Subscription: "s"}, "devcli: a subscription can be given to the Azure CLI only"},
		{"pwsh scope", PowerShellToken, Request{Scopes: []string{injection}}, `devcli: invalid scope "x; touch `},
		{"pwsh scope quote", PowerShellToken, Request{Scopes: []string{"https://x'; Remove-Item ~ -Recurse; '"}}, `devcli: invalid scope "https://x'; Remove-Item`},
		{"pwsh tenant with a space", PowerShellToken, Request{Scopes: []string{mgmt}, Tenant: "contoso com"}, `devcli: invalid tenant ID "contoso com"`},
		{"pwsh claims", PowerShellToken, Request{Scopes: []string{mgmt}, Claims: "{}"}, "devcli: pwsh: Azure PowerShell requires multifactor authentication"},
		{"pwsh subscription", PowerShellToken, Request{Scopes: []string{mgmt}, Subscription: "s"}, "devcli: a subscription can be given to the Azure CLI only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fakes(t, identitytest.ToolBehavior{})
			tok, err := tt.get(context.Background(), tt.req)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || tok != (Token{}) {
				t.Fatalf("got %v, %v; want an error starting %q", tok, err, tt.want)
			}
			for _, tool := range []string{"az", "azd", "pwsh"} {
				if runs := argv(t, dir, tool); runs != nil {
					t.Errorf("%s ran with %q", tool, runs)
				}
			}
			if _, err := os.Stat(marker); !os.IsNotExist(err) {
				t.Errorf("%s exists: an argument was run", marker)
			}
		})
	}
}

func TestOutcomesEndToEnd(t *testing.T) {
	req := Request{Scopes: []string{"https://management.azure.com/.default"}}
	tests := []struct {
		outcome     identitytest.ToolOutcome
		tool        string
		get         getToken
		unavailable bool
		msg         string
	}{
		{identitytest.ToolNotLoggedIn, "az", AzToken, true, azLogin},
		{identitytest.ToolNotLoggedIn, "azd", AzdToken, true, azdLogin},
		{identitytest.ToolNotLoggedIn, "pwsh", PowerShellToken, true, pwshLogin},
		{identitytest.ToolNotInstalled, "az", AzToken, true, az.notFound},
		{identitytest.ToolNotInstalled, "azd", AzdToken, true, azd.notFound},
		{identitytest.ToolNotInstalled, "pwsh", PowerShellToken, true, pwsh.notFound},
		{identitytest.ToolAADSTSError, "az", AzToken, false, "ERROR: AADSTS50076: Due to a configuration change"},
		{identitytest.ToolAADSTSError, "azd", AzdToken, false, "fetching token: AADSTS50076: Due to a configuration change"},
		{identitytest.ToolAADSTSError, "pwsh", PowerShellToken, false, "Get-AzAccessToken: AADSTS50076: Due to a configuration change"},
		{identitytest.ToolModuleMissing, "pwsh", PowerShellToken, true, pwshNoModule},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s outcome %d", tt.tool, tt.outcome), func(t *testing.T) {
			fakes(t, identitytest.ToolBehavior{Outcome: tt.outcome})
			tok, err := tt.get(context.Background(), req)
			checkErr(t, tok, err, tt.unavailable, tt.msg)
		})
	}
	for _, legacy := range []bool{false, true} {
		fakes(t, identitytest.ToolBehavior{Outcome: identitytest.ToolNotLoggedIn, Legacy: legacy})
		tok, err := AzdToken(context.Background(), req)
		checkErr(t, tok, err, true, azdLogin)
	}
}

func TestToolNotOnPath(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("PATH lookup differs; covered by package process")
	}
	t.Setenv("PATH", t.TempDir())
	req := Request{Scopes: []string{"https://management.azure.com/.default"}}
	for _, tool := range tools {
		tok, err := tool.get(context.Background(), req)
		var e *Error
		if !errors.As(err, &e) || !e.Unavailable || !errors.Is(err, process.ErrNotFound) || tok != (Token{}) {
			t.Errorf("%s: got %v, %#v; want unavailable wrapping process.ErrNotFound", tool.name, tok, err)
		}
	}
}

// TestNoAccessTokenInErrors feeds the tools' outputs a canary token in every
// place a tool might print one and checks that no error shows it.
func TestNoAccessTokenInErrors(t *testing.T) {
	const opaque = "CANARY-opaque-access-token"
	const jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJDQU5BUlkifQ.CANARY"
	stdouts := []string{
		`{"accessToken":"` + opaque + `","token":"` + opaque + `","Token":"` + opaque + `","expiresOn":"bad","ExpiresOn":"bad"}`,
		`{"accessToken":"` + jwt + `","token":"` + jwt + `","Token":"` + jwt + `"}`,
		opaque + " " + jwt,
	}
	stderrs := []string{
		"",
		`ERROR: {"accessToken": "` + opaque + `", "expiresOn": "x"}`,
		"Authorization: Bearer " + jwt,
		`{"error":"refused {\"token\": \"` + opaque + `\"} and ` + jwt + `"}`,
		`{"type":"consoleMessage","data":{"message":"ERROR: {\"Token\":\"` + opaque + `\"}"}}`,
		`{"accessToken": "` + opaque, // cut off mid-token
	}
	req := Request{Scopes: []string{"https://management.azure.com/.default"}, Timeout: time.Minute}
	for _, stdout := range stdouts {
		for _, stderr := range stderrs {
			for _, code := range []int{0, 1, 127} {
				fakes(t, identitytest.ToolBehavior{Outcome: identitytest.ToolCustom, Stdout: stdout, Stderr: stderr, ExitCode: code})
				for _, tool := range tools {
					_, err := tool.get(context.Background(), req)
					if err == nil {
						t.Fatalf("%s accepted stdout %q", tool.name, stdout)
					}
					for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
						if strings.Contains(s, "CANARY") || strings.Contains(s, "eyJ") {
							t.Errorf("%s, exit %d, stdout %q, stderr %q: error shows the token: %s", tool.name, code, stdout, stderr, s)
						}
					}
				}
			}
		}
	}
}
