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
