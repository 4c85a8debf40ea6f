package oauth2

import (
	"context"
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
