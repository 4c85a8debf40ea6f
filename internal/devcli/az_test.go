package devcli

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestAzArgs(t *testing.T) {
	base := []string{"account", "get-access-token", "--output", "json", "--resource", "https://management.azure.com"}
	tests := []struct {
		name                           string
		resource, tenant, subscription string
		want                           []string
		wantErr                        bool
	}{
		{"resource only", "https://management.azure.com", "", "", base, false},
		{"tenant", "https://management.azure.com", "contoso.onmicrosoft.com", "", append(base[:6:6], "--tenant", "contoso.onmicrosoft.com"), false},
		{"subscription name", "https://management.azure.com", "", "My Dev Sub", append(base[:6:6], "--subscription", "My Dev Sub"), false},
		{"both, az decides", "https://management.azure.com", "t1", "s1", append(base[:6:6], "--tenant", "t1", "--subscription", "s1"), false},
		{"bad resource", "x; touch /tmp/p", "", "", nil, true},
		{"empty resource", "", "", "", nil, true},
		{"bad tenant", "https://management.azure.com", "a b", "", nil, true},
		{"bad subscription", "https://management.azure.com", "", `x"y`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AzArgs(tt.resource, tt.tenant, tt.subscription)
			if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("AzArgs(%q, %q, %q) = %q, %v\nwant %q (error %v)", tt.resource, tt.tenant, tt.subscription, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// azOK is az 2.54.0 or later printing a token (PROTOCOL 8.2's example,
// indented as az prints it).
const azOK = `{
  "accessToken": "opaque-token-1",
  "expiresOn": "2024-05-16 21:35:42.000000",
  "expires_on": 1715895342,
  "subscription": "6f9f3a4b-0000-4000-8000-0000000000aa",
  "tenant": "7e57e57e-0000-4000-8000-000000000001",
  "tokenType": "Bearer"
}
`

// azLegacy builds az 2.45's output: no expires_on, expiresOn in local time.
func azLegacy(expiresOn string) string {
	return `{"accessToken": "opaque-token-1", "expiresOn": "` + expiresOn + `", "subscription": "s", "tenant": "t", "tokenType": "Bearer"}`
}

func TestParseAzSuccess(t *testing.T) {
	cest := time.FixedZone("CEST", 2*60*60)
	at := func(nsec int) time.Time { return time.Date(2024, 5, 16, 21, 35, 42, nsec, cest) }
	tests := []struct {
		name   string
		stdout string
		want   time.Time
	}{
		{"expires_on preferred", azOK, time.Unix(1715895342, 0)},
		{"expires_on as a string", `{"accessToken":"opaque-token-1","expires_on":"1715895342"}`, time.Unix(1715895342, 0)},
		{"az 2.45: six fraction digits", azLegacy("2024-05-16 21:35:42.000000"), at(0)},
		{"six non-zero digits", azLegacy("2024-05-16 21:35:42.123456"), at(123456000)},
		{"three digits", azLegacy("2024-05-16 21:35:42.123"), at(123000000)},
		{"one digit", azLegacy("2024-05-16 21:35:42.5"), at(500000000)},
		{"no fraction", azLegacy("2024-05-16 21:35:42"), at(0)},
		{"nine digits", azLegacy("2024-05-16 21:35:42.123456789"), at(123456789)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := result(tt.stdout, "WARNING: a warning az prints on success\n", 0)
			tok, err := ParseAz(r, nil, cest)
			if err != nil {
				t.Fatalf("ParseAz: %v", err)
			}
			if tok.AccessToken != "opaque-token-1" || !tok.ExpiresOn.Equal(tt.want) {
				t.Errorf("got %q %v, want opaque-token-1 %v", tok.AccessToken, tok.ExpiresOn, tt.want)
			}
		})
	}
}

func TestParseAzLegacyUsesGivenZone(t *testing.T) {
	for _, loc := range []*time.Location{time.UTC, time.FixedZone("PDT", -7*60*60), time.FixedZone("IST", 5*60*60+30*60)} {
		tok, err := ParseAz(result(azLegacy("2024-05-16 21:35:42.000000"), "", 0), nil, loc)
		if want := time.Date(2024, 5, 16, 21, 35, 42, 0, loc); err != nil || !tok.ExpiresOn.Equal(want) {
			t.Errorf("zone %v: got %v, %v; want %v", loc, tok.ExpiresOn, err, want)
		}
	}
	// A nil location means the machine's, which is az's.
	tok, err := ParseAz(result(azLegacy("2024-05-16 21:35:42.000000"), "", 0), nil, nil)
	if want := time.Date(2024, 5, 16, 21, 35, 42, 0, time.Local); err != nil || !tok.ExpiresOn.Equal(want) {
		t.Errorf("nil location: got %v, %v; want %v", tok.ExpiresOn, err, want)
	}
}

func TestParseAzUnexpectedOutput(t *testing.T) {
	tests := []struct {
		name   string
		stdout string
		msg    string
	}{
		{"empty", "", "Unexpected output from Azure CLI: not JSON (syntax error at byte 0)"},
		{"table output", "AccessToken    ExpiresOn\n-----", "Unexpected output from Azure CLI: not JSON (syntax error at byte 1)"},
		{"array", `[{"accessToken":"a"}]`, "Unexpected output from Azure CLI: a JSON array, not an object"},
		{"wrong type", `{"accessToken":5,"expires_on":1715895342}`, `Unexpected output from Azure CLI: member "accessToken" is a JSON number`},
		{"trailing garbage", azOK + "x", "Unexpected output from Azure CLI: not JSON"},
		{"no token", `{"expires_on":1715895342}`, "Unexpected output from Azure CLI: no accessToken"},
		{"empty token", `{"accessToken":"","expires_on":1715895342}`, "Unexpected output from Azure CLI: no accessToken"},
		{"no expiry", `{"accessToken":"a"}`, "Unexpected output from Azure CLI: neither expires_on nor expiresOn"},
		{"expires_on zero", `{"accessToken":"a","expires_on":0}`, "Unexpected output from Azure CLI: expires_on is not a plausible number"},
		{"expires_on negative", `{"accessToken":"a","expires_on":-5}`, "Unexpected output from Azure CLI: expires_on is not a plausible number"},
		{"expires_on fraction", `{"accessToken":"a","expires_on":1715895342.5}`, "Unexpected output from Azure CLI: expires_on is not a plausible number"},
		{"expires_on year 10000", `{"accessToken":"a","expires_on":253402300800}`, "Unexpected output from Azure CLI: expires_on is not a plausible number"},
		{"expires_on not a number", `{"accessToken":"a","expires_on":"soon"}`, "Unexpected output from Azure CLI: not the JSON object expected"},
		{"expiresOn RFC 3339", azLegacy("2024-05-16T21:35:42Z"), "Unexpected output from Azure CLI: expiresOn is not a local time"},
		{"expiresOn words", azLegacy("tomorrow"), "Unexpected output from Azure CLI: expiresOn is not a local time"},
		{"expiresOn year 1", azLegacy("0001-01-01 00:00:00"), "Unexpected output from Azure CLI: expiresOn is not a local time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := ParseAz(result(tt.stdout, "", 0), nil, time.UTC)
			checkErr(t, tok, err, false, tt.msg)
		})
	}
	r := result(azOK, "", 0)
	r.StdoutTruncated = true
	tok, err := ParseAz(r, nil, time.UTC)
	checkErr(t, tok, err, false, "Unexpected output from Azure CLI: more than 1 MiB of output")
}

// The error texts az prints (PROTOCOL 8.2 and 18).
const (
	azNotLoggedIn = "ERROR: Please run 'az login' to setup account.\n"
	azAccountSet  = "ERROR: No subscription found. Run 'az account set' to select a subscription.\n"
	azMFA         = "ERROR: AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '797f4846-ba00-4fd7-ba43-dac1f8f63013'. Trace ID: 0c7b1f2e Correlation ID: 5d1a9c3b Timestamp: 2024-05-16 20:35:42Z\n" +
		"Run the command below to authenticate interactively; additional arguments may be added as needed:\naz logout\naz login --scope https://management.core.windows.net//.default\n"
	azCmdNotFound = "'az' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n"
	azBothGiven   = "ERROR: Please specify only one of subscription and tenant, not both\n"
)

func TestParseAzFailures(t *testing.T) {
	tests := []struct {
		name        string
		stderr      string
		code        int
		unavailable bool
		msg         string
	}{
		{"not logged in", azNotLoggedIn, 1, true, "Please run 'az login' to set up an account"},
		{"no subscription", azAccountSet, 1, true, "Please run 'az login' to set up an account"},
		{"exit 127", "sh: 1: az: not found\n", 127, true, "Azure CLI not found on path"},
		{"cmd not recognized", azCmdNotFound, 1, true, "Azure CLI not found on path"},
		{"AADSTS keeps az's words", azMFA, 1, false, strings.TrimSpace(azMFA)},
		{"other error keeps az's words", azBothGiven, 2, false, "ERROR: Please specify only one of subscription and tenant, not both"},
		{"silent failure", "", 1, false, "Failed to invoke the Azure CLI"},
		{"killed by a signal", "", -1, false, "Failed to invoke the Azure CLI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := ParseAz(result(azOK, tt.stderr, tt.code), nil, time.UTC)
			checkErr(t, tok, err, tt.unavailable, tt.msg)
			if e := (*Error)(nil); errors.As(err, &e) && e.Message != tt.msg {
				t.Errorf("Message %q, want exactly %q", e.Message, tt.msg)
			}
		})
	}
}

func TestAzClaimsError(t *testing.T) {
	claims := `{"access_token":{"nbf":{"essential":true,"value":"1715895342"}}}`
	const b64 = "eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNzE1ODk1MzQyIn19fQ=="
	prefix := "This credential doesn't support claims challenges. To authenticate with the required claims, please run the following command (requires Azure CLI version 2.76.0 or later): "
	tests := []struct {
		name, tenant, scope, want string
	}{
		{"no tenant", "", "https://management.azure.com/.default", prefix + "az login --claims-challenge " + b64 + " --scope https://management.azure.com/.default"},
		{"tenant", "contoso.onmicrosoft.com", "https://management.azure.com/.default", prefix + "az login --claims-challenge " + b64 + " --tenant contoso.onmicrosoft.com --scope https://management.azure.com/.default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := AzClaimsError(claims, tt.tenant, tt.scope)
			var e *Error
			if !errors.As(err, &e) || !e.Unavailable || e.Message != tt.want {
				t.Errorf("got %#v\nwant unavailable %q", err, tt.want)
			}
		})
	}
	var ve *ValidationError
	if err := AzClaimsError(claims, "a b", "https://x/.default"); !errors.As(err, &ve) {
		t.Errorf("bad tenant: %v, want *ValidationError", err)
	}
	if err := AzClaimsError(claims, "", "x; rm"); !errors.As(err, &ve) {
		t.Errorf("bad scope: %v, want *ValidationError", err)
	}
}
