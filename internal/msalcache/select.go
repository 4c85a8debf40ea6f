package msalcache

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DeveloperClientID is the client that redeems the shared cache's refresh
// tokens: the Microsoft developer sign-on client (Azure CLI's public client),
// a member of the Microsoft family of client IDs (spec/PROTOCOL.md 10.4 and
// 16).
const DeveloperClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

// ErrNoAccounts reports a cache with no account that the developer client
// can use in the requested cloud (spec/PROTOCOL.md 10.3, step 3).
var ErrNoAccounts = errors.New("msalcache: no accounts were found in the cache")

// ErrNoMatch reports that no usable account matches the username and tenant
// asked for (spec/PROTOCOL.md 10.3, step 5). The error that wraps it lists
// the usernames that are there.
var ErrNoMatch = errors.New("msalcache: no account in the cache matches")

// MultipleAccountsError reports several usable accounts where one was
// needed (spec/PROTOCOL.md 10.3, step 5).
type MultipleAccountsError struct {
	Username, Tenant string   // the filters asked for; empty when not given
	Usernames        []string // of the accounts found, sorted, without repeats
}

// Error lists the usernames found, so the user can choose one.
func (e *MultipleAccountsError) Error() string {
	if e.Username == "" && e.Tenant == "" {
		return "msalcache: multiple accounts were found in the cache (" + listNames(e.Usernames) +
			"); set a username and tenant ID to choose one"
	}
	return "msalcache: multiple accounts matching " + filters(e.Username, e.Tenant) +
		" were found in the cache (" + listNames(e.Usernames) + ")"
}

// Select chooses the account whose refresh tokens the developer client may
// redeem at authorityHost (spec/PROTOCOL.md 10.3): accounts in the cloud of
// authorityHost (any of its aliases) that have a refresh token of the
// Microsoft family of client IDs, then those whose username is username
// (exact, case-sensitive) and whose home tenant is tenant (case-insensitive),
// each filter applied only when given. It fails with ErrNoAccounts when
// there is no usable account, with an error wrapping ErrNoMatch when the
// filters leave none, and with *MultipleAccountsError when they leave
// several. authorityHost is a host or an https URL; empty means the public
// cloud.
func (c *Cache) Select(authorityHost, username, tenant string) (Account, error) {
	aliases := cloudAliases(authorityHost)
	// Step 1 and 2: accounts in this cloud with a family refresh token. MSAL
	// keeps an account entry per tenant the user visited; they share the
	// home account and its refresh tokens, so each home account counts once,
	// in usable and in matched. Step 4, the filters, looks at every entry:
	// the home account matches when any of its entries does.
	var usable, matched []Account
	seen, seenMatch := map[string]bool{}, map[string]bool{}
	for _, a := range c.accounts {
		if !inCloud(a.Environment, aliases) || !c.hasFamilyToken(a.HomeAccountID, aliases) {
			continue
		}
		if !seen[a.HomeAccountID] {
			seen[a.HomeAccountID] = true
			usable = append(usable, a)
		}
		if (username == "" || a.Username == username) && (tenant == "" || strings.EqualFold(a.tenant(), tenant)) &&
			!seenMatch[a.HomeAccountID] {
			seenMatch[a.HomeAccountID] = true
			matched = append(matched, a)
		}
	}
	if len(usable) == 0 {
		return Account{}, ErrNoAccounts
	}
	switch len(matched) {
	case 1:
		return matched[0], nil
	case 0:
		return Account{}, fmt.Errorf("%w %s (accounts found: %s)", ErrNoMatch, filters(username, tenant), listNames(usernames(usable)))
	}
	return Account{}, &MultipleAccountsError{Username: username, Tenant: tenant, Usernames: usernames(matched)}
}

func (c *Cache) hasFamilyToken(homeAccountID string, aliases []string) bool {
	for _, rt := range c.refreshTokens {
		if rt.homeAccountID == homeAccountID && rt.familyID != "" && inCloud(rt.environment, aliases) {
			return true
		}
	}
	return false
}

// RefreshTokens returns the refresh tokens of account a that clientID may
// redeem, to be tried in order until one works (spec/PROTOCOL.md 10.4):
// first those issued to clientID itself, then those of the Microsoft family
// of client IDs ("Tokens of other client ids are usable only through the
// Microsoft family of client ids"). Only tokens of a's cloud are returned.
func (c *Cache) RefreshTokens(a Account, clientID string) []string {
	aliases := cloudAliases(a.Environment)
	var own, family []string
	seen := map[string]bool{}
	for _, rt := range c.refreshTokens {
		if rt.homeAccountID != a.HomeAccountID || !inCloud(rt.environment, aliases) || seen[rt.secret] {
			continue
		}
		switch {
		case rt.clientID == clientID:
			own = append(own, rt.secret)
		case rt.familyID != "":
			family = append(family, rt.secret)
		default:
			continue
		}
		seen[rt.secret] = true
	}
	return append(own, family...)
}

// AccessToken returns a cached access token of account a for clientID that
// covers every scope and stays valid more than 300 s after now
// (spec/PROTOCOL.md 10.4), the one that lasts longest. ok is false when
// there is none.
func (c *Cache) AccessToken(a Account, clientID string, scopes []string, now time.Time) (token string, expiresOn time.Time, ok bool) {
	aliases := cloudAliases(a.Environment)
	for _, at := range c.accessTokens {
		if at.homeAccountID != a.HomeAccountID || at.clientID != clientID || !inCloud(at.environment, aliases) ||
			!at.expiresOn.After(now.Add(minRemaining)) || !covers(at.target, scopes) {
			continue
		}
		if !ok || at.expiresOn.After(expiresOn) {
			token, expiresOn, ok = at.secret, at.expiresOn, true
		}
	}
	return token, expiresOn, ok
}

// covers reports whether the space-separated target holds every scope.
func covers(target string, scopes []string) bool {
	if len(scopes) == 0 {
		return false
	}
	have := strings.Fields(target)
	for _, s := range scopes {
		found := false
		for _, h := range have {
			if h == s {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// usernames returns the sorted usernames of accounts, without repeats.
func usernames(accounts []Account) []string {
	var names []string
	seen := map[string]bool{}
	for _, a := range accounts {
		if !seen[a.Username] {
			seen[a.Username] = true
			names = append(names, a.Username)
		}
	}
	sort.Strings(names)
	return names
}

func listNames(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		if n == "" {
			quoted[i] = "(no username)"
		} else {
			quoted[i] = strconv.Quote(n)
		}
	}
	return strings.Join(quoted, ", ")
}

func filters(username, tenant string) string {
	var f []string
	if username != "" {
		f = append(f, "username "+strconv.Quote(username))
	}
	if tenant != "" {
		f = append(f, "tenant "+strconv.Quote(tenant))
	}
	return strings.Join(f, " ")
}
