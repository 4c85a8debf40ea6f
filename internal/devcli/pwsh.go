package devcli

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"os/exec"
	"runtime"
	"strings"
	"unicode/utf16"

	"github.com/azid-go/azid/internal/process"
)

// pwsh is Azure PowerShell, with the Python library's texts (PROTOCOL 18).
var pwsh = tool{
	name:     "pwsh",
	display:  "Azure PowerShell",
	notFound: "PowerShell is not installed",
	failed:   "Failed to invoke PowerShell",
}

const (
	pwshNoModule = "Az.Account module >= 2.2.0 is not installed"      // PROTOCOL 8.4, PY
	pwshLogin    = `Please run "Connect-AzAccount" to set up account` // PROTOCOL 8.4, PY
	pwshPolicy   = "Execution policy prevented invoking Azure PowerShell"
	// noModuleMarker is what our script writes to standard error when
	// Az.Accounts is missing (GO's marker, PROTOCOL 18).
	noModuleMarker = "Az.Accounts module not found"
)

// PowerShellToken gets a token from Azure PowerShell: it validates req,
// runs PowerShell with PowerShellScript and parses the answer. Errors are a
// *ValidationError (nothing ran), an *Error, or a plain error for a request
// PowerShell cannot take (not one scope, a subscription).
func PowerShellToken(ctx context.Context, req Request) (Token, error) {
	if req.Subscription != "" {
		return Token{}, errSubscriptionAzOnly
	}
	resource, err := Resource(req.Scopes)
	if err != nil {
		return Token{}, err
	}
	script, err := PowerShellScript(resource, req.Tenant)
	if err != nil {
		return Token{}, err
	}
	if req.Claims != "" {
		return Token{}, PowerShellClaimsError(req.Claims, req.Tenant)
	}
	res, runErr := process.Run(ctx, process.Command{
		Name:    PowerShellExecutable(runtime.GOOS, exec.LookPath),
		Args:    PowerShellArgs(script),
		Timeout: req.Timeout,
	})
	return ParsePowerShell(res, runErr)
}

// PowerShellScript returns the script that asks Az.Accounts for a token,
// following PROTOCOL 8.4's seven steps, and prints it as JSON:
// {"Token":"...","ExpiresOn":<Unix seconds>}. resource must pass ValidScope
// and a non-empty tenant ValidTenant; neither character set includes a
// quote, so each is safe inside the script's single quotes.
func PowerShellScript(resource, tenant string) (string, error) {
	if err := ValidScope(resource); err != nil {
		return "", err
	}
	tenantLine := ""
	if tenant != "" {
		if err := ValidTenant(tenant); err != nil {
			return "", err
		}
		tenantLine = "$request['TenantId'] = '" + tenant + "'\n" // step 4, quoted as GO does
	}
	return `$ErrorActionPreference = 'Stop'
$azAccounts = Import-Module -Name Az.Accounts -MinimumVersion 2.2.0 -PassThru -ErrorAction SilentlyContinue
if (-not $azAccounts) {
    Write-Error '` + noModuleMarker + `: install Az.Accounts 2.2.0 or later'
}
$request = @{ ResourceUrl = '` + resource + `'; WarningAction = 'Ignore' }
` + tenantLine + `if ($azAccounts.Version -ge [version]'2.17.0' -and $azAccounts.Version -lt [version]'5.0.0') {
    $request['AsSecureString'] = $true
}
$answer = Get-AzAccessToken @request
$token = $answer.Token
if ($token -is [System.Security.SecureString]) {
    $bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($token)
    try {
        $token = [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)
    } finally {
        [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr)
    }
}
[ordered]@{ Token = $token; ExpiresOn = $answer.ExpiresOn.ToUnixTimeSeconds() } | ConvertTo-Json -Compress
`, nil
}

// PowerShellArgs returns PowerShell's argument vector for script
// (PROTOCOL 8.4, GO's form): -NoProfile -NonInteractive -OutputFormat Text
// -EncodedCommand B, where B is the standard, padded base64 of the script
// in UTF-16LE.
func PowerShellArgs(script string) []string {
	units := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(b[2*i:], u)
	}
	return []string{"-NoProfile", "-NonInteractive", "-OutputFormat", "Text", "-EncodedCommand", base64.StdEncoding.EncodeToString(b)}
}

// PowerShellExecutable names the PowerShell to run on goos (PROTOCOL 8.4,
// GO): pwsh, except on Windows, where it is pwsh.exe when lookPath finds
// it and Windows PowerShell (powershell.exe) otherwise.
func PowerShellExecutable(goos string, lookPath func(string) (string, error)) string {
	if goos != "windows" {
		return "pwsh"
	}
	if _, err := lookPath("pwsh.exe"); err == nil {
		return "pwsh.exe"
	}
	return "powershell.exe"
}

// ParsePowerShell reads what PowerShell printed running PowerShellScript.
// Success (exit 0) is {"Token":"...","ExpiresOn":<Unix seconds>} (PROTOCOL
// 8.4, GO's form). Failures are classified as PROTOCOL 8.4 says: not
// installed, Az.Accounts missing, not logged in and a blocking execution
// policy are unavailable; anything else is a failure in PowerShell's words.
func ParsePowerShell(r process.Result, runErr error) (Token, error) {
	if runErr != nil {
		return Token{}, pwsh.runError(runErr)
	}
	// PROTOCOL 8.4: PY's script reports a missing module on standard
	// output and exits 0; ours (like GO's) on standard error.
	if r.ExitCode != 0 || strings.Contains(string(r.Stdout), "NO_AZ_ACCOUNT_MODULE") {
		return Token{}, pwshFailure(r)
	}
	if r.StdoutTruncated {
		return Token{}, pwsh.unexpected("more than 1 MiB of output")
	}
	var out struct {
		Token     string      `json:"Token"`
		ExpiresOn json.Number `json:"ExpiresOn"`
	}
	if err := json.Unmarshal(r.Stdout, &out); err != nil {
		return Token{}, pwsh.unexpected(jsonFault(err))
	}
	if out.Token == "" {
		return Token{}, pwsh.unexpected("no Token")
	}
	sec, err := out.ExpiresOn.Int64()
	exp, ok := unixTime(sec)
	if err != nil || !ok {
		return Token{}, pwsh.unexpected("ExpiresOn is not a plausible number of Unix seconds")
	}
	return Token{AccessToken: out.Token, ExpiresOn: exp}, nil
}

// pwshFailure classifies a failed run (PROTOCOL 8.4).
func pwshFailure(r process.Result) *Error {
	stderr := string(r.Stderr)
	switch {
	case r.ExitCode == 127 || strings.Contains(stderr, "' is not recognized"):
		return pwsh.unavailable(pwsh.notFound)
	case strings.Contains(stderr, noModuleMarker) || strings.Contains(string(r.Stdout), "NO_AZ_ACCOUNT_MODULE"):
		return pwsh.unavailable(pwshNoModule)
	case strings.Contains(stderr, "Connect-AzAccount"):
		// PY matches "Run Connect-AzAccount to login"; GO, which this
		// follows, any mention of Connect-AzAccount.
		return pwsh.unavailable(pwshLogin)
	case strings.Contains(stderr, "AuthorizationManager check failed"):
		return pwsh.unavailable(pwshPolicy)
	default:
		// PY makes this unavailable too and only logs stderr; GO, which
		// this follows, reports an authentication failure with it.
		return pwsh.failedWith(words(stderr))
	}
}

// PowerShellClaimsError is the answer to a request with a claims challenge,
// which Get-AzAccessToken cannot take: unavailable, with the
// Connect-AzAccount command that satisfies it (PROTOCOL 8.4, GO's wording,
// the claims in standard, padded base64). A non-empty tenant must be valid,
// as it is printed for the user to run.
func PowerShellClaimsError(claims, tenant string) error {
	cmd := "Connect-AzAccount"
	if tenant != "" {
		if err := ValidTenant(tenant); err != nil {
			return err
		}
		cmd += " -TenantId '" + tenant + "'"
	}
	cmd += " -ClaimsChallenge '" + base64.StdEncoding.EncodeToString([]byte(claims)) + "'"
	return pwsh.unavailable("Azure PowerShell requires multifactor authentication or additional claims. Run this command then retry the operation: " + cmd)
}
