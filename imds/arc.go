package imds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/azid-go/azid/internal/localfile"
)

// Azure Arc wire constants, PROTOCOL.md 7.5 and 16.
const (
	arcAPIVersion = "2020-06-01"
	arcDefaultURL = "http://127.0.0.1:40342/metadata/identity/oauth2/token" // MGO, when only HIMDS was found
	arcLinuxDir   = "/var/opt/azcmagent/tokens"
	arcKeySuffix  = ".key"
	arcRealm      = "Basic realm="
)

// arcIDParams names the query parameter of each user-assigned kind: the
// IMDS names (PROTOCOL.md 7.5, GO: "send the selector (client_id, object_id
// or msi_res_id) on both requests").
var arcIDParams = vmIDParams

// initArc reads IDENTITY_ENDPOINT (or MGO's default when only the HIMDS
// agent was found) and settles the key file directory (PROTOCOL.md 7.5:
// "Expected directory: Linux /var/opt/azcmagent/tokens; Windows
// %ProgramData%\AzureConnectedMachineAgent\Tokens [...] other OSes
// unsupported (error)"). Every ID kind is sent; Token then requires the
// agent to echo it.
func (s *Source) initArc(getenv func(string) string, dir string) error {
	raw := getenv(envIdentityEndpoint)
	if raw == "" {
		raw = arcDefaultURL
	}
	if err := s.setEndpoint(envIdentityEndpoint, raw, false); err != nil {
		return err
	}
	if dir == "" {
		switch runtime.GOOS {
		case "linux":
			dir = arcLinuxDir
		case "windows":
			pd := getenv(envProgramData)
			if pd == "" {
				return s.fail("ProgramData is not set, so the agent's token directory is unknown")
			}
			dir = filepath.Join(pd, "AzureConnectedMachineAgent", "Tokens")
		default:
			return s.fail("the Azure Arc agent does not run on " + runtime.GOOS + "; set Config.ArcTokenDir")
		}
	}
	if !filepath.IsAbs(dir) {
		return s.fail("the Azure Arc token directory must be an absolute path")
	}
	s.arcDir = filepath.Clean(dir)
	return nil
}

// arcRequest builds one of the two GETs of PROTOCOL.md 7.5: "GET
// {IDENTITY_ENDPOINT}?api-version=2020-06-01&resource=<resource> with
// Metadata: true", and once key is known, the same "with Metadata: true and
// Authorization: Basic <file content> (the content is used as-is; it is
// not base64-encoded again)".
func (s *Source) arcRequest(ctx context.Context, resource, key string) (*http.Request, error) {
	q := url.Values{"api-version": {arcAPIVersion}, "resource": {resource}}
	if name := arcIDParams[s.id.Kind]; name != "" {
		q.Set(name, s.id.Value)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.tokenURL(q), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Metadata", "true")
	if key != "" {
		req.Header.Set("Authorization", "Basic "+key)
	}
	return req, nil
}

// arcToken runs the challenge: a first GET answered by 401 and a
// WWW-Authenticate header naming a key file, the file read after checking
// it, and a second GET that carries its content.
func (s *Source) arcToken(ctx context.Context, resource string) (Token, error) {
	resp, sent, err := s.exchange(ctx, func(ctx context.Context) (*http.Request, error) {
		return s.arcRequest(ctx, resource, "")
	})
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		if err == nil && resp.StatusCode == http.StatusOK {
			// MGO: "fails if the first status is not 401 ("expected a 401
			// response, received N")": a token without the challenge did
			// not come from the agent's protocol.
			return Token{}, &Error{Source: s.kind, StatusCode: resp.StatusCode,
				Message: "expected a 401 challenge from the agent, received 200"}
		}
		_, err = s.finish(ctx, resp, sent, err, arcErrorMessage)
		return Token{}, err
	}
	path, err := arcChallengePath(resp.Header.Values("WWW-Authenticate"))
	if err == nil {
		var key string
		if key, err = s.readArcKey(path); err == nil {
			return s.arcAnswer(ctx, resource, key)
		}
	}
	return Token{}, &Error{Source: s.kind, StatusCode: resp.StatusCode, Message: "refused the agent's challenge", Err: err}
}

// arcAnswer sends the second GET with key and checks the identity echo.
func (s *Source) arcAnswer(ctx context.Context, resource, key string) (Token, error) {
	resp, sent, err := s.exchange(ctx, func(ctx context.Context) (*http.Request, error) {
		return s.arcRequest(ctx, resource, key)
	})
	r, err := s.finish(ctx, resp, sent, err, arcErrorMessage, key)
	if err != nil {
		return Token{}, err
	}
	if !arcEchoes(s.id, r) {
		// PROTOCOL.md 7.5 (MGO, GO v1.15): "require the token response to
		// echo the same value [...] compared case-insensitively; otherwise
		// they fail because an older agent silently returns the
		// system-assigned identity".
		return Token{}, &Error{Source: s.kind, StatusCode: resp.StatusCode,
			Message: "the agent did not confirm the requested " + s.id.Kind.String() +
				" identity (an older agent returns the system-assigned one instead); the token was discarded"}
	}
	return r.Token, nil
}

// arcEchoes reports whether r names the identity id asked for.
func arcEchoes(id ID, r tokenResponse) bool {
	switch id.Kind {
	case ClientID:
		return strings.EqualFold(r.clientID, id.Value)
	case ObjectID:
		return strings.EqualFold(r.objectID, id.Value)
	case ResourceID:
		return strings.EqualFold(r.resourceID, id.Value)
	}
	return true // system-assigned: nothing to confirm
}

// arcChallengePath returns the key file path of the challenge, PROTOCOL.md
// 7.5: "Expect HTTP 401 with WWW-Authenticate: Basic realm=<absolute path
// of a key file>". MGO splits on "Basic realm="; the scheme and parameter
// names are matched case-insensitively (RFC 9110, Section 11.1), and a
// quoted-string realm (RFC 7617, Section 2) is unquoted.
func arcChallengePath(values []string) (string, error) {
	if len(values) != 1 {
		return "", fmt.Errorf("expected one WWW-Authenticate header, received %d", len(values))
	}
	v := strings.TrimSpace(values[0])
	if len(v) < len(arcRealm) || !strings.EqualFold(v[:len(arcRealm)], arcRealm) {
		return "", errors.New("WWW-Authenticate is not of the form Basic realm=<key file>")
	}
	p := v[len(arcRealm):]
	if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
		p = p[1 : len(p)-1]
	}
	if err := checkText("realm path", p); err != nil {
		return "", err
	}
	return p, nil
}

// readArcKey reads the key file at path after PROTOCOL.md 7.5's checks,
// all made before the file is opened: "Validate the path before reading
// [...] its directory must equal the expected directory exactly; must end
// with .key; size <= 4096 bytes". Beyond PY and MGO it refuses a path that
// is not already clean (no "..", "." or doubled separators to argue about)
// and a symbolic link (Lstat), and after opening makes sure the file is the
// one it checked. The content, trimmed of surrounding white space, is
// returned; it never appears in an error.
func (s *Source) readArcKey(path string) (string, error) {
	if !filepath.IsAbs(path) || filepath.Clean(path) != path {
		return "", fmt.Errorf("key file %s is not a clean absolute path", quote(path))
	}
	if dir := filepath.Dir(path); !sameDir(dir, s.arcDir) {
		return "", fmt.Errorf("key file %s is not in %s", quote(path), s.arcDir)
	}
	if base := filepath.Base(path); len(base) <= len(arcKeySuffix) || !strings.HasSuffix(base, arcKeySuffix) {
		return "", fmt.Errorf("key file %s does not end in %s", quote(path), arcKeySuffix)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return "", fmt.Errorf("key file: %w", err)
	}
	switch {
	case fi.Mode()&os.ModeSymlink != 0:
		return "", fmt.Errorf("key file %s is a symbolic link", quote(path))
	case !fi.Mode().IsRegular():
		return "", fmt.Errorf("key file %s is not a regular file", quote(path))
	case fi.Size() > maxArcKey:
		return "", fmt.Errorf("key file %s is %d bytes; the limit is %d", quote(path), fi.Size(), maxArcKey)
	}
	f, err := localfile.Open(path) // a named pipe swapped in meanwhile cannot block it
	if err != nil {
		return "", fmt.Errorf("key file: %w", err)
	}
	defer f.Close()
	if opened, err := f.Stat(); err != nil || !os.SameFile(fi, opened) {
		return "", fmt.Errorf("key file %s changed while it was checked", quote(path))
	}
	b, err := io.ReadAll(io.LimitReader(f, maxArcKey+1))
	if err != nil {
		return "", fmt.Errorf("key file: reading: %w", err)
	}
	if len(b) > maxArcKey {
		return "", fmt.Errorf("key file %s grew past %d bytes", quote(path), maxArcKey)
	}
	key := strings.TrimSpace(string(b))
	if key == "" || !headerSafe(key) {
		return "", fmt.Errorf("key file %s does not hold a key that fits an HTTP header", quote(path))
	}
	return key, nil
}

// sameDir compares two clean directory paths as the file system does:
// case-insensitively on Windows.
func sameDir(a, b string) bool {
	if runtime.GOOS == "windows" {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// arcErrorMessage reads an Azure Arc error body. PROTOCOL.md 7.5 does not
// give its shape; HIMDS imitates IMDS, so the IMDS shape comes first and
// finish falls back to the others.
func arcErrorMessage(body []byte) string { return flatMessage(body) }
