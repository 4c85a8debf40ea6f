package oauth2

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestMergeClaims(t *testing.T) {
	cp1 := []string{"CP1"}
	tests := []struct {
		name    string
		claims  string
		caps    []string
		want    string
		wantErr error
	}{
		{"no claims", "", cp1, `{"access_token":{"xms_cc":{"values":["CP1"]}}}`, nil},
		{"blank claims", "  ", cp1, `{"access_token":{"xms_cc":{"values":["CP1"]}}}`, nil},
		{"no capabilities", `{"id_token":{"auth_time":{"essential":true}}}`, nil, `{"id_token":{"auth_time":{"essential":true}}}`, nil},
		{"blank, no capabilities", " ", nil, "", nil},
		{"merge into access_token", `{"access_token":{"nbf":{"essential":true,"value":"1726077595"}}}`, cp1,
			`{"access_token":{"nbf":{"essential":true,"value":"1726077595"},"xms_cc":{"values":["CP1"]}}}`, nil},
		{"merge beside id_token", `{"id_token":{"auth_time":{"essential":true}}}`, []string{"CP1", "llt"},
			`{"access_token":{"xms_cc":{"values":["CP1","llt"]}},"id_token":{"auth_time":{"essential":true}}}`, nil},
		{"numbers kept exactly", `{"a":1.50000000000000000001,"b":1e400}`, cp1,
			`{"a":1.50000000000000000001,"access_token":{"xms_cc":{"values":["CP1"]}},"b":1e400}`, nil},
		{"no HTML escaping", `{"a":"<&>"}`, cp1, `{"a":"<&>","access_token":{"xms_cc":{"values":["CP1"]}}}`, nil},
		{"conflict: access_token not an object", `{"access_token":"x"}`, cp1, "", ErrClaimsConflict},
		{"conflict: xms_cc values", `{"access_token":{"xms_cc":{"values":["CP2"]}}}`, cp1, "", ErrClaimsConflict},
		{"conflict: xms_cc null", `{"access_token":{"xms_cc":null}}`, cp1, "", ErrClaimsConflict},
		{"base64", base64.StdEncoding.EncodeToString([]byte(`{"access_token":{}}`)), cp1, "", ErrInvalidRequest},
		{"array", `[]`, cp1, "", ErrInvalidRequest},
		{"null", `null`, cp1, "", ErrInvalidRequest},
		{"null, no capabilities", `null`, nil, "", ErrInvalidRequest},
		{"trailing data", `{} {}`, cp1, "", ErrInvalidRequest},
		{"too long", `{"a":"` + strings.Repeat("x", MaxClaims) + `"}`, cp1, "", ErrInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MergeClaims(tt.claims, tt.caps)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != "" {
					t.Fatalf("MergeClaims(%q, %q) = %q, %v; want %v", tt.claims, tt.caps, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("MergeClaims(%q, %q)\n got %q, %v\nwant %q", tt.claims, tt.caps, got, err, tt.want)
			}
		})
	}
}

func TestParseClientInfo(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	uid, utid := "00000000-0000-0000-66f3-3332eca7ea81", "9188040d-6c67-4c5b-b112-36a304b66dad"
	good := `{"uid":"` + uid + `","utid":"` + utid + `"}`
	for _, tt := range []struct {
		name, in string
		ok       bool
	}{
		{"unpadded", enc(good), true},
		{"padded", base64.URLEncoding.EncodeToString([]byte(good)), true},
		{"empty", "", false},
		{"standard alphabet", base64.StdEncoding.EncodeToString([]byte(good + "??>")), false},
		{"no uid", enc(`{"utid":"x"}`), false},
		{"no utid", enc(`{"uid":"x"}`), false},
		{"not JSON", enc("uid.utid"), false},
		{"too long", strings.Repeat("A", maxClientInfo+1), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ci, err := ParseClientInfo(tt.in)
			if !tt.ok {
				if !errors.Is(err, ErrInvalidClientInfo) || ci != (ClientInfo{}) {
					t.Fatalf("ParseClientInfo(%q) = %v, %v", tt.in, ci, err)
				}
				return
			}
			if err != nil || ci.HomeAccountID() != uid+"."+utid {
				t.Fatalf("ParseClientInfo(%q) = %v, %v", tt.in, ci, err)
			}
		})
	}
}

// TestRedaction: no fmt verb and no slog handler prints a secret of Auth,
// Token, DeviceAuthorization or Request.
func TestRedaction(t *testing.T) {
	const secret = "CANARY-redaction-secret"
	tok := Token{AccessToken: secret, RefreshToken: secret, IDToken: secret, ClientInfo: secret, TokenType: "Bearer", ExpiresOn: t0}
	auth := Auth{Secret: secret}
	dev := DeviceAuthorization{DeviceCode: secret, UserCode: "U", ExpiresOn: t0, Interval: time.Second}
	req := Request{Tenant: "t", ClientID: "c", Auth: auth, Scopes: []string{"s"}}
	values := []any{tok, &tok, auth, &auth, dev, &dev, req, &req}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%T %v"} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, secret) || strings.Contains(s, fmt.Sprintf("%x", secret)) {
				t.Errorf("%s of %T prints the secret: %s", verb, v, s)
			}
		}
	}
	for _, h := range []func(*strings.Builder) slog.Handler{
		func(b *strings.Builder) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *strings.Builder) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var b strings.Builder
		l := slog.New(h(&b))
		l.Info("m", "tok", tok, "auth", auth, "dev", dev, "req", req)
		if strings.Contains(b.String(), secret) {
			t.Errorf("slog prints the secret: %s", b.String())
		}
	}
}
