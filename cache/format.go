package cache

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// "removed" lists deletions not yet saved; FileStore applies them when it
// merges and never writes them to its file. Unknown fields are refused.
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
// fits in limit bytes: removals and refresh tokens are kept first (newest
// write first), then access tokens (latest expiry first).
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
	for _, r := range d.Removed {
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

// merge returns base updated by change, as of now: change's removals drop
// base entries written no later than the removal; change's entries replace
// base entries written no later than them; expired access tokens are
// dropped; the result carries no removals.
func merge(base, change document, now time.Time) document {
	tokens := make(map[Key]storedToken)
	for _, t := range base.AccessTokens {
		if o, ok := tokens[t.key()]; !ok || !t.Written.Before(o.Written) {
			tokens[t.key()] = t
		}
	}
	accounts := make(map[AccountKey]storedRefresh)
	for _, r := range base.RefreshTokens {
		if o, ok := accounts[r.key()]; !ok || !r.Written.Before(o.Written) {
			accounts[r.key()] = r
		}
	}
	for _, r := range change.Removed {
		if r.Token != nil {
			if t, ok := tokens[r.Token.key()]; ok && !t.Written.After(r.At) {
				delete(tokens, r.Token.key())
			}
		} else if a, ok := accounts[r.Account.key()]; ok && !a.Written.After(r.At) {
			delete(accounts, r.Account.key())
		}
	}
	for _, t := range change.AccessTokens {
		if o, ok := tokens[t.key()]; !ok || !t.Written.Before(o.Written) {
			tokens[t.key()] = t
		}
	}
	for _, r := range change.RefreshTokens {
		if o, ok := accounts[r.key()]; !ok || !r.Written.Before(o.Written) {
			accounts[r.key()] = r
		}
	}
	out := document{Version: formatVersion, AccessTokens: []storedToken{}, RefreshTokens: []storedRefresh{}}
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
