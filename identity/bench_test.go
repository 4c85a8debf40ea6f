package identity

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azid-go/azid/identitytest"
)

// BenchmarkGetTokenCached is the hit path every request of a program takes:
// it must allocate nothing (DESIGN.md) and stay under 50 ns/op.
func BenchmarkGetTokenCached(b *testing.B) {
	s := newServer(b, nil)
	c := newSecretCredential(b, s, nil)
	opts := TokenRequestOptions{Scopes: []string{testScope}}
	ctx := context.Background()
	if _, err := c.GetToken(ctx, opts); err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for i := 0; i < b.N; i++ {
			if _, err := c.GetToken(ctx, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.GetToken(ctx, opts); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkMutexMapHolder is the yardstick of the hit-path target, run on
// the same machine: the bare token holder most programs write by hand, a
// mutex around a map from scope to token, checked against time.Now. The
// target of 50 ns was set where this took 55 ns; where clocks are dearer
// (on a VM whose time.Now costs 60 ns, this takes 75), compare the two.
func BenchmarkMutexMapHolder(b *testing.B) {
	type holder struct {
		mu     sync.Mutex
		tokens map[string]AccessToken
	}
	h := &holder{tokens: map[string]AccessToken{testScope: {Token: "t", ExpiresOn: time.Now().Add(time.Hour)}}}
	get := func(scope string) (AccessToken, bool) {
		h.mu.Lock()
		t, ok := h.tokens[scope]
		h.mu.Unlock()
		return t, ok && time.Now().Before(t.ExpiresOn)
	}
	b.ReportAllocs()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		if _, ok := get(testScope); !ok {
			b.Fatal("miss")
		}
	}
}

// reportCPU starts measuring the process's CPU time; the function it returns
// reports it as cpu-ns/op. Client and server share the process, so this is
// the CPU both spend per op: on a loaded machine it varies far less than
// ns/op, which also counts the time other processes hold the CPUs.
func reportCPU(b *testing.B) func() {
	b.ResetTimer()
	start, ok := processCPU()
	return func() {
		if end, ok2 := processCPU(); ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// BenchmarkColdClientSecret measures a new credential's first token over
// loopback TLS against a bare net/http + encoding/json request for the same
// token: the target is at most 1.2 times the bare request, in time (read
// cpu-ns/op on a busy machine) and in allocations. The server answers every request with the same token
// response, so that what is measured is the client (identitytest would add
// its own checks and signing to both sides).
func BenchmarkColdClientSecret(b *testing.B) {
	body := []byte(`{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ4In0.c2lnbmF0dXJl"}`)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(body)
	}))
	defer srv.Close()
	// A whole-request timeout on both sides, as azid's default client has.
	client := &http.Client{Transport: srv.Client().Transport, Timeout: requestTimeout}
	tokenURL := srv.URL + "/" + testTenant + "/oauth2/v2.0/token"
	ctx := context.Background()
	b.Run("bare", func(b *testing.B) {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {testClientID},
			"client_secret": {testSecret}, "scope": {testScope}}.Encode()
		b.ReportAllocs()
		defer reportCPU(b)()
		for i := 0; i < b.N; i++ {
			// The headers PROTOCOL.md 1.5 recommends, which azid sends too,
			// so that the server's work is the same on both sides.
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			req.Header.Set("User-Agent", "bare")
			req.Header.Set("Client-Request-Id", "9f2d4c1e-0000-4000-8000-000000000000")
			req.Header.Set("X-Ms-Client-Request-Id", "9f2d4c1e-0000-4000-8000-000000000000")
			req.Header.Set("Return-Client-Request-Id", "false")
			req.Header.Set("Accept", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var tok struct {
				AccessToken string `json:"access_token"`
				ExpiresIn   int    `json:"expires_in"`
			}
			err = json.NewDecoder(resp.Body).Decode(&tok)
			resp.Body.Close()
			if err != nil || tok.AccessToken == "" {
				b.Fatal(err)
			}
		}
	})
	b.Run("azid", func(b *testing.B) {
		opts := TokenRequestOptions{Scopes: []string{testScope}}
		b.ReportAllocs()
		defer reportCPU(b)()
		for i := 0; i < b.N; i++ {
			c, err := NewClientSecretCredential(testTenant, testClientID, testSecret,
				&ClientSecretCredentialOptions{ClientOptions: ClientOptions{AuthorityHost: srv.URL, HTTPClient: client}})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.GetToken(ctx, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkColdClientCertificate: one RSA-2048 signature plus the request.
func BenchmarkColdClientCertificate(b *testing.B) {
	s := newServer(b, &identitytest.Options{AllowAssertionReuse: true})
	certs, key := loadTestCertificate(b)
	s.AddApp(identitytest.App{ClientID: testClientID, Certificate: certs[0]})
	opts := TokenRequestOptions{Scopes: []string{testScope}}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c, err := NewClientCertificateCredential(testTenant, testClientID, certs, key,
			&ClientCertificateCredentialOptions{ClientOptions: testOptions(s)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.GetToken(ctx, opts); err != nil {
			b.Fatal(err)
		}
	}
}
