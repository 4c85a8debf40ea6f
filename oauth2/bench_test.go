package oauth2

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func benchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, okBody)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkClientCredentials is one client credentials call over loopback
// TLS with a reused connection.
func BenchmarkClientCredentials(b *testing.B) {
	srv := benchServer(b)
	c, err := New(srv.URL, srv.Client())
	if err != nil {
		b.Fatal(err)
	}
	r := Request{Tenant: "72f988bf-86f1-41af-91ab-2d7cd011db47", ClientID: "cid", Auth: Auth{Secret: "secret"}, Scopes: []string{"https://graph.microsoft.com/.default"}}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.ClientCredentials(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBareRequest is the same exchange written with net/http and
// encoding/json alone, with no retry, no bound on the body, no redirect
// refusal and no checks: the floor BenchmarkClientCredentials is measured
// against.
func BenchmarkBareRequest(b *testing.B) {
	srv := benchServer(b)
	hc := srv.Client()
	endpoint := srv.URL + "/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		form := url.Values{"client_id": {"cid"}, "client_secret": {"secret"}, "grant_type": {"client_credentials"},
			"scope": {"https://graph.microsoft.com/.default"}}
		req, err := http.NewRequestWithContext(ctx, "POST", endpoint, strings.NewReader(form.Encode()))
		if err != nil {
			b.Fatal(err)
		}
		// The same headers as the Client sends, so that both put the same
		// bytes on the wire (the server's parsing is counted in both).
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		req.Header.Set("User-Agent", defaultUserAgent)
		req.Header.Set("Client-Request-Id", "2f0a1c3e-5b7d-4e9f-a1b2-c3d4e5f60718")
		req.Header.Set("X-Ms-Client-Request-Id", "2f0a1c3e-5b7d-4e9f-a1b2-c3d4e5f60718")
		req.Header.Set("Return-Client-Request-Id", "false")
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err, resp.StatusCode)
		}
		var tok struct {
			AccessToken string `json:"access_token"`
			TokenType   string `json:"token_type"`
			ExpiresIn   int64  `json:"expires_in"`
		}
		if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
			b.Fatal(err)
		}
	}
}
