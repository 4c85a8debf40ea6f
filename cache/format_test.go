package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
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

// encodeWithin encodes d within limit bytes, checks the size, and decodes
// the result.
func encodeWithin(t *testing.T, d document, limit int) document {
	t.Helper()
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
	return got
}

func TestEncodeBounded(t *testing.T) {
	var d document
	for i := 0; i < 50; i++ {
		k := toStoredKey(keyN(i))
		d.AccessTokens = append(d.AccessTokens, storedToken{storedKey: k, Secret: strings.Repeat("x", 100),
			ExpiresOn: sampleTime.Add(time.Duration(i) * time.Minute), Written: sampleTime})
	}
	d.RefreshTokens = []storedRefresh{{storedAccount: toStoredAccount(testAccount), Secret: strings.Repeat("r", 100), Written: sampleTime}}
	got := encodeWithin(t, d, 4096)
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
	now := t0.Add(10 * time.Minute)
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
	if !reflect.DeepEqual(secrets, want) {
		t.Fatalf("merge kept %v, want %v", secrets, want)
	}
	// Both deletions stay in the result, k4's too: a process still holding
	// the k4 written before it must not bring that one back.
	if got, want := describeRemovals(got.Removed), describeRemovals(change.Removed); !reflect.DeepEqual(got, want) {
		t.Fatalf("merge carried deletions %q, want %q", got, want)
	}
}

func tokenRemoval(k Key, at time.Time) storedRemoval {
	sk := toStoredKey(k)
	return storedRemoval{Token: &sk, At: at}
}

func accountRemoval(k AccountKey, at time.Time) storedRemoval {
	sa := toStoredAccount(k)
	return storedRemoval{Account: &sa, At: at}
}

// describeRemovals returns rs as sorted text, one line a deletion, for
// comparing lists in any order.
func describeRemovals(rs []storedRemoval) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		at := r.At.UTC().Format(time.RFC3339Nano)
		if r.Token != nil {
			out = append(out, fmt.Sprintf("token %+v at %s", *r.Token, at))
		} else {
			out = append(out, fmt.Sprintf("account %+v at %s", *r.Account, at))
		}
	}
	sort.Strings(out)
	return out
}

// TestMergeTombstones: merge combines the deletions of the file and of the
// saver, the latest per key, drops every entry written at or before its
// key's deletion, keeps those written after it, and carries the deletions
// that are still within their retention.
func TestMergeTombstones(t *testing.T) {
	now := sampleTime
	t0, t1, t2, t3 := now.Add(-4*time.Hour), now.Add(-3*time.Hour), now.Add(-2*time.Hour), now.Add(-time.Hour)
	k := keyN(1)
	at := func(secret string, written time.Time) storedToken {
		return storedToken{storedKey: toStoredKey(k), Secret: secret, ExpiresOn: now.Add(time.Hour), Written: written}
	}
	rt := func(secret string, written time.Time) storedRefresh {
		return storedRefresh{storedAccount: toStoredAccount(testAccount), Secret: secret, Written: written}
	}
	otherKey := keyN(2)
	otherAccount := AccountKey{HomeAccountID: "other"}
	tests := []struct {
		name         string
		base, change document
		kept         []string        // secrets in the result, sorted
		removed      []storedRemoval // deletions in the result
	}{
		{
			name:    "the file's deletion drops the saver's older access token",
			base:    document{Removed: []storedRemoval{tokenRemoval(k, t1)}},
			change:  document{AccessTokens: []storedToken{at("stale", t0)}},
			removed: []storedRemoval{tokenRemoval(k, t1)},
		},
		{
			name:    "the file's deletion drops the saver's older refresh token",
			base:    document{Removed: []storedRemoval{accountRemoval(testAccount, t1)}},
			change:  document{RefreshTokens: []storedRefresh{rt("stale-rt", t0)}},
			removed: []storedRemoval{accountRemoval(testAccount, t1)},
		},
		{
			name:    "an entry written at the deletion is dropped",
			base:    document{Removed: []storedRemoval{tokenRemoval(k, t1), accountRemoval(testAccount, t1)}},
			change:  document{AccessTokens: []storedToken{at("same-time", t1)}, RefreshTokens: []storedRefresh{rt("same-time-rt", t1)}},
			removed: []storedRemoval{tokenRemoval(k, t1), accountRemoval(testAccount, t1)},
		},
		{
			name:    "the saver's deletion drops the file's older entries and stays",
			base:    document{AccessTokens: []storedToken{at("stale", t0)}, RefreshTokens: []storedRefresh{rt("stale-rt", t0)}},
			change:  document{Removed: []storedRemoval{tokenRemoval(k, t1), accountRemoval(testAccount, t1)}},
			removed: []storedRemoval{tokenRemoval(k, t1), accountRemoval(testAccount, t1)},
		},
		{
			name:    "entries written after the deletion are kept",
			base:    document{AccessTokens: []storedToken{at("new", t2)}, Removed: []storedRemoval{accountRemoval(testAccount, t1)}},
			change:  document{RefreshTokens: []storedRefresh{rt("new-rt", t2)}, Removed: []storedRemoval{tokenRemoval(k, t1)}},
			kept:    []string{"new", "new-rt"},
			removed: []storedRemoval{tokenRemoval(k, t1), accountRemoval(testAccount, t1)},
		},
		{
			name:    "the file's later deletion counts",
			base:    document{Removed: []storedRemoval{tokenRemoval(k, t3), accountRemoval(testAccount, t3)}},
			change:  document{AccessTokens: []storedToken{at("between", t2)}, RefreshTokens: []storedRefresh{rt("between-rt", t2)}, Removed: []storedRemoval{tokenRemoval(k, t1), accountRemoval(testAccount, t1)}},
			removed: []storedRemoval{tokenRemoval(k, t3), accountRemoval(testAccount, t3)},
		},
		{
			name:    "the saver's later deletion counts",
			base:    document{AccessTokens: []storedToken{at("between", t2)}, RefreshTokens: []storedRefresh{rt("between-rt", t2)}, Removed: []storedRemoval{tokenRemoval(k, t1), accountRemoval(testAccount, t1)}},
			change:  document{Removed: []storedRemoval{tokenRemoval(k, t3), accountRemoval(testAccount, t3)}},
			removed: []storedRemoval{tokenRemoval(k, t3), accountRemoval(testAccount, t3)},
		},
		{
			// The entries were written by a clock running ahead, then
			// deleted: the deletions are dated at the writes, after now.
			name: "a deletion dated a little after now keeps its date and covers the entry it deleted",
			base: document{Removed: []storedRemoval{tokenRemoval(k, now.Add(time.Minute)), accountRemoval(testAccount, now.Add(time.Minute))}},
			change: document{AccessTokens: []storedToken{at("deleted", now.Add(time.Minute))},
				RefreshTokens: []storedRefresh{rt("deleted-rt", now.Add(time.Minute))}},
			removed: []storedRemoval{tokenRemoval(k, now.Add(time.Minute)), accountRemoval(testAccount, now.Add(time.Minute))},
		},
		{
			name:    "a deletion dated far after now is forgotten",
			base:    document{Removed: []storedRemoval{tokenRemoval(k, now.Add(maxTombstoneAhead+time.Second)), accountRemoval(testAccount, now.Add(24*time.Hour))}},
			change:  document{AccessTokens: []storedToken{at("before-now", t3)}, RefreshTokens: []storedRefresh{rt("before-now-rt", t3)}},
			kept:    []string{"before-now", "before-now-rt"},
			removed: []storedRemoval{},
		},
		{
			name: "deletions past their retention are forgotten and drop nothing",
			base: document{
				AccessTokens:  []storedToken{at("outlived", now.Add(-accessTombstoneLife-time.Hour))},
				RefreshTokens: []storedRefresh{rt("outlived-rt", now.Add(-refreshTombstoneLife-time.Hour))},
				Removed: []storedRemoval{
					tokenRemoval(k, now.Add(-accessTombstoneLife)),
					tokenRemoval(otherKey, now.Add(-accessTombstoneLife+time.Second)),
				},
			},
			change: document{Removed: []storedRemoval{
				accountRemoval(testAccount, now.Add(-refreshTombstoneLife)),
				accountRemoval(otherAccount, now.Add(-refreshTombstoneLife+time.Second)),
			}},
			kept: []string{"outlived", "outlived-rt"},
			removed: []storedRemoval{
				tokenRemoval(otherKey, now.Add(-accessTombstoneLife+time.Second)),
				accountRemoval(otherAccount, now.Add(-refreshTombstoneLife+time.Second)),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := merge(tc.base, tc.change, now)
			kept := []string{}
			for _, tok := range got.AccessTokens {
				kept = append(kept, tok.Secret)
			}
			for _, r := range got.RefreshTokens {
				kept = append(kept, r.Secret)
			}
			sort.Strings(kept)
			if tc.kept == nil {
				tc.kept = []string{}
			}
			if !reflect.DeepEqual(kept, tc.kept) {
				t.Errorf("merge(%+v, %+v) kept %q, want %q", tc.base, tc.change, kept, tc.kept)
			}
			if got, want := describeRemovals(got.Removed), describeRemovals(tc.removed); !reflect.DeepEqual(got, want) {
				t.Errorf("merge carried deletions\n%q\nwant\n%q", got, want)
			}
		})
	}
}

// TestMergeTombstoneBound: at most maxTombstones deletions of each kind
// stay in the file, the latest ones.
func TestMergeTombstoneBound(t *testing.T) {
	now := sampleTime
	const extra = 5
	var base, change document
	for i := 0; i < maxTombstones+extra; i++ {
		at := now.Add(-time.Duration(i) * time.Second)
		base.Removed = append(base.Removed, tokenRemoval(keyN(i), at))
		change.Removed = append(change.Removed, accountRemoval(AccountKey{HomeAccountID: fmt.Sprint(i)}, at))
	}
	got := merge(base, change, now)
	oldest := now.Add(-time.Duration(maxTombstones-1) * time.Second)
	tokens, accounts := 0, 0
	for _, r := range got.Removed {
		if r.At.Before(oldest) {
			t.Fatalf("kept a deletion at %v over later ones", r.At)
		}
		if r.Token != nil {
			tokens++
		} else {
			accounts++
		}
	}
	if tokens != maxTombstones || accounts != maxTombstones {
		t.Fatalf("kept %d access-token and %d refresh-token deletions of %d each, want %d each",
			tokens, accounts, maxTombstones+extra, maxTombstones)
	}
}

// TestEncodeBoundedKeepsLatestDeletions: when the limit bites, the latest
// deletions are the ones kept.
func TestEncodeBoundedKeepsLatestDeletions(t *testing.T) {
	var d document
	const n = 50
	for i := 0; i < n; i++ { // oldest first, so that keeping the first ones would be wrong
		d.Removed = append(d.Removed, tokenRemoval(keyN(i), sampleTime.Add(time.Duration(i)*time.Minute)))
	}
	got := encodeWithin(t, d, 4096)
	if len(got.Removed) == 0 || len(got.Removed) == n {
		t.Fatalf("kept %d of %d deletions", len(got.Removed), n)
	}
	oldest := sampleTime.Add(time.Duration(n-len(got.Removed)) * time.Minute)
	for _, r := range got.Removed {
		if r.At.Before(oldest) {
			t.Fatalf("kept a deletion at %v over later ones", r.At)
		}
	}
}

// FuzzLoad feeds arbitrary stored data to the decoder and to Cache.Load:
// no panic; an error leaves the cache empty; what decodes re-encodes to data
// that decodes to the same document; Load adds no entry a deletion in it
// covers; merging it keeps merge's invariants (see checkMerge).
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
		`{"version":1,"access_tokens":[{"scopes":"a","secret":"x","expires_on":"2099-01-01T00:00:00Z","written":"2029-12-31T00:00:00Z"},` +
			`{"scopes":"b","secret":"y","expires_on":"2099-01-01T00:00:00Z","written":"2030-01-02T00:00:00Z"}],` +
			`"refresh_tokens":[{"home_account_id":"h","secret":"z","written":"2029-12-31T00:00:00Z"}],` +
			`"removed":[{"token":{"scopes":"a"},"at":"2030-01-01T00:00:00Z"},{"token":{"scopes":"b"},"at":"2030-01-01T00:00:00Z"},` +
			`{"token":{"scopes":"a"},"at":"2020-01-01T00:00:00Z"},{"account":{"home_account_id":"h"},"at":"2099-01-01T00:00:00Z"}]}`,
		`{"version":1} trailing`, `{"version":1,"version":2}`, "\xff\xfe{",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decode(data)
		now := sampleTime.Add(-time.Hour)
		c := New(Options{Store: &memStore{data: data}, Now: func() time.Time { return now }})
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
		checkLoadedNotDeleted(t, c, d, now)
		checkMerge(t, d, now)
		_ = c.Save(context.Background()) // exercises snapshot and encode on what was loaded
	})
}

// deletedAt reports whether rs, as of now, hold a deletion of the entry
// named by matches that covers a write at written: one within its retention
// (life), dated at or after written and no more than maxTombstoneAhead after
// now. It is written apart from tombstonesOf, to check it.
func deletedAt(rs []storedRemoval, now, written time.Time, life time.Duration, matches func(storedRemoval) bool) bool {
	for _, r := range rs {
		at := r.At
		if at.Sub(now) > maxTombstoneAhead {
			continue
		}
		if matches(r) && now.Sub(at) < life && !written.After(at) {
			return true
		}
	}
	return false
}

// checkLoadedNotDeleted fails if c, freshly loaded from d at now, holds an
// entry that a deletion in d covers.
func checkLoadedNotDeleted(t *testing.T, c *Cache, d document, now time.Time) {
	t.Helper()
	if len(d.Removed) > maxTombstones {
		return // the bound forgets some; not worth modelling here
	}
	for _, e := range c.entries.Load().all() {
		s := e.state.Load()
		if s == nil {
			continue
		}
		k := toStoredKey(e.key)
		if deletedAt(d.Removed, now, s.written, accessTombstoneLife, func(r storedRemoval) bool { return r.Token != nil && *r.Token == k }) {
			t.Fatalf("Load added access token %+v, which a deletion in the data covers", k)
		}
	}
	for ak, r := range c.refresh {
		a := toStoredAccount(ak)
		if deletedAt(d.Removed, now, r.written, refreshTombstoneLife, func(r storedRemoval) bool { return r.Account != nil && *r.Account == a }) {
			t.Fatalf("Load added refresh token %+v, which a deletion in the data covers", a)
		}
	}
}

// checkMerge merges d into an empty file and back, as of now, and fails
// unless the result holds at most one deletion per key, none dated more than
// maxTombstoneAhead after now or past its retention, at most maxTombstones of each kind, no entry that
// one of them covers, and merging it again, either way round, changes nothing.
func checkMerge(t *testing.T, d document, now time.Time) {
	t.Helper()
	out := merge(document{}, d, now)
	tokens, accounts := map[storedKey]bool{}, map[storedAccount]bool{}
	for _, r := range out.Removed {
		life := accessTombstoneLife
		if r.Token != nil {
			if tokens[*r.Token] {
				t.Fatalf("merge kept two deletions of %+v", *r.Token)
			}
			tokens[*r.Token] = true
		} else {
			life = refreshTombstoneLife
			if accounts[*r.Account] {
				t.Fatalf("merge kept two deletions of %+v", *r.Account)
			}
			accounts[*r.Account] = true
		}
		if r.At.Sub(now) > maxTombstoneAhead || now.Sub(r.At) >= life {
			t.Fatalf("merge at %v kept a deletion dated %v", now, r.At)
		}
	}
	if len(tokens) > maxTombstones || len(accounts) > maxTombstones {
		t.Fatalf("merge kept %d and %d deletions, bound %d", len(tokens), len(accounts), maxTombstones)
	}
	for _, tok := range out.AccessTokens {
		k := tok.storedKey
		if deletedAt(out.Removed, now, tok.Written, accessTombstoneLife, func(r storedRemoval) bool { return r.Token != nil && *r.Token == k }) {
			t.Fatalf("merge kept access token %+v beside a deletion that covers it", k)
		}
	}
	for _, rt := range out.RefreshTokens {
		a := rt.storedAccount
		if deletedAt(out.Removed, now, rt.Written, refreshTombstoneLife, func(r storedRemoval) bool { return r.Account != nil && *r.Account == a }) {
			t.Fatalf("merge kept refresh token %+v beside a deletion that covers it", a)
		}
	}
	if again := merge(out, document{}, now); !reflect.DeepEqual(again, out) {
		t.Fatalf("merging the merged file again changed it:\n%+v\n%+v", again, out)
	}
	if again := merge(document{}, out, now); !reflect.DeepEqual(again, out) {
		t.Fatalf("merging the merged data again changed it:\n%+v\n%+v", again, out)
	}
}
