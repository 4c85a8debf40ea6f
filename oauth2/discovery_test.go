package oauth2

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"testing"
)

const discoveryOK = `{"tenant_discovery_endpoint":"https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration","api-version":"1.1","metadata":[]}`

func TestInstanceDiscovery(t *testing.T) {
	f := newFakeEndpoint(t, reply{status: 200, body: discoveryOK}, ok())
	c, _ := newTestClient(t, f)
	c.InstanceDiscovery = true
	for i := 0; i < 3; i++ {
		if _, err := c.ClientCredentials(context.Background(), ccReq); err != nil {
			t.Fatal(err)
		}
	}
	reqs := f.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 1 discovery + 3 tokens", len(reqs))
	}
	d := reqs[0]
	wantQuery := "api-version=1.1&authorization_endpoint=" + urlQueryEscape(f.srv.URL+"/common/oauth2/v2.0/authorize")
	if d.method != "GET" || d.path != "/common/discovery/instance" || d.query != wantQuery {
		t.Errorf("discovery %s %s?%s, want GET /common/discovery/instance?%s", d.method, d.path, d.query, wantQuery)
	}
	if d.header.Get("Client-Request-Id") == "" || d.header.Get("Content-Type") != "" {
		t.Errorf("discovery headers %v", d.header)
	}
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func TestInstanceDiscoveryRefused(t *testing.T) {
	invalidInstance := reply{status: 400, body: `{"error":"invalid_instance","error_description":"AADSTS50049: Unknown or invalid instance.","error_codes":[50049]}`}
	f := newFakeEndpoint(t, invalidInstance, reply{status: 200, body: discoveryOK}, ok())
	c, _ := newTestClient(t, f)
	c.InstanceDiscovery = true
	_, err := c.ClientCredentials(context.Background(), ccReq)
	var e *Error
	if !errors.As(err, &e) || e.Code != "invalid_instance" || len(f.requests()) != 1 {
		t.Fatalf("err = %v after %d requests", err, len(f.requests()))
	}
	// A failure is not remembered: the next call asks again.
	if _, err := c.ClientCredentials(context.Background(), ccReq); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestInstanceDiscoverySkipped(t *testing.T) {
	f := newFakeEndpoint(t, ok())
	c, _ := newTestClient(t, f)
	c.InstanceDiscovery = true
	r := ccReq
	r.Tenant = "adfs"
	if _, err := c.ClientCredentials(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if reqs := f.requests(); len(reqs) != 1 || reqs[0].path != "/adfs/oauth2/token" {
		t.Fatalf("requests %v", reqs)
	}
	// A trusted host is never asked; calling the method directly shows it.
	c2 := &Client{HTTP: f.srv.Client(), Authority: "https://login.microsoftonline.com/", InstanceDiscovery: true}
	if err := c2.instanceDiscovery(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestInstanceDiscoveryMalformed(t *testing.T) {
	for _, body := range []string{`{}`, `[]`, `<html>`, `{"error":"invalid_instance"}`} {
		f := newFakeEndpoint(t, reply{status: 200, body: body})
		c, _ := newTestClient(t, f)
		c.InstanceDiscovery = true
		var e *Error
		if _, err := c.ClientCredentials(context.Background(), ccReq); !errors.As(err, &e) {
			t.Errorf("%s: err = %v", body, err)
		}
	}
}

// TestInstanceDiscoveryOnce: concurrent first callers share one discovery.
func TestInstanceDiscoveryOnce(t *testing.T) {
	f := newFakeEndpoint(t, reply{status: 200, body: discoveryOK}, ok())
	c, _ := newTestClient(t, f)
	c.InstanceDiscovery = true
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.ClientCredentials(context.Background(), ccReq); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	n := 0
	for _, r := range f.requests() {
		if r.method == "GET" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d discovery requests, want 1", n)
	}
}
