package oauth2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// grantDeviceCode is the device grant type, RFC 8628, Section 3.4:
// "grant_type REQUIRED. Value MUST be set to
// "urn:ietf:params:oauth:grant-type:device_code"." (spec/PROTOCOL.md 2.9
// recommends the URN; MSAL Go's short "device_code" is not used.)
const grantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

// DeviceAuthorization is the device authorization response (RFC 8628,
// Section 3.2). Show Message (or UserCode and VerificationURI) to the user,
// then call PollDeviceCode. DeviceCode is a secret: String, GoString, Format
// and LogValue redact it.
type DeviceAuthorization struct {
	UserCode        string
	DeviceCode      string
	VerificationURI string
	Message         string
	ExpiresOn       time.Time     // request time + expires_in
	Interval        time.Duration // the polling interval; 5 s when the response has none
}

// ErrDeviceCodeExpired is returned by PollDeviceCode when the device code's
// lifetime ends before the user signs in.
var ErrDeviceCodeExpired = errors.New("oauth2: device code expired before the user signed in")

// DeviceCode asks for a device code and user code (RFC 8628, Sections
// 3.1-3.2) at {authority}{tenant}/oauth2/v2.0/devicecode (spec/PROTOCOL.md
// 2.9). The scopes get the OpenID Connect scopes, as for every user grant.
// r.Auth is sent if set; device code clients are normally public.
func (c *Client) DeviceCode(ctx context.Context, r Request) (DeviceAuthorization, error) {
	// RFC 8628, Section 3.1: the request has client_id and scope only (and
	// Entra's claims); no grant_type, no client_info.
	g, err := c.newGrant(r, "", true)
	if err != nil {
		return DeviceAuthorization{}, err
	}
	g.what, g.url = "device_authorization", c.deviceCodeURL(r.Tenant)
	a, err := c.post(ctx, r, g)
	if err != nil {
		return DeviceAuthorization{}, err
	}
	if a.resp.StatusCode != 200 && a.resp.StatusCode != 201 {
		return DeviceAuthorization{}, c.responseError(a, g.secretList())
	}
	d, err := parseDeviceCodeResponse(a.resp.Body, a.sent, g.secretList())
	if err == errResponseIsError {
		return DeviceAuthorization{}, c.responseError(a, g.secretList())
	}
	if err != nil {
		return DeviceAuthorization{}, c.finish(&Error{Malformed: "device authorization response: " + err.Error()}, a)
	}
	return d, nil
}

// deviceResponse is RFC 8628, Section 3.2's JSON. Entra's v1 endpoint names
// verification_uri "verification_url"; both are read.
type deviceResponse struct {
	DeviceCode      string          `json:"device_code"`
	UserCode        string          `json:"user_code"`
	VerificationURI string          `json:"verification_uri"`
	VerificationURL string          `json:"verification_url"`
	Message         string          `json:"message"`
	ExpiresIn       number          `json:"expires_in"`
	Interval        number          `json:"interval"`
	Error           json.RawMessage `json:"error"`
}

// parseDeviceCodeResponse reads a device authorization response sent at
// time sent; secrets are the request's, never quoted in its errors.
func parseDeviceCodeResponse(body []byte, sent time.Time, secrets []string) (DeviceAuthorization, error) {
	var r deviceResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return DeviceAuthorization{}, errors.New(describeJSONError(err))
	}
	if len(r.Error) > 0 && string(r.Error) != "null" {
		return DeviceAuthorization{}, errResponseIsError
	}
	if r.VerificationURI == "" {
		r.VerificationURI = r.VerificationURL
	}
	// RFC 8628, Section 3.2: device_code, user_code, verification_uri and
	// expires_in are REQUIRED.
	switch {
	case r.DeviceCode == "":
		return DeviceAuthorization{}, errors.New("no device_code")
	case r.UserCode == "":
		return DeviceAuthorization{}, errors.New("no user_code")
	case r.VerificationURI == "":
		return DeviceAuthorization{}, errors.New("no verification_uri")
	case !r.ExpiresIn.set:
		return DeviceAuthorization{}, errors.New("no expires_in")
	}
	if u, err := url.Parse(r.VerificationURI); err != nil || u.Scheme != "https" || u.Host == "" {
		return DeviceAuthorization{}, errors.New("verification_uri is not an https URL")
	}
	for _, n := range [...]struct {
		name string
		v    *number
	}{{"expires_in", &r.ExpiresIn}, {"interval", &r.Interval}} {
		if n.v.set && !n.v.ok {
			return DeviceAuthorization{}, notNumber(n.name, n.v.raw, secrets, r.DeviceCode)
		}
		if err := n.v.check(n.name, secrets, r.DeviceCode); err != nil {
			return DeviceAuthorization{}, err
		}
	}
	d := DeviceAuthorization{
		DeviceCode: r.DeviceCode,
		// The user code, URI and message are shown to a person, often on a
		// terminal: no control characters.
		UserCode:        clean(r.UserCode, maxField),
		VerificationURI: clean(r.VerificationURI, maxDescription),
		Message:         cleanText(r.Message, maxDescription),
		ExpiresOn:       sent.Add(time.Duration(r.ExpiresIn.v) * time.Second),
		Interval:        defaultInterval,
	}
	if r.Interval.set {
		d.Interval = time.Duration(r.Interval.v) * time.Second
	}
	return d, nil
}

// PollDeviceCode polls the token endpoint until the user signs in (RFC 8628,
// Sections 3.4-3.5). It waits d.Interval before each poll; on
// authorization_pending it polls again, on slow_down it adds 5 s to the
// interval for this and every later poll; any other error
// (authorization_declined, expired_token, bad_verification_code,
// access_denied, ...) ends it with that *Error. It stops with
// ErrDeviceCodeExpired at d.ExpiresOn and at once when ctx ends.
func (c *Client) PollDeviceCode(ctx context.Context, r Request, d DeviceAuthorization) (Token, error) {
	if d.DeviceCode == "" {
		return Token{}, invalid("device code is empty")
	}
	if d.ExpiresOn.IsZero() {
		return Token{}, invalid("device authorization has no expiry")
	}
	interval := d.Interval
	switch {
	case interval == 0:
		interval = defaultInterval
	case interval < minInterval:
		interval = minInterval
	}
	for {
		// RFC 8628, Section 3.5: "the client SHOULD wait at least the number
		// of seconds specified by the "interval" parameter".
		now := c.nowTime()
		wait := interval
		if left := d.ExpiresOn.Sub(now); left < wait {
			wait = left
		}
		if wait > 0 {
			if err := c.sleepFor(ctx, wait); err != nil {
				return Token{}, fmt.Errorf("oauth2: polling for the device code: %w", err)
			}
		}
		if !c.nowTime().Before(d.ExpiresOn) {
			return Token{}, ErrDeviceCodeExpired
		}
		g, err := c.newGrant(r, grantDeviceCode, true)
		if err != nil {
			return Token{}, err
		}
		// RFC 8628, Section 3.4: device_code REQUIRED.
		g.setSecret("device_code", d.DeviceCode)
		tok, err := c.redeem(ctx, r, g)
		var e *Error
		if err == nil || !errors.As(err, &e) {
			return tok, err
		}
		switch e.Code {
		case "authorization_pending":
			// RFC 8628, Section 3.5: "The authorization request is still
			// pending as the end user hasn't yet completed the user-
			// interaction steps".
		case "slow_down":
			// RFC 8628, Section 3.5: "the interval MUST be increased by 5
			// seconds for this and all subsequent requests".
			interval += slowDownStep
		default:
			return Token{}, err
		}
	}
}

// String prints the device authorization without its device code.
func (d DeviceAuthorization) String() string {
	return fmt.Sprintf("oauth2.DeviceAuthorization{UserCode: %q, DeviceCode: %s, VerificationURI: %q, ExpiresOn: %s, Interval: %s}",
		d.UserCode, redacted(d.DeviceCode), d.VerificationURI, d.ExpiresOn.Format(time.RFC3339), d.Interval)
}

// GoString is String, so %#v redacts too.
func (d DeviceAuthorization) GoString() string { return d.String() }

// Format prints String for every verb.
func (d DeviceAuthorization) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(d.String())) }

// LogValue logs the device authorization without its device code.
func (d DeviceAuthorization) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("user_code", d.UserCode), slog.String("verification_uri", d.VerificationURI),
		slog.Time("expires_on", d.ExpiresOn), slog.Duration("interval", d.Interval))
}
