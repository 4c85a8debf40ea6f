package identitytest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azid-go/azid/jwt"
)

// newServer starts a Server closed at the end of the test.
func newServer(t testing.TB, o *Options) *Server {
	t.Helper()
	s := New(o)
	t.Cleanup(s.Close)
	return s
}

// reply is a decoded answer.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// str returns a string member of the body.
func (r reply) str(name string) string {
	v, _ := r.body[name].(string)
	return v
}

// code returns the first of error_codes, or 0.
func (r reply) code() int {
	codes, _ := r.body["error_codes"].([]any)
	if len(codes) == 0 {
		return 0
	}
	f, _ := codes[0].(float64)
	return int(f)
}

// post sends form to path (relative to the server's URL).
func post(t testing.TB, s *Server, path string, form url.Values) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return do(t, s, req)
}

// do sends req with the server's client and decodes a JSON answer.
func do(t testing.TB, s *Server, req *http.Request) reply {
	t.Helper()
	return doWith(t, s.Client(), req)
}

// tokenClaims verifies an access token with the server key and returns its
// claims.
func tokenClaims(t testing.TB, s *Server, token string) map[string]any {
	t.Helper()
	_, payload, err := jwt.Verify(token, s.SigningKey())
	if err != nil {
		t.Fatalf("issued token does not verify: %v", err)
	}
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// form builds url.Values from name, value pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

var (
	certOnce sync.Once
	certKey  *rsa.PrivateKey
	certVal  *x509.Certificate
	certKey2 *rsa.PrivateKey
	certVal2 *x509.Certificate
)

// testCert returns two self-signed RSA-2048 certificates and their keys,
// made once per test binary.
func testCert(t testing.TB) (*x509.Certificate, *rsa.PrivateKey, *x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	certOnce.Do(func() {
		certVal, certKey = makeCert("app-cert")
		certVal2, certKey2 = makeCert("other-cert")
	})
	if certVal == nil || certVal2 == nil {
		t.Fatal("cannot make test certificates")
	}
	return certVal, certKey, certVal2, certKey2
}

func makeCert(cn string) (*x509.Certificate, *rsa.PrivateKey) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Unix(1<<33, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil
	}
	return cert, key
}

// signAssertion signs claims with key under header h.
func signAssertion(t testing.TB, h jwt.Header, claims map[string]any, key *rsa.PrivateKey) string {
	t.Helper()
	a, err := jwt.Sign(h, claims, key)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// assertionClaims are good claims for clientID at aud, issued at now.
func assertionClaims(clientID, aud string, now time.Time) map[string]any {
	return map[string]any{
		"aud": aud,
		"iss": clientID,
		"sub": clientID,
		"jti": newGUID(),
		"nbf": now.Unix(),
		"exp": now.Add(10 * time.Minute).Unix(),
	}
}

// fixedClock is a settable clock for Options.Now.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fixedClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// errTest is an error for callbacks to return.
var errTest = testError("refused")

type testError string

func (e testError) Error() string { return string(e) }

// jwtHeaderFor is an RS256 header naming cert by x5t.
func jwtHeaderFor(cert *x509.Certificate) jwt.Header {
	return jwt.Header{Alg: jwt.RS256, Typ: "JWT", X5t: jwt.X5t(cert.Raw)}
}
