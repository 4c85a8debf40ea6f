package jwt

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// fuzzSeeds are the vectors, tokens made here, near-misses of each, and
// tokens at MaxTokenLen-1, MaxTokenLen and MaxTokenLen+1 bytes.
func fuzzSeeds(t testing.TB) []string {
	cert, key := fixture(t)
	rs, err := Sign(Header{Alg: RS256, Typ: "JWT", Kid: "k"}, map[string]any{"sub": "s", "n": 1.5}, key)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := Sign(Header{Alg: PS256}, map[string]any{"a": []int{1}}, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := ClientAssertion(PS256, key, [][]byte{cert, cert}, "c", testAudience, assertionNow, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	seeds := []string{
		rfcA2Token, rs, ps, ca,
		"", ".", "..", "...", "a.b.c", "e30.e30.", "e30.e30.e30",
		join(enc(`{"alg":"none"}`), enc(`{}`), ""),
		join(enc(`{"alg":"HS256"}`), enc(`{}`), "AAAA"),
		join(enc(`{"alg":"RS256","crit":["x"]}`), enc(`{}`), "AAAA"),
		join(enc(`{"alg":"RS256","alg":"PS256"}`), enc(`{}`), "AAAA"),
		join(enc(`{"alg":"RS256"}`), enc(`[]`), "AAAA"),
		join(enc(`{"alg":"RS256","x5c":[],"typ":"","kid":null}`), enc(` {} `), "AAAA"),
		rfcA2Token + "=", strings.Replace(rfcA2Token, "-", "+", 1),
		tokenOfLen(t, MaxTokenLen-1), tokenOfLen(t, MaxTokenLen), tokenOfLen(t, MaxTokenLen+1),
	}
	return seeds
}

func FuzzParseUnverified(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		h, payload, err := ParseUnverified(token)
		if err != nil {
			if !reflect.DeepEqual(h, Header{}) || payload != nil {
				t.Fatalf("error %v with non-zero results %+v, %q", err, h, payload)
			}
			if !strings.HasPrefix(err.Error(), "jwt: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
			return
		}
		// Invariants of success: within the limit, three segments, an alg,
		// and a payload that is a JSON object.
		if len(token) > MaxTokenLen || strings.Count(token, ".") != 2 || h.Alg == "" {
			t.Fatalf("accepted %q: header %+v", token, h)
		}
		if !json.Valid(payload) || bytes.TrimLeft(payload, " \t\r\n")[0] != '{' {
			t.Fatalf("accepted a payload that is not a JSON object: %q", payload)
		}
		// decode(encode(x)) == x: the header re-encodes to JSON that
		// decodes to the same Header.
		again, err := marshal(h)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", h, err)
		}
		h2, _, err := decodeHeader(again)
		if err != nil || !reflect.DeepEqual(h2, h) {
			t.Fatalf("header %+v re-encoded as %s decodes to %+v, %v", h, again, h2, err)
		}
		// The segments re-encode to the token: one spelling per value.
		parts := strings.Split(token, ".")
		if b64.EncodeToString(payload) != parts[1] {
			t.Fatalf("payload segment %q does not re-encode to itself", parts[1])
		}
	})
}

func FuzzVerify(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	_, key := fixture(f)
	f.Fuzz(func(t *testing.T, token string) {
		h, payload, err := Verify(token, &key.PublicKey)
		if err != nil {
			if !reflect.DeepEqual(h, Header{}) || payload != nil {
				t.Fatalf("error %v with non-zero results %+v, %q", err, h, payload)
			}
			if !strings.HasPrefix(err.Error(), "jwt: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
			return
		}
		// Only RS256 and PS256 ever verify, and what verifies parses the
		// same way unverified.
		if h.Alg != RS256 && h.Alg != PS256 {
			t.Fatalf("verified a token with alg %q", h.Alg)
		}
		uh, upayload, err := ParseUnverified(token)
		if err != nil || !reflect.DeepEqual(uh, h) || !bytes.Equal(upayload, payload) {
			t.Fatalf("ParseUnverified disagrees with Verify: %+v %q %v", uh, upayload, err)
		}
	})
}
