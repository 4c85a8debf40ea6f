package identity

import (
	"errors"
	"strings"
	"testing"
)

func TestValidTenantID(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{"guid", "72f988bf-86f1-41af-91ab-2d7cd011db47", true},
		{"domain", "contoso.onmicrosoft.com", true},
		{"organizations", "organizations", true},
		{"empty", "", false},
		{"space", "a b", false},
		{"slash", "a/b", false},
		{"query", "a?b=c", false},
		{"unicode", "tenänt", false},
		{"too long", strings.Repeat("a", maxTenantLen+1), false},
		{"at limit", strings.Repeat("a", maxTenantLen), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validTenantID(tt.id); got != tt.want {
				t.Errorf("validTenantID(%q) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}

func TestCheckScopes(t *testing.T) {
	tests := []struct {
		name   string
		scopes []string
		ok     bool
	}{
		{"one", []string{"https://management.azure.com/.default"}, true},
		{"several", []string{"User.Read", "Mail.Read", "openid"}, true},
		{"none", nil, false},
		{"empty", []string{""}, false},
		{"space", []string{"a b"}, false},
		{"quote", []string{`a"b`}, false},
		{"backslash", []string{`a\b`}, false},
		{"control", []string{"a\nb"}, false},
		{"too many", make([]string, maxScopes+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkScopes("TestCredential", tt.scopes)
			if (err == nil) != tt.ok {
				t.Fatalf("checkScopes(%q) = %v, want ok=%v", tt.scopes, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidScope) {
				t.Errorf("error %v does not wrap ErrInvalidScope", err)
			}
		})
	}
}

func TestResolveTenant(t *testing.T) {
	tests := []struct {
		name      string
		policy    tenantPolicy
		requested string
		want      string
		wantErr   error
	}{
		{"no request", tenantPolicy{tenant: "home"}, "", "home", nil},
		{"same", tenantPolicy{tenant: "home"}, "home", "home", nil},
		{"not allowed", tenantPolicy{tenant: "home"}, "other", "", ErrTenantNotAllowed},
		{"allowed", tenantPolicy{tenant: "home", allowed: []string{"other"}}, "other", "other", nil},
		{"star", tenantPolicy{tenant: "home", allowed: []string{"*"}}, "other", "other", nil},
		{"invalid request", tenantPolicy{tenant: "home", allowed: []string{"*"}}, "a/b", "", ErrInvalidTenantID},
		{"disabled", tenantPolicy{tenant: "home", disableMulti: true}, "other", "home", nil},
		{"adfs ignores", tenantPolicy{tenant: "adfs", allowed: []string{"*"}}, "other", "adfs", nil},
		{"no configured tenant", tenantPolicy{}, "other", "other", nil},
		{"no configured tenant invalid", tenantPolicy{}, "x y", "", ErrInvalidTenantID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.policy.resolve("TestCredential", tt.requested)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("resolve(%q) error = %v, want %v", tt.requested, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("resolve(%q) = %q, %v; want %q", tt.requested, got, err, tt.want)
			}
		})
	}
}

func TestTenantPolicyFromEnvironment(t *testing.T) {
	t.Setenv(envDisableMultiTenantAuth, "true")
	p := newTenantPolicy("home", []string{"*"})
	if got, _ := p.resolve("TestCredential", "other"); got != "home" {
		t.Errorf("with %s set, resolve(other) = %q, want home", envDisableMultiTenantAuth, got)
	}
}

func TestAllowedTenantsFromEnvironment(t *testing.T) {
	tests := []struct {
		value string
		want  []string
	}{
		{"", nil},
		{"a;b", []string{"a", "b"}},
		{" a ; ;b;", []string{"a", "b"}},
		{"a;*;b", []string{"*"}},
	}
	for _, tt := range tests {
		t.Setenv(envAdditionallyAllowedTenants, tt.value)
		o := ClientOptions{}
		if got := o.allowedTenants(); strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s=%q: got %q, want %q", envAdditionallyAllowedTenants, tt.value, got, tt.want)
		}
	}
	t.Setenv(envAdditionallyAllowedTenants, "a")
	o := ClientOptions{AdditionallyAllowedTenants: []string{"b"}}
	if got := o.allowedTenants(); len(got) != 1 || got[0] != "b" {
		t.Errorf("the option must win over the environment: got %q", got)
	}
}

func TestNormalizeAuthority(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://login.microsoftonline.com/", "https://login.microsoftonline.com/", true},
		{"https://login.microsoftonline.com", "https://login.microsoftonline.com/", true},
		{"login.microsoftonline.us", "https://login.microsoftonline.us/", true},
		{"https://adfs.contoso.com/adfs/", "https://adfs.contoso.com/adfs/", true},
		{"http://login.microsoftonline.com/", "", false},
		{"https://user:pw@login.microsoftonline.com/", "", false},
		{"https://login.microsoftonline.com/?x=1", "", false},
		{"https://", "", false},
	}
	for _, tt := range tests {
		got, err := normalizeAuthority("TestCredential", tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("normalizeAuthority(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && (!errors.Is(err, ErrInvalidAuthority) || strings.Contains(err.Error(), "pw")) {
			t.Errorf("normalizeAuthority(%q) error %q: want ErrInvalidAuthority without user info", tt.in, err)
		}
	}
	t.Setenv(envAuthorityHost, "https://login.chinacloudapi.cn")
	o := ClientOptions{}
	if got, _ := o.authority("TestCredential"); got != AzureChina {
		t.Errorf("from %s: got %q, want %q", envAuthorityHost, got, AzureChina)
	}
	o.AuthorityHost = AzureGovernment
	if got, _ := o.authority("TestCredential"); got != AzureGovernment {
		t.Errorf("the option must win over the environment: got %q", got)
	}
}

func TestScopeLengthLimit(t *testing.T) {
	if err := checkScopes("TestCredential", []string{strings.Repeat("a", maxScopeLen)}); err != nil {
		t.Errorf("a scope of maxScopeLen bytes: %v", err)
	}
	if err := checkScopes("TestCredential", []string{strings.Repeat("a", maxScopeLen+1)}); !errors.Is(err, ErrInvalidScope) {
		t.Errorf("a scope of maxScopeLen+1 bytes: %v", err)
	}
}
