package imds

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestTokenFormatVerbs: no fmt verb prints the token. Token had String,
// GoString and LogValue but no Format, so a verb String does not serve (%d,
// %o, %t, %e, ...) made fmt walk the struct and print AccessToken.
func TestTokenFormatVerbs(t *testing.T) {
	const canary = "canary-imds-access-token"
	tok := Token{AccessToken: canary, TokenType: "Bearer", ExpiresOn: time.Unix(1e9, 0)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%o", "%t", "%e"} {
		for _, v := range []any{tok, &tok} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, canary) {
				t.Errorf("fmt %s of %T shows the token: %s", verb, v, s)
			}
		}
	}
}

// TestErrorBodyTokenMasked: a token an error body carries (an access_token
// member, its value repeated in the message) is masked in Error.Message, as
// package oauth2 masks such body tokens (TestErrorBodyTokensMasked); it used
// to reach the message, which masked only the request's secrets.
func TestErrorBodyTokenMasked(t *testing.T) {
	const canary = "eyJ0eXAiOiJKV1QifQ.canary-imds-body-token.sig"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"statusCode":500,"message":"could not finish issuing `+canary+`","access_token":"`+canary+`"}`)
	}))
	defer srv.Close()
	env := map[string]string{envIdentityEndpoint: srv.URL + "/msi/token", envIdentityHeader: "identity-header-value"}
	s, err := New(Config{Getenv: func(k string) string { return env[k] }, HTTPClient: srv.Client(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Token(context.Background(), "https://vault.azure.net")
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), canary) {
		t.Errorf("the body's token reached the error: %v", err)
	}
}
