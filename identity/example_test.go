package identity_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/azid-go/azid/cache"
	"github.com/azid-go/azid/identity"
	"github.com/azid-go/azid/identitytest"
)

// A service principal with a client secret, against the fake Entra ID of
// package identitytest. In production, leave ClientOptions empty.
func ExampleNewClientSecretCredential() {
	entra := identitytest.New(nil)
	defer entra.Close()
	entra.AddApp(identitytest.App{ClientID: "00000000-0000-0000-0000-000000000001", Secret: "example-secret"})

	cred, err := identity.NewClientSecretCredential("contoso.onmicrosoft.com", "00000000-0000-0000-0000-000000000001", "example-secret",
		&identity.ClientSecretCredentialOptions{ClientOptions: identity.ClientOptions{
			AuthorityHost: entra.Authority(), // default: https://login.microsoftonline.com/
			HTTPClient:    entra.Client(),    // default: a client with timeouts
		}})
	if err != nil {
		fmt.Println(err)
		return
	}
	opts := identity.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}}
	for i := 0; i < 3; i++ {
		tok, err := cred.GetToken(context.Background(), opts)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(tok.TokenType, tok.Token != "")
	}
	fmt.Println("requests sent:", len(entra.Requests())) // the cache answered twice
	// Output:
	// Bearer true
	// Bearer true
	// Bearer true
	// requests sent: 1
}

// Transport puts the bearer token on every request and answers a CAE claims
// challenge by getting a token with the claims and trying once more.
func ExampleTransport() {
	entra := identitytest.New(nil)
	defer entra.Close()
	entra.AddApp(identitytest.App{ClientID: "00000000-0000-0000-0000-000000000002", Secret: "example-secret"})
	api := entra.Resource("https://vault.azure.net", nil)

	cred, _ := identity.NewClientSecretCredential("contoso.onmicrosoft.com", "00000000-0000-0000-0000-000000000002", "example-secret",
		&identity.ClientSecretCredentialOptions{ClientOptions: identity.ClientOptions{AuthorityHost: entra.Authority(), HTTPClient: entra.Client()}})
	client := &http.Client{Transport: &identity.Transport{
		Credential: cred,
		Scopes:     []string{"https://vault.azure.net/.default"},
		Base:       entra.Client().Transport,
	}}

	get := func() {
		resp, err := client.Get(api.URL())
		if err != nil {
			fmt.Println(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Println(resp.Status)
	}
	get()
	api.Challenge("") // the resource revokes the session: the next request gets a claims challenge
	get()
	// Output:
	// 200 OK
	// 200 OK
}

// Two credentials for the same app share one cache, so the second finds
// the first one's token.
func ExampleClientOptions_sharedCache() {
	entra := identitytest.New(nil)
	defer entra.Close()
	entra.AddApp(identitytest.App{ClientID: "00000000-0000-0000-0000-000000000003", Secret: "example-secret"})
	shared := cache.New(cache.Options{})
	o := &identity.ClientSecretCredentialOptions{ClientOptions: identity.ClientOptions{
		AuthorityHost: entra.Authority(), HTTPClient: entra.Client(), Cache: shared}}
	a, _ := identity.NewClientSecretCredential("contoso.onmicrosoft.com", "00000000-0000-0000-0000-000000000003", "example-secret", o)
	b, _ := identity.NewClientSecretCredential("contoso.onmicrosoft.com", "00000000-0000-0000-0000-000000000003", "example-secret", o)
	opts := identity.TokenRequestOptions{Scopes: []string{"https://storage.azure.com/.default"}}
	ta, _ := a.GetToken(context.Background(), opts)
	tb, _ := b.GetToken(context.Background(), opts)
	fmt.Println(ta.Token == tb.Token, len(entra.Requests()))
	// Output: true 1
}

// A chain tries its sources in order and moves on only when one is
// unavailable.
func ExampleNewChainedTokenCredential() {
	notHere := identity.TokenCredentialFunc(func(context.Context, identity.TokenRequestOptions) (identity.AccessToken, error) {
		return identity.AccessToken{}, &identity.CredentialUnavailableError{Credential: "First", Message: "not configured here"}
	})
	static := identity.NewStaticCredential("a-token", timeIn(1), nil)
	chain, _ := identity.NewChainedTokenCredential([]identity.TokenCredential{notHere, static}, nil)
	tok, err := chain.GetToken(context.Background(), identity.TokenRequestOptions{Scopes: []string{"api://example/.default"}})
	fmt.Println(tok.Token, err)
	// Output: a-token <nil>
}

func timeIn(hours int) time.Time { return time.Now().Add(time.Duration(hours) * time.Hour) }
