package oauth2

import (
	"bytes"
	"encoding/json"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/azid-go/azid/internal/send"
)

// Error is a token endpoint's answer that is not a token: Entra ID's error
// body (RFC 6749, Section 5.2, plus Entra's fields, spec/PROTOCOL.md 2.13),
// or a response that could not be used (a non-JSON body, a success body
// without access_token). Use errors.As to get it. Every string field holds
// server text, cleaned of control characters and cut to the limits in
// limits.go; none holds a secret of the request.
type Error struct {
	Endpoint      string // host/path of the endpoint, no query
	StatusCode    int
	Code          string // "error", e.g. "invalid_client"
	Description   string // "error_description", cut to 2 KiB
	ErrorCodes    []int  // "error_codes", the AADSTS numbers
	TraceID       string // "trace_id"
	CorrelationID string // "correlation_id", or the client-request-id sent when the body has none
	Timestamp     string // "timestamp"
	SubError      string // "suberror"
	Claims        string // "claims": a claims challenge to send back as Request.Claims
	// Malformed says why the body could not be used; empty for a
	// well-formed error body. ContentType is the response's media type when
	// the body was not JSON.
	Malformed   string
	ContentType string
}

// Error reads like
// "oauth2: login.microsoftonline.com/tenant/oauth2/v2.0/token: 401 invalid_client: AADSTS7000215: Invalid client secret provided. (correlation ID 2f0a...)".
// It quotes only the first line of the description.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("oauth2: ")
	b.WriteString(e.Endpoint)
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if d := firstLine(e.Description); d != "" {
		b.WriteString(": ")
		b.WriteString(d)
	}
	if e.Malformed != "" {
		b.WriteString(": ")
		b.WriteString(e.Malformed)
	}
	if e.CorrelationID != "" {
		b.WriteString(" (correlation ID ")
		b.WriteString(e.CorrelationID)
		b.WriteString(")")
	}
	return b.String()
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// parseErrorResponse reads an error body (RFC 6749, Section 5.2). It never
// fails: a body that is not a JSON object gives an Error that says so with
// the status and content type and quotes nothing of the body, and a field of
// the wrong type is left empty rather than losing the others. Any of secrets
// (of at least minScrub bytes) found in a field is replaced before the field
// is cut, so not even part of one is kept; so is any token the body itself
// carries (an error member beside an access_token, PROTOCOL.md 2.14: tokens
// are masked before any message). Endpoint and the request-ID fallback are
// the caller's to fill in.
func parseErrorResponse(status int, contentType string, body []byte, secrets []string) *Error {
	e := &Error{StatusCode: status}
	if status >= 300 && status < 400 {
		e.Malformed = "redirects are not followed"
		return e
	}
	var fields map[string]json.RawMessage
	if len(bytes.TrimSpace(body)) == 0 {
		e.Malformed = "empty body"
		return e
	}
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		e.ContentType = scrub(mediaType(contentType), secrets) // a header the server wrote: it may echo a secret
		e.Malformed = "body is not a JSON object"
		if e.ContentType != "" {
			e.Malformed = "body is " + e.ContentType + ", not a JSON object"
		}
		return e
	}
	secrets = append(send.BodyTokens(body), secrets...)
	e.Code = stringField(fields, "error", maxField, secrets)
	e.Description = stringField(fields, "error_description", maxDescription, secrets)
	e.TraceID = stringField(fields, "trace_id", maxField, secrets)
	e.CorrelationID = stringField(fields, "correlation_id", maxField, secrets)
	e.Timestamp = stringField(fields, "timestamp", maxField, secrets)
	e.SubError = stringField(fields, "suberror", maxField, secrets)
	if raw, ok := fields["claims"]; ok {
		var s string
		// A claims challenge is sent back verbatim, so it is kept whole or
		// not at all; cutting or scrubbing it would corrupt it.
		if json.Unmarshal(raw, &s) == nil && len(s) <= MaxClaims && utf8.ValidString(s) && scrub(s, secrets) == s {
			e.Claims = s
		}
	}
	if raw, ok := fields["error_codes"]; ok {
		var codes []int
		if json.Unmarshal(raw, &codes) == nil && len(codes) > 0 {
			if len(codes) > maxErrorCodes {
				codes = codes[:maxErrorCodes]
			}
			e.ErrorCodes = codes
		}
	}
	if e.Code == "" {
		e.Malformed = "error body has no error code"
	}
	return e
}

// stringField is fields[name] as a scrubbed and cleaned string cut to max
// bytes, or "" when it is absent or not a string.
func stringField(fields map[string]json.RawMessage, name string, max int, secrets []string) string {
	raw, ok := fields[name]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	s = scrub(s, secrets)
	if name == "error_description" {
		return cleanText(s, max) // several lines: the AADSTS text, trace and correlation IDs
	}
	return clean(s, max)
}

// mediaType is the media type of a Content-Type value without parameters,
// or "" when there is none or it does not parse.
func mediaType(contentType string) string {
	if contentType == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "an unparsable content type"
	}
	return clean(mt, maxField)
}

// clean makes server text safe to print on one line: invalid UTF-8 and
// control characters become U+FFFD, and the result is cut to at most max
// bytes on a rune boundary.
func clean(s string, max int) string { return sanitize(s, max, false) }

// cleanText is clean for multi-line text (an error description, a message
// for the user): CR, LF and tab are kept.
func cleanText(s string, max int) string { return sanitize(s, max, true) }

func sanitize(s string, max int, multiline bool) string {
	keep := func(r rune) bool {
		switch {
		case r == '\r' || r == '\n' || r == '\t':
			return multiline
		case r == utf8.RuneError, r < 0x20, r >= 0x7f && r < 0xa0:
			return false
		}
		return true
	}
	ok := len(s) <= max
	for i := 0; ok && i < len(s); i++ {
		if b := s[i]; b >= 0x80 || !keep(rune(b)) {
			ok = false
		}
	}
	if ok {
		return s // the common case: short, printable ASCII, no allocation
	}
	var b strings.Builder
	for _, r := range s {
		if !keep(r) {
			r = utf8.RuneError
		}
		if b.Len()+utf8.RuneLen(r) > max {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cut is s cleaned and cut to at most max bytes, for quoting untrusted
// values in error messages.
func cut(s string, max int) string { return clean(s, max) }

// scrub replaces every secret of the request (of at least minScrub bytes)
// in s with "[REDACTED]": a server that echoes a secret into its error must
// not carry it into our error string. A shorter secret found in s (a short
// password, say) cannot be replaced without showing where it was, so then
// the whole text is withheld.
func scrub(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" && len(secret) < minScrub && strings.Contains(s, secret) {
			return withheld
		}
	}
	for _, secret := range secrets {
		if len(secret) >= minScrub && strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	return s
}

// withheld stands for server text that repeats a short request secret.
const withheld = "[server text withheld: it contains a secret of the request]"
