package identitytest

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkClientCredentials measures one client-credentials token request
// over loopback TLS, the server-side share of a credential's cold
// acquisition benchmark. Identical requests within a second reuse the
// signed token (Server.sign), so this is the cost without the RSA
// signature.
func BenchmarkClientCredentials(b *testing.B) {
	s := newServer(b, nil)
	s.AddApp(App{ClientID: "app", Secret: "s3cret"})
	enc := form("grant_type", "client_credentials", "client_id", "app", "client_secret", "s3cret", "scope", vault).Encode()
	client := s.Client()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := client.Post(s.URL()+"/t/oauth2/v2.0/token", "application/x-www-form-urlencoded", strings.NewReader(enc))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.StatusCode)
		}
		if i%1000 == 999 {
			s.ResetRequests()
		}
	}
}
