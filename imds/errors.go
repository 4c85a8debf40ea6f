package imds

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is every error this package returns. Use errors.As.
type Error struct {
	Source     SourceKind // the source that failed; empty only for a Source not made by New
	StatusCode int        // the last response's HTTP status; 0 when there was no response

	// Message says what went wrong. Text quoted from the service is cut
	// to 256 bytes and stripped of control characters; it never holds a
	// token, a secret or a whole body.
	Message string

	// Unavailable is true when a credential chain should move on to its
	// next credential rather than stop (PROTOCOL.md 7.3 "Errors"): no
	// IMDS answered, IMDS said 400 for the system-assigned identity, a
	// 403 "unreachable" from a proxy, or something that is not IMDS
	// answered with a body that is not JSON. Only IMDS sets it: the other
	// sources are declared present by their environment variables.
	Unavailable bool

	Err error // the cause, when there is one; it never holds a secret either
}

// Error reads "imds: <source>: HTTP <status>: <message>: <cause>", leaving
// out the parts that are empty.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("imds")
	if e.Source != "" {
		b.WriteString(": ")
		b.WriteString(string(e.Source))
	}
	if e.StatusCode != 0 {
		b.WriteString(": HTTP ")
		b.WriteString(strconv.Itoa(e.StatusCode))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// errorFields is the union of the error body shapes of PROTOCOL.md 7.3 to
// 7.8. Every field is raw so that a field of an unexpected JSON type is
// skipped instead of failing the whole decode.
type errorFields struct {
	Error            json.RawMessage `json:"error"`             // IMDS, Arc: a string; Cloud Shell, Service Fabric: an object
	ErrorDescription json.RawMessage `json:"error_description"` // IMDS, Arc
	Code             json.RawMessage `json:"code"`              // inside "error" (Cloud Shell, Service Fabric)
	Message          json.RawMessage `json:"message"`           // App Service top level; inside "error" elsewhere
	StatusCode       json.RawMessage `json:"statusCode"`        // App Service
	CorrelationID    json.RawMessage `json:"correlationId"`     // App Service top level; Service Fabric inside "error"
}

// decodeErrorFields decodes body as an error object; ok is false when body
// is not a JSON object.
func decodeErrorFields(body []byte) (f errorFields, ok bool) {
	if err := json.Unmarshal(body, &f); err != nil {
		return errorFields{}, false
	}
	return f, true
}

// flatMessage reads the IMDS shape, PROTOCOL.md 7.3:
// {"error":"invalid_request","error_description":"Identity not found"}.
func flatMessage(body []byte) string {
	f, ok := decodeErrorFields(body)
	if !ok {
		return ""
	}
	code, _ := jsonString(f.Error)
	desc, _ := jsonString(f.ErrorDescription)
	return join(code, desc, "")
}

// nestedMessage reads the Cloud Shell and Service Fabric shape, PROTOCOL.md
// 7.6 and 7.7: {"error":{"correlationId":"...","code":"...","message":"..."}}.
func nestedMessage(body []byte) string {
	f, ok := decodeErrorFields(body)
	if !ok || len(f.Error) == 0 || f.Error[0] != '{' {
		return ""
	}
	inner, ok := decodeErrorFields(f.Error)
	if !ok {
		return ""
	}
	code, _ := jsonString(inner.Code)
	msg, _ := jsonString(inner.Message)
	corr, _ := jsonString(inner.CorrelationID)
	return join(code, msg, corr)
}

// statusMessage reads the App Service shape, PROTOCOL.md 7.4:
// {"statusCode":<n>,"message":"...","correlationId":"..."}.
func statusMessage(body []byte) string {
	f, ok := decodeErrorFields(body)
	if !ok {
		return ""
	}
	msg, _ := jsonString(f.Message)
	corr, _ := jsonString(f.CorrelationID)
	return join("", msg, corr)
}

// anyMessage tries every known shape, for sources whose error body is not
// documented and for bodies that do not have the source's usual shape.
func anyMessage(body []byte) string {
	for _, parse := range [...]func([]byte) string{nestedMessage, flatMessage, statusMessage} {
		if m := parse(body); m != "" {
			return m
		}
	}
	return ""
}

// join makes "code: message (correlation ID c)" from the parts present.
func join(code, msg, corr string) string {
	s := code
	if msg != "" {
		if s != "" {
			s += ": "
		}
		s += msg
	}
	if corr != "" {
		if s != "" {
			s += " "
		}
		s += "(correlation ID " + corr + ")"
	}
	return s
}

// jsonString returns the value of raw when it is a JSON string.
func jsonString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// serviceText makes service text fit for an error: each secret replaced,
// invalid UTF-8 and control characters (line breaks included, so a server
// cannot forge log lines) turned into spaces, and the result cut to max
// bytes on a character boundary, with "..." when cut.
func serviceText(s string, max int, secrets ...string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	s = strings.ToValidUTF8(s, " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// quote cuts a wire value to maxQuoted bytes and quotes it for an error.
func quote(v string) string {
	return strconv.Quote(serviceText(v, maxQuoted))
}

// quoteTime quotes, as quote does, the text of a number or date field of a
// token response when it is made only of what numbers and the dates of
// expiresOnLayouts are made of; other text is withheld. An endpoint that
// echoes the identity header, the MSI secret or the Arc key, or puts the
// token itself, where a number belongs must not get it into an error.
func quoteTime(v string) string {
	for i := 0; i < len(v); i++ {
		if !strings.ContainsRune("0123456789+-.:/ TZAPM", rune(v[i])) {
			return "[withheld]"
		}
	}
	return quote(v)
}
