package identity

import (
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseChallenges(t *testing.T) {
	cae := `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTcyNjA3NzU5NSJ9fX0="`
	tests := []struct {
		name   string
		values []string
		want   []Challenge
	}{
		{"cae (PROTOCOL.md 12)", []string{cae}, []Challenge{{Scheme: "Bearer", Params: map[string]string{
			"realm": "", "authorization_uri": "https://login.microsoftonline.com/common/oauth2/authorize",
			"client_id": "00000003-0000-0000-c000-000000000000", "error": "insufficient_claims",
			"claims": "eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTcyNjA3NzU5NSJ9fX0=",
		}}}},
		{"scheme only", []string{"Negotiate"}, []Challenge{{Scheme: "Negotiate"}}},
		{"token68", []string{"Basic dXNlcjpwYXNz=="}, []Challenge{{Scheme: "Basic", Token68: "dXNlcjpwYXNz=="}}},
		{"token68 that looks like a name", []string{"Bearer a="}, []Challenge{{Scheme: "Bearer", Token68: "a="}}},
		{"two in one value", []string{`Basic realm="a", Bearer error="x", claims="e30"`}, []Challenge{
			{Scheme: "Basic", Params: map[string]string{"realm": "a"}},
			{Scheme: "Bearer", Params: map[string]string{"error": "x", "claims": "e30"}},
		}},
		{"two values", []string{`Basic realm="a"`, `Bearer realm="b"`}, []Challenge{
			{Scheme: "Basic", Params: map[string]string{"realm": "a"}},
			{Scheme: "Bearer", Params: map[string]string{"realm": "b"}},
		}},
		{"scheme then scheme", []string{"Negotiate, Bearer"}, []Challenge{{Scheme: "Negotiate"}, {Scheme: "Bearer"}}},
		{"token values and BWS", []string{`Bearer a = b ,c=d`}, []Challenge{{Scheme: "Bearer", Params: map[string]string{"a": "b", "c": "d"}}}},
		{"quoted pair", []string{`Bearer a="x\"y\\z"`}, []Challenge{{Scheme: "Bearer", Params: map[string]string{"a": `x"y\z`}}}},
		{"names fold case", []string{`Bearer Error="x"`}, []Challenge{{Scheme: "Bearer", Params: map[string]string{"error": "x"}}}},
		{"empty list elements", []string{` , Bearer a="b" ,, `}, []Challenge{{Scheme: "Bearer", Params: map[string]string{"a": "b"}}}},
		{"empty", []string{""}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseChallenges(tt.values)
			if err != nil {
				t.Fatalf("ParseChallenges(%q): %v", tt.values, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseChallenges(%q)\n got %#v\nwant %#v", tt.values, got, tt.want)
			}
		})
	}
}

func TestParseChallengesMalformed(t *testing.T) {
	for _, v := range []string{
		`Bearer a="unterminated`,
		`Bearer a="x" b="y"`,
		`Bearer a="x", a="y"`,
		`Bearer a="x` + "\x01" + `"`,
		`Bearer =x`,
		`"Bearer"`,
		`Basic abc== def`,
		`Bearer a="x"junk`,
		strings.Repeat("a", maxChallengeHeader+1),
		strings.Repeat("B, ", maxChallenges+1),
	} {
		cs, err := ParseChallenges([]string{v})
		if !errors.Is(err, ErrMalformedChallenge) || cs != nil {
			t.Errorf("ParseChallenges(%.40q) = %v, %v; want nil, ErrMalformedChallenge", v, cs, err)
		}
	}
}

func TestCAEClaims(t *testing.T) {
	claims := `{"access_token":{"nbf":{"essential":true, "value":"1726077595"}}}`
	std := base64.StdEncoding.EncodeToString([]byte(claims))
	url := base64.RawURLEncoding.EncodeToString([]byte(claims + "  ")) // forces '-' or '_'? not necessarily; test both alphabets below
	tests := []struct {
		name    string
		header  string
		want    string
		ok      bool
		wantErr bool
	}{
		{"std padded", `Bearer error="insufficient_claims", claims="` + std + `"`, claims, true, false},
		{"std unpadded", `Bearer error="insufficient_claims", claims="` + strings.TrimRight(std, "=") + `"`, claims, true, false},
		{"url unpadded", `Bearer error="insufficient_claims", claims="` + url + `"`, claims + "  ", true, false},
		{"url alphabet", `Bearer error="insufficient_claims", claims="` + base64.RawURLEncoding.EncodeToString([]byte(`{"a":"??>"}`)) + `"`, `{"a":"??>"}`, true, false},
		{"other error", `Bearer error="invalid_token", claims="` + std + `"`, "", false, false},
		{"no claims", `Bearer error="insufficient_claims"`, "", false, false},
		{"basic scheme", `Basic error="insufficient_claims", claims="` + std + `"`, "", false, false},
		{"not base64", `Bearer error="insufficient_claims", claims="!!!"`, "", true, true},
		{"not json", `Bearer error="insufficient_claims", claims="` + base64.StdEncoding.EncodeToString([]byte("hello")) + `"`, "", true, true},
		{"json array", `Bearer error="insufficient_claims", claims="` + base64.StdEncoding.EncodeToString([]byte("[1]")) + `"`, "", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := ParseChallenges([]string{tt.header})
			if err != nil {
				t.Fatal(err)
			}
			got, ok, err := CAEClaims(cs)
			if ok != tt.ok || (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("CAEClaims(%s) = %q, %v, %v; want %q, %v, err=%v", tt.header, got, ok, err, tt.want, tt.ok, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidClaims) {
				t.Errorf("error %v does not wrap ErrInvalidClaims", err)
			}
		})
	}
}

func FuzzParseChallenges(f *testing.F) {
	for _, s := range []string{
		`Bearer realm="", error="insufficient_claims", claims="e30="`,
		`Basic realm=/var/opt/azcmagent/tokens/x.key`,
		`Basic abc==, Bearer`,
		`Bearer a="\"", b=c`,
		``, `,`, `Bearer a="`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		cs, err := ParseChallenges([]string{v})
		if err != nil {
			if cs != nil {
				t.Fatalf("error %v with non-nil result", err)
			}
			return
		}
		if len(cs) > maxChallenges {
			t.Fatalf("%d challenges, over the limit", len(cs))
		}
		for _, c := range cs {
			if c.Scheme == "" {
				t.Fatalf("empty scheme in %q", v)
			}
			if c.Token68 != "" && c.Params != nil {
				t.Fatalf("both token68 and params in %q", v)
			}
			if len(c.Params) > maxChallengeParams {
				t.Fatalf("too many params")
			}
		}
		claims, ok, err := CAEClaims(cs)
		if err != nil && claims != "" || !ok && claims != "" {
			t.Fatalf("CAEClaims inconsistent: %q %v %v", claims, ok, err)
		}
	})
}
