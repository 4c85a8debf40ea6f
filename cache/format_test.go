package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

var sampleTime = time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)

func sampleDoc() document {
	k := toStoredKey(testKey)
	obo := toStoredKey(Key{Authority: testKey.Authority, Tenant: "t", ClientID: "c", Scopes: "a b", CAE: true, Subject: HashSubject("assertion")})
	a := toStoredAccount(testAccount)
	return document{
		Version: formatVersion,
		AccessTokens: []storedToken{
			{storedKey: k, TokenType: "Bearer", Secret: "at-1", ExpiresOn: sampleTime, RefreshOn: sampleTime.Add(-time.Hour), Written: sampleTime.Add(-2 * time.Hour)},
			{storedKey: obo, TokenType: "pop", Secret: "at-\"2\"\n", ExpiresOn: sampleTime, Written: sampleTime},
		},
		RefreshTokens: []storedRefresh{{storedAccount: a, Secret: "rt-1", Written: sampleTime}},
		Removed:       []storedRemoval{{Token: &k, At: sampleTime}, {Account: &a, At: sampleTime}},
	}
}

func TestEncodeDecode(t *testing.T) {
	d := sampleDoc()
	data, err := encode(d, MaxFileSize)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decode(data)
	if err != nil {
		t.Fatal(err)
	}
	d.sort()
	if !reflect.DeepEqual(got, d) {
		t.Fatalf("decode(encode(d)):\n got %+v\nwant %+v", got, d)
	}
}

func TestDecodeErrors(t *testing.T) {
	valid, _ := encode(sampleDoc(), MaxFileSize)
	pad := func(n int) []byte { // valid JSON of exactly n bytes
		return append(append([]byte(nil), valid...), bytes.Repeat([]byte(" "), n-len(valid))...)
	}
	tests := []struct {
		name string
		data string
		want error // nil: decodes
	}{
		{"valid", string(valid), nil},
		{"limit-1", string(pad(MaxFileSize - 1)), nil},
		{"limit", string(pad(MaxFileSize)), nil},
		{"limit+1", string(pad(MaxFileSize + 1)), ErrTooLarge},
		{"empty", "", errNoStoreData},
		{"not JSON", "garbage", ErrCorrupt},
		{"array", "[1,2]", ErrCorrupt},
		{"version missing", `{}`, ErrCorrupt},
		{"version zero", `{"version":0}`, ErrCorrupt},
		{"version string", `{"version":"1"}`, ErrCorrupt},
		{"version 2", `{"version":2,"anything":[1]}`, ErrVersion},
		{"unknown field", `{"version":1,"extra":1}`, ErrCorrupt},
		{"unknown entry field", `{"version":1,"access_tokens":[{"secret":"x","expires_on":"2030-01-01T00:00:00Z","shh":"y"}]}`, ErrCorrupt},
		{"trailing data", `{"version":1} {}`, ErrCorrupt},
		{"bad time", `{"version":1,"access_tokens":[{"secret":"x","expires_on":"tomorrow"}]}`, ErrCorrupt},
		{"no expiry", `{"version":1,"access_tokens":[{"secret":"x"}]}`, ErrCorrupt},
		{"refresh without secret", `{"version":1,"refresh_tokens":[{"home_account_id":"a"}]}`, ErrCorrupt},
		{"removal of nothing", `{"version":1,"removed":[{"at":"2030-01-01T00:00:00Z"}]}`, ErrCorrupt},
		{"removal of two", `{"version":1,"removed":[{"token":{},"account":{},"at":"2030-01-01T00:00:00Z"}]}`, ErrCorrupt},
		{"wrong type", `{"version":1,"access_tokens":{"secret":"x"}}`, ErrCorrupt},
		{"minimal", `{"version":1}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && len(tc.data) >= MaxFileSize-1 && len(tc.data) <= MaxFileSize {
				t.Skip("decodes 16 MiB")
			}
			_, err := decode([]byte(tc.data))
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("decode(%.40q) = %v, want %v", tc.data, err, tc.want)
			}
			if err != nil && (strings.Contains(err.Error(), "shh") || strings.Contains(err.Error(), "at-1")) {
				t.Fatalf("error quotes the input: %v", err)
			}
		})
	}
}

func TestEncodeBounded(t *testing.T) {
	var d document
	for i := 0; i < 50; i++ {
		k := toStoredKey(keyN(i))
		d.AccessTokens = append(d.AccessTokens, storedToken{storedKey: k, Secret: strings.Repeat("x", 100),
			ExpiresOn: sampleTime.Add(time.Duration(i) * time.Minute), Written: sampleTime})
	}
	d.RefreshTokens = []storedRefresh{{storedAccount: toStoredAccount(testAccount), Secret: strings.Repeat("r", 100), Written: sampleTime}}
	const limit = 4096
	data, err := encode(d, limit)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > limit {
		t.Fatalf("encoded %d bytes, limit %d", len(data), limit)
	}
	got, err := decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.RefreshTokens) != 1 || len(got.AccessTokens) == 0 || len(got.AccessTokens) == 50 {
		t.Fatalf("kept %d refresh and %d access tokens", len(got.RefreshTokens), len(got.AccessTokens))
	}
	latest := sampleTime.Add(49 * time.Minute)
	for _, tok := range got.AccessTokens {
		if latest.Sub(tok.ExpiresOn) >= time.Duration(len(got.AccessTokens))*time.Minute {
			t.Fatalf("kept a token expiring at %v over later ones", tok.ExpiresOn)
		}
	}
}

func TestMerge(t *testing.T) {
	t0 := sampleTime.Add(-24 * time.Hour)
	now := t0
	tok := func(i int, secret string, written time.Duration, life time.Duration) storedToken {
		return storedToken{storedKey: toStoredKey(keyN(i)), Secret: secret, Written: t0.Add(written), ExpiresOn: t0.Add(life)}
	}
	base := document{AccessTokens: []storedToken{
		tok(1, "base-new", 2*time.Minute, time.Hour), // newer than change's: kept
		tok(2, "base-old", 0, time.Hour),             // older: replaced
		tok(3, "base-gone", 0, time.Hour),            // removed
		tok(4, "base-kept", 5*time.Minute, time.Hour),
		tok(5, "expired", 0, -time.Minute), // dropped
	}}
	k3, k4 := toStoredKey(keyN(3)), toStoredKey(keyN(4))
	change := document{
		AccessTokens: []storedToken{tok(1, "change-old", time.Minute, time.Hour), tok(2, "change-new", time.Minute, time.Hour), tok(6, "change-add", 0, time.Hour)},
		Removed:      []storedRemoval{{Token: &k3, At: t0.Add(time.Minute)}, {Token: &k4, At: t0.Add(time.Minute)}}, // k4 was written after the removal
	}
	got := merge(base, change, now)
	secrets := map[string]bool{}
	for _, t := range got.AccessTokens {
		secrets[t.Secret] = true
	}
	want := map[string]bool{"base-new": true, "change-new": true, "base-kept": true, "change-add": true}
	if !reflect.DeepEqual(secrets, want) || len(got.Removed) != 0 {
		t.Fatalf("merge kept %v (removed %v), want %v", secrets, got.Removed, want)
	}
}

// FuzzLoad feeds arbitrary stored data to the decoder and to Cache.Load:
// no panic; an error leaves the cache empty; what decodes re-encodes to data
// that decodes to the same document.
func FuzzLoad(f *testing.F) {
	valid, _ := encode(sampleDoc(), MaxFileSize)
	f.Add(valid)
	for _, s := range []string{
		"", "{}", "null", `{"version":1}`, `{"version":2}`, `{"version":1e400}`, `{"version":-1}`,
		`{"version":1,"access_tokens":null,"refresh_tokens":null}`,
		`{"version":1,"access_tokens":[{"secret":"x","expires_on":"2099-01-01T00:00:00Z","refresh_on":"2100-01-01T00:00:00Z"}]}`,
		`{"version":1,"access_tokens":[{"secret":"x","expires_on":"0001-01-01T00:00:01Z"}]}`,
		`{"version":1,"refresh_tokens":[{"secret":"x"},{"secret":"y"}]}`,
		`{"version":1,"removed":[{"token":{"scopes":"a"},"at":"2030-01-01T00:00:00Z"}]}`,
		`{"version":1} trailing`, `{"version":1,"version":2}`, "\xff\xfe{",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decode(data)
		c := New(Options{Store: &memStore{data: data}, Now: func() time.Time { return sampleTime.Add(-time.Hour) }})
		loadErr := c.Load(context.Background())
		if (err == nil || errors.Is(err, errNoStoreData)) != (loadErr == nil) {
			t.Fatalf("decode error %v but Load error %v", err, loadErr)
		}
		if err != nil {
			if !reflect.DeepEqual(d, document{}) {
				t.Fatalf("decode returned %+v with error %v", d, err)
			}
			if c.Len() != 0 || len(c.refresh) != 0 {
				t.Fatal("a failed Load added entries")
			}
			return
		}
		again, err := encode(d, MaxFileSize)
		if err != nil {
			t.Fatalf("encode of decoded data: %v", err)
		}
		d2, err := decode(again)
		if err != nil {
			t.Fatalf("re-encoded data does not decode: %v", err)
		}
		d.sort()
		if fmt.Sprint(d2) != fmt.Sprint(d) && !reflect.DeepEqual(d2, d) {
			t.Fatalf("decode(encode(d)) != d:\n%+v\n%+v", d2, d)
		}
		_ = c.Save(context.Background()) // exercises snapshot and encode on what was loaded
	})
}
