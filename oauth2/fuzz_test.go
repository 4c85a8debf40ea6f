package oauth2

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// lifetimeSeeds are expires_in values around maxLifetime: limit-1, limit,
// limit+1.
func lifetimeSeeds() []string {
	max := int64(maxLifetime / time.Second)
	return []string{strconv.FormatInt(max-1, 10), strconv.FormatInt(max, 10), strconv.FormatInt(max+1, 10)}
}

func FuzzTokenResponse(f *testing.F) {
	f.Add([]byte(rfc6749Success))
	f.Add([]byte(okBody))
	f.Add([]byte(`{"token_type":"Bearer","scope":"r openid","expires_in":"3599","access_token":"a","refresh_token":"rt","id_token":"it","client_info":"ci","refresh_in":"100"}`))
	f.Add([]byte(`{"access_token":"a","expires_on":"1726081200"}`))
	f.Add([]byte(`{"access_token":"a","expires_in":"soon"}`))
	f.Add([]byte(`{"error":"invalid_grant"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	for _, s := range lifetimeSeeds() {
		f.Add([]byte(`{"access_token":"a","expires_in":` + s + `}`))
		f.Add([]byte(`{"access_token":"a","expires_in":1,"refresh_in":"` + s + `"}`))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, err := parseTokenResponse(body, t0, nil)
		if err != nil {
			if tok != (Token{}) {
				t.Fatalf("token not zero on error: %v", tok)
			}
			// No token of the body is quoted in the error.
			var fields map[string]any
			if json.Unmarshal(body, &fields) == nil {
				for _, k := range []string{"access_token", "refresh_token", "id_token"} {
					if s, ok := fields[k].(string); ok && len(s) >= minScrub && strings.Contains(err.Error(), s) {
						t.Fatalf("error %q quotes %s", err, k)
					}
				}
			}
			if !utf8.ValidString(err.Error()) {
				t.Fatalf("error is not UTF-8: %q", err)
			}
			return
		}
		if tok.AccessToken == "" || tok.TokenType == "" || tok.ExpiresOn.IsZero() {
			t.Fatalf("incomplete token from %q: %#v", body, tok)
		}
		if !tok.RefreshOn.IsZero() && tok.RefreshOn.Before(t0) {
			t.Fatalf("refresh before the request: %v", tok.RefreshOn)
		}
		if tok.ExpiresOn.Sub(t0) > maxLifetime {
			t.Fatalf("lifetime %v beyond the limit", tok.ExpiresOn.Sub(t0))
		}
	})
}

func FuzzErrorResponse(f *testing.F) {
	f.Add(400, "application/json", []byte(rfc6749Error))
	f.Add(401, "application/json; charset=utf-8", []byte(entraError))
	f.Add(502, "text/html", []byte("<html>bad gateway</html>"))
	f.Add(400, "", []byte(`{"error":"e","error_codes":"x","claims":{}}`))
	f.Add(302, "text/html", []byte("moved"))
	f.Add(500, "a b", []byte(""))
	f.Add(400, "", []byte(`{"error":"e\r\nforged: line","correlation_id":"x\ny","error_description":"one\r\ntwo"}`))
	for _, n := range []int{maxDescription - 1, maxDescription, maxDescription + 1} {
		f.Add(400, "", []byte(`{"error":"e","error_description":"`+strings.Repeat("é", n/2)+strings.Repeat("x", n%2)+`"}`))
	}
	for _, n := range []int{MaxClaims - 1, MaxClaims, MaxClaims + 1} {
		f.Add(400, "", []byte(`{"error":"e","claims":"`+strings.Repeat("c", n)+`"}`))
	}
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		e := parseErrorResponse(status, contentType, body, []string{"secret-value-1"})
		if e == nil {
			t.Fatal("nil error")
		}
		if e.StatusCode != status || len(e.Description) > maxDescription || len(e.Code) > maxField ||
			len(e.ErrorCodes) > maxErrorCodes || len(e.Claims) > MaxClaims || len(e.ContentType) > maxField {
			t.Fatalf("limits broken: %#v", e)
		}
		for i, s := range []string{e.Description, e.Code, e.TraceID, e.CorrelationID, e.Timestamp, e.SubError, e.ContentType} {
			multiline := i == 0
			if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
				return r < 0x20 && !(multiline && (r == '\r' || r == '\n' || r == '\t')) || r >= 0x7f && r < 0xa0
			}) {
				t.Fatalf("unclean field %q", s)
			}
		}
		msg := e.Error()
		if !strings.HasPrefix(msg, "oauth2: ") || strings.Contains(msg, "secret-value-1") || strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("bad message %q", msg)
		}
		if e.Code == "" && e.Malformed == "" {
			t.Fatalf("no code and no reason: %#v", e)
		}
	})
}

func FuzzMergeClaims(f *testing.F) {
	f.Add("", "CP1")
	f.Add(`{"access_token":{"nbf":{"essential":true,"value":"1726077595"}}}`, "CP1")
	f.Add(`{"id_token":{"auth_time":{"essential":true}}}`, "")
	f.Add(`{"access_token":"x"}`, "CP1")
	f.Add(`{"access_token":{"xms_cc":{"values":["CP1"]}}}`, "CP1")
	f.Add(`{"a":1e400,"b":"<&>"}`, "llt")
	f.Add(`null`, "CP1")
	f.Add(`eyJhIjoxfQ==`, "CP1")
	for _, n := range []int{MaxClaims - 1, MaxClaims, MaxClaims + 1} {
		f.Add(`{"a":"`+strings.Repeat("x", n-8)+`"}`, "CP1")
	}
	f.Fuzz(func(t *testing.T, claims, capability string) {
		var caps []string
		if capability != "" {
			caps = []string{capability}
		}
		out, err := MergeClaims(claims, caps)
		if err != nil {
			if out != "" {
				t.Fatalf("output %q with error %v", out, err)
			}
			return
		}
		if caps == nil {
			if strings.TrimSpace(claims) == "" && out != "" || strings.TrimSpace(claims) != "" && out != claims {
				t.Fatalf("MergeClaims(%q, nil) = %q", claims, out)
			}
			return
		}
		var got map[string]any
		d := json.NewDecoder(strings.NewReader(out))
		d.UseNumber()
		if err := d.Decode(&got); err != nil || !json.Valid([]byte(out)) {
			t.Fatalf("output %q is not a JSON object: %v", out, err)
		}
		at, _ := got["access_token"].(map[string]any)
		cc, _ := at["xms_cc"].(map[string]any)
		if !reflect.DeepEqual(cc["values"], []any{capability}) && utf8.ValidString(capability) {
			t.Fatalf("capabilities missing from %q", out)
		}
		if strings.TrimSpace(claims) != "" {
			var in map[string]json.RawMessage
			if json.Unmarshal([]byte(claims), &in) == nil {
				for k := range in {
					if _, ok := got[k]; !ok {
						t.Fatalf("member %q of %q lost in %q", k, claims, out)
					}
				}
			}
		}
		// Merging the same capability again always conflicts (MSAL Go's rule).
		if _, err := MergeClaims(out, caps); err == nil {
			t.Fatalf("second merge into %q did not conflict", out)
		}
	})
}

func FuzzDeviceCodeResponse(f *testing.F) {
	f.Add([]byte(deviceBody))
	f.Add([]byte(`{"user_code":"U","device_code":"D","verification_url":"https://microsoft.com/devicelogin","expires_in":"900","interval":"7"}`))
	f.Add([]byte(`{"device_code":"D","user_code":"U","verification_uri":"http://x","expires_in":60}`))
	f.Add([]byte(`{"error":"invalid_client"}`))
	for _, s := range lifetimeSeeds() {
		f.Add([]byte(`{"device_code":"D","user_code":"U","verification_uri":"https://x","expires_in":` + s + `,"interval":` + s + `}`))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := parseDeviceCodeResponse(body, t0, nil)
		if err != nil {
			if d != (DeviceAuthorization{}) {
				t.Fatalf("not zero on error: %v", d)
			}
			var fields map[string]any
			if json.Unmarshal(body, &fields) == nil {
				if s, ok := fields["device_code"].(string); ok && len(s) >= minScrub && strings.Contains(err.Error(), s) {
					t.Fatalf("error %q quotes the device code", err)
				}
			}
			return
		}
		if d.DeviceCode == "" || d.UserCode == "" || !strings.HasPrefix(d.VerificationURI, "https://") ||
			!d.ExpiresOn.After(t0) || d.Interval < minInterval || d.ExpiresOn.Sub(t0) > maxLifetime {
			t.Fatalf("bad result from %q: %#v", body, d)
		}
	})
}
