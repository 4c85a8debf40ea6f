package jwt

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// assertionNow is a fixed instant for assertions built in tests.
var assertionNow = time.Date(2026, 11, 26, 15, 0, 0, 500_000_000, time.UTC)

const testAudience = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/oauth2/v2.0/token"

func TestClientAssertion(t *testing.T) {
	cert, key := fixture(t)
	other := []byte("second certificate DER, opaque here")
	tests := []struct {
		name      string
		alg       string
		certs     [][]byte
		life      time.Duration
		withChain bool
		wantAlg   string
		wantLife  int64
		wantX5c   []string
	}{
		{"defaults", "", [][]byte{cert}, 0, false, RS256, 600, nil},
		{"RS256 5 minutes", RS256, [][]byte{cert}, 5 * time.Minute, false, RS256, 300, nil},
		{"PS256 clamped", PS256, [][]byte{cert}, time.Hour, false, PS256, 600, nil},
		{"exactly the maximum", RS256, [][]byte{cert}, MaxAssertionLife, false, RS256, 600, nil},
		{"sub-second life", RS256, [][]byte{cert}, 1500 * time.Millisecond, false, RS256, 2, nil},
		{"chain", RS256, [][]byte{cert, other}, 0, true, RS256, 600,
			[]string{base64.StdEncoding.EncodeToString(cert), base64.StdEncoding.EncodeToString(other)}},
		{"chain not asked for", PS256, [][]byte{cert, other}, 0, false, PS256, 600, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token, err := ClientAssertion(tc.alg, key, tc.certs, "client-id", testAudience, assertionNow, tc.life, tc.withChain)
			if err != nil {
				t.Fatalf("ClientAssertion: %v", err)
			}
			h, payload, err := Verify(token, &key.PublicKey)
			if err != nil {
				t.Fatalf("Verify(ClientAssertion): %v", err)
			}
			want := Header{Alg: tc.wantAlg, Typ: "JWT", X5t: X5t(cert), X5tS256: X5tS256(cert), X5c: tc.wantX5c}
			if h.Alg != want.Alg || h.Typ != want.Typ || h.X5t != want.X5t || h.X5tS256 != want.X5tS256 || h.Kid != "" ||
				strings.Join(h.X5c, ",") != strings.Join(want.X5c, ",") || len(h.X5c) != len(want.X5c) {
				t.Errorf("header = %+v; want %+v", h, want)
			}
			var c AssertionClaims
			dec := json.NewDecoder(strings.NewReader(string(payload)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&c); err != nil {
				t.Fatalf("claims %s: %v", payload, err)
			}
			now := assertionNow.Unix()
			if c.Aud != testAudience || c.Iss != "client-id" || c.Sub != "client-id" ||
				c.Nbf != now || c.Iat != now || c.Exp != now+tc.wantLife {
				t.Errorf("claims = %+v; want aud %s, iss = sub = client-id, nbf = iat = %d, exp = %d",
					c, testAudience, now, now+tc.wantLife)
			}
			if !uuidV4.MatchString(c.Jti) {
				t.Errorf("jti %q is not a UUID v4", c.Jti)
			}
			// The audience URL reads as given: no \u0026-style escaping.
			if !strings.Contains(string(payload), `"aud":"`+testAudience+`"`) {
				t.Errorf("payload %s does not carry the audience verbatim", payload)
			}
		})
	}
}

func TestClientAssertionRejects(t *testing.T) {
	cert, key := fixture(t)
	rfcKey := rfcA2Key(t)
	type args struct {
		alg      string
		certs    [][]byte
		clientID string
		audience string
		now      time.Time
		life     time.Duration
	}
	good := args{RS256, [][]byte{cert}, "client-id", testAudience, assertionNow, 0}
	tests := []struct {
		name   string
		change func(*args)
		key    any // *rsa.PrivateKey; nil means the fixture key
		want   error
		text   string
	}{
		{"alg none", func(a *args) { a.alg = "none" }, nil, ErrAlgorithm, `"none"`},
		{"alg HS256", func(a *args) { a.alg = "HS256" }, nil, ErrAlgorithm, `"HS256"`},
		{"no certificates", func(a *args) { a.certs = nil }, nil, ErrAssertion, "no signing certificate"},
		{"empty certificate", func(a *args) { a.certs = [][]byte{cert, {}} }, nil, ErrAssertion, "certificate 1 is empty"},
		{"certificate not DER", func(a *args) { a.certs = [][]byte{[]byte("not a certificate")} }, nil, ErrAssertion, "certificate 0"},
		{"certificate of another key", func(a *args) {}, rfcKey, ErrAssertion, "does not hold the signing key's public key"},
		{"empty client id", func(a *args) { a.clientID = "" }, nil, ErrAssertion, "empty client id"},
		{"empty audience", func(a *args) { a.audience = "" }, nil, ErrAssertion, "empty audience"},
		{"zero time", func(a *args) { a.now = time.Time{} }, nil, ErrAssertion, "time is zero"},
		{"negative life", func(a *args) { a.life = -time.Second }, nil, ErrAssertion, "negative lifetime -1s"},
		{"1024-bit key", func(a *args) {}, small1024(t), ErrKey, "RSA key is 1024 bits; need at least 2048"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := good
			tc.change(&a)
			k := key
			if tc.key != nil {
				k = tc.key.(*rsa.PrivateKey)
			}
			token, err := ClientAssertion(a.alg, k, a.certs, a.clientID, a.audience, a.now, a.life, true)
			if !errors.Is(err, tc.want) || token != "" {
				t.Fatalf("ClientAssertion = %q, %v; want \"\", %v", token, err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.text) || !strings.HasPrefix(err.Error(), "jwt: ") {
				t.Errorf("error %q; want it to start with \"jwt: \" and contain %q", err, tc.text)
			}
		})
	}
	if _, err := ClientAssertion(RS256, nil, [][]byte{cert}, "c", testAudience, assertionNow, 0, false); !errors.Is(err, ErrKey) {
		t.Errorf("ClientAssertion(nil key) error = %v; want ErrKey", err)
	}
}

// uuidV4 is RFC 9562's text form with version 4 and variant 0b10.
var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewJTI(t *testing.T) {
	seen := make(map[string]bool)
	for i := 0; i < 1000; i++ {
		id, err := NewJTI()
		if err != nil {
			t.Fatalf("NewJTI: %v", err)
		}
		if !uuidV4.MatchString(id) {
			t.Fatalf("NewJTI() = %q; want a lower-case UUID v4", id)
		}
		if seen[id] {
			t.Fatalf("NewJTI returned %q twice", id)
		}
		seen[id] = true
	}
}

func TestNumericDate(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want int64
	}{
		{"epoch", time.Unix(0, 0), 0},
		{"fraction dropped", time.Date(2011, 3, 22, 18, 43, 0, 999_999_999, time.UTC), 1300819380}, // RFC 7515 A.1's exp
		{"zone ignored", time.Date(2011, 3, 22, 19, 43, 0, 0, time.FixedZone("CET", 3600)), 1300819380},
		{"before epoch", time.Unix(-5, 0), -5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NumericDate(tc.in); got != tc.want {
				t.Errorf("NumericDate(%v) = %d; want %d", tc.in, got, tc.want)
			}
			back := FromNumericDate(tc.want)
			if back.Location() != time.UTC || back.Unix() != tc.want {
				t.Errorf("FromNumericDate(%d) = %v; want %d in UTC", tc.want, back, tc.want)
			}
		})
	}
}

func TestAssertionSignerReuse(t *testing.T) {
	cert, key := fixture(t)
	certs := [][]byte{cert}
	s, err := NewAssertionSigner(RS256, key, certs, false)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	seen := map[string]bool{}
	for i := 0; i < 3; i++ {
		tok, err := s.Sign("client", "https://login.example/t/oauth2/v2.0/token", now, 0)
		if err != nil {
			t.Fatal(err)
		}
		h, payload, err := Verify(tok, &key.PublicKey)
		if err != nil || h.X5t != X5t(certs[0]) || h.X5c != nil {
			t.Fatalf("assertion %d: %v, header %+v", i, err, h)
		}
		var c AssertionClaims
		if err := json.Unmarshal(payload, &c); err != nil || c.Exp-c.Nbf != int64(MaxAssertionLife/time.Second) || seen[c.Jti] {
			t.Fatalf("assertion %d claims %+v (%v); want a 10-minute life and a fresh jti", i, c, err)
		}
		seen[c.Jti] = true
	}
	if _, err := s.Sign("", "aud", now, 0); !errors.Is(err, ErrAssertion) {
		t.Errorf("empty client id: %v", err)
	}
}
