package vscode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/azid-go/azid/internal/secretstore"
	"github.com/azid-go/azid/internal/secretstore/fixtures"
)

func TestSettingsPath(t *testing.T) {
	env := map[string]string{"HOME": "/home/ada", "APPDATA": `C:\Users\ada\AppData\Roaming`}
	getenv := func(k string) string { return env[k] }
	none := func(string) string { return "" }
	tests := []struct {
		goos   string
		getenv func(string) string
		want   string
	}{
		{goos: "windows", getenv: getenv, want: `C:\Users\ada\AppData\Roaming\Code\User\settings.json`},
		{goos: "darwin", getenv: getenv, want: "/home/ada/Library/Application Support/Code/User/settings.json"},
		{goos: "linux", getenv: getenv, want: "/home/ada/.config/Code/User/settings.json"},
		{goos: "freebsd", getenv: getenv, want: "/home/ada/.config/Code/User/settings.json"},
		{goos: "windows", getenv: none, want: ""},
		{goos: "darwin", getenv: none, want: ""},
		{goos: "linux", getenv: none, want: ""},
	}
	for _, tt := range tests {
		if got := SettingsPath(tt.goos, tt.getenv); got != tt.want {
			t.Errorf("SettingsPath(%s) = %q, want %q", tt.goos, got, tt.want)
		}
	}
}

func TestLoadSettings(t *testing.T) {
	tests := []struct {
		file string
		want Settings
	}{
		{file: "settings_jsonc.json", want: Settings{Cloud: "AzureChinaCloud", Tenant: "contoso.partner.onmschina.cn"}},
		{file: "settings_plain.json", want: Settings{Cloud: "AzureCloud", Tenant: "72f988bf-86f1-41af-91ab-2d7cd011db47"}},
		{file: "missing.json", want: DefaultSettings},
	}
	for _, tt := range tests {
		got, err := LoadSettings(filepath.Join("testdata", tt.file))
		if err != nil || got != tt.want {
			t.Errorf("LoadSettings(%s) = %+v, %v; want %+v", tt.file, got, err, tt.want)
		}
	}
	if got, err := LoadSettings(""); err != nil || got != DefaultSettings {
		t.Errorf("LoadSettings(\"\") = %+v, %v", got, err)
	}
	big := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(big, []byte("{"+strings.Repeat(" ", MaxSettingsSize)+"}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSettings(big); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "too large") {
		t.Errorf("LoadSettings(too large) = %v", err)
	}
}

func TestParseSettings(t *testing.T) {
	const secret = "placeholder-other-extension-token"
	tests := []struct {
		name   string
		data   string
		want   Settings
		wantIn string // an error containing this
	}{
		{name: "empty file", data: "", want: DefaultSettings},
		{name: "only comments", data: "// nothing yet\n/* still nothing */", want: DefaultSettings},
		{name: "empty object", data: "{}", want: DefaultSettings},
		{name: "byte order mark", data: "\xef\xbb\xbf{\"azure.cloud\":\"AzureUSGovernment\"}", want: Settings{Cloud: "AzureUSGovernment", Tenant: DefaultTenant}},
		{name: "empty values are unset", data: `{"azure.cloud":"","azure.tenant":""}`, want: DefaultSettings},
		{name: "null values are unset", data: `{"azure.cloud":null}`, want: DefaultSettings},
		{name: "last duplicate wins", data: `{"azure.tenant":"a","azure.tenant":"b"}`, want: Settings{Cloud: DefaultCloud, Tenant: "b"}},
		{name: "comment markers in strings", data: `{"azure.tenant":"a//b/*c*/d"}`, want: Settings{Cloud: DefaultCloud, Tenant: "a//b/*c*/d"}},
		{name: "escaped quote before comment marker", data: `{"x":"\"//","azure.cloud":"AzureCloud"}`, want: DefaultSettings},
		{name: "trailing commas with comments between", data: "{\"azure.cloud\":\"AzureGermanCloud\", // c\n /* d */ }", want: Settings{Cloud: "AzureGermanCloud", Tenant: DefaultTenant}},
		{name: "trailing comma in array", data: `{"a":[1,2,],"azure.tenant":"t"}`, want: Settings{Cloud: DefaultCloud, Tenant: "t"}},
		{name: "comma inside string kept", data: `{"azure.tenant":",}"}`, want: Settings{Cloud: DefaultCloud, Tenant: ",}"}},
		{name: "nested azure object is not read", data: `{"azure":{"cloud":"AzureChinaCloud"}}`, want: DefaultSettings},
		{name: "unclosed block comment", data: `{"a":1 /* `, wantIn: "comment at byte 7 is not closed"},
		{name: "array", data: `["azure.cloud"]`, wantIn: "not a JSON object"},
		{name: "syntax error", data: `{"other":"` + secret + `" "azure.cloud":1}`, wantIn: "invalid JSON at byte"},
		{name: "cloud not a string", data: `{"azure.cloud":["` + secret + `"]}`, wantIn: "azure.cloud is not a string"},
		{name: "tenant a number", data: `{"azure.tenant":42}`, wantIn: "azure.tenant is not a string"},
		{name: "double comma", data: `{"a":1,,}`, wantIn: "invalid JSON"},
		{name: "too large", data: strings.Repeat(" ", MaxSettingsSize+1), wantIn: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSettings([]byte(tt.data))
			if tt.wantIn == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ParseSettings(%q) = %+v, %v; want %+v", tt.data, got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, ErrMalformed) || got != (Settings{}) || !strings.Contains(err.Error(), tt.wantIn) {
				t.Fatalf("ParseSettings(%.60q) = %+v, %v; want ErrMalformed saying %q", tt.data, got, err, tt.wantIn)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "'") {
				t.Fatalf("error %q quotes the file", err)
			}
		})
	}
}

func TestStripJSONCKeepsOffsets(t *testing.T) {
	in := "{ // a\n\"k\": /* b\nc */ 1, }"
	got, err := stripJSONC([]byte(in))
	want := "{     \n\"k\":     \n     1  }"
	if err != nil || string(got) != want || len(got) != len(in) {
		t.Fatalf("stripJSONC(%q) = %q, %v; want %q", in, got, err, want)
	}
}

func TestAuthorityHost(t *testing.T) {
	tests := []struct {
		cloud, want string
	}{
		{"AzureCloud", "https://login.microsoftonline.com/"},
		{"AzureChinaCloud", "https://login.chinacloudapi.cn/"},
		{"AzureGermanCloud", "https://login.microsoftonline.de/"},
		{"AzureUSGovernment", "https://login.microsoftonline.us/"},
		{"AzureCustomCloud", ""},
		{"azurecloud", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := AuthorityHost(tt.cloud)
		if tt.want == "" {
			if !errors.Is(err, ErrCustomCloud) || !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.cloud)) {
				t.Errorf("AuthorityHost(%q) = %q, %v; want ErrCustomCloud naming the cloud", tt.cloud, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("AuthorityHost(%q) = %q, %v; want %q", tt.cloud, got, err, tt.want)
		}
	}
}

type fakeStore struct {
	secret []byte
	err    error
	asked  secretstore.Item
}

func (s *fakeStore) Lookup(_ context.Context, item secretstore.Item) ([]byte, error) {
	s.asked = item
	return s.secret, s.err
}

func TestRefreshToken(t *testing.T) {
	const token = "0.AXkA-placeholder_refresh.token-for-tests"
	tests := []struct {
		name    string
		store   *fakeStore
		want    string
		wantErr error
		wantIn  string
	}{
		{name: "found", store: &fakeStore{secret: []byte(token)}, want: token},
		{name: "not stored", store: &fakeStore{err: fmt.Errorf("%w: test", secretstore.ErrNotFound)}, wantErr: ErrNoToken, wantIn: "0.9.11"},
		{name: "store unusable", store: &fakeStore{err: fmt.Errorf("%w: test", secretstore.ErrUnavailable)}, wantErr: secretstore.ErrUnavailable},
		{name: "empty", store: &fakeStore{secret: []byte{}}, wantIn: "empty"},
		{name: "too long", store: &fakeStore{secret: []byte(strings.Repeat("a", MaxTokenSize+1))}, wantIn: "over"},
		{name: "with a line break", store: &fakeStore{secret: []byte(token + "\n")}, wantIn: "bytes a token cannot have"},
		{name: "not ASCII", store: &fakeStore{secret: []byte(token + "é")}, wantIn: "bytes a token cannot have"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RefreshToken(context.Background(), tt.store, "AzureCloud")
			want := TokenItem("AzureCloud")
			if !reflect.DeepEqual(tt.store.asked, want) {
				t.Fatalf("asked the store for %+v, want %+v", tt.store.asked, want)
			}
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("RefreshToken = %q, %v", got, err)
				}
				return
			}
			if err == nil || got != "" || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) || !strings.Contains(err.Error(), tt.wantIn) {
				t.Fatalf("RefreshToken = %q, %v; want an error wrapping %v saying %q", got, err, tt.wantErr, tt.wantIn)
			}
			if strings.Contains(err.Error(), token) {
				t.Fatalf("error %q contains the token", err)
			}
			if len(tt.store.secret) > 0 && tt.store.secret[0] != 0 {
				t.Fatal("the store's copy of the secret was not zeroed")
			}
		})
	}
}

func TestTokenItem(t *testing.T) {
	want := secretstore.Item{
		Service: "VS Code Azure", Account: "AzureChinaCloud", Schema: "org.freedesktop.Secret.Generic",
		Attributes: map[string]string{"service": "VS Code Azure", "account": "AzureChinaCloud"},
	}
	if got := TokenItem("AzureChinaCloud"); !reflect.DeepEqual(got, want) {
		t.Fatalf("TokenItem = %+v, want %+v", got, want)
	}
}

// TestRefreshTokenFromSecretService reads the VS Code fixture that
// .ci/secretservice.sh stores in a real gnome-keyring.
func TestRefreshTokenFromSecretService(t *testing.T) {
	addr := fixtures.FixtureBus(t)
	store := &secretstore.SecretService{Address: addr}
	got, err := RefreshToken(context.Background(), store, "AzureCloud")
	if err != nil || got != "fixture-vscode-refresh-token" {
		t.Fatalf("RefreshToken = %q, %v", got, err)
	}
	if _, err := RefreshToken(context.Background(), store, "AzureUSGovernment"); !errors.Is(err, ErrNoToken) {
		t.Fatalf("RefreshToken(AzureUSGovernment) = %v, want ErrNoToken", err)
	}
}

// FuzzSettings: no panic, zero Settings with every error, no quoted input
// in errors, and on success both fields set; JSON text without comments or
// trailing commas passes through stripJSONC unchanged.
func FuzzSettings(f *testing.F) {
	for _, name := range []string{"settings_jsonc.json", "settings_plain.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "{}", "// x", "/*", `{"a":"\"//"}`, `{"a":[1,],}`, `"\\`, "{\"azure.cloud\":\"x\"//\n}"} {
		f.Add([]byte(s))
	}
	for _, n := range []int{MaxSettingsSize - 1, MaxSettingsSize, MaxSettingsSize + 1} {
		f.Add([]byte("{" + strings.Repeat(" ", n-2) + "}"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSettings(data)
		if err != nil {
			if s != (Settings{}) || !errors.Is(err, ErrMalformed) || strings.Contains(err.Error(), "'") {
				t.Fatalf("ParseSettings error %v with %+v", err, s)
			}
		} else if s.Cloud == "" || s.Tenant == "" {
			t.Fatalf("ParseSettings = %+v: a field is empty", s)
		}
		if len(data) <= MaxSettingsSize && !strings.Contains(string(data), "/") && !strings.Contains(string(data), ",") {
			out, err := stripJSONC(data)
			if err != nil || string(out) != string(data) {
				t.Fatalf("stripJSONC changed text without comments or commas: %q -> %q, %v", data, out, err)
			}
		}
	})
}
