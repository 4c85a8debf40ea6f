package msalcache

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The fixtures in testdata/ are hand-made from the schema in
// spec/PROTOCOL.md 10.2; each says so in its "_source" member, which the
// parser ignores as an unknown section.

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func parseFixture(t *testing.T, name string) *Cache {
	t.Helper()
	c, err := Parse(readFixture(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return c
}

func TestParseMSALPython(t *testing.T) {
	c := parseFixture(t, "msal_python.json")
	want := []Account{{
		HomeAccountID: "9f4880d8-80ba-4c40-97bc-f7a23c703084.72f988bf-86f1-41af-91ab-2d7cd011db47",
		Environment:   "login.microsoftonline.com", Realm: "72f988bf-86f1-41af-91ab-2d7cd011db47",
		Username: "ada@contoso.com",
	}}
	if got := c.Accounts(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Accounts = %+v, want %+v", got, want)
	}
	a, err := c.Select("https://login.microsoftonline.com/", "", "")
	if err != nil || a != want[0] {
		t.Fatalf("Select = %+v, %v", a, err)
	}
	if rts := c.RefreshTokens(a, DeveloperClientID); !reflect.DeepEqual(rts, []string{"placeholder-refresh-token-azure-cli"}) {
		t.Fatalf("RefreshTokens = %q", rts)
	}
	now := time.Unix(1700000000, 0)
	tok, exp, ok := c.AccessToken(a, DeveloperClientID, []string{"https://management.core.windows.net//.default"}, now)
	if !ok || tok != "placeholder-access-token-management" || !exp.Equal(time.Unix(4102444800, 0)) {
		t.Fatalf("AccessToken = %q, %v, %v", tok, exp, ok)
	}
	// The vault token expires 3600 s after now: valid, but not for 300 s more
	// once now is 3400 s on.
	if _, _, ok := c.AccessToken(a, DeveloperClientID, []string{"https://vault.azure.net/.default"}, now.Add(3400*time.Second)); ok {
		t.Fatal("AccessToken returned a token with less than 300 s left")
	}
	if tok, _, ok := c.AccessToken(a, DeveloperClientID, []string{"https://vault.azure.net/.default"}, now); !ok || tok != "placeholder-access-token-vault-expired" {
		t.Fatalf("AccessToken(vault) = %q, %v", tok, ok)
	}
	if _, _, ok := c.AccessToken(a, "another-client", []string{"https://vault.azure.net/.default"}, now); ok {
		t.Fatal("AccessToken returned another client's token")
	}
	if _, _, ok := c.AccessToken(a, DeveloperClientID, []string{"https://vault.azure.net/.default", "openid"}, now); ok {
		t.Fatal("AccessToken returned a token that lacks a scope")
	}
}

func TestParseMSALNet(t *testing.T) {
	c := parseFixture(t, "msal_net.json")
	// Two account entries for one home account (a guest tenant): one account.
	a, err := c.Select("login.microsoftonline.com", "grace@fabrikam.com", "")
	if err != nil || a.HomeAccountID != "5a3b1c2d-0000-4000-8000-00000000000a.f8cdef31-a31e-4b4a-93e4-5f571e91255a" {
		t.Fatalf("Select = %+v, %v", a, err)
	}
	// Visual Studio's own token is not the developer client's and not of the
	// family: only the family token is usable. Visual Studio itself gets
	// its own token first.
	if rts := c.RefreshTokens(a, DeveloperClientID); !reflect.DeepEqual(rts, []string{"placeholder-family-refresh-token"}) {
		t.Fatalf("RefreshTokens(developer) = %q", rts)
	}
	want := []string{"placeholder-visual-studio-own-refresh-token", "placeholder-family-refresh-token"}
	if rts := c.RefreshTokens(a, "04f0c124-f2bc-4f59-8241-bf6df9866bbd"); !reflect.DeepEqual(rts, want) {
		t.Fatalf("RefreshTokens(Visual Studio) = %q, want %q", rts, want)
	}
	// Entries of login.windows.net are found from any public-cloud alias,
	// and not from another cloud.
	if _, err := c.Select("login.microsoft.com", "", ""); err != nil {
		t.Fatalf("Select through an alias: %v", err)
	}
	if _, err := c.Select("login.chinacloudapi.cn", "", ""); !errors.Is(err, ErrNoAccounts) {
		t.Fatalf("Select in China = %v, want ErrNoAccounts", err)
	}
}

func TestParseTolerates(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		accounts int
	}{
		{name: "empty object", data: `{}`},
		{name: "byte order mark", data: "\xef\xbb\xbf{}"},
		{name: "null sections and entries", data: `{"Account":null,"RefreshToken":{"k":null}}`},
		{name: "unknown section of any type", data: `{"Future":[1,2,3],"Other":"x"}`},
		{name: "unknown fields of any type", data: `{"Account":{"k":{"home_account_id":"u.t","environment":"e","extra":{"a":[1]},"n":5}}}`, accounts: 1},
		{name: "entry missing home_account_id is ignored", data: `{"Account":{"k":{"environment":"e","username":"x"}}}`},
		{name: "null field", data: `{"Account":{"k":{"home_account_id":"u.t","environment":"e","username":null}}}`, accounts: 1},
		{name: "field names are case-sensitive", data: `{"Account":{"k":{"Home_Account_Id":"u.t","environment":"e"}}}`},
		{name: "section names are case-sensitive", data: `{"account":{"k":{"home_account_id":"u.t","environment":"e"}}}`},
		{name: "IdToken fields are not read", data: `{"IdToken":{"k":{"secret":5}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.data))
			if err != nil {
				t.Fatalf("Parse(%s): %v", tt.data, err)
			}
			if len(c.Accounts()) != tt.accounts {
				t.Fatalf("Parse(%s): %d accounts, want %d", tt.data, len(c.Accounts()), tt.accounts)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	const secret = "placeholder-secret-value"
	tests := []struct {
		name   string
		data   string
		wantIn string
	}{
		{name: "empty", data: ``, wantIn: "not a JSON object"},
		{name: "null", data: `null`, wantIn: "not a JSON object"},
		{name: "array", data: `[]`, wantIn: "not a JSON object"},
		{name: "syntax error", data: `{"Account":{"k":{"secret":"` + secret + `"x}}}`, wantIn: "invalid JSON at byte"},
		{name: "trailing data", data: `{} {}`, wantIn: "invalid JSON"},
		{name: "section not an object", data: `{"RefreshToken":["` + secret + `"]}`, wantIn: "section RefreshToken: not a JSON object"},
		{name: "entry not an object", data: `{"RefreshToken":{"k":"` + secret + `"}}`, wantIn: "an entry: not a JSON object"},
		{name: "secret not a string", data: `{"RefreshToken":{"k":{"secret":1234567890}}}`, wantIn: `field "secret" is not a string`},
		{name: "username not a string", data: `{"Account":{"k":{"username":["` + secret + `"]}}}`, wantIn: `field "username" is not a string`},
		{name: "expires_on a number", data: `{"AccessToken":{"k":{"secret":"` + secret + `","expires_on":4102444800}}}`, wantIn: `field "expires_on" is not a string`},
		{name: "expires_on not digits", data: `{"AccessToken":{"k":{"secret":"` + secret + `","expires_on":"soon"}}}`, wantIn: `field "expires_on" is not a string of Unix seconds`},
		{name: "expires_on negative", data: `{"AccessToken":{"k":{"expires_on":"-1"}}}`, wantIn: "Unix seconds"},
		{name: "expires_on too long", data: `{"AccessToken":{"k":{"expires_on":"1234567890123456789"}}}`, wantIn: "more than 18 digits"},
		{name: "too large", data: `{"x":"` + strings.Repeat("a", MaxCacheSize) + `"}`, wantIn: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.data))
			if err == nil || c != nil || !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse = %v, %v; want ErrMalformed", c, err)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Fatalf("error %q does not say %q", err, tt.wantIn)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "'") {
				t.Fatalf("error %q quotes the input", err)
			}
		})
	}
}

func TestCacheNeverPrintsTokens(t *testing.T) {
	c := parseFixture(t, "msal_python.json")
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("cache", "c", *c)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", *c), fmt.Sprintf("%#v", c), fmt.Sprintf("%v", *c), logged.String()} {
		if strings.Contains(s, "placeholder") {
			t.Fatalf("printed cache shows a token: %s", s)
		}
	}
	if got := c.String(); got != "msalcache.Cache{1 accounts, 1 refresh tokens, 2 access tokens}" {
		t.Fatalf("String() = %s", got)
	}
}

// FuzzParse: no panic, nil with every error, no input text in errors, and
// every account found selectable by its own username and tenant or reported
// as ambiguous.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"msal_python.json", "msal_net.json", "multi_account.json"} {
		f.Add(readFixture(f, name))
	}
	for _, s := range []string{`{}`, `null`, `{"Account":{"k":{"home_account_id":"u.t","environment":"e"}}}`,
		`{"AccessToken":{"k":{"expires_on":"99999999999999999"}}}`, `{"RefreshToken":{"k":{"secret":"s","home_account_id":"u.t","environment":"e","family_id":"1"}}}`} {
		f.Add([]byte(s))
	}
	// Seeds at the size limit: one under, at, one over.
	for _, n := range []int{MaxCacheSize - 1, MaxCacheSize, MaxCacheSize + 1} {
		f.Add([]byte(`{"x":"` + strings.Repeat("a", n-8) + `"}`))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			if c != nil {
				t.Fatalf("error %v with a cache", err)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			if strings.Contains(err.Error(), "'") {
				t.Fatalf("error %q quotes input", err)
			}
			return
		}
		for _, a := range c.Accounts() {
			if a.HomeAccountID == "" || a.Environment == "" {
				t.Fatalf("account %+v lacks an ID or environment", a)
			}
			got, err := c.Select(a.Environment, a.Username, a.tenant())
			var multi *MultipleAccountsError
			switch {
			case err == nil:
				// An empty username selects by tenant alone: any account
				// may answer it.
				if a.Username != "" && got.Username != a.Username {
					t.Fatalf("Select(%q) = %+v", a.Username, got)
				}
			case errors.Is(err, ErrNoAccounts), errors.Is(err, ErrNoMatch), errors.As(err, &multi):
			default:
				t.Fatalf("Select: unexpected error %v", err)
			}
		}
	})
}
