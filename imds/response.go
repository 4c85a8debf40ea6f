package imds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/azid-go/azid/internal/send"
)

// Token is an access token from a managed identity endpoint. Its String,
// GoString, Format and LogValue never show AccessToken.
type Token struct {
	AccessToken string
	TokenType   string    // "Bearer" unless the endpoint says otherwise (PROTOCOL.md 7.11 rule 4)
	ExpiresOn   time.Time // UTC
	RefreshOn   time.Time // UTC; from refresh_in, zero when the endpoint sent none
}

// String describes t with the access token redacted.
func (t Token) String() string {
	refresh := "none"
	if !t.RefreshOn.IsZero() {
		refresh = t.RefreshOn.Format(time.RFC3339)
	}
	return fmt.Sprintf("imds.Token{AccessToken: [REDACTED], TokenType: %s, ExpiresOn: %s, RefreshOn: %s}",
		t.TokenType, t.ExpiresOn.Format(time.RFC3339), refresh)
}

// GoString is String, so that %#v cannot print the token.
func (t Token) GoString() string { return t.String() }

// Format prints String for every fmt verb (%d and %x would otherwise walk
// the fields and print the token).
func (t Token) Format(f fmt.State, _ rune) { io.WriteString(f, t.String()) }

// LogValue is String, for log/slog.
func (t Token) LogValue() slog.Value { return slog.StringValue(t.String()) }

// tokenResponse is a parsed token response: the token and the identity
// fields Azure Arc must echo (PROTOCOL.md 7.5).
type tokenResponse struct {
	Token
	clientID, objectID, resourceID string
}

// tokenFields is the union of the success bodies of PROTOCOL.md 7.11. The
// numbers are raw because every source sends some of them as strings.
type tokenFields struct {
	AccessToken json.RawMessage `json:"access_token"`
	TokenType   json.RawMessage `json:"token_type"`
	ExpiresOn   json.RawMessage `json:"expires_on"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
	RefreshIn   json.RawMessage `json:"refresh_in"`
	ClientID    json.RawMessage `json:"client_id"`
	ObjectID    json.RawMessage `json:"object_id"`
	MSIResID    json.RawMessage `json:"msi_res_id"`
	MIResID     json.RawMessage `json:"mi_res_id"`
}

// errNotJSON marks a body that is not a JSON object: inside IMDS this means
// something else answered at the address (PROTOCOL.md 7.3).
var errNotJSON = errors.New("the body is not a JSON object")

// parseToken parses a 200 body from any source. sent is the time the
// request went out, the base of expires_in and refresh_in (PROTOCOL.md 1.7:
// "request time (captured before sending)"). Errors name the field at
// fault and quote only what could be a number or a date (quoteTime), never
// the token or a secret.
func parseToken(body []byte, sent time.Time) (tokenResponse, error) {
	var f tokenFields
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' || json.Unmarshal(body, &f) != nil {
		return tokenResponse{}, errNotJSON
	}
	// PROTOCOL.md 7.11 rule 1: "Body must be a JSON object containing
	// access_token and at least one of expires_on / expires_in".
	tok, ok := jsonString(f.AccessToken)
	if !ok || tok == "" {
		return tokenResponse{}, errors.New("no access_token")
	}
	if !headerSafe(tok) {
		return tokenResponse{}, errors.New("access_token has characters a token cannot have")
	}
	var r tokenResponse
	r.AccessToken = tok
	// Rule 4: "token_type default Bearer".
	r.TokenType = "Bearer"
	if len(f.TokenType) != 0 && string(f.TokenType) != "null" {
		tt, ok := jsonString(f.TokenType)
		if !ok || len(tt) > maxTokenType || (tt != "" && !headerSafe(tt)) {
			return tokenResponse{}, errors.New("token_type is not a token type")
		}
		if tt != "" {
			r.TokenType = tt
		}
	}
	exp, err := expiry(f.ExpiresOn, f.ExpiresIn, sent)
	if err != nil {
		return tokenResponse{}, err
	}
	r.ExpiresOn = exp
	// Rule 4: "refresh_in if present -> refresh time".
	if text, present, err := numberText("refresh_in", f.RefreshIn); err != nil {
		return tokenResponse{}, err
	} else if present {
		d, err := lifetime("refresh_in", text)
		if err != nil {
			return tokenResponse{}, err
		}
		// A refresh time at or after expiry is no refresh time.
		if at := sent.Add(d).UTC(); d > 0 && at.Before(exp) {
			r.RefreshOn = at
		}
	}
	r.clientID, _ = jsonString(f.ClientID)
	r.objectID, _ = jsonString(f.ObjectID)
	r.resourceID, _ = jsonString(f.MSIResID)
	if r.resourceID == "" {
		r.resourceID, _ = jsonString(f.MIResID)
	}
	return r, nil
}

// expiry applies PROTOCOL.md 7.11 rules 2 and 3: expires_on when present,
// else sent + expires_in.
func expiry(expiresOn, expiresIn json.RawMessage, sent time.Time) (time.Time, error) {
	text, present, err := numberText("expires_on", expiresOn)
	if err != nil {
		return time.Time{}, err
	}
	if present {
		t, err := expiresOnTime(text)
		// A local endpoint's token for millennia would never be refreshed:
		// expires_on is held to the bound expires_in has.
		if err == nil && t.Sub(sent) > maxLifetime*time.Second {
			return time.Time{}, fmt.Errorf("expires_on %s is out of range: more than ten years away", quoteTime(text))
		}
		return t, err
	}
	text, present, err = numberText("expires_in", expiresIn)
	if err != nil {
		return time.Time{}, err
	}
	if !present {
		return time.Time{}, errors.New("neither expires_on nor expires_in")
	}
	d, err := lifetime("expires_in", text)
	if err != nil {
		return time.Time{}, err
	}
	return sent.Add(d).UTC(), nil
}

// expiresOnLayouts are the date forms of expires_on, PROTOCOL.md 7.11 rule
// 2 and 7.8. Go's "1", "2", "15" and "3" take one or two digits, so each
// layout also reads the zero-padded form.
var expiresOnLayouts = [...]string{
	"1/2/2006 15:04:05 -07:00",   // 7.8 Linux: "06/20/2019 02:57:58 +00:00" (PY)
	"1/2/2006 3:04:05 PM -07:00", // 7.8 Windows: "1/16/2020 5:24:12 AM +00:00" (PY)
	"1/2/2006 15:04:05",          // 7.11: MM/dd/yyyy HH:mm:ss, UTC (MGO)
	"2006-01-02 15:04:05",        // 7.11: yyyy-MM-dd HH:mm:ss, UTC (MGO)
	time.RFC3339,                 // 7.11: RFC 3339 (MGO)
}

// expiresOnTime reads expires_on: Unix seconds (an integer, a decimal or a
// numeric string), else one of expiresOnLayouts.
func expiresOnTime(text string) (time.Time, error) {
	if secs, ok := seconds(text); ok {
		if secs <= 0 || secs > maxUnixSeconds {
			return time.Time{}, fmt.Errorf("expires_on %s is out of range", quoteTime(text))
		}
		return time.Unix(secs, 0).UTC(), nil
	}
	for _, layout := range expiresOnLayouts {
		if t, err := time.Parse(layout, text); err == nil {
			if t.Unix() <= 0 {
				return time.Time{}, fmt.Errorf("expires_on %s is out of range", quoteTime(text))
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("expires_on %s is neither Unix seconds nor a known date", quoteTime(text))
}

// lifetime reads expires_in or refresh_in: whole or decimal seconds from 0
// to maxLifetime.
func lifetime(name, text string) (time.Duration, error) {
	secs, ok := seconds(text)
	if !ok {
		return 0, fmt.Errorf("%s %s is not a number", name, quoteTime(text))
	}
	if secs < 0 || secs > maxLifetime {
		return 0, fmt.Errorf("%s %s is out of range", name, quoteTime(text))
	}
	return time.Duration(secs) * time.Second, nil
}

// numberText returns the text of a field that may be a JSON number or a
// JSON string (PROTOCOL.md 7.11: "Numbers are strings" in IMDS, numbers in
// Service Fabric and Azure ML). Absent, null and "" are not present.
func numberText(name string, raw json.RawMessage) (text string, present bool, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, nil
	}
	if raw[0] == '"' {
		s, ok := jsonString(raw)
		if !ok {
			return "", false, fmt.Errorf("%s is not a string", name)
		}
		return s, s != "", nil
	}
	if raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9') {
		return string(raw), true, nil // json.Unmarshal has checked the syntax
	}
	return "", false, fmt.Errorf("%s is neither a number nor a string", name)
}

// seconds reads text as JSON number syntax (an integer, or a decimal or
// exponent form truncated toward zero). ok is false for anything else,
// including Go-only forms such as "0x10", "1_000", "Inf" and " 1".
func seconds(text string) (int64, bool) {
	if !jsonNumber(text) {
		return 0, false
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e18 {
		// Out of range as float: report a value that every caller refuses.
		return math.MaxInt64, true
	}
	return int64(f), true
}

// jsonNumber reports whether text is a number in the grammar of RFC 8259,
// Section 6: [ minus ] int [ frac ] [ exp ].
func jsonNumber(text string) bool {
	i, n := 0, len(text)
	digits := func() int {
		start := i
		for i < n && text[i] >= '0' && text[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < n && text[i] == '-' {
		i++
	}
	if i < n && text[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < n && text[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < n && (text[i] == 'e' || text[i] == 'E') {
		i++
		if i < n && (text[i] == '+' || text[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == n
}

// headerSafe reports whether v can travel in an HTTP header as it is:
// visible ASCII only (RFC 9110, Section 5.5, without obs-text), no spaces,
// which is what access tokens and key files are made of.
func headerSafe(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] <= 0x20 || v[i] >= 0x7f {
			return false
		}
	}
	return true
}

// withoutSecrets is err, unless its text repeats one of secrets: parseToken
// quotes only what could be a number or a date (quoteTime), which a secret
// made of digits could be.
func withoutSecrets(err error, secrets []string) error {
	for _, secret := range secrets {
		if secret != "" && strings.Contains(err.Error(), secret) {
			return errors.New("a field holds a value that repeats a secret of the request (not shown)")
		}
	}
	return err
}

// finish turns the outcome of s.exchange into a token or an *Error. message
// reads the source's error body shape; secrets are replaced wherever the
// service's text repeats them.
func (s *Source) finish(ctx context.Context, resp *send.Response, sent time.Time, err error,
	message func([]byte) string, secrets ...string) (tokenResponse, error) {
	if err != nil {
		e := &Error{Source: s.kind, Message: "request failed", Err: err}
		if resp != nil {
			e.StatusCode, e.Message = resp.StatusCode, "gave up retrying"
		}
		// PROTOCOL.md 7.3: no answer from IMDS means there is no IMDS,
		// unless the caller's own context ended first.
		e.Unavailable = s.kind == IMDS && resp == nil && ctx.Err() == nil
		return tokenResponse{}, e
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		r, err := parseToken(resp.Body, sent)
		if err != nil {
			err = withoutSecrets(err, secrets)
			return tokenResponse{}, &Error{Source: s.kind, StatusCode: resp.StatusCode,
				Message: "unusable token response", Err: err,
				// PROTOCOL.md 7.3 (PY-new, GO): a body that is not JSON
				// means something else answered at IMDS's address.
				Unavailable: s.kind == IMDS && errors.Is(err, errNotJSON)}
		}
		return r, nil
	case resp.StatusCode >= 300 && resp.StatusCode <= 399:
		return tokenResponse{}, &Error{Source: s.kind, StatusCode: resp.StatusCode,
			Message: "redirect refused: a managed identity endpoint answers in place"}
	}
	msg := message(resp.Body)
	if msg == "" {
		msg = anyMessage(resp.Body)
	}
	// The body's own tokens are masked with the request's secrets: an error
	// body carrying one must not put it in the error (as oauth2 does).
	if msg = serviceText(msg, maxMessage, append(send.BodyTokens(resp.Body), secrets...)...); msg == "" {
		msg = fmt.Sprintf("no error message in the %d-byte body", len(resp.Body))
	}
	return tokenResponse{}, &Error{Source: s.kind, StatusCode: resp.StatusCode, Message: msg}
}
