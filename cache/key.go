package cache

import (
	"crypto/sha256"
	"encoding/base64"
	"sort"
	"strings"
)

// Key identifies one cached access token. It is comparable and is used as a
// map key directly. Claims are never part of it (DESIGN.md, "Claims").
type Key struct {
	Authority string // e.g. "https://login.microsoftonline.com/" or a managed identity source name
	Tenant    string
	ClientID  string // or the managed identity id ("" for system-assigned)
	Scopes    string // canonical form from ScopeKey
	CAE       bool   // spec/PROTOCOL.md 2.11: CAE and non-CAE tokens are cached separately
	Subject   string // hash of an OBO user assertion, or a home account id; "" for app tokens
}

// ScopeKey returns the canonical scope string: for one scope, the scope
// itself (no allocation); for several, sorted, de-duplicated and joined with
// single spaces, empty scopes dropped. No scopes give "".
func ScopeKey(scopes []string) string {
	switch len(scopes) {
	case 0:
		return ""
	case 1:
		return scopes[0]
	}
	s := make([]string, 0, len(scopes))
	for _, v := range scopes {
		if v != "" {
			s = append(s, v)
		}
	}
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return strings.Join(out, " ")
}

// HashSubject returns a short stable text hash of s, for Key.Subject, so that
// a user assertion is never kept as a key: base64url of its SHA-256 with
// padding, as MSAL Go keys on-behalf-of tokens (spec/PROTOCOL.md 5.6).
func HashSubject(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.URLEncoding.EncodeToString(sum[:])
}

// AccountKey identifies one refresh token: one per authority, client and
// account.
type AccountKey struct {
	Authority     string
	ClientID      string
	HomeAccountID string // "<uid>.<utid>" from client_info (spec/PROTOCOL.md 10.2)
}
