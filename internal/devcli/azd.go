package devcli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/azid-go/azid/internal/process"
)

// azd is the Azure Developer CLI, with the Python library's texts (PROTOCOL 18).
var azd = tool{
	name:     "azd",
	display:  "Azure Developer CLI",
	notFound: "Azure Developer CLI could not be found. Please visit https://aka.ms/azure-dev for installation instructions and then, once installed, authenticate to your Azure account using 'azd auth login'.",
	failed:   "Failed to invoke Azure Developer CLI",
}

const (
	// azdLogin is PROTOCOL 8.3's text when nobody is logged in to azd.
	azdLogin = "Please run 'azd auth login' from a command prompt to authenticate before using this credential."
	// azdNotLoggedIn is what azd prints then (PROTOCOL 18).
	azdNotLoggedIn = "not logged in, run `azd auth login` to login"
	// azdClaims opens GO's messages for a failed request with claims (PROTOCOL 8.3).
	azdClaims = "Azure Developer CLI requires multifactor authentication or additional claims"
)

// errSubscriptionAzOnly refuses a subscription for a tool that has none.
var errSubscriptionAzOnly = errors.New("devcli: a subscription can be given to the Azure CLI only")

// AzdToken gets a token from the Azure Developer CLI: it validates req,
// runs `azd auth token` and parses the answer. Errors are a
// *ValidationError (nothing ran), an *Error, or a plain error for a
// request azd cannot take (no scope, a subscription).
func AzdToken(ctx context.Context, req Request) (Token, error) {
	if req.Subscription != "" {
		return Token{}, errSubscriptionAzOnly
	}
	args, err := AzdArgs(req.Scopes, req.Tenant, req.Claims)
	if err != nil {
		return Token{}, err
	}
	res, runErr := process.Run(ctx, process.Command{
		Name:    azd.name,
		Args:    args,
		Env:     []string{"NO_COLOR=true"}, // PROTOCOL 8.1: PY sets it for azd
		Timeout: req.Timeout,
	})
	return ParseAzd(res, runErr, req.Claims != "")
}

// AzdArgs returns azd's argument vector (PROTOCOL 8.3, GO's form): auth
// token --output json --no-prompt --scope S1 [--scope S2 ...]
// [--tenant-id T] [--claims C], where C is the claims in standard, padded
// base64 (azd 1.18.1 and later). Each scope must pass ValidScope and a
// non-empty tenant ValidTenant.
func AzdArgs(scopes []string, tenant, claims string) ([]string, error) {
	if len(scopes) == 0 {
		return nil, errNoScope
	}
	args := []string{"auth", "token", "--output", "json", "--no-prompt"}
	for _, s := range scopes {
		if err := ValidScope(s); err != nil {
			return nil, err
		}
		args = append(args, "--scope", s)
	}
	if tenant != "" {
		if err := ValidTenant(tenant); err != nil {
			return nil, err
		}
		args = append(args, "--tenant-id", tenant)
	}
	if claims != "" {
		args = append(args, "--claims", base64.StdEncoding.EncodeToString([]byte(claims)))
	}
	return args, nil
}

// ParseAzd reads what azd printed; claims tells whether the request carried
// a claims challenge. Success (exit 0, PROTOCOL 8.3) is a JSON object with
// token and expiresOn (RFC 3339, UTC). Failures are classified as PROTOCOL
// 8.3 says, with azd's words taken from the JSON lines it writes to
// standard error in either of its two formats.
func ParseAzd(r process.Result, runErr error, claims bool) (Token, error) {
	if runErr != nil {
		return Token{}, azd.runError(runErr)
	}
	if r.ExitCode != 0 {
		return Token{}, azdFailure(r, claims)
	}
	if r.StdoutTruncated {
		return Token{}, azd.unexpected("more than 1 MiB of output")
	}
	var out struct {
		Token     string `json:"token"`
		ExpiresOn string `json:"expiresOn"`
	}
	if err := json.Unmarshal(r.Stdout, &out); err != nil {
		return Token{}, azd.unexpected(jsonFault(err))
	}
	if out.Token == "" {
		return Token{}, azd.unexpected("no token")
	}
	// PROTOCOL 8.3: "expiresOn is UTC in RFC 3339 with Z and no fraction".
	exp, err := time.Parse(time.RFC3339, out.ExpiresOn)
	if err != nil || exp.Year() < 1970 {
		return Token{}, azd.unexpected(`expiresOn is not an RFC 3339 time like "2006-01-02T15:04:05Z"`)
	}
	return Token{AccessToken: out.Token, ExpiresOn: exp}, nil
}

// azdFailure classifies a non-zero exit (PROTOCOL 8.3).
func azdFailure(r process.Result, claims bool) *Error {
	stderr := string(r.Stderr)
	said := azdWords(stderr)
	switch {
	case r.ExitCode == 127 || strings.Contains(stderr, "'azd' is not recognized"):
		return azd.unavailable(azd.notFound)
	case claims && strings.Contains(stderr, "unknown flag: --claims"):
		return azd.failedWith(azdClaims + ", however the installed version doesn't support this. Upgrade to version 1.18.1 or later")
	case strings.Contains(said, azdNotLoggedIn) && !strings.Contains(said, "AADSTS"):
		return azd.unavailable(azdLogin)
	case claims:
		// GO names the command to run; azd's own words carry its
		// suggestion ("run azd auth login --scope ..."), so they stand in.
		if w := words(said); w != "" {
			return azd.failedWith(azdClaims + ": " + w)
		}
		return azd.failedWith(azdClaims)
	default:
		return azd.failedWith(words(said))
	}
}

// azdWords returns what azd said on standard error. azd writes one JSON
// object per line (PROTOCOL 8.3): from 1.23.7 {"error": ..., "suggestion":
// ...}, possibly after an empty console message, and before that
// {"type":"consoleMessage","data":{"message": ...}}, an error and a
// suggestion in two lines. The newer form wins (with its suggestion);
// otherwise the non-empty console messages are joined; otherwise the
// text is returned as it is. (Formats: Azure/azure-sdk-for-go PR 26590 and
// Azure/azure-dev PR 6827, checked May 2026.)
func azdWords(stderr string) string {
	var said []string
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var m struct {
			Error      string `json:"error"`
			Suggestion string `json:"suggestion"`
			Data       struct {
				Message string `json:"message"`
			} `json:"data"`
		}
		if json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		if e := strings.TrimSpace(m.Error); e != "" {
			if s := strings.TrimSpace(m.Suggestion); s != "" {
				return e + " " + s
			}
			return e
		}
		if msg := strings.TrimSpace(m.Data.Message); msg != "" {
			said = append(said, msg)
		}
	}
	if len(said) > 0 {
		return strings.Join(said, " ")
	}
	return stderr
}
