package identitytest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/azid-go/azid/jwt"
)

// allSources lists every managed identity source.
var allSources = []MISource{SourceIMDS, SourceAppService, SourceAzureArc, SourceCloudShell, SourceServiceFabric, SourceAzureML}

// newMI starts a ManagedIdentity closed at the end of the test.
func newMI(t testing.TB, source MISource, o *MIOptions) *ManagedIdentity {
	t.Helper()
	m, err := NewManagedIdentity(source, o)
	if err != nil {
		t.Fatalf("NewManagedIdentity(%s): %v", source, err)
	}
	t.Cleanup(m.Close)
	return m
}

// miCall is one request to a managed identity fake, built as a correct
// client of its source builds it (goodCall) and then spoiled by a test.
type miCall struct {
	method string
	path   string     // URL path
	params url.Values // the query, or Cloud Shell's form
	header http.Header
	// rawQuery, when set, is sent as the query of a POST (Cloud Shell).
	rawQuery string
	// body, when set, replaces the form body (Cloud Shell).
	body        string
	contentType string
}

// goodCall is PROTOCOL 7.3 to 7.8's request for resource from m's
// source, with the secret or Metadata header, the api-version and, when
// idParam is set, an id.
func goodCall(m *ManagedIdentity, resource, idParam, idValue string) miCall {
	c := miCall{method: m.spec.method, path: m.spec.path, params: url.Values{"resource": {resource}}, header: http.Header{}}
	if m.spec.apiVersion != "" {
		c.params.Set("api-version", m.spec.apiVersion)
	}
	if idParam != "" {
		c.params.Set(idParam, idValue)
	}
	if m.spec.metadata {
		c.header.Set("Metadata", "true")
	}
	if m.spec.secretHeader != "" {
		c.header.Set(m.spec.secretHeader, m.secret)
	}
	if c.method == http.MethodPost {
		c.contentType = "application/x-www-form-urlencoded"
	}
	return c
}

// send sends c to m with m's client and decodes a JSON answer.
func (c miCall) send(t testing.TB, m *ManagedIdentity) reply {
	t.Helper()
	req := c.request(t, m.URL())
	return doWith(t, m.Client(), req)
}

// request builds c's *http.Request against base.
func (c miCall) request(t testing.TB, base string) *http.Request {
	t.Helper()
	u := base + c.path
	var body io.Reader
	if c.method == http.MethodPost {
		b := c.body
		if b == "" {
			b = c.params.Encode()
		}
		body = strings.NewReader(b)
		if c.rawQuery != "" {
			u += "?" + c.rawQuery
		}
	} else if len(c.params) > 0 {
		u += "?" + c.params.Encode()
	}
	req, err := http.NewRequest(c.method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range c.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	return req
}

// doWith sends req with client and decodes a JSON answer.
func doWith(t testing.TB, client *http.Client, req *http.Request) reply {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		t.Fatal(err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(b, &r.body)
	}
	return r
}

// getToken sends c, running Azure Arc's challenge first when m is Arc:
// the 401's realm names a file whose content goes in Authorization.
func getToken(t testing.TB, m *ManagedIdentity, c miCall) reply {
	t.Helper()
	if m.source != SourceAzureArc {
		return c.send(t, m)
	}
	first := c.send(t, m)
	if first.status != http.StatusUnauthorized || first.header.Get("WWW-Authenticate") == "" {
		return first
	}
	key := readRealm(t, first.header.Get("WWW-Authenticate"))
	c.header = c.header.Clone()
	c.header.Set("Authorization", "Basic "+key)
	return c.send(t, m)
}

// readRealm reads the key file a "Basic realm=<path>" challenge names.
func readRealm(t testing.TB, challenge string) string {
	t.Helper()
	path, ok := strings.CutPrefix(challenge, "Basic realm=")
	if !ok {
		t.Fatalf("challenge %q is not Basic realm=<path>", challenge)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the key file: %v", err)
	}
	return string(b)
}

// miClaims verifies a managed identity token with m's key and returns its
// claims.
func miClaims(t testing.TB, m *ManagedIdentity, token string) map[string]any {
	t.Helper()
	_, payload, err := jwt.Verify(token, m.SigningKey())
	if err != nil {
		t.Fatalf("token does not verify: %v", err)
	}
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// errorText returns the error code and message of an answer in any of the
// managed identity error shapes.
func errorText(r reply) (code, msg string) {
	switch e := r.body["error"].(type) {
	case string:
		d, ok := r.body["error_description"].(string)
		if !ok { // IMDS's api-version answer: {"error": message, "newest-versions": [...]}
			return "", e
		}
		return e, d
	case map[string]any:
		c, _ := e["code"].(string)
		m, _ := e["message"].(string)
		return c, m
	}
	if m, ok := r.body["message"].(string); ok {
		return "", m
	}
	return "", ""
}

// fixedTime is the clock of tests that print times.
var fixedTime = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
