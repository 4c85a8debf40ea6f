package devcli

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/azid-go/azid/internal/process"
)

// addSeeds adds the real outputs and error texts of a tool, each with the
// exit codes it comes with, plus standard error one byte either side of
// MaxMessage.
func addSeeds(f *testing.F, stdouts, stderrs []string) {
	for _, s := range stdouts {
		f.Add([]byte(s), []byte(""), 0, false)
		f.Add([]byte(s), []byte(""), 0, true)
	}
	for _, s := range stderrs {
		f.Add([]byte(""), []byte(s), 1, false)
		f.Add([]byte(""), []byte(s), 127, false)
	}
	long := strings.Repeat("AADSTS50076 é ", MaxMessage)
	for _, n := range []int{MaxMessage - 1, MaxMessage, MaxMessage + 1} {
		f.Add([]byte(""), []byte(long[:n]), 1, false)
	}
	f.Add([]byte(""), []byte(`{"accessToken":"eyJ0eXAiOiJKV1QifQ.e30.c2ln"}`), 1, false)
}

// checkParse holds for every parser and input: an error comes with the
// zero Token, is an *Error, is valid UTF-8, bounded, and shows nothing
// that looks like a JWT; success has a token and a plausible expiry.
func checkParse(t *testing.T, tok Token, err error) {
	if err != nil {
		var e *Error
		msg := err.Error()
		switch {
		case tok != (Token{}):
			t.Fatalf("error %v with token %v", err, tok)
		case !errors.As(err, &e):
			t.Fatalf("error %v is %T, not *Error", err, err)
		case !utf8.ValidString(msg) || len(msg) > MaxMessage+300:
			t.Fatalf("error text invalid or too long (%d bytes): %q", len(msg), msg)
		case strings.Contains(msg, "eyJ"):
			t.Fatalf("error shows a JWT: %q", msg)
		}
		return
	}
	if tok.AccessToken == "" || tok.ExpiresOn.Year() < 1970 || tok.ExpiresOn.Unix() > maxUnixTime {
		t.Fatalf("success with token %q expiring %v", tok.AccessToken, tok.ExpiresOn)
	}
}

func result4(stdout, stderr []byte, code int, truncated bool) process.Result {
	return process.Result{Stdout: stdout, Stderr: stderr, ExitCode: code, StdoutTruncated: truncated}
}

func FuzzParseAz(f *testing.F) {
	addSeeds(f,
		[]string{azOK, azLegacy("2024-05-16 21:35:42.000000"), azLegacy("2024-05-16 21:35:42.123"), `{"accessToken":"a","expires_on":"1"}`, `[]`, `{"accessToken":"a","expires_on":1e99}`},
		[]string{azNotLoggedIn, azAccountSet, azMFA, azCmdNotFound, azBothGiven})
	f.Fuzz(func(t *testing.T, stdout, stderr []byte, code int, truncated bool) {
		tok, err := ParseAz(result4(stdout, stderr, code, truncated), nil, time.UTC)
		checkParse(t, tok, err)
	})
}

func FuzzParseAzd(f *testing.F) {
	addSeeds(f,
		[]string{`{"token":"a","expiresOn":"2024-05-16T21:35:42Z"}`, `{"token":"a","expiresOn":"2024-05-16T21:35:42.5+02:00"}`},
		[]string{azdLegacyNotLoggedIn, azdNewNotLoggedIn, azdLegacyMFA, azdNewMFA, azdMFALoggedOut, azdUnknownFlag, "{\n{\"error\":5}\n"})
	f.Fuzz(func(t *testing.T, stdout, stderr []byte, code int, claims bool) {
		tok, err := ParseAzd(result4(stdout, stderr, code, false), nil, claims)
		checkParse(t, tok, err)
	})
}

func FuzzParsePowerShell(f *testing.F) {
	addSeeds(f,
		[]string{`{"Token":"a","ExpiresOn":1715895342}`, "{\r\n  \"Token\": \"a\",\r\n  \"ExpiresOn\": 1715895342\r\n}\r\n", "NO_AZ_ACCOUNT_MODULE", `{"Token":"a","ExpiresOn":"9"}`},
		[]string{"Get-AzAccessToken: Run Connect-AzAccount to login.", "Az.Accounts module not found", "AuthorizationManager check failed", "'pwsh' is not recognized"})
	f.Fuzz(func(t *testing.T, stdout, stderr []byte, code int, truncated bool) {
		tok, err := ParsePowerShell(result4(stdout, stderr, code, truncated), nil)
		checkParse(t, tok, err)
	})
}
