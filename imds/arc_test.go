package imds

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const arcKey = "0123456789abcdef0123456789abcdef"

// fakeArc answers like the agent: 401 with the realm, then a token to the
// request that carries "Basic " + key. echo is added to the token JSON.
func fakeArc(t *testing.T, realm, echo string) *fakeEndpoint {
	return newEndpointFunc(t, false, func(_ int, r *http.Request) reply {
		switch r.Header.Get("Authorization") {
		case "":
			return reply{status: http.StatusUnauthorized, header: map[string]string{"WWW-Authenticate": "Basic realm=" + realm}}
		case "Basic " + arcKey:
			return reply{body: "{" + sampleArcBase + echo + "}"}
		}
		return reply{status: http.StatusUnauthorized, body: `{"error":"unauthorized","error_description":"wrong key"}`}
	})
}

// arcDir makes a token directory holding one key file.
func arcDir(t *testing.T) (dir, keyFile string) {
	dir = t.TempDir()
	keyFile = filepath.Join(dir, "0f1e2d3c.key")
	if err := os.WriteFile(keyFile, []byte(arcKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, keyFile
}

func arcConfig(f *fakeEndpoint, dir string, id ID) Config {
	return Config{
		Getenv:      envOf(envIdentityEndpoint, f.URL+"/metadata/identity/oauth2/token", envIMDSEndpoint, f.URL),
		ArcTokenDir: dir,
		ID:          id,
	}
}

func TestArcRequest(t *testing.T) {
	tests := []struct {
		name  string
		id    ID
		param string
		echo  string
	}{
		{"system-assigned", ID{}, "", ""},
		{"client ID", ID{ClientID, testClientID}, "client_id", `,"client_id":"` + testClientID + `"`},
		{"client ID echoed in upper case", ID{ClientID, testClientID}, "client_id", `,"client_id":"` + strings.ToUpper(testClientID) + `"`},
		{"object ID", ID{ObjectID, testObjectID}, "object_id", `,"object_id":"` + testObjectID + `"`},
		{"resource ID as msi_res_id", ID{ResourceID, testResourceID}, "msi_res_id", `,"msi_res_id":"` + testResourceID + `"`},
		{"resource ID as mi_res_id", ID{ResourceID, testResourceID}, "msi_res_id", `,"mi_res_id":"` + testResourceID + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, keyFile := arcDir(t)
			f := fakeArc(t, keyFile, tt.echo)
			s := mustNew(t, arcConfig(f, dir, tt.id))
			if s.Kind() != AzureArc {
				t.Fatalf("Kind: got %s, want AzureArc", s.Kind())
			}
			tok, err := s.Token(context.Background(), testResource)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, tok, expiresOn, time.Time{})
			q := url.Values{"api-version": {"2020-06-01"}, "resource": {testResource}}
			if tt.param != "" {
				q.Set(tt.param, tt.id.Value)
			}
			reqs := f.requests()
			if len(reqs) != 2 {
				t.Fatalf("got %d requests, want 2", len(reqs))
			}
			const path = "/metadata/identity/oauth2/token"
			checkRequest(t, reqs[0], "GET", path, q, map[string]string{"Metadata": "true"}, "")
			checkRequest(t, reqs[1], "GET", path, q, map[string]string{"Metadata": "true", "Authorization": "Basic " + arcKey}, "")
		})
	}
}

func TestArcExpiresForms(t *testing.T) {
	for _, form := range expiresForms {
		t.Run(form.name, func(t *testing.T) {
			dir, keyFile := arcDir(t)
			f := newEndpointFunc(t, false, func(n int, _ *http.Request) reply {
				if n == 0 {
					return reply{status: 401, header: map[string]string{"WWW-Authenticate": "Basic realm=" + keyFile}}
				}
				return reply{body: `{"access_token":"` + tokenValue + `",` + form.fields + `}`}
			})
			cfg := arcConfig(f, dir, ID{})
			cfg.now = newClock().now
			tok, err := mustNew(t, cfg).Token(context.Background(), testResource)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, tok, form.expires, form.refresh)
		})
	}
}

// TestArcEchoRequired: a user-assigned token the agent does not confirm is
// discarded (PROTOCOL.md 7.5, MGO).
func TestArcEchoRequired(t *testing.T) {
	tests := []struct {
		name string
		id   ID
		echo string
	}{
		{"no echo", ID{ClientID, testClientID}, ""},
		{"another client", ID{ClientID, testClientID}, `,"client_id":"` + testObjectID + `"`},
		{"echo of another kind", ID{ObjectID, testObjectID}, `,"client_id":"` + testObjectID + `"`},
		{"echo not a string", ID{ResourceID, testResourceID}, `,"msi_res_id":7`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, keyFile := arcDir(t)
			f := fakeArc(t, keyFile, tt.echo)
			tok, err := mustNew(t, arcConfig(f, dir, tt.id)).Token(context.Background(), testResource)
			if err == nil || !strings.Contains(err.Error(), "did not confirm the requested") || tok.AccessToken != "" {
				t.Errorf("got %v and a token %q, want the token discarded", err, tok.AccessToken)
			}
		})
	}
}

// TestArcRefusesKeyFile: every realm the checks refuse is refused before
// the file is opened, so no second request carries anything.
func TestArcRefusesKeyFile(t *testing.T) {
	dir, _ := arcDir(t)
	outside := t.TempDir()
	write := func(path string, size int) string {
		if err := os.WriteFile(path, []byte(strings.Repeat("k", size)), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	outsideKey := write(filepath.Join(outside, "x.key"), 32)
	link := filepath.Join(dir, "link.key")
	if err := os.Symlink(outsideKey, link); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub.key")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	crlf := filepath.Join(dir, "crlf.key")
	if err := os.WriteFile(crlf, []byte("abc\r\nX-Evil: 1"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		header string // the whole WWW-Authenticate value
		reason string
	}{
		{"outside the directory", "Basic realm=" + outsideKey, "is not in " + dir},
		{"dot-dot escape", "Basic realm=" + dir + "/../" + filepath.Base(outside) + "/x.key", "is not a clean absolute path"},
		{"dot-dot back inside", "Basic realm=" + dir + "/../" + filepath.Base(dir) + "/0f1e2d3c.key", "is not a clean absolute path"},
		{"relative", "Basic realm=0f1e2d3c.key", "is not a clean absolute path"},
		{"other extension", "Basic realm=" + write(filepath.Join(dir, "x.txt"), 32), "does not end in .key"},
		{"bare .key", "Basic realm=" + write(filepath.Join(dir, ".key"), 32), "does not end in .key"},
		{"too large", "Basic realm=" + write(filepath.Join(dir, "big.key"), maxArcKey+1), "is 4097 bytes; the limit is 4096"},
		{"symbolic link", "Basic realm=" + link, "is a symbolic link"},
		{"directory", "Basic realm=" + sub, "is not a regular file"},
		{"missing", "Basic realm=" + filepath.Join(dir, "none.key"), "no such file"},
		{"empty", "Basic realm=" + write(filepath.Join(dir, "empty.key"), 0), "does not hold a key"},
		{"header injection", "Basic realm=" + crlf, "does not hold a key"},
		{"not Basic", "Bearer realm=" + outsideKey, "not of the form Basic realm="},
		{"empty realm", "Basic realm=", "empty realm path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newEndpoint(t, false, reply{status: 401, header: map[string]string{"WWW-Authenticate": tt.header}})
			_, err := mustNew(t, arcConfig(f, dir, ID{})).Token(context.Background(), testResource)
			e := asError(t, err)
			if e.StatusCode != 401 || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("got %v, want HTTP 401 and %q", err, tt.reason)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("got %d requests, want 1: nothing may be sent after a refused realm", n)
			}
			if strings.Contains(err.Error(), "kkkk") || strings.Contains(err.Error(), "Evil") {
				t.Errorf("error shows file content: %v", err)
			}
		})
	}
}

// TestArcKeyAtLimit: a key file of exactly 4096 bytes is accepted.
func TestArcKeyAtLimit(t *testing.T) {
	dir := t.TempDir()
	key := strings.Repeat("a", maxArcKey)
	keyFile := filepath.Join(dir, "limit.key")
	if err := os.WriteFile(keyFile, []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	f := newEndpointFunc(t, false, func(_ int, r *http.Request) reply {
		if r.Header.Get("Authorization") == "Basic "+key {
			return reply{body: sampleIMDS}
		}
		return reply{status: 401, header: map[string]string{"WWW-Authenticate": `Basic realm="` + keyFile + `"`}}
	})
	if _, err := mustNew(t, arcConfig(f, dir, ID{})).Token(context.Background(), testResource); err != nil {
		t.Fatal(err)
	}
}

func TestArcFirstResponse(t *testing.T) {
	dir, _ := arcDir(t)
	tests := []struct {
		name   string
		reply  reply
		status int
		reason string
	}{
		{"200 without challenge", reply{body: sampleIMDS}, 200, "expected a 401 challenge"},
		{"400", reply{status: 400, body: `{"error":"invalid_request","error_description":"Identity not found"}`}, 400, "invalid_request: Identity not found"},
		{"401 without header", reply{status: 401}, 401, "expected one WWW-Authenticate header, received 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newEndpoint(t, false, tt.reply)
			_, err := mustNew(t, arcConfig(f, dir, ID{})).Token(context.Background(), testResource)
			if e := asError(t, err); e.StatusCode != tt.status || !strings.Contains(err.Error(), tt.reason) || e.Unavailable {
				t.Errorf("got %v, want HTTP %d and %q", err, tt.status, tt.reason)
			}
		})
	}
}

// TestArcWrongKeyHidden: the key never appears in an error, even when the
// agent repeats it.
func TestArcWrongKeyHidden(t *testing.T) {
	dir, keyFile := arcDir(t)
	f := newEndpointFunc(t, false, func(n int, r *http.Request) reply {
		if n == 0 {
			return reply{status: 401, header: map[string]string{"WWW-Authenticate": "Basic realm=" + keyFile}}
		}
		return reply{status: 403, body: `{"error":"forbidden","error_description":"key ` + arcKey + ` revoked"}`}
	})
	_, err := mustNew(t, arcConfig(f, dir, ID{})).Token(context.Background(), testResource)
	if want := "imds: AzureArc: HTTP 403: forbidden: key [REDACTED] revoked"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestArcNew(t *testing.T) {
	s := mustNew(t, Config{Getenv: envOf(envIdentityEndpoint, "http://localhost:40342/metadata/identity/oauth2/token", envIMDSEndpoint, "http://localhost:40342")})
	if runtime.GOOS == "linux" && s.arcDir != "/var/opt/azcmagent/tokens" {
		t.Errorf("default directory: got %s", s.arcDir)
	}
	if _, err := New(Config{Getenv: envOf(envIdentityEndpoint, "http://localhost:40342/", envIMDSEndpoint, "x"), ArcTokenDir: "tokens"}); err == nil {
		t.Error("a relative ArcTokenDir was accepted")
	}
	s = mustNew(t, Config{stat: func(string) (os.FileInfo, error) { return fakeFile{}, nil }})
	if s.Kind() != AzureArc || s.Endpoint() != "127.0.0.1:40342/metadata/identity/oauth2/token" {
		t.Errorf("HIMDS only: got %s at %s, want AzureArc at MGO's default", s.Kind(), s.Endpoint())
	}
}

func FuzzArcChallengePath(f *testing.F) {
	for _, seed := range []string{
		"Basic realm=/var/opt/azcmagent/tokens/0f1e.key",
		`Basic realm="/var/opt/azcmagent/tokens/0f1e.key"`,
		`basic REALM=C:\ProgramData\AzureConnectedMachineAgent\Tokens\x.key`,
		"Basic realm=", "Basic realm=\"", "Bearer realm=x", "", "Basic realm=a\x00b",
		"Basic realm=" + strings.Repeat("a", maxInput-1),
		"Basic realm=" + strings.Repeat("a", maxInput),
		"Basic realm=" + strings.Repeat("a", maxInput+1),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		p, err := arcChallengePath([]string{v})
		if err != nil {
			if p != "" {
				t.Fatalf("error %v with path %q", err, p)
			}
			return
		}
		if checkText("path", p) != nil || !strings.Contains(v, p) {
			t.Fatalf("accepted %q from %q", p, v)
		}
	})
}

// TestArcChallengePath: the auth-scheme and the realm name are matched
// without regard to case (RFC 9110, Section 11.1: "case-insensitive"), a
// quoted realm is unquoted, and anything else is refused.
func TestArcChallengePath(t *testing.T) {
	tests := []struct {
		header string
		want   string
		ok     bool
	}{
		{"Basic realm=/var/opt/azcmagent/tokens/a.key", "/var/opt/azcmagent/tokens/a.key", true},
		{"basic REALM=/var/opt/azcmagent/tokens/a.key", "/var/opt/azcmagent/tokens/a.key", true},
		{`Basic realm="/var/opt/azcmagent/tokens/a.key"`, "/var/opt/azcmagent/tokens/a.key", true},
		{"Bearer realm=/var/opt/azcmagent/tokens/a.key", "", false},
		{"Basic", "", false},
	}
	for _, tt := range tests {
		got, err := arcChallengePath([]string{tt.header})
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("arcChallengePath(%q) = %q, %v; want %q, ok=%v", tt.header, got, err, tt.want, tt.ok)
		}
	}
	if _, err := arcChallengePath([]string{"Basic realm=/a.key", "Basic realm=/b.key"}); err == nil {
		t.Error("two challenges must be refused")
	}
}
