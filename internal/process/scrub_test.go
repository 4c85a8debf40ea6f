package process

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// jwt is a syntactically valid, unsigned JWT made for these tests.
const jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJjYW5hcnkifQ."

func TestScrub(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain text", "ERROR: Please run 'az login' to setup account.", "ERROR: Please run 'az login' to setup account."},
		{"az accessToken", `{"accessToken": "opaque-1", "tokenType": "Bearer"}`, `{"accessToken": "****", "tokenType": "Bearer"}`},
		{"az compact", `{"accessToken":"opaque-1","expiresOn":"2024-05-16 21:35:42.000000"}`, `{"accessToken":"****","expiresOn":"2024-05-16 21:35:42.000000"}`},
		{"azd token", `{"token":"opaque-2","expiresOn":"2024-05-16T21:35:42Z"}`, `{"token":"****","expiresOn":"2024-05-16T21:35:42Z"}`},
		{"pwsh Token, pretty", "{\n  \"Token\": \"opaque-3\",\n  \"ExpiresOn\": 1715895342\n}", "{\n  \"Token\": \"****\",\n  \"ExpiresOn\": 1715895342\n}"},
		{"key case folded", `{"ACCESSTOKEN" :	"opaque"}`, `{"ACCESSTOKEN" :	"****"}`},
		{"snake case and refresh", `{"access_token":"a","refresh_token":"r","refreshToken":"r2"}`, `{"access_token":"****","refresh_token":"****","refreshToken":"****"}`},
		{"escaped quote inside", `{"token":"ab\"cd","x":1}`, `{"token":"****","x":1}`},
		{"escaped backslash at end", `{"token":"ab\\","x":1}`, `{"token":"****","x":1}`},
		{"unterminated value", `{"accessToken": "opaque-cut-by-the-limi`, `{"accessToken": "****`},
		{"unterminated after backslash", `{"token":"abc\`, `{"token":"****`},
		{"non-string value kept", `{"token": null, "Token": 5}`, `{"token": null, "Token": 5}`},
		{"other keys kept", `{"tokenType":"Bearer","tokens":"x","my_token":"y"}`, `{"tokenType":"Bearer","tokens":"x","my_token":"y"}`},
		{"key at end", `"token"`, `"token"`},
		{"key colon at end", `"token":`, `"token":`},
		{"json in a json string", `{"error":"refused {\"token\": \"opaque\"} now"}`, `{"error":"refused {\"token\": \"****\"} now"}`},
		{"json in a json string, cut", `{"error":"{\"accessToken\":\"opaq`, `{"error":"{\"accessToken\":\"****`},
		{"python repr", `{'accessToken': 'opaque', 'expiresOn': 'x'}`, `{'accessToken': '****', 'expiresOn': 'x'}`},
		{"python repr, cut", `{'token': 'opa`, `{'token': '****`},
		{"mixed quotes are not a member", `"token': 'x'`, `"token': 'x'`},
		{"jwt in text", "Bearer " + jwt + " rejected", "Bearer **** rejected"},
		{"jwt at end", "token=" + jwt, "token=****"},
		{"jwt under a key", `{"accessToken":"` + jwt + `"}`, `{"accessToken":"****"}`},
		{"jwt elsewhere in json", `{"assertion":"` + jwt + `"}`, `{"assertion":"****"}`},
		{"two jwts", jwt + "\n" + jwt, "****\n****"},
		{"bare eyJ", "eyJ", "****"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"multibyte kept", "jeton: ✓", "jeton: ✓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Scrub([]byte(tt.in)); got != tt.want {
				t.Errorf("Scrub(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestScrubRemovesEveryCanary(t *testing.T) {
	const canary = "CANARY-access-token-value"
	for _, in := range []string{
		`{"accessToken":"` + canary + `"}`,
		`{"token" : "` + canary + `"}`,
		"{\n  \"Token\": \"" + canary + "\"\n}",
		`prefix {"accessToken": "` + canary, // cut mid-value
		`{"error":"{\"token\":\"` + canary + `\"}"}`,
		`{'accessToken': '` + canary + `'}`,
	} {
		if got := Scrub([]byte(in)); strings.Contains(got, "CANARY") {
			t.Errorf("Scrub(%q) = %q keeps the token", in, got)
		}
	}
}

func FuzzScrub(f *testing.F) {
	for _, s := range []string{
		"", "eyJ", jwt, `{"accessToken":"x"}`, `{"token":"a\"b"}`, `{"Token":"`, `"token" : "\`,
		"ERROR: AADSTS50076: multi-factor authentication required", "a\xffb",
		`{"e":"{\"Token\" : \"x\"}"}`, `'refresh_token':'x'`, `\"token\":\"`,
		strings.Repeat("e", 100) + "yJ", `"refresh_token"` + strings.Repeat(" ", 50) + `:"x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := Scrub(in)
		if !utf8.ValidString(out) {
			t.Fatalf("Scrub(%q) = %q: not valid UTF-8", in, out)
		}
		if strings.Contains(out, "eyJ") {
			t.Fatalf("Scrub(%q) = %q: a JWT prefix survived", in, out)
		}
		// Scrubbing is idempotent: nothing it writes looks like a token.
		if again := Scrub([]byte(out)); again != out {
			t.Fatalf("Scrub not idempotent on %q: %q then %q", in, out, again)
		}
	})
}
