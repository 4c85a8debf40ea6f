package identity

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

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

// BenchmarkColdClientSecret measures a new credential's first token over
// loopback TLS against a bare net/http + encoding/json request to the same
// fake Entra ID: the target is at most 1.2 times the bare request.
func BenchmarkColdClientSecret(b *testing.B) {
	s := newServer(b, nil)
	s.AddApp(identitytest.App{ClientID: testClientID, Secret: testSecret})
	client := s.Client()
	ctx := context.Background()
	b.Run("bare", func(b *testing.B) {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {testClientID},
			"client_secret": {testSecret}, "scope": {testScope}}.Encode()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			resp, err := client.Post(s.TokenURL(testTenant), "application/x-www-form-urlencoded", strings.NewReader(form))
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
		for i := 0; i < b.N; i++ {
			c, err := NewClientSecretCredential(testTenant, testClientID, testSecret,
				&ClientSecretCredentialOptions{ClientOptions: ClientOptions{AuthorityHost: s.Authority(), HTTPClient: client}})
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
