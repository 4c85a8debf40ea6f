package imds

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

const identityHeader = "app-service-secret-9f8e7d"

func TestAppServiceRequest(t *testing.T) {
	tests := []struct {
		name  string
		id    ID
		param string
	}{
		{"system-assigned", ID{}, ""},
		{"client ID", ID{ClientID, testClientID}, "client_id"},
		{"object ID", ID{ObjectID, testObjectID}, "object_id"},
		{"resource ID", ID{ResourceID, testResourceID}, "mi_res_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newEndpoint(t, false, reply{body: sampleAppSvc})
			// The endpoint's own query parameter must survive (7.4).
			env := envOf(envIdentityEndpoint, f.URL+"/MSI/token/?tenant=abc", envIdentityHeader, identityHeader)
			s := mustNew(t, Config{Getenv: env, ID: tt.id, now: newClock().now})
			if s.Kind() != AppService {
				t.Fatalf("Kind: got %s, want AppService", s.Kind())
			}
			tok, err := s.Token(context.Background(), "https://vault.azure.net")
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, tok, expiresOn, time.Time{})
			q := url.Values{"api-version": {"2019-08-01"}, "resource": {"https://vault.azure.net"}, "tenant": {"abc"}}
			if tt.param != "" {
				q.Set(tt.param, tt.id.Value)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			checkRequest(t, reqs[0], "GET", "/MSI/token/", q,
				map[string]string{"X-Identity-Header": identityHeader, "Metadata": "true"}, "")
		})
	}
}

func TestAppServiceExpiresForms(t *testing.T) {
	for _, form := range expiresForms {
		t.Run(form.name, func(t *testing.T) {
			f := newEndpoint(t, false, reply{body: `{"access_token":"` + tokenValue + `",` + form.fields + `}`})
			env := envOf(envIdentityEndpoint, f.URL, envIdentityHeader, identityHeader)
			tok, err := mustNew(t, Config{Getenv: env, now: newClock().now}).Token(context.Background(), testResource)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, tok, form.expires, form.refresh)
		})
	}
}

// TestAppServiceErrorHidesSecret: an error body that repeats the identity
// header, in the message and elsewhere, never gets it into the error.
func TestAppServiceErrorHidesSecret(t *testing.T) {
	body := fmt.Sprintf(`{"statusCode":400,"message":"Unable to load the proper Managed Identity. header %s rejected","correlationId":"c-1","extra":"%s"}`,
		identityHeader, identityHeader)
	f := newEndpoint(t, false, reply{status: 400, body: body})
	env := envOf(envIdentityEndpoint, f.URL+"/msi?x=1", envIdentityHeader, identityHeader)
	s := mustNew(t, Config{Getenv: env})
	_, err := s.Token(context.Background(), testResource)
	e := asError(t, err)
	want := "imds: AppService: HTTP 400: Unable to load the proper Managed Identity. header [REDACTED] rejected (correlation ID c-1)"
	if err.Error() != want || e.Unavailable {
		t.Errorf("got  %q (unavailable %v)\nwant %q", err, e.Unavailable, want)
	}
	for _, shown := range []string{err.Error(), s.String(), fmt.Sprintf("%v %+v %#v", s, s, s)} {
		if strings.Contains(shown, identityHeader) {
			t.Errorf("secret shown: %s", shown)
		}
	}
}

func TestAppServiceBadSecret(t *testing.T) {
	_, err := New(Config{Getenv: envOf(envIdentityEndpoint, "http://127.0.0.1:1/", envIdentityHeader, "a\r\nX-Evil: 1")})
	if err == nil || strings.Contains(err.Error(), "Evil") {
		t.Errorf("got %v, want an error that does not quote the header", err)
	}
}
