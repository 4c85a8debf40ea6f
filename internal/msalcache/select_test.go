package msalcache

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestSelect is the account-selection table of spec/PROTOCOL.md 10.3 over
// testdata/multi_account.json: alice@contoso.com (with a second, guest
// entry), bob@contoso.com and alice@fabrikam.com in the public cloud,
// erin@fabrikam.com there under the alias login.windows.net,
// carol@contoso.com without a family refresh token, and dave@contoso.cn in
// the China cloud.
func TestSelect(t *testing.T) {
	all := parseFixture(t, "multi_account.json")
	one, err := Parse([]byte(`{"Account":{"k":{"home_account_id":"u1.t1","environment":"login.microsoftonline.com","realm":"t1","username":"solo@contoso.com"}},
		"RefreshToken":{"r":{"secret":"placeholder-rt-solo","home_account_id":"u1.t1","environment":"login.microsoftonline.com","client_id":"` + DeveloperClientID + `","family_id":"1"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	// One home account, two entries whose usernames differ (the first
	// written without one): the account is found by either.
	twoNames, err := Parse([]byte(`{"Account":{
		"a":{"home_account_id":"u2.t2","environment":"login.microsoftonline.com","realm":"t2"},
		"b":{"home_account_id":"u2.t2","environment":"login.microsoftonline.com","realm":"guest","username":"grace@fabrikam.com"}},
		"RefreshToken":{"r":{"secret":"placeholder-rt-grace","home_account_id":"u2.t2","environment":"login.microsoftonline.com","client_id":"` + DeveloperClientID + `","family_id":"1"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	empty, err := Parse([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		cache       *Cache
		host        string
		username    string
		tenant      string
		wantUser    string   // the account chosen
		wantHome    string   // its home_account_id
		wantErr     error    // ErrNoAccounts or ErrNoMatch
		wantSeveral []string // usernames of a *MultipleAccountsError
		wantIn      string   // in the error text
	}{
		{name: "none: empty cache", cache: empty, wantErr: ErrNoAccounts, wantIn: "no accounts were found in the cache"},
		{name: "none: no account in this cloud", cache: all, host: "login.microsoftonline.us", wantErr: ErrNoAccounts},
		{name: "one: only account", cache: one, wantUser: "solo@contoso.com", wantHome: "u1.t1"},
		{name: "one: only account in the China cloud", cache: all, host: "https://login.chinacloudapi.cn/", wantUser: "dave@contoso.cn", wantHome: "ffff.tenant-china"},
		{name: "several: no filters", cache: all,
			wantSeveral: []string{"alice@contoso.com", "alice@fabrikam.com", "bob@contoso.com", "erin@fabrikam.com"},
			wantIn:      `multiple accounts were found in the cache ("alice@contoso.com", "alice@fabrikam.com", "bob@contoso.com", "erin@fabrikam.com"); set a username and tenant ID to choose one`},
		{name: "by username", cache: all, username: "bob@contoso.com", wantUser: "bob@contoso.com", wantHome: "bbbb.tenant-contoso"},
		{name: "by username: two entries of one home account", cache: all, username: "alice@contoso.com", wantUser: "alice@contoso.com", wantHome: "aaaa.tenant-contoso"},
		{name: "by username: the second entry of a home account", cache: twoNames, username: "grace@fabrikam.com", wantUser: "grace@fabrikam.com", wantHome: "u2.t2"},
		{name: "by username: through an alias", cache: all, host: "sts.windows.net", username: "erin@fabrikam.com", wantUser: "erin@fabrikam.com", wantHome: "gggg.tenant-fabrikam"},
		{name: "by username: case-sensitive", cache: all, username: "BOB@contoso.com", wantErr: ErrNoMatch,
			wantIn: `no account in the cache matches username "BOB@contoso.com" (accounts found: "alice@contoso.com", "alice@fabrikam.com", "bob@contoso.com", "erin@fabrikam.com")`},
		{name: "by username: no family refresh token", cache: all, username: "carol@contoso.com", wantErr: ErrNoMatch},
		{name: "by username: other cloud", cache: all, username: "dave@contoso.cn", wantErr: ErrNoMatch},
		{name: "by tenant: one", cache: one, tenant: "t1", wantUser: "solo@contoso.com", wantHome: "u1.t1"},
		{name: "by tenant: several", cache: all, tenant: "tenant-fabrikam",
			wantSeveral: []string{"alice@fabrikam.com", "erin@fabrikam.com"},
			wantIn:      `multiple accounts matching tenant "tenant-fabrikam" were found in the cache ("alice@fabrikam.com", "erin@fabrikam.com")`},
		{name: "by tenant: home tenant, not a guest realm", cache: all, tenant: "tenant-contoso",
			wantSeveral: []string{"alice@contoso.com", "bob@contoso.com"}},
		{name: "by tenant: none", cache: all, tenant: "tenant-nowhere", wantErr: ErrNoMatch, wantIn: `matches tenant "tenant-nowhere"`},
		{name: "both", cache: all, username: "alice@fabrikam.com", tenant: "tenant-fabrikam", wantUser: "alice@fabrikam.com", wantHome: "cccc.tenant-fabrikam"},
		{name: "both: tenant case-insensitive", cache: all, username: "bob@contoso.com", tenant: "TENANT-CONTOSO", wantUser: "bob@contoso.com", wantHome: "bbbb.tenant-contoso"},
		{name: "both: no match", cache: all, username: "alice@contoso.com", tenant: "tenant-fabrikam", wantErr: ErrNoMatch,
			wantIn: `matches username "alice@contoso.com" tenant "tenant-fabrikam"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.cache.Select(tt.host, tt.username, tt.tenant)
			if tt.wantUser != "" {
				if err != nil || got.Username != tt.wantUser || got.HomeAccountID != tt.wantHome {
					t.Fatalf("Select(%q, %q, %q) = %+v, %v; want %s (%s)", tt.host, tt.username, tt.tenant, got, err, tt.wantUser, tt.wantHome)
				}
				return
			}
			if err == nil || got != (Account{}) {
				t.Fatalf("Select(%q, %q, %q) = %+v, %v; want an error", tt.host, tt.username, tt.tenant, got, err)
			}
			var multi *MultipleAccountsError
			switch {
			case tt.wantSeveral != nil:
				if !errors.As(err, &multi) || !reflect.DeepEqual(multi.Usernames, tt.wantSeveral) ||
					multi.Username != tt.username || multi.Tenant != tt.tenant {
					t.Fatalf("Select = %v; want *MultipleAccountsError with %q", err, tt.wantSeveral)
				}
			case !errors.Is(err, tt.wantErr):
				t.Fatalf("Select = %v; want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Fatalf("error %q\ndoes not say %q", err, tt.wantIn)
			}
			if strings.Contains(err.Error(), "placeholder") || strings.Contains(err.Error(), "tenant-china") && tt.tenant == "" {
				t.Fatalf("error %q says more than usernames", err)
			}
		})
	}
}

func TestRefreshTokensOrderAndCloud(t *testing.T) {
	c, err := Parse([]byte(`{"RefreshToken":{
		"a":{"secret":"placeholder-family-1","home_account_id":"u.t","environment":"login.windows.net","client_id":"other","family_id":"1"},
		"b":{"secret":"placeholder-own","home_account_id":"u.t","environment":"login.microsoftonline.com","client_id":"` + DeveloperClientID + `"},
		"c":{"secret":"placeholder-not-family","home_account_id":"u.t","environment":"login.microsoftonline.com","client_id":"other"},
		"d":{"secret":"placeholder-china","home_account_id":"u.t","environment":"login.chinacloudapi.cn","client_id":"` + DeveloperClientID + `","family_id":"1"},
		"e":{"secret":"placeholder-someone-else","home_account_id":"v.t","environment":"login.microsoftonline.com","client_id":"` + DeveloperClientID + `","family_id":"1"},
		"f":{"secret":"placeholder-family-1","home_account_id":"u.t","environment":"login.microsoftonline.com","client_id":"other2","family_id":"1"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got := c.RefreshTokens(Account{HomeAccountID: "u.t", Environment: "login.microsoftonline.com"}, DeveloperClientID)
	want := []string{"placeholder-own", "placeholder-family-1"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("RefreshTokens = %q, want %q", got, want)
	}
}
