package jwt

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"testing"
)

var (
	smallKeyOnce sync.Once
	smallKey     *rsa.PrivateKey
)

// small1024 returns a 1024-bit key, generated once: the size every API
// here must refuse.
func small1024(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	smallKeyOnce.Do(func() { smallKey, _ = rsa.GenerateKey(rand.Reader, 1024) })
	if smallKey == nil {
		t.Fatal("generating a 1024-bit RSA key failed")
	}
	return smallKey
}

func TestSignVerifyRoundTrip(t *testing.T) {
	_, key := fixture(t)
	tests := []struct {
		name   string
		header Header
		claims any
		want   string // the payload JSON Verify must return
	}{
		{"RS256 map", Header{Alg: RS256, Typ: "JWT"}, map[string]any{"sub": "x", "n": 1}, `{"n":1,"sub":"x"}`},
		{"PS256 map", Header{Alg: PS256, Kid: "k1"}, map[string]any{"sub": "x"}, `{"sub":"x"}`},
		{"RS256 struct", Header{Alg: RS256}, AssertionClaims{Aud: "https://h/t?a=1&b=<2>", Exp: 5}, `{"aud":"https://h/t?a=1&b=<2>","iss":"","sub":"","jti":"","nbf":0,"iat":0,"exp":5}`},
		{"PS256 all header fields", Header{Alg: PS256, Typ: "JWT", Kid: "k", X5t: "a", X5tS256: "b", X5c: []string{"AAAA", "BBBB"}}, struct{}{}, `{}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token, err := Sign(tc.header, tc.claims, key)
			if err != nil {
				t.Fatalf("Sign(%+v, %v): %v", tc.header, tc.claims, err)
			}
			h, payload, err := Verify(token, &key.PublicKey)
			if err != nil {
				t.Fatalf("Verify(Sign(%+v)): %v", tc.header, err)
			}
			if !reflect.DeepEqual(h, tc.header) {
				t.Errorf("Verify header = %+v; want %+v", h, tc.header)
			}
			if string(payload) != tc.want {
				t.Errorf("Verify payload = %s; want %s", payload, tc.want)
			}
			uh, upayload, err := ParseUnverified(token)
			if err != nil || !reflect.DeepEqual(uh, h) || string(upayload) != string(payload) {
				t.Errorf("ParseUnverified = %+v, %s, %v; want what Verify returned", uh, upayload, err)
			}
		})
	}
}

func TestRS256IsDeterministicPS256IsNot(t *testing.T) {
	_, key := fixture(t)
	claims := map[string]string{"sub": "s"}
	for _, tc := range []struct {
		alg      string
		wantSame bool
	}{{RS256, true}, {PS256, false}} {
		a, errA := Sign(Header{Alg: tc.alg}, claims, key)
		b, errB := Sign(Header{Alg: tc.alg}, claims, key)
		if errA != nil || errB != nil {
			t.Fatalf("Sign %s: %v, %v", tc.alg, errA, errB)
		}
		if (a == b) != tc.wantSame {
			t.Errorf("%s: two signatures equal = %v; want %v", tc.alg, a == b, tc.wantSame)
		}
	}
}

// resign replaces the header of token with header and keeps its payload and
// signature, as an attacker switching algorithms would.
func reheader(token, header string) string {
	parts := strings.Split(token, ".")
	parts[0] = enc(header)
	return strings.Join(parts, ".")
}

func TestVerifyRejects(t *testing.T) {
	_, key := fixture(t)
	other := rfcA2Key(t)
	rs, err := Sign(Header{Alg: RS256}, map[string]string{"sub": "alice"}, key)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := Sign(Header{Alg: PS256}, map[string]string{"sub": "alice"}, key)
	if err != nil {
		t.Fatal(err)
	}
	rsParts := strings.Split(rs, ".")
	psParts := strings.Split(ps, ".")
	tests := []struct {
		name  string
		token string
		pub   *rsa.PublicKey
		want  error
	}{
		{"RS256 wrong key", rs, &other.PublicKey, ErrSignature},
		{"PS256 wrong key", ps, &other.PublicKey, ErrSignature},
		{"RS256 tampered payload", join(rsParts[0], enc(`{"sub":"mallory"}`), rsParts[2]), &key.PublicKey, ErrSignature},
		{"PS256 tampered payload", join(psParts[0], enc(`{"sub":"mallory"}`), psParts[2]), &key.PublicKey, ErrSignature},
		{"RS256 signature under PS256 header", reheader(rs, `{"alg":"PS256"}`), &key.PublicKey, ErrSignature},
		{"PS256 signature under RS256 header", reheader(ps, `{"alg":"RS256"}`), &key.PublicKey, ErrSignature},
		{"header gains a member", reheader(rs, `{"alg":"RS256","kid":"x"}`), &key.PublicKey, ErrSignature},
		{"signature cut short", join(rsParts[0], rsParts[1], rsParts[2][:340]), &key.PublicKey, ErrSignature},
		{"signature of zeros", join(rsParts[0], rsParts[1], enc(string(make([]byte, 256)))), &key.PublicKey, ErrSignature},
		{"empty signature", join(rsParts[0], rsParts[1], ""), &key.PublicKey, ErrSignature},
		{"alg none, no signature", join(enc(`{"alg":"none"}`), rsParts[1], ""), &key.PublicKey, ErrAlgorithm},
		{"alg none, with signature", reheader(rs, `{"alg":"none"}`), &key.PublicKey, ErrAlgorithm},
		{"alg HS256", reheader(rs, `{"alg":"HS256","typ":"JWT"}`), &key.PublicKey, ErrAlgorithm},
		{"alg ES256", reheader(rs, `{"alg":"ES256"}`), &key.PublicKey, ErrAlgorithm},
		{"alg RS384", reheader(rs, `{"alg":"RS384"}`), &key.PublicKey, ErrAlgorithm},
		{"alg lower case", reheader(rs, `{"alg":"rs256"}`), &key.PublicKey, ErrAlgorithm},
		{"alg with space", reheader(rs, `{"alg":"RS256 "}`), &key.PublicKey, ErrAlgorithm},
		{"crit", reheader(rs, `{"alg":"RS256","crit":["exp"],"exp":1}`), &key.PublicKey, ErrMalformed},
		{"nil key", rs, nil, ErrKey},
		{"key without modulus", rs, &rsa.PublicKey{E: 65537}, ErrKey},
		{"1024-bit key", rs, &small1024(t).PublicKey, ErrKey},
		{"exponent 1", rs, &rsa.PublicKey{N: key.N, E: 1}, ErrKey},
		{"exponent 0", rs, &rsa.PublicKey{N: key.N}, ErrKey},
		{"exponent negative", rs, &rsa.PublicKey{N: key.N, E: -65537}, ErrKey},
		{"even exponent", rs, &rsa.PublicKey{N: key.N, E: 65536}, ErrSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, payload, err := Verify(tc.token, tc.pub)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify(%.40s...) error = %v; want %v", tc.token, err, tc.want)
			}
			if !reflect.DeepEqual(h, Header{}) || payload != nil {
				t.Errorf("Verify failed but returned header %+v, payload %q; want zero values", h, payload)
			}
			if strings.Contains(err.Error(), "alice") || strings.Contains(err.Error(), "mallory") {
				t.Errorf("error %q quotes the claims", err)
			}
		})
	}
}

func TestParseUnverifiedHeaders(t *testing.T) {
	claims := enc(`{"sub":"s"}`)
	tests := []struct {
		name   string
		header string
		want   Header
	}{
		{"alg only", `{"alg":"RS256"}`, Header{Alg: RS256}},
		{"all members", `{"alg":"PS256","typ":"JWT","kid":"k","x5t":"a","x5t#S256":"b","x5c":["MIIB","MIIC"]}`,
			Header{Alg: PS256, Typ: "JWT", Kid: "k", X5t: "a", X5tS256: "b", X5c: []string{"MIIB", "MIIC"}}},
		{"unknown members ignored", `{"x":{"y":[1,2]},"alg":"RS256","cty":"JWT","nonce":"n"}`, Header{Alg: RS256}},
		{"empty x5c is no x5c", `{"alg":"RS256","x5c":[]}`, Header{Alg: RS256}},
		{"null members are absent", `{"alg":"RS256","kid":null,"x5c":null}`, Header{Alg: RS256}},
		{"whitespace", " {\r\n \"alg\" : \"RS256\"\t} \n", Header{Alg: RS256}},
		{"escaped name", `{"al\u0067":"RS256"}`, Header{Alg: RS256}},
		{"padded x5t kept as sent", `{"alg":"RS256","x5t":"ab+/=="}`, Header{Alg: RS256, X5t: "ab+/=="}},
		{"any alg parses unverified", `{"alg":"none"}`, Header{Alg: "none"}},
		{"crit ignored unverified", `{"alg":"RS256","crit":["exp"]}`, Header{Alg: RS256}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, payload, err := ParseUnverified(join(enc(tc.header), claims, "AAAA"))
			if err != nil {
				t.Fatalf("ParseUnverified(header %s): %v", tc.header, err)
			}
			if !reflect.DeepEqual(h, tc.want) {
				t.Errorf("header %s parsed as %+v; want %+v", tc.header, h, tc.want)
			}
			if string(payload) != `{"sub":"s"}` {
				t.Errorf("payload = %s", payload)
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	ok := enc(`{"alg":"RS256"}`)
	claims := enc(`{"sub":"s"}`)
	sig := enc("sig")
	tests := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"one segment", ok},
		{"two segments", join(ok, claims)},
		{"four segments", join(ok, claims, sig, sig)},
		{"five segments (JWE)", join(ok, claims, sig, sig, sig)},
		{"dots only", ".."},
		{"empty header", join("", claims, sig)},
		{"empty payload", join(ok, "", sig)},
		{"padded header", join(ok+"=", claims, sig)},
		{"padded payload", join(ok, enc(`{"a":1}`)+"=", sig)},
		{"padded signature", join(ok, claims, sig+"=")},
		{"standard alphabet +", join(ok, claims, "ab+d")},
		{"standard alphabet /", join(ok, claims, "ab/d")},
		{"space", join(ok, claims, "ab d")},
		{"line break", join(ok[:8]+"\n"+ok[8:], claims, sig)},
		{"CR LF", join(ok, claims[:4]+"\r\n"+claims[4:], sig)},
		{"tab", join(ok, claims, "\t"+sig)},
		{"non-ASCII", join(ok, claims, "é"+sig)},
		{"NUL", join(ok, claims, sig+"\x00")},
		{"segment length 1 mod 4", join("eyJhb", claims, sig)},
		{"non-zero padding bits", join(ok, "e31", sig)},
		{"header JSON array", join(enc(`["alg","RS256"]`), claims, sig)},
		{"header JSON string", join(enc(`"RS256"`), claims, sig)},
		{"header JSON null", join(enc(`null`), claims, sig)},
		{"header JSON number", join(enc(`256`), claims, sig)},
		{"header not JSON", join(enc(`alg=RS256`), claims, sig)},
		{"header without alg", join(enc(`{"typ":"JWT"}`), claims, sig)},
		{"header empty object", join(enc(`{}`), claims, sig)},
		{"header alg null", join(enc(`{"alg":null}`), claims, sig)},
		{"header alg empty", join(enc(`{"alg":""}`), claims, sig)},
		{"header alg number", join(enc(`{"alg":256}`), claims, sig)},
		{"header ALG upper case", join(enc(`{"ALG":"RS256"}`), claims, sig)},
		{"header duplicate alg", join(enc(`{"alg":"none","alg":"RS256"}`), claims, sig)},
		{"header duplicate unknown member", join(enc(`{"alg":"RS256","x":1,"x":2}`), claims, sig)},
		{"header kid object", join(enc(`{"alg":"RS256","kid":{}}`), claims, sig)},
		{"header x5c string", join(enc(`{"alg":"RS256","x5c":"AAAA"}`), claims, sig)},
		{"header x5c numbers", join(enc(`{"alg":"RS256","x5c":[1]}`), claims, sig)},
		{"header trailing data", join(enc(`{"alg":"RS256"}x`), claims, sig)},
		{"header two objects", join(enc(`{"alg":"RS256"}{}`), claims, sig)},
		{"header trailing comma", join(enc(`{"alg":"RS256",}`), claims, sig)},
		{"header unterminated", join(enc(`{"alg":"RS256"`), claims, sig)},
		{"header invalid UTF-8", join(enc("{\"alg\":\"RS256\",\"kid\":\"\xff\"}"), claims, sig)},
		{"header deeply nested", join(enc(`{"alg":"RS256","x":`+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+`}`), claims, sig)},
		{"payload not JSON", join(ok, enc("hello"), sig)},
		{"payload JSON array", join(ok, enc(`[1]`), sig)},
		{"payload JSON string", join(ok, enc(`"sub"`), sig)},
		{"payload truncated object", join(ok, enc(`{"sub":"s"`), sig)},
		{"payload trailing data", join(ok, enc(`{"sub":"s"} x`), sig)},
		{"payload invalid UTF-8", join(ok, enc("{\"sub\":\"\xc3\x28\"}"), sig)},
		{"over MaxTokenLen", join(ok, enc(`{"p":"`+strings.Repeat("a", MaxTokenLen)+`"}`), sig)},
	}
	_, key := fixture(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range []struct {
				name string
				fn   func(string) (Header, []byte, error)
			}{
				{"ParseUnverified", ParseUnverified},
				{"Verify", func(s string) (Header, []byte, error) { return Verify(s, &key.PublicKey) }},
			} {
				h, payload, err := f.fn(tc.token)
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("%s(%.60q) error = %v; want ErrMalformed", f.name, tc.token, err)
				}
				if !reflect.DeepEqual(h, Header{}) || payload != nil {
					t.Errorf("%s failed but returned header %+v, payload %q", f.name, h, payload)
				}
			}
		})
	}
}

// tokenOfLen returns a well-formed unsigned-looking token of exactly n
// bytes: an RS256 header, a padded payload and a short fake signature.
func tokenOfLen(t testing.TB, n int) string {
	t.Helper()
	head := enc(`{"alg":"RS256"}`)
	for sigLen := 2; sigLen <= 8; sigLen++ {
		if sigLen%4 == 1 {
			continue
		}
		sig := strings.Repeat("A", sigLen)
		room := n - len(head) - len(sig) - 2
		// enc(`{"p":"` + k bytes + `"}`) has ceil(4*(k+8)/3) characters.
		for k := room*3/4 - 10; k <= room*3/4; k++ {
			if k < 0 {
				continue
			}
			p := enc(`{"p":"` + strings.Repeat("a", k) + `"}`)
			if len(p) == room {
				return join(head, p, sig)
			}
		}
	}
	t.Fatalf("cannot build a token of %d bytes", n)
	return ""
}

func TestMaxTokenLen(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		ok   bool
	}{
		{"limit-1", MaxTokenLen - 1, true},
		{"limit", MaxTokenLen, true},
		{"limit+1", MaxTokenLen + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			token := tokenOfLen(t, tc.n)
			if len(token) != tc.n {
				t.Fatalf("tokenOfLen(%d) has %d bytes", tc.n, len(token))
			}
			_, _, err := ParseUnverified(token)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseUnverified(%d bytes) error = %v; want ok = %v", tc.n, err, tc.ok)
			}
			if !tc.ok && !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseUnverified(%d bytes) error = %v; want ErrMalformed", tc.n, err)
			}
		})
	}
	// Sign refuses to produce what Verify would refuse to read.
	_, key := fixture(t)
	_, err := Sign(Header{Alg: RS256}, map[string]string{"p": strings.Repeat("a", MaxTokenLen)}, key)
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "limit is 65536") {
		t.Errorf("Sign(huge claims) error = %v; want ErrMalformed naming the limit", err)
	}
}

func TestSignRejects(t *testing.T) {
	_, key := fixture(t)
	tests := []struct {
		name   string
		header Header
		claims any
		key    *rsa.PrivateKey
		want   error
		text   string // a substring the message must have
	}{
		{"no alg", Header{}, map[string]int{}, key, ErrAlgorithm, `alg ""`},
		{"alg none", Header{Alg: "none"}, map[string]int{}, key, ErrAlgorithm, `alg "none"; want RS256 or PS256`},
		{"alg HS256", Header{Alg: "HS256"}, map[string]int{}, key, ErrAlgorithm, "HS256"},
		{"long alg is cut", Header{Alg: strings.Repeat("X", 100)}, map[string]int{}, key, ErrAlgorithm, `"` + strings.Repeat("X", maxQuoted) + `"...`},
		{"claims a string", Header{Alg: RS256}, "sub", key, ErrMalformed, "payload is not a JSON object"},
		{"claims a slice", Header{Alg: RS256}, []int{1}, key, ErrMalformed, "payload is not a JSON object"},
		{"claims nil", Header{Alg: RS256}, nil, key, ErrMalformed, "payload is not a JSON object"},
		{"claims a channel", Header{Alg: RS256}, make(chan int), key, ErrMalformed, "encoding claims"},
		{"nil key", Header{Alg: RS256}, map[string]int{}, nil, ErrKey, "no private key"},
		{"1024-bit key RS256", Header{Alg: RS256}, map[string]int{}, small1024(t), ErrKey, "RSA key is 1024 bits; need at least 2048"},
		{"1024-bit key PS256", Header{Alg: PS256}, map[string]int{}, small1024(t), ErrKey, "RSA key is 1024 bits; need at least 2048"},
		{"public half only", Header{Alg: RS256}, map[string]int{}, &rsa.PrivateKey{PublicKey: key.PublicKey}, ErrKey, "no private exponent"},
		{"nil prime", Header{Alg: RS256}, map[string]int{}, &rsa.PrivateKey{PublicKey: key.PublicKey, D: key.D, Primes: []*big.Int{key.Primes[0], nil}}, ErrKey, "missing prime"},
		{"no modulus", Header{Alg: RS256}, map[string]int{}, &rsa.PrivateKey{D: key.D}, ErrKey, "no modulus"},
		{"exponent 0", Header{Alg: RS256}, map[string]int{}, &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: key.N}, D: key.D, Primes: key.Primes}, ErrKey, "exponent 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token, err := Sign(tc.header, tc.claims, tc.key)
			if !errors.Is(err, tc.want) || token != "" {
				t.Fatalf("Sign = %q, %v; want \"\", %v", token, err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.text) || !strings.HasPrefix(err.Error(), "jwt: ") {
				t.Errorf("Sign error %q; want it to start with \"jwt: \" and contain %q", err, tc.text)
			}
		})
	}
}

func TestSignRawRejects(t *testing.T) {
	_, key := fixture(t)
	tests := []struct {
		name    string
		header  string
		payload string
		want    error
	}{
		{"header not JSON", `alg`, `{}`, ErrMalformed},
		{"header without alg", `{"typ":"JWT"}`, `{}`, ErrMalformed},
		{"header alg none", `{"alg":"none"}`, `{}`, ErrAlgorithm},
		{"header crit", `{"alg":"RS256","crit":["b64"],"b64":false}`, `{}`, ErrMalformed},
		{"payload not JSON", `{"alg":"RS256"}`, `payload`, ErrMalformed},
		{"payload empty", `{"alg":"RS256"}`, ``, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token, err := SignRaw([]byte(tc.header), []byte(tc.payload), key)
			if !errors.Is(err, tc.want) || token != "" {
				t.Fatalf("SignRaw(%s, %s) = %q, %v; want \"\", %v", tc.header, tc.payload, token, err, tc.want)
			}
		})
	}
}

// Errors name what failed, never the token, its claims or its key.
func TestErrorsKeepSecrets(t *testing.T) {
	_, key := fixture(t)
	const secret = "s3cr3t-assertion-material"
	good, err := Sign(Header{Alg: RS256, Kid: secret}, map[string]string{"sub": secret}, key)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	inputs := []string{
		join(parts[0], parts[1], parts[2][:40]),                                              // bad signature
		join(parts[0], enc(`{"sub":"`+secret+`x"}`), parts[2]),                               // tampered
		join(enc(`{"alg":"`+strings.Repeat("A", maxQuoted)+secret+`"}`), parts[1], parts[2]), // bad alg, cut to maxQuoted
		join(enc(`{"alg":"RS256","kid":["`+secret+`"]}`), parts[1], parts[2]),                // wrong type
		join(parts[0], enc(secret), parts[2]),                                                // payload not JSON
		good + "." + secret,
	}
	for _, in := range inputs {
		_, _, err := Verify(in, &rfcA2Key(t).PublicKey)
		if err == nil {
			t.Fatalf("Verify(%q) succeeded", in)
		}
		msg := err.Error()
		if strings.Contains(msg, secret) || strings.Contains(msg, parts[1]) || strings.Contains(msg, parts[2][:20]) {
			t.Errorf("error %q leaks token content", msg)
		}
	}
}

// TestHeaderMemberNamesInErrors: an error about a header member names it
// only when it is one this package reads; any other name is the token's own
// text and is not quoted.
func TestHeaderMemberNamesInErrors(t *testing.T) {
	const unknown = "s3cr3t-assertion-material"
	_, key := fixture(t)
	good, err := Sign(Header{Alg: RS256}, map[string]string{"sub": "x"}, key)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	for _, tt := range []struct{ header, want string }{
		{`{"alg":"RS256","` + unknown + `":1,"` + unknown + `":2}`, "a header member appears twice"},
		{`{"alg":"RS256","kid":1}`, `header member "kid" has the wrong type`},
		{`{"alg":"RS256","kid":"a","kid":"b"}`, `header member "kid" appears twice`},
	} {
		_, _, err := Verify(join(enc(tt.header), parts[1], parts[2]), &key.PublicKey)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), unknown) {
			t.Errorf("header %s: err = %v, want %q and no unknown member name", tt.header, err, tt.want)
		}
	}
}
