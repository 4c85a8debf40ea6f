package msalcache

import (
	"bytes"
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

func TestDefaultPath(t *testing.T) {
	env := map[string]string{"HOME": "/home/ada", "LOCALAPPDATA": `C:\Users\ada\AppData\Local`}
	getenv := func(k string) string { return env[k] }
	none := func(string) string { return "" }
	tests := []struct {
		goos   string
		getenv func(string) string
		want   string
	}{
		{goos: "windows", getenv: getenv, want: `C:\Users\ada\AppData\Local\.IdentityService\msal.cache`},
		{goos: "darwin", getenv: getenv, want: "/home/ada/.IdentityService/msal.cache"},
		{goos: "linux", getenv: getenv, want: "/home/ada/.IdentityService/msal.cache"},
		{goos: "freebsd", getenv: getenv, want: "/home/ada/.IdentityService/msal.cache"},
		{goos: "windows", getenv: none, want: ""},
		{goos: "linux", getenv: none, want: ""},
	}
	for _, tt := range tests {
		if got := DefaultPath(tt.goos, tt.getenv); got != tt.want {
			t.Errorf("DefaultPath(%s) = %q, want %q", tt.goos, got, tt.want)
		}
	}
}

func TestStoreItem(t *testing.T) {
	want := secretstore.Item{
		Service: "Microsoft.Developer.IdentityService", Account: "MSALCache", Schema: "msal.cache",
		Attributes: map[string]string{"MsalClientID": "Microsoft.Developer.IdentityService"},
	}
	if got := StoreItem(DefaultName); !reflect.DeepEqual(got, want) {
		t.Fatalf("StoreItem = %+v, want %+v", got, want)
	}
}

// fakeStore answers Lookup with secret or err, and records the items.
type fakeStore struct {
	secret []byte
	err    error
	asked  []secretstore.Item
}

func (s *fakeStore) Lookup(_ context.Context, item secretstore.Item) ([]byte, error) {
	s.asked = append(s.asked, item)
	if s.err != nil {
		return nil, s.err
	}
	return append([]byte{}, s.secret...), nil
}

var (
	errStoreNotFound    = fmt.Errorf("%w: test", secretstore.ErrNotFound)
	errStoreUnavailable = fmt.Errorf("%w: test", secretstore.ErrUnavailable)
)

func TestLoad(t *testing.T) {
	const jsonCache = `{"Account":{}}`
	const storeCache = `{"AccessToken":{}}`
	dpapiBlob := []byte{1, 0, 0, 0, 0xd0, 0x8c, 0x9d, 0xdf} // a DPAPI blob starts with version 1
	unprotect := func(b []byte) ([]byte, error) {
		if !bytes.HasPrefix(b, []byte{1, 0, 0, 0}) {
			return nil, errors.New("not a DPAPI blob")
		}
		return []byte(`{"decrypted":{}}`), nil
	}
	tests := []struct {
		name      string
		goos      string
		file      []byte // nil: no file
		store     *fakeStore
		want      string
		wantErr   error
		wantAsked bool
	}{
		{name: "no file", goos: "linux", store: &fakeStore{secret: []byte(storeCache)}, wantErr: ErrNoCache},
		{name: "explicit plaintext file", goos: "linux", file: []byte(jsonCache), want: jsonCache},
		{name: "explicit plaintext file with BOM", goos: "windows", file: []byte("\xef\xbb\xbf\n" + jsonCache), want: "\xef\xbb\xbf\n" + jsonCache},
		{name: "explicit empty file", goos: "linux", file: []byte{}, wantErr: ErrNoCache},
		{name: "explicit file that is not JSON", goos: "linux", file: dpapiBlob, wantErr: ErrMalformed},
		{name: "linux: the store holds the cache", goos: "linux", file: []byte{}, store: &fakeStore{secret: []byte(storeCache)}, want: storeCache, wantAsked: true},
		{name: "linux: the store wins over a stale plaintext file", goos: "linux", file: []byte(jsonCache), store: &fakeStore{secret: []byte(storeCache)}, want: storeCache, wantAsked: true},
		{name: "linux: store unusable, plaintext fallback", goos: "linux", file: []byte(jsonCache), store: &fakeStore{err: errStoreUnavailable}, want: jsonCache, wantAsked: true},
		{name: "linux: store empty, plaintext fallback", goos: "linux", file: []byte(jsonCache), store: &fakeStore{err: errStoreNotFound}, want: jsonCache, wantAsked: true},
		{name: "linux: signal file, store empty", goos: "linux", file: []byte{}, store: &fakeStore{err: errStoreNotFound}, wantErr: ErrNoCache, wantAsked: true},
		{name: "linux: signal file, store unusable", goos: "linux", file: []byte{}, store: &fakeStore{err: errStoreUnavailable}, wantErr: secretstore.ErrUnavailable, wantAsked: true},
		{name: "darwin: the Keychain holds the cache", goos: "darwin", file: []byte{}, store: &fakeStore{secret: []byte(storeCache)}, want: storeCache, wantAsked: true},
		{name: "windows: DPAPI file", goos: "windows", file: dpapiBlob, store: &fakeStore{}, want: `{"decrypted":{}}`},
		{name: "windows: plaintext file", goos: "windows", file: []byte(jsonCache), store: &fakeStore{}, want: jsonCache},
		{name: "windows: empty file", goos: "windows", file: []byte{}, store: &fakeStore{}, wantErr: ErrNoCache},
		{name: "windows: DPAPI fails", goos: "windows", file: []byte("garbage"), store: &fakeStore{}, wantErr: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), DefaultName)
			if tt.file != nil {
				if err := os.WriteFile(path, tt.file, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var store secretstore.Store
			if tt.store != nil {
				store = tt.store
			}
			got, err := load(context.Background(), tt.goos, path, store, unprotect)
			switch {
			case tt.want != "":
				if err != nil || string(got) != tt.want {
					t.Fatalf("load = %q, %v; want %q", got, err, tt.want)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("load = %q, %v; want %v", got, err, tt.wantErr)
				}
			default:
				if err == nil || got != nil {
					t.Fatalf("load = %q, %v; want an error", got, err)
				}
			}
			if asked := tt.store != nil && len(tt.store.asked) > 0; asked != tt.wantAsked {
				t.Fatalf("store asked: %v, want %v", asked, tt.wantAsked)
			}
			if tt.wantAsked && !reflect.DeepEqual(tt.store.asked[0], StoreItem(DefaultName)) {
				t.Fatalf("store asked for %+v", tt.store.asked[0])
			}
		})
	}
}

func TestLoadLimits(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(context.Background(), "", nil); !errors.Is(err, ErrNoCache) {
		t.Fatalf("Load(\"\") = %v, want ErrNoCache", err)
	}
	for _, n := range []int{MaxCacheSize, MaxCacheSize + 1} {
		path := filepath.Join(dir, fmt.Sprint(n))
		data := append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), n-8)...)
		data = append(data, `"}`...)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := Load(context.Background(), path, nil)
		if n == MaxCacheSize && (err != nil || len(got) != n) {
			t.Fatalf("Load of %d bytes = %d bytes, %v", n, len(got), err)
		}
		if n > MaxCacheSize && !errors.Is(err, ErrMalformed) {
			t.Fatalf("Load of %d bytes = %v, want ErrMalformed", n, err)
		}
	}
}

// TestLoadFromSecretService reads the MSAL fixture that .ci/secretservice.sh
// stores in a real gnome-keyring, through Load, Parse and Select.
func TestLoadFromSecretService(t *testing.T) {
	addr := fixtures.FixtureBus(t)
	signal := filepath.Join(t.TempDir(), DefaultName)
	if err := os.WriteFile(signal, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := load(context.Background(), "linux", signal, &secretstore.SecretService{Address: addr}, secretstore.Unprotect)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.Select("", "user@contoso.com", "utid1")
	if err != nil {
		t.Fatal(err)
	}
	if rts := c.RefreshTokens(a, DeveloperClientID); !reflect.DeepEqual(rts, []string{"fixture-msal-refresh-token"}) {
		t.Fatalf("RefreshTokens = %q", rts)
	}
	if strings.Contains(c.String(), "fixture") {
		t.Fatal("String shows a token")
	}
}
