package msalcache

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"time"
)

// ErrMalformed reports a cache that is not the MSAL unified cache format.
var ErrMalformed = errors.New("msalcache: malformed cache")

// Account is an MSAL account entry (spec/PROTOCOL.md 10.2): who signed in,
// in which cloud and tenant. None of it is secret.
type Account struct {
	HomeAccountID string // "<uid>.<utid>": object ID and home tenant ID
	Environment   string // authority host, such as login.microsoftonline.com
	Realm         string // tenant of this account entry
	Username      string // preferred_username or upn
}

// tenant is the home tenant of a: "the part after the . in home_account_id"
// (spec/PROTOCOL.md 10.3).
func (a Account) tenant() string {
	for i := len(a.HomeAccountID) - 1; i >= 0; i-- {
		if a.HomeAccountID[i] == '.' {
			return a.HomeAccountID[i+1:]
		}
	}
	return ""
}

type refreshToken struct {
	secret        string
	homeAccountID string
	environment   string
	clientID      string
	familyID      string // "1" for the Microsoft family of client IDs (FOCI)
}

type accessToken struct {
	secret        string
	homeAccountID string
	environment   string
	clientID      string
	target        string // space-separated scopes
	expiresOn     time.Time
}

// Cache is a parsed MSAL cache: its accounts, refresh tokens and access
// tokens, each list in the order of its entries' keys.
type Cache struct {
	accounts      []Account
	refreshTokens []refreshToken
	accessTokens  []accessToken
}

// String describes the cache without its tokens.
func (c Cache) String() string {
	return fmt.Sprintf("msalcache.Cache{%d accounts, %d refresh tokens, %d access tokens}",
		len(c.accounts), len(c.refreshTokens), len(c.accessTokens))
}

// GoString is String, so that %#v prints no token either.
func (c Cache) GoString() string { return c.String() }

// LogValue logs the counts only.
func (c Cache) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("accounts", len(c.accounts)),
		slog.Int("refresh_tokens", len(c.refreshTokens)), slog.Int("access_tokens", len(c.accessTokens)))
}

// Accounts returns the account entries, in key order.
func (c *Cache) Accounts() []Account {
	return append([]Account(nil), c.accounts...)
}

// entry is one cache entry, its fields undecoded.
type entry map[string]json.RawMessage

// Parse reads an MSAL unified cache (spec/PROTOCOL.md 10.2). A UTF-8 byte
// order mark is skipped. See the package documentation for what it refuses.
func Parse(data []byte) (*Cache, error) {
	if len(data) > MaxCacheSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrMalformed, MaxCacheSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var top map[string]json.RawMessage
	if err := decodeObject(data, &top); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	c := &Cache{}
	for _, name := range []string{"AccessToken", "RefreshToken", "IdToken", "Account", "AppMetadata"} {
		entries, err := section(top, name)
		if err != nil {
			return nil, fmt.Errorf("%w: section %s: %w", ErrMalformed, name, err)
		}
		for _, e := range entries {
			if err := c.add(name, e); err != nil {
				return nil, fmt.Errorf("%w: section %s: %w", ErrMalformed, name, err)
			}
		}
	}
	return c, nil
}

// section returns the entries of one section, in key order. An absent or
// null section is empty; a null entry is skipped.
func section(top map[string]json.RawMessage, name string) ([]entry, error) {
	raw, ok := top[name]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := decodeObject(raw, &m); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	entries := make([]entry, 0, len(keys))
	for _, k := range keys {
		if string(m[k]) == "null" {
			continue
		}
		var e entry
		if err := decodeObject(m[k], &e); err != nil {
			return nil, fmt.Errorf("an entry: %w", err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// decodeObject decodes a JSON object into a map of raw values. Errors give
// the byte offset only: encoding/json's own messages quote input
// characters, which may belong to a token.
func decodeObject(raw []byte, m any) error {
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return errors.New("not a JSON object")
	}
	err := json.Unmarshal(raw, m)
	var syntax *json.SyntaxError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntax):
		return fmt.Errorf("invalid JSON at byte %d", syntax.Offset)
	}
	return errors.New("invalid JSON")
}

// add records the fields of one entry that selection uses.
func (c *Cache) add(section string, e entry) error {
	var err error
	str := func(name string) string {
		if err != nil {
			return ""
		}
		var s string
		s, err = e.str(name)
		return s
	}
	switch section {
	case "Account":
		a := Account{
			HomeAccountID: str("home_account_id"), Environment: str("environment"),
			Realm: str("realm"), Username: str("username"),
		}
		if err == nil && a.HomeAccountID != "" && a.Environment != "" {
			c.accounts = append(c.accounts, a)
		}
	case "RefreshToken":
		rt := refreshToken{
			secret: str("secret"), homeAccountID: str("home_account_id"), environment: str("environment"),
			clientID: str("client_id"), familyID: str("family_id"),
		}
		if err == nil && rt.secret != "" && rt.homeAccountID != "" && rt.environment != "" {
			c.refreshTokens = append(c.refreshTokens, rt)
		}
	case "AccessToken":
		at := accessToken{
			secret: str("secret"), homeAccountID: str("home_account_id"), environment: str("environment"),
			clientID: str("client_id"), target: str("target"),
		}
		expires := str("expires_on")
		if err == nil {
			at.expiresOn, err = unixTime("expires_on", expires)
		}
		if err == nil && at.secret != "" && at.homeAccountID != "" && !at.expiresOn.IsZero() {
			c.accessTokens = append(c.accessTokens, at)
		}
	}
	// IdToken and AppMetadata are checked for shape only: nothing here
	// needs their fields.
	return err
}

// str returns the string field name: "" when absent or null, an error when
// it is another JSON type. The error names the field, never its value.
func (e entry) str(name string) (string, error) {
	raw, ok := e[name]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", fmt.Errorf("field %q is not a string", name)
	}
	return s, nil
}

// unixTime parses a time field: "All numeric times are strings of Unix
// seconds" (spec/PROTOCOL.md 10.2). Empty is the zero time.
func unixTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if len(s) > maxUnixDigits {
		return time.Time{}, fmt.Errorf("field %q has more than %d digits", name, maxUnixDigits)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, fmt.Errorf("field %q is not a string of Unix seconds", name)
		}
	}
	n, _ := strconv.ParseInt(s, 10, 64) // at most 18 digits: cannot fail
	return time.Unix(n, 0), nil
}
