package imds

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestCloudShellRequest(t *testing.T) {
	f := newEndpoint(t, false, reply{body: sampleShell})
	clk := newClock()
	s := mustNew(t, Config{Getenv: envOf(envMSIEndpoint, f.URL+"/oauth2/token"), now: clk.now})
	if s.Kind() != CloudShell {
		t.Fatalf("Kind: got %s, want CloudShell", s.Kind())
	}
	tok, err := s.Token(context.Background(), testResource)
	if err != nil {
		t.Fatal(err)
	}
	checkToken(t, tok, expiresOn, time.Time{})
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1", len(reqs))
	}
	checkRequest(t, reqs[0], "POST", "/oauth2/token", map[string][]string{},
		map[string]string{"Metadata": "true", "Content-Type": "application/x-www-form-urlencoded"},
		"resource=https%3A%2F%2Fmanagement.azure.com")
}

func TestCloudShellExpiresForms(t *testing.T) {
	for _, form := range expiresForms {
		t.Run(form.name, func(t *testing.T) {
			f := newEndpoint(t, false, reply{body: `{"access_token":"` + tokenValue + `",` + form.fields + `}`})
			tok, err := mustNew(t, Config{Getenv: envOf(envMSIEndpoint, f.URL), now: newClock().now}).Token(context.Background(), testResource)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, tok, form.expires, form.refresh)
		})
	}
}

// TestCloudShellRetriesPOST: each try sends the whole form again.
func TestCloudShellRetriesPOST(t *testing.T) {
	f := newEndpoint(t, false, reply{status: 503}, reply{body: sampleShell})
	clk := newClock()
	if _, err := mustNew(t, Config{Getenv: envOf(envMSIEndpoint, f.URL), now: clk.now, sleep: clk.sleep}).Token(context.Background(), testResource); err != nil {
		t.Fatal(err)
	}
	for i, r := range f.requests() {
		if r.Body != "resource=https%3A%2F%2Fmanagement.azure.com" {
			t.Errorf("try %d: body %q", i, r.Body)
		}
	}
}

func TestCloudShellError(t *testing.T) {
	f := newEndpoint(t, false, reply{status: 400, body: `{"error":{"code":"BadRequest","message":"bad resource"}}`})
	_, err := mustNew(t, Config{Getenv: envOf(envMSIEndpoint, f.URL)}).Token(context.Background(), testResource)
	if want := "imds: CloudShell: HTTP 400: BadRequest: bad resource"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestCloudShellRefusesUserAssigned(t *testing.T) {
	for _, id := range []ID{{ClientID, testClientID}, {ObjectID, testObjectID}, {ResourceID, testResourceID}} {
		_, err := New(Config{Getenv: envOf(envMSIEndpoint, "http://localhost:50342/oauth2/token"), ID: id})
		if err == nil || !strings.Contains(err.Error(), "Cloud Shell doesn't support user-assigned") {
			t.Errorf("%v: got %v, want a refusal", id.Kind, err)
		}
	}
}
