package oauth2

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// rfc6749Success is the example of RFC 6749, Section 4.4.3 (and 5.1).
const rfc6749Success = `{
       "access_token":"2YotnFZFEjr1zCsicMWpAA",
       "token_type":"example",
       "expires_in":3600,
       "example_parameter":"example_value"
     }`

// rfc6749Error is the example of RFC 6749, Section 5.2.
const rfc6749Error = `{
       "error":"invalid_request"
     }`

// entraError is the shape of an Entra ID error (spec/PROTOCOL.md 2.13);
// identifiers are made up.
const entraError = `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '00000000-0000-0000-0000-000000000001'.\r\nTrace ID: 0b6f5ea4-8f1e-4f0e-9b1c-3a2d1e0f9c00\r\nCorrelation ID: 2f0a1c3e-5b7d-4e9f-a1b2-c3d4e5f60718\r\nTimestamp: 2024-09-11 18:00:00Z","error_codes":[7000215],"timestamp":"2024-09-11 18:00:00Z","trace_id":"0b6f5ea4-8f1e-4f0e-9b1c-3a2d1e0f9c00","correlation_id":"2f0a1c3e-5b7d-4e9f-a1b2-c3d4e5f60718","error_uri":"https://login.microsoftonline.com/error?code=7000215"}`

func TestParseTokenResponse(t *testing.T) {
	sent := t0
	tests := []struct {
		name    string
		body    string
		want    Token
		wantErr string // substring; "" means success
	}{
		{name: "RFC 6749 4.4.3", body: rfc6749Success,
			want: Token{AccessToken: "2YotnFZFEjr1zCsicMWpAA", TokenType: "example", ExpiresOn: sent.Add(time.Hour)}},
		{name: "Entra v2", body: `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0"}`,
			want: Token{AccessToken: "eyJ0", TokenType: "Bearer", ExpiresOn: sent.Add(3599 * time.Second)}},
		{name: "user grant fields", body: `{"token_type":"Bearer","scope":"r openid","expires_in":"3599","access_token":"a","refresh_token":"rt","id_token":"it","client_info":"ci","refresh_in":"100"}`,
			want: Token{AccessToken: "a", TokenType: "Bearer", Scope: "r openid", RefreshToken: "rt", IDToken: "it", ClientInfo: "ci",
				ExpiresOn: sent.Add(3599 * time.Second), RefreshOn: sent.Add(100 * time.Second)}},
		{name: "token_type defaults to Bearer", body: `{"access_token":"a","expires_in":60}`,
			want: Token{AccessToken: "a", TokenType: "Bearer", ExpiresOn: sent.Add(time.Minute)}},
		{name: "expires_on wins", body: `{"access_token":"a","expires_in":60,"expires_on":"1726081200"}`,
			want: Token{AccessToken: "a", TokenType: "Bearer", ExpiresOn: time.Unix(1726081200, 0)}},
		{name: "expires_on number", body: `{"access_token":"a","expires_on":1726081200}`,
			want: Token{AccessToken: "a", TokenType: "Bearer", ExpiresOn: time.Unix(1726081200, 0)}},
		{name: "null expires_in with expires_on", body: `{"access_token":"a","expires_in":null,"expires_on":1726081200}`,
			want: Token{AccessToken: "a", TokenType: "Bearer", ExpiresOn: time.Unix(1726081200, 0)}},
		{name: "no access_token", body: `{"token_type":"Bearer","expires_in":3599}`, wantErr: "no access_token"},
		{name: "empty access_token", body: `{"access_token":"","expires_in":3599}`, wantErr: "no access_token"},
		{name: "no expiry", body: `{"access_token":"a"}`, wantErr: "neither expires_in nor expires_on"},
		{name: "expires_in not a number", body: `{"access_token":"a","expires_in":"soon"}`, wantErr: `expires_in "soon" is not a whole number`},
		{name: "expires_in fraction", body: `{"access_token":"a","expires_in":3599.5}`, wantErr: `expires_in "3599.5" is not a whole number`},
		{name: "expires_in bool", body: `{"access_token":"a","expires_in":true}`, wantErr: `expires_in "true" is not a whole number`},
		{name: "expires_in zero", body: `{"access_token":"a","expires_in":0}`, wantErr: "expires_in 0 is not positive"},
		{name: "expires_in negative", body: `{"access_token":"a","expires_in":"-5"}`, wantErr: "expires_in -5 is not positive"},
		{name: "expires_in huge", body: `{"access_token":"a","expires_in":99999999999}`, wantErr: "expires_in 99999999999 is more than a year"},
		{name: "expires_in overflow", body: `{"access_token":"a","expires_in":99999999999999999999}`, wantErr: "is not a whole number"},
		{name: "expires_on far", body: `{"access_token":"a","expires_on":99999999999}`, wantErr: "more than a year away"},
		{name: "refresh_in bad", body: `{"access_token":"a","expires_in":1,"refresh_in":"x"}`, wantErr: `refresh_in "x" is not a whole number`},
		{name: "quoted value cut", body: `{"access_token":"a","expires_in":"` + strings.Repeat("9x", 40) + `"}`, wantErr: `"` + strings.Repeat("9x", 16) + `" is not`},
		{name: "access_token a number", body: `{"access_token":12345678,"expires_in":1}`, wantErr: "access_token is a JSON number, not a string"},
		{name: "array", body: `[]`, wantErr: "body is not a JSON object"},
		{name: "string", body: `"eyJ0"`, wantErr: "body is not a JSON object"},
		{name: "not JSON", body: `<html>`, wantErr: "body is not valid JSON (at byte 1)"},
		{name: "trailing data", body: `{"access_token":"a","expires_in":1} x`, wantErr: "body is not valid JSON"},
		{name: "empty", body: ``, wantErr: "not valid JSON"},
		{name: "error on 200", body: `{"error":"invalid_grant"}`, wantErr: "body is an error response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTokenResponse([]byte(tt.body), sent, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parse(%s)\n err = %v\nwant %q", tt.body, err, tt.wantErr)
				}
				if got != (Token{}) {
					t.Errorf("token not zero on error: %v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse(%s): %v", tt.body, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parse(%s)\n got %#v\nwant %#v", tt.body, got, tt.want)
			}
			if got.AccessToken != tt.want.AccessToken || got.RefreshToken != tt.want.RefreshToken {
				t.Errorf("tokens differ")
			}
		})
	}
}

func TestParseErrorResponse(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        Error
	}{
		{name: "RFC 6749 5.2", status: 400, contentType: "application/json;charset=UTF-8", body: rfc6749Error,
			want: Error{StatusCode: 400, Code: "invalid_request"}},
		{name: "Entra", status: 401, body: entraError, want: Error{StatusCode: 401, Code: "invalid_client",
			Description: "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '00000000-0000-0000-0000-000000000001'.\r\nTrace ID: 0b6f5ea4-8f1e-4f0e-9b1c-3a2d1e0f9c00\r\nCorrelation ID: 2f0a1c3e-5b7d-4e9f-a1b2-c3d4e5f60718\r\nTimestamp: 2024-09-11 18:00:00Z",
			ErrorCodes:  []int{7000215}, Timestamp: "2024-09-11 18:00:00Z", TraceID: "0b6f5ea4-8f1e-4f0e-9b1c-3a2d1e0f9c00", CorrelationID: "2f0a1c3e-5b7d-4e9f-a1b2-c3d4e5f60718"}},
		{name: "claims challenge and suberror", status: 400,
			body: `{"error":"invalid_grant","suberror":"basic_action","claims":"{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"c1\"]}}}"}`,
			want: Error{StatusCode: 400, Code: "invalid_grant", SubError: "basic_action", Claims: `{"access_token":{"capolids":{"essential":true,"values":["c1"]}}}`}},
		{name: "HTML page", status: 502, contentType: "text/html; charset=utf-8", body: "<html><body>Bad gateway</body></html>",
			want: Error{StatusCode: 502, ContentType: "text/html", Malformed: "body is text/html, not a JSON object"}},
		{name: "no content type", status: 500, body: "oops", want: Error{StatusCode: 500, Malformed: "body is not a JSON object"}},
		{name: "bad content type", status: 500, contentType: "a b c", body: "oops",
			want: Error{StatusCode: 500, ContentType: "an unparsable content type", Malformed: "body is an unparsable content type, not a JSON object"}},
		{name: "empty body", status: 503, body: "", want: Error{StatusCode: 503, Malformed: "empty body"}},
		{name: "null", status: 400, body: "null", want: Error{StatusCode: 400, Malformed: "body is not a JSON object"}},
		{name: "no error code", status: 400, body: `{"error_description":"x"}`, want: Error{StatusCode: 400, Description: "x", Malformed: "error body has no error code"}},
		{name: "wrong types keep the rest", status: 400, body: `{"error":"invalid_grant","error_codes":"7000215","trace_id":5,"claims":{}}`,
			want: Error{StatusCode: 400, Code: "invalid_grant"}},
		{name: "control characters", status: 400, body: `{"error":"bad\u001b[31m\r\nx","error_description":"line\u0000two\r\nthree\u009b"}`,
			want: Error{StatusCode: 400, Code: "bad\uFFFD[31m\uFFFD\uFFFDx", Description: "line\uFFFDtwo\r\nthree\uFFFD"}},
		{name: "redirect", status: 302, contentType: "text/html", body: "moved", want: Error{StatusCode: 302, Malformed: "redirects are not followed"}},
		{name: "many codes", status: 400, body: `{"error":"e","error_codes":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18]}`,
			want: Error{StatusCode: 400, Code: "e", ErrorCodes: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseErrorResponse(tt.status, tt.contentType, []byte(tt.body), nil)
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("parse(%d, %q)\n got %#v\nwant %#v", tt.status, tt.body, *got, tt.want)
			}
		})
	}
}

func TestErrorLimits(t *testing.T) {
	long := strings.Repeat("é", maxDescription) // 2 bytes a rune
	body := `{"error":"` + strings.Repeat("x", 1000) + `","error_description":"` + long + `","claims":"` + strings.Repeat("c", MaxClaims+1) + `"}`
	e := parseErrorResponse(400, "", []byte(body), nil)
	if len(e.Code) != maxField || len(e.Description) != maxDescription || e.Claims != "" {
		t.Errorf("code %d bytes, description %d bytes, claims %d bytes", len(e.Code), len(e.Description), len(e.Claims))
	}
	if !strings.HasPrefix(long, e.Description) {
		t.Errorf("description not cut on a rune boundary")
	}
}

func TestErrorScrub(t *testing.T) {
	secret := "client-secret-value-123"
	body := `{"error":"invalid_client","error_description":"secret ` + secret + ` is wrong","claims":"{\"a\":\"` + secret + `\"}"}`
	e := parseErrorResponse(401, "", []byte(body), []string{secret, "short"})
	if strings.Contains(e.Description, secret) || e.Description != "secret [REDACTED] is wrong" || e.Claims != "" {
		t.Errorf("not scrubbed: %#v", e)
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		name string
		e    Error
		want string
	}{
		{"Entra", Error{Endpoint: "login.microsoftonline.com/t/oauth2/v2.0/token", StatusCode: 401, Code: "invalid_client",
			Description: "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x\r\nCorrelation ID: y", CorrelationID: "2f0a"},
			"oauth2: login.microsoftonline.com/t/oauth2/v2.0/token: 401 invalid_client: AADSTS7000215: Invalid client secret provided. (correlation ID 2f0a)"},
		{"code only", Error{Endpoint: "h/p", StatusCode: 400, Code: "invalid_request"}, "oauth2: h/p: 400 invalid_request"},
		{"HTML", Error{Endpoint: "h/p", StatusCode: 502, ContentType: "text/html", Malformed: "body is text/html, not a JSON object", CorrelationID: "id"},
			"oauth2: h/p: 502: body is text/html, not a JSON object (correlation ID id)"},
		{"malformed token response", Error{Endpoint: "h/p", StatusCode: 200, Malformed: "token response: no access_token"},
			"oauth2: h/p: 200: token response: no access_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.Error(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
