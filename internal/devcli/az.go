package devcli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/azid-go/azid/internal/process"
)

// az is the Azure CLI, with the Python library's texts (PROTOCOL 18).
var az = tool{
	name:     "az",
	display:  "Azure CLI",
	notFound: "Azure CLI not found on path",
	failed:   "Failed to invoke the Azure CLI",
}

// azLogin is PROTOCOL 8.2's text when nobody is logged in to az.
const azLogin = "Please run 'az login' to set up an account"

// AzToken gets a token from the Azure CLI: it validates req, runs
// `az account get-access-token` and parses the answer. Errors are a
// *ValidationError (nothing ran), an *Error, or the count-of-scopes error
// of Resource.
func AzToken(ctx context.Context, req Request) (Token, error) {
	resource, err := Resource(req.Scopes)
	if err != nil {
		return Token{}, err
	}
	args, err := AzArgs(resource, req.Tenant, req.Subscription)
	if err != nil {
		return Token{}, err
	}
	if req.Claims != "" {
		return Token{}, AzClaimsError(req.Claims, req.Tenant, req.Scopes[0])
	}
	res, runErr := process.Run(ctx, process.Command{
		Name:    az.name,
		Args:    args,
		Env:     []string{"AZURE_CORE_NO_COLOR=true"}, // PROTOCOL 8.1: PY sets it for az
		Timeout: req.Timeout,
	})
	return ParseAz(res, runErr, time.Local)
}

// AzArgs returns the Azure CLI's argument vector (PROTOCOL 8.2):
// account get-access-token --output json --resource R [--tenant T]
// [--subscription S]. Empty tenant and subscription are left out; the
// others must pass ValidScope, ValidTenant and ValidSubscription.
func AzArgs(resource, tenant, subscription string) ([]string, error) {
	if err := ValidScope(resource); err != nil {
		return nil, err
	}
	args := []string{"account", "get-access-token", "--output", "json", "--resource", resource}
	if tenant != "" {
		if err := ValidTenant(tenant); err != nil {
			return nil, err
		}
		args = append(args, "--tenant", tenant)
	}
	if subscription != "" {
		// PROTOCOL 8.2: az refuses --tenant with --subscription; both
		// official libraries pass both anyway, and so does this, so that
		// az's own message reaches the user.
		if err := ValidSubscription(subscription); err != nil {
			return nil, err
		}
		args = append(args, "--subscription", subscription)
	}
	return args, nil
}

// ParseAz reads what az printed. runErr is process.Run's error; loc is the
// time zone of the machine az ran on (time.Local), in which its legacy
// expiresOn field is written.
//
// Success (exit 0, PROTOCOL 8.2) is a JSON object with accessToken and
// either expires_on (Unix seconds, az 2.54.0 and later, preferred) or
// expiresOn ("2006-01-02 15:04:05" in local time, with none to six fraction
// digits). Failures are classified as PROTOCOL 8.2 says: not installed and
// not logged in are unavailable; an AADSTS error or anything else is a
// failure in az's own words.
func ParseAz(r process.Result, runErr error, loc *time.Location) (Token, error) {
	if runErr != nil {
		return Token{}, az.runError(runErr)
	}
	if r.ExitCode != 0 {
		return Token{}, azFailure(r)
	}
	if r.StdoutTruncated {
		return Token{}, az.unexpected("more than 1 MiB of output")
	}
	var out struct {
		AccessToken string      `json:"accessToken"`
		ExpiresOn   string      `json:"expiresOn"`
		Epoch       json.Number `json:"expires_on"` // a number, or a string holding one
	}
	if err := json.Unmarshal(r.Stdout, &out); err != nil {
		return Token{}, az.unexpected(jsonFault(err))
	}
	if out.AccessToken == "" {
		return Token{}, az.unexpected("no accessToken")
	}
	exp, err := azExpiry(out.Epoch, out.ExpiresOn, loc)
	if err != nil {
		return Token{}, err
	}
	return Token{AccessToken: out.AccessToken, ExpiresOn: exp}, nil
}

// azExpiry prefers expires_on, present from az 2.54.0, over expiresOn,
// which is local time without a zone (PROTOCOL 8.2).
func azExpiry(epoch json.Number, local string, loc *time.Location) (time.Time, error) {
	if epoch != "" {
		sec, err := epoch.Int64()
		t, ok := unixTime(sec)
		if err != nil || !ok {
			return time.Time{}, az.unexpected("expires_on is not a plausible number of Unix seconds")
		}
		return t, nil
	}
	if local == "" {
		return time.Time{}, az.unexpected("neither expires_on nor expiresOn")
	}
	if loc == nil {
		loc = time.Local
	}
	// PROTOCOL 8.2: layout %Y-%m-%d %H:%M:%S.%f, with fewer or no fraction
	// digits from older versions. Go's parser accepts a fraction of any
	// length after the seconds even though the layout shows none.
	t, err := time.ParseInLocation("2006-01-02 15:04:05", local, loc)
	if err != nil || t.Year() < 1970 {
		return time.Time{}, az.unexpected(`expiresOn is not a local time like "2006-01-02 15:04:05.000000"`)
	}
	return t, nil
}

// azFailure classifies a non-zero exit (PROTOCOL 8.2).
func azFailure(r process.Result) *Error {
	stderr := string(r.Stderr)
	switch {
	case r.ExitCode == 127 || strings.Contains(stderr, "'az' is not recognized"):
		return az.unavailable(az.notFound)
	case (strings.Contains(stderr, "az login") || strings.Contains(stderr, "az account set")) &&
		!strings.Contains(stderr, "AADSTS"):
		// PROTOCOL 8.2: with AADSTS (MFA, conditional access) az's own
		// message, which also suggests az login, is the better one.
		return az.unavailable(azLogin)
	default:
		return az.failedWith(words(stderr))
	}
}

// AzClaimsError is the answer to a request with a claims challenge, which
// az cannot take in a token request: unavailable, with the az login command
// that satisfies the challenge (PROTOCOL 8.2, PY-new wording; the claims
// in standard, padded base64). tenant may be empty; tenant and scope must
// be valid, as they are printed for the user to run.
func AzClaimsError(claims, tenant, scope string) error {
	if err := ValidScope(scope); err != nil {
		return err
	}
	cmd := "az login --claims-challenge " + base64.StdEncoding.EncodeToString([]byte(claims))
	if tenant != "" {
		if err := ValidTenant(tenant); err != nil {
			return err
		}
		cmd += " --tenant " + tenant
	}
	cmd += " --scope " + scope
	return az.unavailable("This credential doesn't support claims challenges. To authenticate with the required claims, please run the following command (requires Azure CLI version 2.76.0 or later): " + cmd)
}
