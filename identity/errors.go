package identity

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/azid-go/azid/oauth2"
)

// AuthenticationFailedError reports that a credential tried and was refused,
// or got an answer it could not use. A chain stops at this error. Its text
// names the credential, the HTTP status, the Entra error code and numbers and
// the correlation id; never a secret or a whole response body.
type AuthenticationFailedError struct {
	Credential    string // e.g. "ClientSecretCredential"
	StatusCode    int    // HTTP status, 0 when no response was received
	ErrorCode     string // the OAuth "error", e.g. "invalid_client"
	ErrorCodes    []int  // Entra's AADSTS numbers
	Description   string // error_description, cut by package oauth2
	CorrelationID string
	TraceID       string
	// Claims is the claims challenge Entra sent with the error (conditional
	// access, MFA), as JSON text, for a caller to pass back in
	// TokenRequestOptions.Claims.
	Claims string

	err error // the cause, for errors.Is and errors.As
}

// Error names the credential, the status, the Entra error and the
// correlation id; never a secret or a response body.
func (e *AuthenticationFailedError) Error() string {
	if e.err != nil {
		return "identity: " + e.Credential + ": " + e.err.Error()
	}
	var b strings.Builder
	b.WriteString("identity: ")
	b.WriteString(e.Credential)
	b.WriteString(": authentication failed")
	if e.StatusCode != 0 {
		b.WriteString(": ")
		b.WriteString(strconv.Itoa(e.StatusCode))
	}
	if e.ErrorCode != "" {
		b.WriteString(" ")
		b.WriteString(e.ErrorCode)
	}
	if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(e.Description)
	}
	if e.CorrelationID != "" {
		b.WriteString(" (correlation ID ")
		b.WriteString(e.CorrelationID)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *AuthenticationFailedError) Unwrap() error { return e.err }

// contextError is a flow ended by its context: not an authentication
// failure, so a chain stops without blaming the credential. errors.Is finds
// context.Canceled or context.DeadlineExceeded through it.
type contextError struct {
	cred string
	err  error
}

func (e *contextError) Error() string { return "identity: " + e.cred + ": " + e.err.Error() }
func (e *contextError) Unwrap() error { return e.err }

// CredentialUnavailableError reports that a credential cannot even try:
// configuration missing, a tool not installed, nobody signed in, no endpoint.
// A chain moves on to its next source.
type CredentialUnavailableError struct {
	Credential string
	Message    string

	err error
}

// Error names the credential and why it cannot try.
func (e *CredentialUnavailableError) Error() string {
	return "identity: " + e.Credential + " unavailable: " + e.Message
}

// Unwrap returns the cause, if any.
func (e *CredentialUnavailableError) Unwrap() error { return e.err }

func unavailable(cred, format string, args ...any) error {
	return &CredentialUnavailableError{Credential: cred, Message: fmt.Sprintf(format, args...)}
}

// authFailed wraps err from a flow as an *AuthenticationFailedError of cred,
// copying the wire details of an *oauth2.Error. Context errors and errors that
// are already typed pass through, so errors.Is(err, context.Canceled) holds.
func authFailed(cred string, err error) error {
	if err == nil {
		return nil
	}
	var afe *AuthenticationFailedError
	var cue *CredentialUnavailableError
	if errors.As(err, &afe) || errors.As(err, &cue) {
		return err
	}
	var ce *contextError
	if errors.As(err, &ce) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &contextError{cred: cred, err: err}
	}
	e := &AuthenticationFailedError{Credential: cred, err: err}
	var oe *oauth2.Error
	if errors.As(err, &oe) {
		e.StatusCode = oe.StatusCode
		e.ErrorCode = oe.Code
		e.ErrorCodes = oe.ErrorCodes
		e.Description = oe.Description
		e.CorrelationID = oe.CorrelationID
		e.TraceID = oe.TraceID
		e.Claims = oe.Claims
	}
	return e
}

// Sentinels for bad input, each wrapped with the credential's name and the
// detail: errors.Is(err, ErrInvalidScope) and so on.
var (
	// ErrInvalidArgument: a required argument is empty or an option is invalid.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrInvalidTenantID: a tenant id has characters other than letters,
	// digits, '-' and '.', or is empty where one is required.
	ErrInvalidTenantID = errors.New("invalid tenant ID (letters, digits, '-' and '.' only; see https://learn.microsoft.com/partner-center/find-ids-and-domain-names)")
	// ErrInvalidScope: no scope, or a scope with characters RFC 6749 Section
	// 3.3 does not allow, or more scopes than the credential takes.
	ErrInvalidScope = errors.New("invalid scope")
	// ErrInvalidAuthority: the authority host is not an https URL.
	ErrInvalidAuthority = errors.New("invalid authority host")
	// ErrTenantNotAllowed: a request asked for a tenant the credential is not
	// configured for.
	ErrTenantNotAllowed = errors.New("tenant not allowed")
)

// inputError wraps one of the sentinels above for cred with a detail that
// must never hold a secret.
func inputError(cred string, sentinel error, format string, args ...any) error {
	return fmt.Errorf("identity: %s: %w: %s", cred, sentinel, fmt.Sprintf(format, args...))
}
