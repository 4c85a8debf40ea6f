package devcli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/azid-go/azid/internal/process"
)

// result is a process.Result for parser tests.
func result(stdout, stderr string, code int) process.Result {
	return process.Result{Stdout: []byte(stdout), Stderr: []byte(stderr), ExitCode: code}
}

// checkErr checks a parser's answer against the wanted classification:
// an *Error with this Unavailable and a Message starting with msg.
func checkErr(t *testing.T, tok Token, err error, unavailable bool, msg string) {
	t.Helper()
	if tok != (Token{}) {
		t.Errorf("token %v returned with an error", tok)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *Error", err, err)
	}
	if e.Unavailable != unavailable || !strings.HasPrefix(e.Message, msg) {
		t.Errorf("got Unavailable %v, Message %q\nwant Unavailable %v, Message starting %q", e.Unavailable, e.Message, unavailable, msg)
	}
}

func TestTokenHidesAccessToken(t *testing.T) {
	tok := Token{AccessToken: "CANARY-secret", ExpiresOn: time.Date(2024, 5, 16, 21, 35, 42, 0, time.UTC)}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("got", "token", tok)
	outer := struct{ T Token }{tok}
	for _, s := range []string{
		tok.String(), fmt.Sprint(tok), fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok),
		fmt.Sprintf("%v %+v", outer, outer), logged.String(),
	} {
		if strings.Contains(s, "CANARY") {
			t.Errorf("printed the token: %s", s)
		}
	}
	if want := "devcli.Token{AccessToken: ****, ExpiresOn: 2024-05-16T21:35:42Z}"; tok.String() != want {
		t.Errorf("String() = %q, want %q", tok.String(), want)
	}
	if !strings.Contains(logged.String(), "token.ExpiresOn=2024-05-16T21:35:42") {
		t.Errorf("log record %q lacks the expiry", logged.String())
	}
}

func TestErrorText(t *testing.T) {
	inner := &process.TimeoutError{Name: "az", Timeout: time.Second}
	e := &Error{Tool: "az", Unavailable: true, Message: "x", Err: inner}
	if e.Error() != "devcli: az: x" {
		t.Errorf("Error() = %q", e.Error())
	}
	var te *process.TimeoutError
	if !errors.As(e, &te) || te != inner {
		t.Error("errors.As does not reach Err")
	}
}

func TestRunErrorClassification(t *testing.T) {
	notFound := fmt.Errorf("process: az: %w", process.ErrNotFound)
	timeout := &process.TimeoutError{Name: "az", Timeout: 300 * time.Millisecond}
	canceled := fmt.Errorf("process: az: %w", context.Canceled)
	deadline := fmt.Errorf("process: az: %w", context.DeadlineExceeded)
	other := errors.New("process: az: fork/exec /usr/bin/az: permission denied")
	tests := []struct {
		name        string
		err         error
		unavailable bool
		msg         string
	}{
		{"not found", notFound, true, "Azure CLI not found on path"},
		{"timeout", timeout, true, "Azure CLI did not answer within 300ms and was killed; raise ProcessTimeout if it needs longer"},
		{"caller cancelled", canceled, false, "Failed to invoke the Azure CLI: process: az: context canceled"},
		{"caller deadline", deadline, false, "Failed to invoke the Azure CLI: process: az: context deadline exceeded"},
		{"start failure", other, true, "Failed to invoke the Azure CLI: process: az: fork/exec /usr/bin/az: permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := ParseAz(process.Result{}, tt.err, time.UTC)
			checkErr(t, tok, err, tt.unavailable, tt.msg)
			if !errors.Is(err, tt.err) {
				t.Errorf("errors.Is(%v, run error) is false", err)
			}
		})
	}
}

func TestWords(t *testing.T) {
	long := strings.Repeat("x", MaxMessage+10)
	tests := []struct {
		name, in, want string
	}{
		{"trimmed", "  ERROR: no\n", "ERROR: no"},
		{"newlines and tabs kept", "a\n\tb", "a\n\tb"},
		{"terminal escapes dropped", "\x1b[31mERROR\x1b[0m: x\r\n", "[31mERROR[0m: x"},
		{"C1 controls dropped", "a\u009bb", "ab"},
		{"token scrubbed", `{"accessToken": "secret"}`, `{"accessToken": "****"}`},
		{"control char cannot hide a jwt", "ey\x00J.abc", "****"},
		{"limit-1", long[:MaxMessage-1], long[:MaxMessage-1]},
		{"limit", long[:MaxMessage], long[:MaxMessage]},
		{"limit+1", long[:MaxMessage+1], long[:MaxMessage-3] + "..."},
		{"cut on a character boundary", strings.Repeat("é", MaxMessage), strings.Repeat("é", (MaxMessage-3)/2) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := words(tt.in); got != tt.want {
				t.Errorf("words(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
