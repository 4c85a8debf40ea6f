package cache

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"sort"
	"time"
)

// formatVersion is the version of the serialized form written and read.
const formatVersion = 1

// Errors from decoding stored data; use errors.Is. The data itself never
// appears in them.
var (
	ErrCorrupt     = errors.New("cache: stored data is corrupt")
	ErrVersion     = errors.New("cache: stored data has an unsupported version")
	ErrTooLarge    = errors.New("cache: stored data exceeds 16 MiB")
	errNoStoreData = errors.New("cache: no stored data")
)

// document is the serialized form of a cache, version 1:
//
//	{"version":1,
//	 "access_tokens":[{"authority":"...","tenant":"...","client_id":"...",
//	   "scopes":"...","cae":true,"subject":"...","token_type":"Bearer",
//	   "secret":"...","expires_on":"RFC 3339","refresh_on":"RFC 3339",
//	   "written":"RFC 3339"}],
//	 "refresh_tokens":[{"authority":"...","client_id":"...",
//	   "home_account_id":"...","secret":"...","written":"RFC 3339"}],
//	 "removed":[{"token":{...key fields...}} or {"account":{...}}, with "at"]}
//
// "removed" lists deletions. In the data Cache.Save hands to a Store they
// are the deletions not yet saved; in FileStore's file they are tombstones,
// the deletions made within their retention (see merge), which keep a
// process that still holds a deleted entry from writing it back. An entry
// written at or before a deletion of its key is the deleted one or older,
// and neither merge nor Cache.Load takes it. The field has been part of
// version 1 from the start: an azid that predates tombstones reads such a
// file, applies no deletion it holds, and leaves them out when it rewrites
// the file. Unknown fields are refused.
type document struct {
	Version       int             `json:"version"`
	AccessTokens  []storedToken   `json:"access_tokens"`
	RefreshTokens []storedRefresh `json:"refresh_tokens"`
	Removed       []storedRemoval `json:"removed,omitempty"`
}

type storedKey struct {
	Authority string `json:"authority"`
	Tenant    string `json:"tenant"`
	ClientID  string `json:"client_id"`
	Scopes    string `json:"scopes"`
	CAE       bool   `json:"cae,omitempty"`
	Subject   string `json:"subject,omitempty"`
}

type storedToken struct {
	storedKey
	TokenType string    `json:"token_type"`
	Secret    string    `json:"secret"`
	ExpiresOn time.Time `json:"expires_on"`
	RefreshOn time.Time `json:"refresh_on"`
	Written   time.Time `json:"written"`
}

type storedAccount struct {
	Authority     string `json:"authority"`
	ClientID      string `json:"client_id"`
	HomeAccountID string `json:"home_account_id"`
}

type storedRefresh struct {
	storedAccount
	Secret  string    `json:"secret"`
	Written time.Time `json:"written"`
}

type storedRemoval struct {
	Token   *storedKey     `json:"token,omitempty"`
	Account *storedAccount `json:"account,omitempty"`
	At      time.Time      `json:"at"`
}

func (k storedKey) key() Key {
	return Key{Authority: k.Authority, Tenant: k.Tenant, ClientID: k.ClientID, Scopes: k.Scopes, CAE: k.CAE, Subject: k.Subject}
}

func toStoredKey(k Key) storedKey {
	return storedKey{Authority: k.Authority, Tenant: k.Tenant, ClientID: k.ClientID, Scopes: k.Scopes, CAE: k.CAE, Subject: k.Subject}
}

func (a storedAccount) key() AccountKey {
	return AccountKey{Authority: a.Authority, ClientID: a.ClientID, HomeAccountID: a.HomeAccountID}
}

func toStoredAccount(k AccountKey) storedAccount {
	return storedAccount{Authority: k.Authority, ClientID: k.ClientID, HomeAccountID: k.HomeAccountID}
}

// The times the stored form can hold: RFC 3339 has four-digit years.
var (
	firstStorable = time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)
	lastStorable  = time.Date(9999, time.December, 31, 23, 59, 59, 999999999, time.UTC)
)

// storable is t moved into the years the stored form can hold. Put takes
// any time, and encoding/json refuses a year past 9999, which would make
// every later save fail; a token that expires then, or a refresh due before
// year 1, means the same at the bound.
func storable(t time.Time) time.Time {
	switch {
	case t.Before(firstStorable):
		return firstStorable
	case t.After(lastStorable):
		return lastStorable
	}
	return t
}

// decode parses stored data strictly. Empty data is errNoStoreData.
func decode(data []byte) (document, error) {
	var d document
	if len(data) == 0 {
		return d, errNoStoreData
	}
	if len(data) > MaxFileSize {
		return d, ErrTooLarge
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var reason string
	if err := dec.Decode(&d); err != nil {
		reason = jsonReason(err)
	} else if _, err := dec.Token(); err != io.EOF {
		reason = "data after the JSON object"
	} else if d.Version != formatVersion {
		reason = "no version number"
	}
	if reason != "" {
		// Tell another version from damage: a document of another
		// version need not have this one's fields.
		var head struct {
			Version json.RawMessage `json:"version"`
		}
		var v int
		if json.Unmarshal(data, &head) == nil && json.Unmarshal(head.Version, &v) == nil && v > 0 && v != formatVersion {
			return document{}, fmt.Errorf("%w: %d (this build reads %d)", ErrVersion, v, formatVersion)
		}
		return document{}, fmt.Errorf("%w: %s", ErrCorrupt, reason)
	}
	if err := d.check(); err != nil {
		return document{}, err
	}
	return d, nil
}

// jsonReason describes a decoding error without quoting the input, which
// may hold secrets.
func jsonReason(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type", typ.Field)
	default:
		// Unknown fields (whose names are input), bad times, truncation.
		return "not a cache document"
	}
}

// check enforces what decode cannot express in types.
func (d *document) check() error {
	for i, t := range d.AccessTokens {
		switch {
		case t.Secret == "":
			return fmt.Errorf("%w: access token %d has no secret", ErrCorrupt, i)
		case t.ExpiresOn.IsZero():
			return fmt.Errorf("%w: access token %d has no expires_on", ErrCorrupt, i)
		}
	}
	for i, r := range d.RefreshTokens {
		if r.Secret == "" {
			return fmt.Errorf("%w: refresh token %d has no secret", ErrCorrupt, i)
		}
	}
	for i, r := range d.Removed {
		if (r.Token == nil) == (r.Account == nil) {
			return fmt.Errorf("%w: removal %d names no single entry", ErrCorrupt, i)
		}
	}
	return nil
}

// encode serializes d, dropping the least useful entries until the result
// fits in limit bytes: removals are kept first (latest first), then refresh
// tokens (newest write first), then access tokens (latest expiry first). A
// lost removal can let a stale copy of a deleted entry back in, undoing a
// sign-out; a lost entry costs a request. Removals are small and merge
// bounds their number, so they crowd out entries only in a file of huge keys.
func encode(d document, limit int) ([]byte, error) {
	d.Version = formatVersion
	d.sort()
	data, err := json.Marshal(d)
	if err != nil || len(data) <= limit {
		return data, err
	}
	return encodeBounded(d, limit)
}

// sort orders d by key so that equal caches serialize to equal bytes.
func (d *document) sort() {
	sort.SliceStable(d.AccessTokens, func(i, j int) bool {
		return lessKey(d.AccessTokens[i].storedKey, d.AccessTokens[j].storedKey)
	})
	sort.SliceStable(d.RefreshTokens, func(i, j int) bool {
		return lessAccount(d.RefreshTokens[i].storedAccount, d.RefreshTokens[j].storedAccount)
	})
	sort.SliceStable(d.Removed, func(i, j int) bool { return lessRemoval(d.Removed[i], d.Removed[j]) })
}

func lessKey(a, b storedKey) bool {
	if a.Authority != b.Authority {
		return a.Authority < b.Authority
	}
	if a.Tenant != b.Tenant {
		return a.Tenant < b.Tenant
	}
	if a.ClientID != b.ClientID {
		return a.ClientID < b.ClientID
	}
	if a.Scopes != b.Scopes {
		return a.Scopes < b.Scopes
	}
	if a.CAE != b.CAE {
		return !a.CAE
	}
	return a.Subject < b.Subject
}

func lessAccount(a, b storedAccount) bool {
	if a.Authority != b.Authority {
		return a.Authority < b.Authority
	}
	if a.ClientID != b.ClientID {
		return a.ClientID < b.ClientID
	}
	return a.HomeAccountID < b.HomeAccountID
}

// lessRemoval orders removals of access tokens before those of refresh
// tokens, each kind by key, then by time.
func lessRemoval(a, b storedRemoval) bool {
	if (a.Token == nil) != (b.Token == nil) {
		return a.Token != nil
	}
	if a.Token != nil && *a.Token != *b.Token {
		return lessKey(*a.Token, *b.Token)
	}
	if a.Account != nil && b.Account != nil && *a.Account != *b.Account {
		return lessAccount(*a.Account, *b.Account)
	}
	return a.At.Before(b.At)
}

// encodeBounded is encode's slow path, taken only when everything does not
// fit: it measures each entry and keeps the most useful ones that fit.
func encodeBounded(d document, limit int) ([]byte, error) {
	budget := limit - 64 // the envelope: version and section names
	size := func(v any) int {
		b, err := json.Marshal(v)
		if err != nil {
			return limit
		}
		return len(b) + 1 // and a comma
	}
	var out document
	removed := append([]storedRemoval(nil), d.Removed...)
	sort.SliceStable(removed, func(i, j int) bool { return removed[i].At.After(removed[j].At) })
	for _, r := range removed {
		if n := size(r); n <= budget {
			budget -= n
			out.Removed = append(out.Removed, r)
		}
	}
	rts := append([]storedRefresh(nil), d.RefreshTokens...)
	sort.SliceStable(rts, func(i, j int) bool { return rts[i].Written.After(rts[j].Written) })
	for _, r := range rts {
		if n := size(r); n <= budget {
			budget -= n
			out.RefreshTokens = append(out.RefreshTokens, r)
		}
	}
	ats := append([]storedToken(nil), d.AccessTokens...)
	sort.SliceStable(ats, func(i, j int) bool { return ats[i].ExpiresOn.After(ats[j].ExpiresOn) })
	for _, t := range ats {
		if n := size(t); n <= budget {
			budget -= n
			out.AccessTokens = append(out.AccessTokens, t)
		}
	}
	out.Version = formatVersion
	out.sort()
	return json.Marshal(out)
}

// merge returns base updated by change, as of now. The removals of both
// become one set of tombstones (see tombstonesOf: the latest per key, those
// past their retention or their bound, or dated too far ahead, forgotten).
// Every entry, of base or of change, written at or before its key's
// tombstone is dropped, and so is one written at or before a removal of
// change's own, however far ahead it is dated: the saver's deletions always
// reach the file. Of the other entries, per key the later write wins
// (change's on a tie); expired access tokens are dropped. The result carries
// the tombstones, so that a process still holding an entry deleted
// elsewhere cannot bring it back with its next save, while an entry written
// after the deletion (a new sign-in, a new token) is kept.
func merge(base, change document, now time.Time) document {
	dead := tombstonesOf(now, base.Removed, change.Removed)
	covered := dead.withOwn(now, change.Removed)
	tokens := make(map[Key]storedToken)
	accounts := make(map[AccountKey]storedRefresh)
	for _, d := range []document{base, change} {
		for _, t := range d.AccessTokens {
			k := t.key()
			if covered.coversToken(k, t.Written) {
				continue
			}
			if o, ok := tokens[k]; !ok || !t.Written.Before(o.Written) {
				tokens[k] = t
			}
		}
		for _, r := range d.RefreshTokens {
			k := r.key()
			if covered.coversAccount(k, r.Written) {
				continue
			}
			if o, ok := accounts[k]; !ok || !r.Written.Before(o.Written) {
				accounts[k] = r
			}
		}
	}
	out := document{Version: formatVersion, AccessTokens: []storedToken{}, RefreshTokens: []storedRefresh{}, Removed: dead.removals()}
	for _, t := range tokens {
		if now.Before(t.ExpiresOn) {
			out.AccessTokens = append(out.AccessTokens, t)
		}
	}
	for _, r := range accounts {
		out.RefreshTokens = append(out.RefreshTokens, r)
	}
	out.sort()
	return out
}

// tombstones are the deletions a merge or a load applies: per key, the time
// of its latest deletion. A deletion covers an entry of its key written at
// or before it, which is the deleted entry or an older one.
type tombstones struct {
	tokens   map[Key]time.Time
	accounts map[AccountKey]time.Time
}

// tombstonesOf gathers the removals in lists as of now, keeping the latest
// per key. A removal dated more than maxTombstoneAhead after now is
// forgotten, so that a clock set far ahead, or an edited file, cannot keep a
// key's new entries out for long; one dated less far ahead keeps its date,
// so that it still covers the entry it deleted. A removal older than its
// retention (accessTombstoneLife, refreshTombstoneLife) is forgotten, and so
// is every one past the latest maxTombstones of its kind: a forgotten
// removal covers nothing.
func tombstonesOf(now time.Time, lists ...[]storedRemoval) tombstones {
	ts := tombstones{tokens: make(map[Key]time.Time), accounts: make(map[AccountKey]time.Time)}
	for _, list := range lists {
		for _, r := range list {
			if r.At.After(now.Add(maxTombstoneAhead)) {
				continue // not a deletion any clock here made: see maxTombstoneAhead
			}
			ts.add(now, r)
		}
	}
	keepLatest(ts.tokens, maxTombstones, func(a, b Key) bool { return lessKey(toStoredKey(a), toStoredKey(b)) })
	keepLatest(ts.accounts, maxTombstones, func(a, b AccountKey) bool { return lessAccount(toStoredAccount(a), toStoredAccount(b)) })
	return ts
}

// withOwn returns a copy of ts with the saver's own removals added, those
// within their retention however far ahead they are dated: they apply to
// the save that carries them, even when the file will not keep them.
func (ts tombstones) withOwn(now time.Time, own []storedRemoval) tombstones {
	out := tombstones{tokens: maps.Clone(ts.tokens), accounts: maps.Clone(ts.accounts)}
	for _, r := range own {
		out.add(now, r)
	}
	return out
}

// add records r as of now, unless it is past its retention
// (accessTombstoneLife, refreshTombstoneLife).
func (ts tombstones) add(now time.Time, r storedRemoval) {
	switch {
	case r.Token != nil && now.Before(r.At.Add(accessTombstoneLife)):
		ts.addToken(r.Token.key(), r.At)
	case r.Account != nil && now.Before(r.At.Add(refreshTombstoneLife)):
		ts.addAccount(r.Account.key(), r.At)
	}
}

// addToken records a deletion of the access token for k at at, unless a
// later one is recorded.
func (ts tombstones) addToken(k Key, at time.Time) {
	if old, ok := ts.tokens[k]; !ok || at.After(old) {
		ts.tokens[k] = at
	}
}

// addAccount records a deletion of the refresh token for k at at, unless a
// later one is recorded.
func (ts tombstones) addAccount(k AccountKey, at time.Time) {
	if old, ok := ts.accounts[k]; !ok || at.After(old) {
		ts.accounts[k] = at
	}
}

// coversToken reports whether an access token for k written at written is
// deleted.
func (ts tombstones) coversToken(k Key, written time.Time) bool {
	at, ok := ts.tokens[k]
	return ok && !written.After(at)
}

// coversAccount reports whether a refresh token for k written at written is
// deleted.
func (ts tombstones) coversAccount(k AccountKey, written time.Time) bool {
	at, ok := ts.accounts[k]
	return ok && !written.After(at)
}

// removals returns ts as a document's removals, or nil when it is empty.
func (ts tombstones) removals() []storedRemoval {
	var out []storedRemoval
	for k, at := range ts.tokens {
		sk := toStoredKey(k)
		out = append(out, storedRemoval{Token: &sk, At: at})
	}
	for k, at := range ts.accounts {
		sa := toStoredAccount(k)
		out = append(out, storedRemoval{Account: &sa, At: at})
	}
	return out
}

// keepLatest deletes from m, a deletion time per key, all but the n latest.
// Of deletions made at the same time the lesser keys are kept, so that what
// is kept does not depend on the map's order.
func keepLatest[K comparable](m map[K]time.Time, n int, less func(a, b K) bool) {
	if len(m) <= n {
		return
	}
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if a, b := m[keys[i]], m[keys[j]]; !a.Equal(b) {
			return a.After(b)
		}
		return less(keys[i], keys[j])
	})
	for _, k := range keys[n:] {
		delete(m, k)
	}
}
