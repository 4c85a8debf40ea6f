package devcli

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

func TestPowerShellScript(t *testing.T) {
	// PROTOCOL 8.4, steps 1 to 7, each as a line the script must hold.
	steps := []string{
		"$ErrorActionPreference = 'Stop'", // 1
		"Import-Module -Name Az.Accounts -MinimumVersion 2.2.0 -PassThru -ErrorAction SilentlyContinue", // 2
		"Write-Error 'Az.Accounts module not found: install Az.Accounts 2.2.0 or later'",                // 3
		"$request = @{ ResourceUrl = 'https://management.azure.com'; WarningAction = 'Ignore' }",        // 4
		"[version]'2.17.0' -and $azAccounts.Version -lt [version]'5.0.0'",                               // 5
		"$request['AsSecureString'] = $true",                                                            // 5
		"$token -is [System.Security.SecureString]",                                                     // 6
		"SecureStringToBSTR($token)", "PtrToStringBSTR($bstr)", "ZeroFreeBSTR($bstr)",                   // 6
		"[ordered]@{ Token = $token; ExpiresOn = $answer.ExpiresOn.ToUnixTimeSeconds() } | ConvertTo-Json -Compress", // 7
	}
	script, err := PowerShellScript("https://management.azure.com", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if !strings.Contains(script, s) {
			t.Errorf("script lacks %q:\n%s", s, script)
		}
	}
	if strings.Contains(script, "TenantId") {
		t.Errorf("script without a tenant sets TenantId:\n%s", script)
	}
	withTenant, err := PowerShellScript("https://management.azure.com", "contoso.onmicrosoft.com")
	if err != nil {
		t.Fatal(err)
	}
	if want := "\n$request['TenantId'] = 'contoso.onmicrosoft.com'\n"; !strings.Contains(withTenant, want) {
		t.Errorf("script lacks %q:\n%s", want, withTenant)
	}
	for _, bad := range [][2]string{{"x'; Remove-Item -Recurse ~; '", ""}, {"https://a", "t'; calc; '"}, {"", ""}, {"https://a", "a b"}} {
		if s, err := PowerShellScript(bad[0], bad[1]); err == nil {
			t.Errorf("PowerShellScript(%q, %q) accepted:\n%s", bad[0], bad[1], s)
		}
	}
}

func TestPowerShellArgs(t *testing.T) {
	for _, script := range []string{"", "Write-Output 'a'", "é ✓ 😀\r\n"} {
		args := PowerShellArgs(script)
		if want := []string{"-NoProfile", "-NonInteractive", "-OutputFormat", "Text", "-EncodedCommand"}; !reflect.DeepEqual(args[:5], want) || len(args) != 6 {
			t.Fatalf("PowerShellArgs = %q", args)
		}
		b, err := base64.StdEncoding.Strict().DecodeString(args[5])
		if err != nil || len(b)%2 != 0 {
			t.Fatalf("-EncodedCommand %q is not standard base64 of UTF-16: %v", args[5], err)
		}
		units := make([]uint16, len(b)/2)
		for i := range units {
			units[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		if got := string(utf16.Decode(units)); got != script {
			t.Errorf("decoded %q, want %q", got, script)
		}
	}
	// A known vector: "ab" is 61 00 62 00.
	if got := PowerShellArgs("ab")[5]; got != "YQBiAA==" {
		t.Errorf("PowerShellArgs(\"ab\") payload %q, want YQBiAA==", got)
	}
}

func TestPowerShellExecutable(t *testing.T) {
	found := func(string) (string, error) { return `C:\Program Files\PowerShell\7\pwsh.exe`, nil }
	missing := func(string) (string, error) { return "", errors.New("not found") }
	tests := []struct {
		goos   string
		lookup func(string) (string, error)
		want   string
	}{
		{"linux", missing, "pwsh"},
		{"darwin", found, "pwsh"},
		{"windows", found, "pwsh.exe"},
		{"windows", missing, "powershell.exe"},
	}
	for _, tt := range tests {
		if got := PowerShellExecutable(tt.goos, tt.lookup); got != tt.want {
			t.Errorf("PowerShellExecutable(%s) = %q, want %q", tt.goos, got, tt.want)
		}
	}
}

func TestParsePowerShellSuccess(t *testing.T) {
	for _, stdout := range []string{
		`{"Token":"opaque-token-3","ExpiresOn":1715895342}`,
		"{\r\n  \"Token\": \"opaque-token-3\",\r\n  \"ExpiresOn\": 1715895342\r\n}\r\n",
		`{"Token":"opaque-token-3","ExpiresOn":"1715895342"}`,
	} {
		tok, err := ParsePowerShell(result(stdout, "", 0), nil)
		if err != nil || tok.AccessToken != "opaque-token-3" || !tok.ExpiresOn.Equal(time.Unix(1715895342, 0)) {
			t.Errorf("ParsePowerShell(%q) = %q %v, %v", stdout, tok.AccessToken, tok.ExpiresOn, err)
		}
	}
}

func TestParsePowerShellFailures(t *testing.T) {
	tests := []struct {
		name           string
		stdout, stderr string
		code           int
		unavailable    bool
		msg            string
	}{
		{"not logged in", "", "Get-AzAccessToken: Run Connect-AzAccount to login.\n", 1, true, pwshLogin},
		{"other Connect-AzAccount advice", "", "Get-AzAccessToken: Your session has expired. Please run Connect-AzAccount.\n", 1, true, pwshLogin},
		{"module missing, our script", "", "Write-Error: Az.Accounts module not found: install Az.Accounts 2.2.0 or later\n", 1, true, pwshNoModule},
		{"module missing, PY marker", "\nNO_AZ_ACCOUNT_MODULE\n", "", 0, true, pwshNoModule},
		{"execution policy", "", "File cannot be loaded. AuthorizationManager check failed.\n", 1, true, pwshPolicy},
		{"exit 127", "", "sh: 1: pwsh: not found\n", 127, true, pwsh.notFound},
		{"cmd not recognized", "", "'pwsh' is not recognized as an internal or external command,\r\n", 1, true, pwsh.notFound},
		{"AADSTS keeps PowerShell's words", "", "Get-AzAccessToken: AADSTS50076: multi-factor authentication required.\n", 1, false, "Get-AzAccessToken: AADSTS50076: multi-factor authentication required."},
		{"silent failure", "", "", 1, false, pwsh.failed},
		{"not JSON", "Token: abc", "", 0, false, "Unexpected output from Azure PowerShell: not JSON"},
		{"no Token", `{"ExpiresOn":1715895342}`, "", 0, false, "Unexpected output from Azure PowerShell: no Token"},
		{"no ExpiresOn", `{"Token":"a"}`, "", 0, false, "Unexpected output from Azure PowerShell: ExpiresOn is not a plausible number"},
		{"ExpiresOn a date", `{"Token":"a","ExpiresOn":"2024-05-16T21:35:42+00:00"}`, "", 0, false, "Unexpected output from Azure PowerShell: not the JSON object expected"},
		{"ExpiresOn zero", `{"Token":"a","ExpiresOn":0}`, "", 0, false, "Unexpected output from Azure PowerShell: ExpiresOn is not a plausible number"},
		{"ExpiresOn an object", `{"Token":"a","ExpiresOn":{"DateTime":"x"}}`, "", 0, false, `Unexpected output from Azure PowerShell: member "ExpiresOn" is a JSON object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := ParsePowerShell(result(tt.stdout, tt.stderr, tt.code), nil)
			checkErr(t, tok, err, tt.unavailable, tt.msg)
		})
	}
}

func TestPowerShellClaimsError(t *testing.T) {
	const prefix = "Azure PowerShell requires multifactor authentication or additional claims. Run this command then retry the operation: "
	tests := []struct{ tenant, want string }{
		{"", prefix + "Connect-AzAccount -ClaimsChallenge 'e30='"},
		{"contoso", prefix + "Connect-AzAccount -TenantId 'contoso' -ClaimsChallenge 'e30='"},
	}
	for _, tt := range tests {
		var e *Error
		if err := PowerShellClaimsError("{}", tt.tenant); !errors.As(err, &e) || !e.Unavailable || e.Message != tt.want {
			t.Errorf("tenant %q: got %#v, want unavailable %q", tt.tenant, err, tt.want)
		}
	}
	var ve *ValidationError
	if err := PowerShellClaimsError("{}", "t'; calc"); !errors.As(err, &ve) {
		t.Errorf("bad tenant: %v, want *ValidationError", err)
	}
}
