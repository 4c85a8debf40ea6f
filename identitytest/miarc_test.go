package identitytest

import (
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// TestArcChallenge walks PROTOCOL 7.5's two steps by hand: a request
// without Authorization gets 401 and a realm naming a .key file in the
// token directory, of at most 4096 bytes and mode 0600; the same request
// with "Basic <content>" gets the token.
func TestArcChallenge(t *testing.T) {
	dir := t.TempDir()
	m := newMI(t, SourceAzureArc, &MIOptions{ArcTokenDir: dir, Identities: []MIIdentity{userID}})
	if m.ArcTokenDir() != dir {
		t.Fatalf("ArcTokenDir = %q; want %q", m.ArcTokenDir(), dir)
	}
	call := goodCall(m, armResource, "", "")
	first := call.send(t, m)
	h := first.header.Values("WWW-Authenticate")
	if first.status != http.StatusUnauthorized || len(h) != 1 {
		t.Fatalf("first request: %d %q %s", first.status, h, first.raw)
	}
	path, ok := strings.CutPrefix(h[0], "Basic realm=")
	if !ok || filepath.Dir(path) != dir || !strings.HasSuffix(path, ".key") || filepath.Clean(path) != path {
		t.Fatalf("realm %q: want a clean path to a .key file in %s", h[0], dir)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() == 0 || fi.Size() > 4096 {
		t.Fatalf("key file is %d bytes", fi.Size())
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v; want 0600", fi.Mode().Perm())
	}
	key, _ := os.ReadFile(path)

	call.header.Set("Authorization", "Basic "+string(key))
	second := call.send(t, m)
	if second.status != http.StatusOK || second.str("access_token") == "" {
		t.Fatalf("second request: %d %s", second.status, second.raw)
	}
	if strings.Contains(second.raw, string(key)) || strings.Contains(first.raw, string(key)) {
		t.Fatal("an answer echoes the key")
	}
	// The key is used as-is, not base64-encoded again (step 4); a key
	// stays good for the next request, and every challenge writes a file.
	again := call.send(t, m)
	if again.status != http.StatusOK {
		t.Fatalf("the key again: %d %s", again.status, again.raw)
	}
	call.header.Del("Authorization")
	call.send(t, m)
	if files, _ := os.ReadDir(dir); len(files) != 2 {
		t.Fatalf("%d key files; want 2", len(files))
	}

	m.Close()
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Fatalf("Close left %d key files", len(files))
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("Close removed the caller's directory: %v", err)
	}
}

// TestArcDefaultDir: without ArcTokenDir the fake makes a directory, and
// Close removes it.
func TestArcDefaultDir(t *testing.T) {
	m := newMI(t, SourceAzureArc, nil)
	dir := m.ArcTokenDir()
	if !filepath.IsAbs(dir) {
		t.Fatalf("ArcTokenDir %q", dir)
	}
	if r := m.get(t, goodCall(m, armResource, "", "")); r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	m.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("Close left %s: %v", dir, err)
	}
	if newMI(t, SourceIMDS, nil).ArcTokenDir() != "" {
		t.Fatal("IMDS has an Arc directory")
	}
}

// TestArcEcho: Arc echoes the user-assigned id asked for (PROTOCOL 7.5,
// GO v1.15), in the field of its kind; a legacy agent ignores the id and
// answers for the system-assigned identity without an echo.
func TestArcEcho(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		m := newMI(t, SourceAzureArc, &MIOptions{Identities: []MIIdentity{userID}, LegacyArcAgent: legacy})
		u, sys := m.Identities()[0], m.SystemAssigned()
		cases := []struct {
			param, value, field, want string
		}{
			{"client_id", u.ClientID, "client_id", u.ClientID},
			{"object_id", u.ObjectID, "object_id", u.ObjectID},
			{"msi_res_id", u.ResourceID, "msi_res_id", u.ResourceID},
		}
		for _, c := range cases {
			r := m.get(t, goodCall(m, armResource, c.param, c.value))
			if r.status != http.StatusOK {
				t.Fatalf("legacy=%v %s: %d %s", legacy, c.param, r.status, r.raw)
			}
			appid := miClaims(t, m, r.str("access_token"))["appid"]
			switch {
			case !legacy && (r.str(c.field) != c.want || appid != u.ClientID):
				t.Errorf("%s: echo %q appid %v; want %q", c.param, r.str(c.field), appid, c.want)
			case legacy && (c.field != "client_id" && r.body[c.field] != nil || appid != sys.ClientID || r.str("client_id") != sys.ClientID):
				t.Errorf("legacy %s: %s", c.param, r.raw)
			}
		}
	}
}

// TestArcConcurrentChallenges runs many clients through the challenge at
// once: each gets a token with the key of its own file.
func TestArcConcurrentChallenges(t *testing.T) {
	m := newMI(t, SourceAzureArc, nil)
	var wg sync.WaitGroup
	errs := make(chan string, 32)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := goodCall(m, armResource, "", "")
			send := func() (*http.Response, error) {
				resp, err := m.Client().Do(c.request(t, m.URL()))
				if err == nil {
					resp.Body.Close()
				}
				return resp, err
			}
			first, err := send()
			if err != nil {
				errs <- err.Error()
				return
			}
			key, err := os.ReadFile(strings.TrimPrefix(first.Header.Get("WWW-Authenticate"), "Basic realm="))
			if err != nil {
				errs <- err.Error()
				return
			}
			c.header.Set("Authorization", "Basic "+string(key))
			if second, err := send(); err != nil || second.StatusCode != http.StatusOK {
				errs <- "second request failed"
			}
			_ = m.Requests()
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(m.Requests()); n != 64 {
		t.Fatalf("%d requests logged; want 64", n)
	}
}

// TestArcKeyBound: past maxArcKeys the oldest key is forgotten and its
// file removed.
func TestArcKeyBound(t *testing.T) {
	a, err := newArcKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	first, err := a.issue()
	if err != nil {
		t.Fatal(err)
	}
	firstKey, _ := os.ReadFile(first)
	for i := 0; i < maxArcKeys; i++ {
		if _, err := a.issue(); err != nil {
			t.Fatal(err)
		}
	}
	if a.valid(string(firstKey)) {
		t.Fatal("the oldest key is still valid")
	}
	if _, err := os.Stat(first); !os.IsNotExist(err) {
		t.Fatalf("the oldest key file is still there: %v", err)
	}
	if files, _ := os.ReadDir(a.dir); len(files) != maxArcKeys {
		t.Fatalf("%d files; want %d", len(files), maxArcKeys)
	}
	a.remove()
}
