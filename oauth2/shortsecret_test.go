package oauth2

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestShortSecretWithheld: a secret shorter than minScrub that the server
// repeats cannot be replaced in place without showing where it was, so the
// server's text is withheld from the error.
func TestShortSecretWithheld(t *testing.T) {
	f := newFakeEndpoint(t, reply{status: 400, body: `{"error":"invalid_grant","error_description":"AADSTS50126: bad credentials for user u: hunter2"}`})
	c, _ := newTestClient(t, f)
	_, err := c.Password(context.Background(), Request{Tenant: "t", ClientID: "c", Scopes: []string{"s"}}, "u", "hunter2")
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "withheld") {
		t.Fatalf("err = %v; want the description withheld", err)
	}
	if !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("err = %v; the error code must stay", err)
	}
}

// TestNotNumberWithholdsShortSecret: a short password the server echoes
// where a number belongs is not quoted, as scrub withholds server text that
// holds one (TestShortSecretWithheld).
func TestNotNumberWithholdsShortSecret(t *testing.T) {
	const password = "hunter2" // 7 bytes, under minScrub
	f := newFakeEndpoint(t, reply{status: 200, body: `{"access_token":"eyJ0eXAi.access.token","expires_in":"` + password + `"}`})
	c, _ := newTestClient(t, f)
	_, err := c.Password(context.Background(), Request{Tenant: "t", ClientID: "c", Scopes: []string{"s"}}, "u", password)
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("password leaked into the error: %q", err)
	}
}

// TestErrorBodyTokensMasked: PROTOCOL.md 2.14: "Mask access_token /
// refresh_token values before any message or log." A success status whose
// body has an "error" member is a failure (2.14); the tokens that body
// carries are masked in the error as the request's secrets are.
func TestErrorBodyTokensMasked(t *testing.T) {
	const at = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.access-token-from-body"
	body := `{"access_token":"` + at + `","refresh_token":"rt-from-body-0123456789","expires_in":3599,` +
		`"error":"server_error","error_description":"issued ` + at + ` rt-from-body-0123456789"}`
	f := newFakeEndpoint(t, reply{status: 200, body: body})
	c, _ := newTestClient(t, f)
	req := Request{Tenant: "t", ClientID: "c", Auth: Auth{Secret: "client-secret-value-123"}, Scopes: []string{"r/.default"}}
	_, err := c.ClientCredentials(context.Background(), req)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	for _, tok := range []string{at, "rt-from-body-0123456789"} {
		if strings.Contains(err.Error(), tok) || strings.Contains(e.Description, tok) {
			t.Errorf("token %q from the body leaked: %q", tok, err)
		}
	}
}
