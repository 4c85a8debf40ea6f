package oauth2

import (
	"context"
	"strings"
	"testing"
)

// TestNumericSecretNotQuoted: a password made of digits that the server
// echoes where a number belongs is not quoted when it parses as a number out
// of range. number.check and the expires_on bound used to print the value
// without the test notNumber applies (TestNotNumberWithholdsShortSecret).
func TestNumericSecretNotQuoted(t *testing.T) {
	const password = "98765432101" // 11 digits, long enough to be scrubbed if quoted as text
	for _, field := range []string{"expires_in", "expires_on", "refresh_in"} {
		t.Run(field, func(t *testing.T) {
			body := `{"access_token":"eyJ0eXAi.access.token","expires_in":3600,"` + field + `":"` + password + `"}`
			if field == "expires_in" {
				body = `{"access_token":"eyJ0eXAi.access.token","expires_in":"` + password + `"}`
			}
			f := newFakeEndpoint(t, reply{status: 200, body: body})
			c, _ := newTestClient(t, f)
			logs := newLogBuffer()
			c.Logger = slogLogger(logs)
			_, err := c.Password(context.Background(), Request{Tenant: "t", ClientID: "c", Scopes: []string{"s"}}, "u", password)
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), password) || strings.Contains(logs.String(), password) {
				t.Errorf("password leaked: %q", err)
			}
		})
	}
}

// TestContentTypeScrubbed: the media type of a non-JSON error answer is
// quoted only after the request's secrets are scrubbed from it: it is a
// header the server wrote.
func TestContentTypeScrubbed(t *testing.T) {
	const secret = "client-secret-value-123"
	f := newFakeEndpoint(t, reply{status: 400, header: map[string]string{"Content-Type": "text/" + secret}, body: "<html>no</html>"})
	c, _ := newTestClient(t, f)
	req := Request{Tenant: "t", ClientID: "c", Auth: Auth{Secret: secret}, Scopes: []string{"r/.default"}}
	_, err := c.ClientCredentials(context.Background(), req)
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("err = %v, want an error without the secret", err)
	}
}
