package oauth2

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Token is a successful token response (RFC 6749, Section 5.1;
// spec/PROTOCOL.md 2.12). Its String, GoString, Format and LogValue methods
// print the times and token type only, never a token.
type Token struct {
	AccessToken  string
	TokenType    string // "Bearer" when the response has none
	RefreshToken string
	IDToken      string
	ClientInfo   string // raw base64url; see ParseClientInfo
	Scope        string
	// ExpiresOn is expires_on when the response has it, else the time the
	// request was sent (taken before sending) plus expires_in
	// (spec/PROTOCOL.md 1.7).
	ExpiresOn time.Time
	// RefreshOn is the request time plus refresh_in; zero when absent.
	RefreshOn time.Time
}

// tokenResponse is the JSON of RFC 6749, Section 5.1 with Entra's fields.
// Numbers come as JSON numbers or numeric strings (spec/PROTOCOL.md 2.12).
type tokenResponse struct {
	AccessToken  string          `json:"access_token"`
	TokenType    string          `json:"token_type"`
	RefreshToken string          `json:"refresh_token"`
	IDToken      string          `json:"id_token"`
	ClientInfo   string          `json:"client_info"`
	Scope        string          `json:"scope"`
	ExpiresIn    number          `json:"expires_in"`
	ExpiresOn    number          `json:"expires_on"`
	RefreshIn    number          `json:"refresh_in"`
	Error        json.RawMessage `json:"error"`
}

// errResponseIsError marks a success status whose body carries "error":
// spec/PROTOCOL.md 2.14, PY treats it as a failure.
var errResponseIsError = errors.New("body is an error response")

// parseTokenResponse reads a success body sent at time sent. Its errors say
// which field is wrong and quote no more than maxQuoted bytes of a bad
// number, and never one that overlaps a token of the body or one of secrets
// (the request's).
func parseTokenResponse(body []byte, sent time.Time, secrets []string) (Token, error) {
	var r tokenResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return Token{}, errors.New(describeJSONError(err))
	}
	if len(r.Error) > 0 && string(r.Error) != "null" {
		return Token{}, errResponseIsError
	}
	// RFC 6749, Section 5.1: access_token and token_type are REQUIRED.
	// token_type is defaulted (Bearer, spec/PROTOCOL.md 1.7); a missing
	// token cannot be.
	if r.AccessToken == "" {
		return Token{}, errors.New("no access_token")
	}
	t := Token{
		AccessToken:  r.AccessToken,
		TokenType:    r.TokenType,
		RefreshToken: r.RefreshToken,
		IDToken:      r.IDToken,
		ClientInfo:   r.ClientInfo,
		Scope:        r.Scope,
	}
	if t.TokenType == "" {
		t.TokenType = "Bearer"
	}
	for _, n := range [...]struct {
		name string
		v    *number
	}{{"expires_in", &r.ExpiresIn}, {"expires_on", &r.ExpiresOn}, {"refresh_in", &r.RefreshIn}} {
		if n.v.set && !n.v.ok {
			return Token{}, notNumber(n.name, n.v.raw, secrets, r.AccessToken, r.RefreshToken, r.IDToken)
		}
		if err := n.v.check(n.name, secrets, r.AccessToken, r.RefreshToken, r.IDToken); err != nil {
			return Token{}, err
		}
	}
	// spec/PROTOCOL.md 1.7: expires_on if present, else request time +
	// expires_in.
	switch {
	case r.ExpiresOn.set:
		t.ExpiresOn = time.Unix(r.ExpiresOn.v, 0)
		if t.ExpiresOn.Sub(sent) > maxLifetime {
			return Token{}, fmt.Errorf("expires_on%s is more than a year away",
				r.ExpiresOn.shown(secrets, r.AccessToken, r.RefreshToken, r.IDToken))
		}
	case r.ExpiresIn.set:
		t.ExpiresOn = sent.Add(time.Duration(r.ExpiresIn.v) * time.Second)
	default:
		return Token{}, errors.New("neither expires_in nor expires_on")
	}
	if r.RefreshIn.set {
		t.RefreshOn = sent.Add(time.Duration(r.RefreshIn.v) * time.Second)
	}
	return t, nil
}

// number is a JSON integer, or a string holding one, or absent (null).
type number struct {
	set bool   // present and not null
	ok  bool   // a whole number that fits in int64
	v   int64  // the number when ok
	raw string // the value as sent when not ok
}

func (n *number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = number{}
		return nil
	}
	digits := b
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		digits = b[1 : len(b)-1] // a numeric string has no escapes to undo
	}
	if v, ok := parseWhole(digits); ok {
		*n = number{set: true, ok: true, v: v}
		return nil
	}
	raw := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
	}
	*n = number{set: true, raw: raw}
	return nil
}

// parseWhole parses an optionally negative decimal integer that fits in
// int64, without allocating.
func parseWhole(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 { // 18 digits always fit in int64
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// check requires a number that is set and ok to be a positive whole number
// of seconds no larger than maxLifetime (expires_on, a Unix time, only
// positive). Its errors show the number unless it overlaps one of secrets
// or more (see shown).
func (n *number) check(name string, secrets []string, more ...string) error {
	switch {
	case !n.set || !n.ok:
		return nil
	case n.v <= 0:
		return fmt.Errorf("%s%s is not positive", name, n.shown(secrets, more...))
	case name != "expires_on" && n.v > int64(maxLifetime/time.Second):
		return fmt.Errorf("%s%s is more than a year", name, n.shown(secrets, more...))
	}
	return nil
}

// notNumber reports a value that is not a whole number, quoting at most
// maxQuoted bytes of it unless it overlaps a secret (see overlaps).
func notNumber(name, raw string, secrets []string, more ...string) error {
	if overlaps(raw, secrets, more) {
		return fmt.Errorf("%s is not a whole number", name)
	}
	return fmt.Errorf("%s %q is not a whole number", name, cut(raw, maxQuoted))
}

// shown is " " and the number, for an error about it, or "" when its digits
// overlap one of secrets or more (see overlaps).
func (n *number) shown(secrets []string, more ...string) string {
	v := strconv.FormatInt(n.v, 10)
	if overlaps(v, secrets, more) {
		return ""
	}
	return " " + v
}

// overlaps reports whether v, text from the server, overlaps one of secrets
// or more, however short (a short password, as scrub withholds it): a
// server that puts a token or an echoed password, digits only or not, where
// a number belongs must not get it quoted.
func overlaps(v string, secrets, more []string) bool {
	for _, list := range [2][]string{secrets, more} {
		for _, s := range list {
			if s != "" && (strings.Contains(s, v) || strings.Contains(v, s)) {
				return true
			}
		}
	}
	return false
}

// describeJSONError turns a decoding error into text that quotes nothing of
// the body: encoding/json's own messages can quote a number or a character.
func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ) && typ.Field == "":
		return "body is not a JSON object"
	case errors.As(err, &typ):
		kind, _, _ := strings.Cut(typ.Value, " ")
		return fmt.Sprintf("%s is a JSON %s, not a %s", cut(typ.Field, maxQuoted), kind, typ.Type.Kind())
	}
	return "body is not valid JSON"
}

// redacted stands for a secret in printed values.
func redacted(s string) string {
	if s == "" {
		return `""`
	}
	return "[REDACTED]"
}

// String prints the token's type and times; the tokens are redacted.
func (t Token) String() string {
	return fmt.Sprintf("oauth2.Token{TokenType: %q, AccessToken: %s, RefreshToken: %s, IDToken: %s, ClientInfo: %s, Scope: %q, ExpiresOn: %s, RefreshOn: %s}",
		cut(t.TokenType, maxQuoted), redacted(t.AccessToken), redacted(t.RefreshToken), redacted(t.IDToken),
		redacted(t.ClientInfo), t.Scope, t.ExpiresOn.Format(time.RFC3339), t.RefreshOn.Format(time.RFC3339))
}

// GoString is String, so %#v redacts too.
func (t Token) GoString() string { return t.String() }

// Format prints String for every verb, so no verb prints a token.
func (t Token) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(t.String())) }

// LogValue lets slog log a Token without its tokens.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("token_type", t.TokenType),
		slog.Bool("refresh_token", t.RefreshToken != ""),
		slog.Time("expires_on", t.ExpiresOn),
		slog.Time("refresh_on", t.RefreshOn))
}
