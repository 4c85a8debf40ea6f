package imds

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

const msiSecret = "azure-ml-secret-1a2b3c"

func TestAzureMLRequest(t *testing.T) {
	const defaultID = "44444444-4444-4444-4444-444444444444"
	tests := []struct {
		name     string
		id       ID
		env      []string // beyond MSI_ENDPOINT and MSI_SECRET
		clientid string   // the clientid parameter; "" for none
	}{
		{"system-assigned", ID{}, nil, ""},
		{"system-assigned with DEFAULT_IDENTITY_CLIENT_ID", ID{}, []string{envDefaultClientID, defaultID}, defaultID},
		{"client ID", ID{ClientID, testClientID}, nil, testClientID},
		{"client ID over DEFAULT_IDENTITY_CLIENT_ID", ID{ClientID, testClientID}, []string{envDefaultClientID, defaultID}, testClientID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newEndpoint(t, false, reply{body: sampleML})
			env := envOf(append([]string{envMSIEndpoint, f.URL + "/msi/token", envMSISecret, msiSecret}, tt.env...)...)
			s := mustNew(t, Config{Getenv: env, ID: tt.id})
			if s.Kind() != AzureML {
				t.Fatalf("Kind: got %s, want AzureML", s.Kind())
			}
			tok, err := s.Token(context.Background(), testResource)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, tok, expiresOn, time.Time{})
			q := url.Values{"api-version": {"2017-09-01"}, "resource": {testResource}}
			if tt.clientid != "" {
				q.Set("clientid", tt.clientid)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			// The server canonicalises names; the request itself carries
			// the lower-case "secret" (checked below).
			checkRequest(t, reqs[0], "GET", "/msi/token", q, map[string]string{"Secret": msiSecret}, "")
			req, err := s.azureMLRequest(context.Background(), testResource)
			if err != nil {
				t.Fatal(err)
			}
			if got := req.Header["secret"]; len(got) != 1 || got[0] != msiSecret {
				t.Errorf(`header map: got secret=%q, want the lower-case name "secret"`, got)
			}
		})
	}
}

func TestAzureMLExpiresForms(t *testing.T) {
	for _, form := range expiresForms {
		t.Run(form.name, func(t *testing.T) {
			f := newEndpoint(t, false, reply{body: `{"access_token":"` + tokenValue + `",` + form.fields + `}`})
			env := envOf(envMSIEndpoint, f.URL, envMSISecret, msiSecret)
			tok, err := mustNew(t, Config{Getenv: env, now: newClock().now}).Token(context.Background(), testResource)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, tok, form.expires, form.refresh)
		})
	}
}

func TestAzureMLRefusesOtherKinds(t *testing.T) {
	for _, id := range []ID{{ObjectID, testObjectID}, {ResourceID, testResourceID}} {
		_, err := New(Config{Getenv: envOf(envMSIEndpoint, "http://127.0.0.1:1/", envMSISecret, msiSecret), ID: id})
		if err == nil || !strings.Contains(err.Error(), "by client ID only") {
			t.Errorf("%v: got %v, want a refusal", id.Kind, err)
		}
	}
}

func TestAzureMLErrorHidesSecret(t *testing.T) {
	f := newEndpoint(t, false, reply{status: 401, body: `{"statusCode":401,"message":"secret ` + msiSecret + ` is wrong"}`})
	_, err := mustNew(t, Config{Getenv: envOf(envMSIEndpoint, f.URL, envMSISecret, msiSecret)}).Token(context.Background(), testResource)
	if want := "imds: AzureML: HTTP 401: secret [REDACTED] is wrong"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
