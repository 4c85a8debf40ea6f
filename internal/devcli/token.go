package devcli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/azid-go/azid/internal/process"
)

// Token is an access token a tool printed. Its String, GoString and
// LogValue methods show process.Redacted in place of the token.
type Token struct {
	AccessToken string
	ExpiresOn   time.Time
}

// String shows the expiry and hides the token.
func (t Token) String() string {
	return "devcli.Token{AccessToken: " + process.Redacted + ", ExpiresOn: " + t.ExpiresOn.Format(time.RFC3339) + "}"
}

// GoString is String, so %#v hides the token too.
func (t Token) GoString() string { return t.String() }

// LogValue hides the token from log/slog.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(slog.String("AccessToken", process.Redacted), slog.Time("ExpiresOn", t.ExpiresOn))
}

// Request is one token request to a tool: what the credential in package
// identity knows after resolving the tenant (PROTOCOL 1.4).
type Request struct {
	// Scopes: exactly one for az and pwsh, one or more for azd (PROTOCOL 8.1).
	Scopes []string
	// Tenant is the resolved tenant; empty means the tool's current tenant.
	Tenant string
	// Subscription (az only) selects the subscription whose tenant az uses;
	// empty means az's current subscription.
	Subscription string
	// Claims is a claims challenge (JSON, not base64). azd passes it on;
	// az and pwsh cannot, and answer with the command the user should run.
	Claims string
	// Timeout is ProcessTimeout; zero means process.DefaultTimeout.
	Timeout time.Duration
}

// Error reports that a tool gave no token. Unavailable tells a chain of
// credentials to try its next one (the tool is missing, nobody is logged in,
// or it could not be run); otherwise the tool ran and refused, and Message
// holds its own words.
type Error struct {
	Tool        string // "az", "azd" or "pwsh"
	Unavailable bool
	// Message says what failed: the tool's own words from standard error,
	// scrubbed of tokens and cut to MaxMessage, or the Python library's
	// wording for the known cases (PROTOCOL 18).
	Message string
	// Err is the run error behind Message (a *process.TimeoutError, an error
	// wrapping process.ErrNotFound or ctx.Err()), or nil.
	Err error
}

// Error names the tool and says what failed, in the tool's own scrubbed words.
func (e *Error) Error() string { return "devcli: " + e.Tool + ": " + e.Message }

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// tool holds a tool's executable name and the texts its errors use.
type tool struct {
	name     string // executable, and Error.Tool
	display  string // as people call it
	notFound string // PROTOCOL 18, the "not installed" text
	failed   string // PROTOCOL 18, when the tool failed without a word
}

// runError turns an error from process.Run into an *Error.
func (t tool) runError(err error) *Error {
	var te *process.TimeoutError
	switch {
	case errors.Is(err, process.ErrNotFound):
		return &Error{Tool: t.name, Unavailable: true, Message: t.notFound, Err: err}
	case errors.As(err, &te):
		// PROTOCOL 8.1: on timeout the child is killed and the credential is unavailable.
		msg := fmt.Sprintf("%s did not answer within %v and was killed; raise ProcessTimeout if it needs longer", t.display, te.Timeout)
		return &Error{Tool: t.name, Unavailable: true, Message: msg, Err: err}
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		// The caller gave up; a chain should not go on to the next credential.
		return &Error{Tool: t.name, Message: t.failed + ": " + err.Error(), Err: err}
	default:
		return &Error{Tool: t.name, Unavailable: true, Message: t.failed + ": " + err.Error(), Err: err}
	}
}

// unavailable builds the *Error a chain skips past.
func (t tool) unavailable(msg string) *Error {
	return &Error{Tool: t.name, Unavailable: true, Message: msg}
}

// failedWith builds the *Error of a tool that ran and refused, in msg (the
// tool's words, already passed through words) or, when it said nothing,
// the tool's "failed to invoke" text.
func (t tool) failedWith(msg string) *Error {
	if msg == "" {
		msg = t.failed
	}
	return &Error{Tool: t.name, Message: msg}
}

// unexpected reports output that is not what the tool prints with a token.
// PROTOCOL 8.2 (PY): "Unexpected output from Azure CLI: ..."; what follows
// here describes the fault and never quotes the output, which may hold the
// token.
func (t tool) unexpected(what string) *Error {
	return &Error{Tool: t.name, Message: "Unexpected output from " + t.display + ": " + what}
}

// words makes raw tool output fit for an error message: control characters
// other than newline and tab dropped (terminal escapes among them), tokens
// scrubbed (process.Scrub; after the drop, so a control character cannot
// hide a token from it), surrounding space trimmed, and cut to MaxMessage
// bytes on a character boundary.
func words(raw string) string {
	s := strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || 0x7f <= r && r < 0xa0 {
			return -1
		}
		return r
	}, raw)
	s = strings.TrimSpace(process.Scrub([]byte(s)))
	if len(s) <= MaxMessage {
		return s
	}
	cut := MaxMessage - len("...")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// jsonFault describes why output did not decode, without quoting it:
// encoding/json quotes a bad number literal in full, which could be
// anything the tool printed.
func jsonFault(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("not JSON (syntax error at byte %d)", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		kind, _, _ := strings.Cut(te.Value, " ") // "number 1e999" -> "number"
		if te.Field == "" {
			return "a JSON " + kind + ", not an object"
		}
		return fmt.Sprintf("member %q is a JSON %s", te.Field, kind)
	}
	return "not the JSON object expected"
}

// unixTime converts an expiry in Unix seconds, refusing what no token has.
func unixTime(sec int64) (time.Time, bool) {
	if sec <= 0 || sec > maxUnixTime {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}
