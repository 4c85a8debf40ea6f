package imds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseToken(t *testing.T) {
	tok := `"access_token":"` + tokenValue + `"`
	tests := []struct {
		name    string
		body    string
		expires time.Time
		refresh time.Time
		typ     string
		err     string // a substring of the error; "" for success
	}{
		{"IMDS sample", sampleIMDS, expiresOn, time.Time{}, "Bearer", ""},
		{"leading white space", " \n" + sampleSF, expiresOn, time.Time{}, "Bearer", ""},
		{"token_type default", `{` + tok + `,"expires_on":1715900000}`, expiresOn, time.Time{}, "Bearer", ""},
		{"token_type null", `{` + tok + `,"token_type":null,"expires_on":1715900000}`, expiresOn, time.Time{}, "Bearer", ""},
		{"token_type other", `{` + tok + `,"token_type":"pop","expires_on":1715900000}`, expiresOn, time.Time{}, "pop", ""},
		{"refresh_in string", `{` + tok + `,"expires_in":"7200","refresh_in":"3600"}`, epoch.Add(2 * time.Hour), epoch.Add(time.Hour), "Bearer", ""},
		{"refresh_in at expiry dropped", `{` + tok + `,"expires_in":60,"refresh_in":60}`, epoch.Add(time.Minute), time.Time{}, "Bearer", ""},
		{"refresh_in zero dropped", `{` + tok + `,"expires_in":60,"refresh_in":0}`, epoch.Add(time.Minute), time.Time{}, "Bearer", ""},
		{"expires_on null uses expires_in", `{` + tok + `,"expires_on":null,"expires_in":60}`, epoch.Add(time.Minute), time.Time{}, "Bearer", ""},
		{"expires_in at the limit", fmt.Sprintf(`{%s,"expires_in":%d}`, tok, maxLifetime), epoch.Add(maxLifetime * time.Second), time.Time{}, "Bearer", ""},
		{"expires_on at the limit", fmt.Sprintf(`{%s,"expires_on":%d}`, tok, epoch.Unix()+maxLifetime), epoch.Add(maxLifetime * time.Second).UTC(), time.Time{}, "Bearer", ""},
		{"expires_on past ten years", fmt.Sprintf(`{%s,"expires_on":%d}`, tok, epoch.Unix()+maxLifetime+1), time.Time{}, time.Time{}, "", "out of range"},

		{"not JSON", "<html>", time.Time{}, time.Time{}, "", "not a JSON object"},
		{"empty", "", time.Time{}, time.Time{}, "", "not a JSON object"},
		{"array", `[` + sampleIMDS + `]`, time.Time{}, time.Time{}, "", "not a JSON object"},
		{"trailing garbage", sampleIMDS + "x", time.Time{}, time.Time{}, "", "not a JSON object"},
		{"null", "null", time.Time{}, time.Time{}, "", "not a JSON object"},
		{"no access_token", `{"expires_on":1715900000}`, time.Time{}, time.Time{}, "", "no access_token"},
		{"empty access_token", `{"access_token":"","expires_on":1715900000}`, time.Time{}, time.Time{}, "", "no access_token"},
		{"access_token a number", `{"access_token":5,"expires_on":1715900000}`, time.Time{}, time.Time{}, "", "no access_token"},
		{"access_token with a space", `{"access_token":"a b","expires_on":1715900000}`, time.Time{}, time.Time{}, "", "characters a token cannot have"},
		{"no expiry", `{` + tok + `}`, time.Time{}, time.Time{}, "", "neither expires_on nor expires_in"},
		{"expires_on a word", `{` + tok + `,"expires_on":"soon"}`, time.Time{}, time.Time{}, "", `expires_on [withheld] is neither Unix seconds nor a known date`},
		{"expires_on a date out of the calendar", `{` + tok + `,"expires_on":"13/45/2026 10:00:00 PM +00:00"}`, time.Time{}, time.Time{}, "", `expires_on "13/45/2026 10:00:00 PM +00:00" is neither Unix seconds nor a known date`},
		{"expires_on zero", `{` + tok + `,"expires_on":0}`, time.Time{}, time.Time{}, "", "out of range"},
		{"expires_on negative", `{` + tok + `,"expires_on":"-5"}`, time.Time{}, time.Time{}, "", "out of range"},
		{"expires_on past the limit", fmt.Sprintf(`{%s,"expires_on":%d}`, tok, int64(maxUnixSeconds+1)), time.Time{}, time.Time{}, "", "out of range"},
		{"expires_on huge", `{` + tok + `,"expires_on":1e300}`, time.Time{}, time.Time{}, "", "out of range"},
		{"expires_on before 1970", `{` + tok + `,"expires_on":"1969-12-31 23:59:59"}`, time.Time{}, time.Time{}, "", "out of range"},
		{"expires_on hex", `{` + tok + `,"expires_on":"0x10"}`, time.Time{}, time.Time{}, "", "neither Unix seconds"},
		{"expires_on Inf", `{` + tok + `,"expires_on":"Inf"}`, time.Time{}, time.Time{}, "", "neither Unix seconds"},
		{"expires_on padded", `{` + tok + `,"expires_on":" 1715900000"}`, time.Time{}, time.Time{}, "", "neither Unix seconds"},
		{"expires_on bool", `{` + tok + `,"expires_on":true}`, time.Time{}, time.Time{}, "", "expires_on is neither a number nor a string"},
		{"expires_in a word", `{` + tok + `,"expires_in":"soon"}`, time.Time{}, time.Time{}, "", `expires_in [withheld] is not a number`},
		{"expires_in negative", `{` + tok + `,"expires_in":-1}`, time.Time{}, time.Time{}, "", "out of range"},
		{"expires_in past the limit", fmt.Sprintf(`{%s,"expires_in":%d}`, tok, maxLifetime+1), time.Time{}, time.Time{}, "", "out of range"},
		{"refresh_in a word", `{` + tok + `,"expires_in":60,"refresh_in":"x"}`, time.Time{}, time.Time{}, "", "refresh_in"},
		{"token_type a number", `{` + tok + `,"token_type":1,"expires_in":60}`, time.Time{}, time.Time{}, "", "token_type"},
		{"token_type too long", `{` + tok + `,"token_type":"` + strings.Repeat("B", maxTokenType+1) + `","expires_in":60}`, time.Time{}, time.Time{}, "", "token_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseToken([]byte(tt.body), epoch)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want an error containing %q", err, tt.err)
				}
				if r != (tokenResponse{}) {
					t.Errorf("error with a non-zero result %v", r)
				}
				if strings.Contains(err.Error(), tokenValue) {
					t.Errorf("the token is in the error: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.AccessToken != tokenValue || r.TokenType != tt.typ || !r.ExpiresOn.Equal(tt.expires) || !r.RefreshOn.Equal(tt.refresh) {
				t.Errorf("got %q %s expires %v refresh %v, want %s %v %v", r.AccessToken, r.TokenType, r.ExpiresOn, r.RefreshOn, tt.typ, tt.expires, tt.refresh)
			}
		})
	}
}

func TestParseTokenNotJSONIsMarked(t *testing.T) {
	if _, err := parseToken([]byte("<html>"), epoch); !errors.Is(err, errNotJSON) {
		t.Errorf("got %v, want errNotJSON", err)
	}
	if _, err := parseToken([]byte(`{}`), epoch); errors.Is(err, errNotJSON) {
		t.Errorf("an object without a token is JSON: %v", err)
	}
}

// TestTokenRedacted: no way of printing a Token shows the access token.
func TestTokenRedacted(t *testing.T) {
	tok := Token{AccessToken: tokenValue, TokenType: "Bearer", ExpiresOn: expiresOn}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("got", "token", tok)
	for _, shown := range []string{
		fmt.Sprint(tok), fmt.Sprintf("%v %+v %#v %s %q %x", tok, tok, tok, tok, tok, tok),
		fmt.Sprintf("%v", &tok), logged.String(),
	} {
		if strings.Contains(shown, tokenValue) || strings.Contains(shown, fmt.Sprintf("%x", tokenValue)) {
			t.Errorf("token shown: %s", shown)
		}
	}
	if want := "imds.Token{AccessToken: [REDACTED], TokenType: Bearer, ExpiresOn: 2024-05-16T22:53:20Z, RefreshOn: none}"; tok.String() != want {
		t.Errorf("String:\n got  %s\n want %s", tok, want)
	}
}

func TestResource(t *testing.T) {
	for scope, want := range map[string]string{
		"https://management.azure.com/.default": "https://management.azure.com",
		"https://vault.azure.net/.default":      "https://vault.azure.net",
		"api://xyz/.default":                    "api://xyz",
		"https://storage.azure.com/":            "https://storage.azure.com/",
		"https://x/.default/.default":           "https://x/.default",
		"https://x/.DEFAULT":                    "https://x/.DEFAULT",
		"":                                      "",
	} {
		if got := Resource(scope); got != want {
			t.Errorf("Resource(%q): got %q, want %q", scope, got, want)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	seeds := []string{sampleIMDS, sampleAppSvc, sampleSF, sampleML, sampleShell, "{" + sampleArcBase + "}",
		"", "{}", "null", "[]", `{"access_token":"a","expires_on":"1/2/2006 3:04:05 PM +00:00"}`,
		fmt.Sprintf(`{"access_token":"a","expires_in":%d}`, maxLifetime-1),
		fmt.Sprintf(`{"access_token":"a","expires_in":%d}`, maxLifetime),
		fmt.Sprintf(`{"access_token":"a","expires_in":%d}`, maxLifetime+1),
		fmt.Sprintf(`{"access_token":"a","expires_on":%d}`, int64(maxUnixSeconds+1)),
		`{"access_token":"a","expires_in":"1e3","refresh_in":1.5}`,
	}
	for _, form := range expiresForms {
		seeds = append(seeds, `{"access_token":"a",`+form.fields+`}`)
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := parseToken(body, epoch)
		if err != nil {
			if r != (tokenResponse{}) {
				t.Fatalf("error %v with a result", err)
			}
			return
		}
		if r.AccessToken == "" || !headerSafe(r.AccessToken) || r.TokenType == "" || r.ExpiresOn.IsZero() || r.ExpiresOn.Location() != time.UTC {
			t.Fatalf("bad token %+v", r)
		}
		if !r.RefreshOn.IsZero() && !r.RefreshOn.Before(r.ExpiresOn) {
			t.Fatalf("refresh %v not before expiry %v", r.RefreshOn, r.ExpiresOn)
		}
	})
}

// BenchmarkParseToken measures one IMDS response parse (informative).
func BenchmarkParseToken(b *testing.B) {
	body := []byte(sampleIMDS)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := parseToken(body, epoch); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseErrorWithholdsIdentityHeader: an endpoint that echoes the
// X-IDENTITY-HEADER value into a number field of a 200 body does not get it
// into the error (doc.go: errors never hold the identity header).
func TestParseErrorWithholdsIdentityHeader(t *testing.T) {
	const secret = "4f1c2a9e-identity-header-secret"
	f := newEndpointFunc(t, false, func(_ int, r *http.Request) reply {
		return reply{body: `{"access_token":"` + tokenValue + `","expires_on":"` + r.Header.Get("X-IDENTITY-HEADER") + `"}`}
	})
	s := mustNew(t, Config{
		Getenv:     envOf(envIdentityEndpoint, f.URL+"/msi/token", envIdentityHeader, secret),
		MaxRetries: -1,
	})
	_, err := s.Token(context.Background(), testResource)
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("the IDENTITY_HEADER value is in the error: %v", err)
	}
}

// TestParseErrorWithholdsArcKey: the same for the Azure Arc key, echoed
// from the Authorization header into expires_in, and for a key made of
// digits, which quoteTime alone would quote.
func TestParseErrorWithholdsArcKey(t *testing.T) {
	for _, key := range []string{arcKey, "31415926535897932384"} {
		dir, keyFile := arcDir(t)
		if err := os.WriteFile(keyFile, []byte(key), 0o600); err != nil {
			t.Fatal(err)
		}
		f := newEndpointFunc(t, false, func(_ int, r *http.Request) reply {
			auth := r.Header.Get("Authorization")
			if auth == "" {
				return reply{status: http.StatusUnauthorized, header: map[string]string{"WWW-Authenticate": "Basic realm=" + keyFile}}
			}
			return reply{body: `{"access_token":"` + tokenValue + `","expires_in":"` + strings.TrimPrefix(auth, "Basic ") + `"}`}
		})
		cfg := arcConfig(f, dir, ID{})
		cfg.MaxRetries = -1
		_, err := mustNew(t, cfg).Token(context.Background(), testResource)
		if err == nil || strings.Contains(err.Error(), key) {
			t.Errorf("key %s: err = %v, want an error without the key", key, err)
		}
	}
}
