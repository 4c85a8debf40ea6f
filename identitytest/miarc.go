package identitytest

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Azure Arc's two-step challenge (PROTOCOL 7.5): a token request without
// Authorization gets 401 and "WWW-Authenticate: Basic realm=<key file>";
// the agent has written a random key to that file, readable only by
// privileged users, and the client repeats the request with
// "Authorization: Basic <file content>". The fake writes its key files to
// MIOptions.ArcTokenDir, with mode 0600.

// arcKeys is the Azure Arc fake's key files.
type arcKeys struct {
	dir    string
	ownDir bool // the fake made dir, so Close removes it

	// mu guards keys and files.
	mu    sync.Mutex
	keys  []string // contents of the key files written, oldest first
	files []string // their paths, in the same order
}

// newArcKeys settles the key directory: dir, created if missing, or a new
// temporary directory.
func newArcKeys(dir string) (*arcKeys, error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "identitytest-arc-")
		if err != nil {
			return nil, fmt.Errorf("identitytest: Azure Arc key directory: %w", err)
		}
		// The agent's directory is an absolute, clean path (PROTOCOL 7.5:
		// "its directory must equal the expected directory exactly");
		// on macOS the temporary directory is reached through a symbolic
		// link, which clients compare against, so resolve it.
		if real, err := filepath.EvalSymlinks(tmp); err == nil {
			tmp = real
		}
		return &arcKeys{dir: tmp, ownDir: true}, nil
	}
	if !filepath.IsAbs(dir) {
		return nil, fmt.Errorf("%w: ArcTokenDir %s is not an absolute path", ErrInvalidOptions, quoted(dir))
	}
	dir = filepath.Clean(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("identitytest: Azure Arc key directory: %w", err)
	}
	return &arcKeys{dir: dir}, nil
}

// issue writes a new key file and returns its path. Past maxArcKeys the
// oldest key is forgotten and its file removed.
func (a *arcKeys) issue() (string, error) {
	// The agent names its files <guid>.key (PROTOCOL 7.5's example,
	// "/var/opt/azcmagent/tokens/<guid>.key").
	path := filepath.Join(a.dir, newGUID()+".key")
	key := randomToken(32)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(key)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return "", err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys = append(a.keys, key)
	a.files = append(a.files, path)
	if len(a.keys) > maxArcKeys {
		_ = os.Remove(a.files[0])
		a.keys, a.files = a.keys[1:], a.files[1:]
	}
	return path, nil
}

// valid reports whether key is the content of a key file this fake wrote,
// comparing against every one in constant time.
func (a *arcKeys) valid(key string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	ok := 0
	for _, k := range a.keys {
		ok |= subtle.ConstantTimeCompare([]byte(k), []byte(key))
	}
	return ok == 1
}

// remove deletes the key files, and the directory when the fake made it.
func (a *arcKeys) remove() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ownDir {
		_ = os.RemoveAll(a.dir)
	} else {
		for _, f := range a.files {
			_ = os.Remove(f)
		}
	}
	a.keys, a.files = nil, nil
}

// arcAuthorize runs the challenge. Without an Authorization header it
// writes a key file and the 401 that names it, and reports challenged.
// With one, it returns nil if the header carries a key this fake wrote,
// as "Basic <file content>" (the content is not base64-encoded again,
// PROTOCOL 7.5 step 4), and a 401 without a new challenge otherwise, so a
// client that sends a wrong key fails instead of looping.
func (m *ManagedIdentity) arcAuthorize(w http.ResponseWriter, r *http.Request) (challenged bool, e *miError) {
	auth, sent := r.Header["Authorization"]
	if !sent {
		path, err := m.arc.issue()
		if err != nil {
			return false, refuse(http.StatusInternalServerError, "internal_error", "The agent could not write its key file.")
		}
		// PROTOCOL 7.5 step 2: "HTTP 401 with WWW-Authenticate: Basic
		// realm=<absolute path of a key file>", unquoted.
		w.Header().Set("WWW-Authenticate", "Basic realm="+path)
		writeJSON(w, http.StatusUnauthorized, m.errorBody(http.StatusUnauthorized, "unauthorized_client",
			"Use the key in the file the WWW-Authenticate header names."))
		return true, nil
	}
	scheme, key, _ := strings.Cut(strings.TrimSpace(auth[0]), " ")
	if len(auth) != 1 || !strings.EqualFold(scheme, "Basic") || !m.arc.valid(strings.TrimSpace(key)) {
		return false, refuse(http.StatusUnauthorized, "unauthorized_client",
			"The Authorization header does not hold the content of a key file this agent wrote.")
	}
	return false, nil
}
