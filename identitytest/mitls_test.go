package identitytest

import (
	"crypto/sha1"
	"crypto/tls"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
)

// TestServiceFabricThumbprint: the certificate the endpoint presents is
// the one whose SHA-1 Env gives as IDENTITY_SERVER_THUMBPRINT (PROTOCOL
// 7.7), each fake has its own, and IDENTITY_ENDPOINT is https.
func TestServiceFabricThumbprint(t *testing.T) {
	a := newMI(t, SourceServiceFabric, nil)
	b := newMI(t, SourceServiceFabric, nil)
	env := a.Env()
	if !strings.HasPrefix(env["IDENTITY_ENDPOINT"], "https://127.0.0.1:") || env["IDENTITY_HEADER"] == "" {
		t.Fatalf("Env = %v", env)
	}
	tp := env["IDENTITY_SERVER_THUMBPRINT"]
	if len(tp) != 40 || strings.ToUpper(tp) != tp {
		t.Fatalf("thumbprint %q is not 40 upper-case hex characters", tp)
	}
	if tp == b.Env()["IDENTITY_SERVER_THUMBPRINT"] {
		t.Fatal("two fakes share a certificate")
	}

	// A pinning client, as GO's: no chain validation, the leaf's SHA-1
	// compared with the thumbprint.
	pinned := func(want string) *http.Client {
		return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
			InsecureSkipVerify: true, // verified by VerifyConnection below
			VerifyConnection: func(cs tls.ConnectionState) error {
				sum := sha1.Sum(cs.PeerCertificates[0].Raw)
				if !strings.EqualFold(hex.EncodeToString(sum[:]), want) {
					return errPinned
				}
				return nil
			},
		}}}
	}
	req := goodCall(a, armResource, "", "").request(t, a.URL())
	if r := doWith(t, pinned(tp), req); r.status != http.StatusOK {
		t.Fatalf("pinned client: %d %s", r.status, r.raw)
	}
	req = goodCall(b, armResource, "", "").request(t, b.URL())
	if _, err := pinned(tp).Do(req); err == nil {
		t.Fatal("a client pinned to one fake accepted another's certificate")
	}
	// Client trusts the certificate the ordinary way.
	if r := a.get(t, goodCall(a, armResource, "", "")); r.status != http.StatusOK {
		t.Fatalf("Client(): %d %s", r.status, r.raw)
	}
	if thumbprint(a.Certificate()) != tp || thumbprint(nil) != "" {
		t.Fatal("Certificate does not match the thumbprint")
	}
}

var errPinned = testError("certificate does not match the thumbprint")

// TestServiceFabricHTTPSOnly: plain HTTP to the endpoint gets no token.
func TestServiceFabricHTTPSOnly(t *testing.T) {
	m := newMI(t, SourceServiceFabric, nil)
	plain := "http://" + strings.TrimPrefix(m.URL(), "https://")
	req := goodCall(m, armResource, "", "").request(t, plain)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP got a token")
		}
	}
	for _, s := range allSources {
		if s == SourceServiceFabric {
			continue
		}
		if m := newMI(t, s, nil); !strings.HasPrefix(m.URL(), "http://127.0.0.1:") || m.Certificate() != nil {
			t.Errorf("%s serves %s", s, m.URL())
		}
	}
}
