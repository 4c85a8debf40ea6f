package identity

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azid-go/azid/identitytest"
)

const (
	testTenant   = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testClientID = "11111111-2222-3333-4444-555555555555"
	testSecret   = "canary-client-secret-0f1e2d"
	testScope    = "https://management.azure.com/.default"
)

// newServer starts a fake Entra ID that is closed with the test.
func newServer(t testing.TB, o *identitytest.Options) *identitytest.Server {
	t.Helper()
	s := identitytest.New(o)
	t.Cleanup(s.Close)
	return s
}

// testOptions points a credential at s.
func testOptions(s *identitytest.Server) ClientOptions {
	return ClientOptions{AuthorityHost: s.Authority(), HTTPClient: s.Client()}
}

// loadTestCertificate reads the openssl-made PEM fixture (testdata/README.md).
func loadTestCertificate(t testing.TB) ([]*x509.Certificate, crypto.PrivateKey) {
	t.Helper()
	data, err := os.ReadFile("testdata/rsa2048-cert-pkcs8key.pem")
	if err != nil {
		t.Fatal(err)
	}
	certs, key, err := ParseCertificates(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return certs, key
}

// tokenRequests counts the token endpoint requests in s's log.
func tokenRequests(s *identitytest.Server) int {
	n := 0
	for _, r := range s.Requests() {
		if strings.HasSuffix(r.Path, "/token") {
			n++
		}
	}
	return n
}

// recordingHandler is a slog.Handler that keeps every record's text.
type recordingHandler struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func newRecordingLogger() (*slog.Logger, func() string) {
	h := recordingHandler{mu: &sync.Mutex{}, buf: &bytes.Buffer{}}
	inner := slog.NewTextHandler(h, &slog.HandlerOptions{Level: slog.LevelDebug})
	return slog.New(inner), func() string {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.buf.String()
	}
}

func (h recordingHandler) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.buf.Write(p)
}

func ctxTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
