package devcli

import (
	"errors"
	"strings"
	"testing"
)

func TestValidators(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) error
		in    string
		ok    bool
	}{
		{"scope v2", ValidScope, "https://management.azure.com/.default", true},
		{"scope api", ValidScope, "api://0b7e57e5-0000-4000-8000-000000000001/user_impersonation", true},
		{"scope resource", ValidScope, "https://vault.azure.net", true},
		{"scope empty", ValidScope, "", false},
		{"scope injection", ValidScope, "x; touch /tmp/p", false},
		{"scope subshell", ValidScope, "$(id)", false},
		{"scope space", ValidScope, "https://a b", false},
		{"scope quote", ValidScope, "https://a'b", false},
		{"scope ampersand", ValidScope, "https://a&b", false},
		{"scope percent", ValidScope, "https://a%20b", false},
		{"scope query", ValidScope, "https://a/?x=1", false},
		{"scope non-ascii", ValidScope, "https://é.example", false},
		{"scope newline", ValidScope, "https://a\n", false},
		{"scope leading dash", ValidScope, "--debug", false},
		{"scope inner dash", ValidScope, "https://my-app.example/.default", true},
		{"tenant guid", ValidTenant, "7e57e57e-0000-4000-8000-000000000001", true},
		{"tenant domain", ValidTenant, "contoso.onmicrosoft.com", true},
		{"tenant special", ValidTenant, "organizations", true},
		{"tenant empty", ValidTenant, "", false},
		{"tenant space", ValidTenant, "contoso com", false},
		{"tenant slash", ValidTenant, "contoso/x", false},
		{"tenant underscore", ValidTenant, "con_toso", false},
		{"tenant colon", ValidTenant, "a:b", false},
		{"tenant leading dash", ValidTenant, "-contoso", false},
		{"subscription guid", ValidSubscription, "6f9f3a4b-0000-4000-8000-0000000000aa", true},
		{"subscription name", ValidSubscription, "My Dev Sub_2.0", true},
		{"subscription quote", ValidSubscription, `My "Sub"`, false},
		{"subscription apostrophe", ValidSubscription, "Bob's sub", false},
		{"subscription semicolon", ValidSubscription, "a;b", false},
		{"subscription empty", ValidSubscription, "", false},
		{"subscription leading dash", ValidSubscription, "-x", false},
		{"subscription tab", ValidSubscription, "a\tb", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("check(%q) = %v, want ok=%v", tt.in, err, tt.ok)
			}
			var ve *ValidationError
			if err != nil && (!errors.As(err, &ve) || ve.Value != tt.in) {
				t.Errorf("check(%q) = %#v, want a *ValidationError holding the value", tt.in, err)
			}
		})
	}
}

func TestValidationErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{ValidScope("x; touch /tmp/p"), `devcli: invalid scope "x; touch /tmp/p": only letters, digits, '.', '-', '_', ':' and '/' are allowed, not first '-'`},
		{ValidTenant("a b"), `devcli: invalid tenant ID "a b": only letters, digits, '-' and '.' are allowed, not first '-'; see https://learn.microsoft.com/partner-center/find-ids-and-domain-names`},
		{ValidSubscription(`x"y`), `devcli: subscription "x\"y" contains invalid characters (only letters, digits, '_', '-', '.' and space are allowed, not first '-'); if this is the name of a subscription, use its ID instead`},
		{ValidScope(strings.Repeat("é", 100)), `devcli: invalid scope "` + strings.Repeat("é", 50) + `...": only letters, digits, '.', '-', '_', ':' and '/' are allowed, not first '-'`},
	}
	for _, tt := range tests {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("got  %v\nwant %s", tt.err, tt.want)
		}
	}
}

func TestResource(t *testing.T) {
	tests := []struct {
		name    string
		scopes  []string
		want    string
		wantErr string
	}{
		{"management", []string{"https://management.azure.com/.default"}, "https://management.azure.com", ""},
		{"vault", []string{"https://vault.azure.net/.default"}, "https://vault.azure.net", ""},
		{"api", []string{"api://xyz/.default"}, "api://xyz", ""},
		{"trailing slash kept", []string{"https://management.core.windows.net//.default"}, "https://management.core.windows.net/", ""},
		{"no suffix", []string{"https://graph.microsoft.com/User.Read"}, "https://graph.microsoft.com/User.Read", ""},
		{"suffix only once", []string{"a/.default/.default"}, "a/.default", ""},
		{"suffix alone", []string{"/.default"}, "", `devcli: invalid scope "/.default"`},
		{"none", nil, "", "devcli: got 0 scopes; this tool takes exactly one scope per token request"},
		{"two", []string{"a", "b"}, "", "devcli: got 2 scopes; this tool takes exactly one scope per token request"},
		{"bad", []string{"x; touch /tmp/p"}, "", `devcli: invalid scope "x; touch /tmp/p"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resource(tt.scopes)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("Resource(%q) = %q, %v; want error %q", tt.scopes, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Resource(%q) = %q, %v; want %q", tt.scopes, got, err, tt.want)
			}
		})
	}
}
