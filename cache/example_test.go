package cache_test

import (
	"context"
	"fmt"
	"time"

	"github.com/azid-go/azid/cache"
)

func Example() {
	c := cache.New(cache.Options{})
	key := cache.Key{
		Authority: "https://login.microsoftonline.com/",
		Tenant:    "contoso.onmicrosoft.com",
		ClientID:  "00000000-0000-0000-0000-000000000001",
		Scopes:    cache.ScopeKey([]string{"https://vault.azure.net/.default"}),
	}
	requests := 0
	fetch := func(ctx context.Context) (cache.Token, error) {
		requests++ // a real fetch sends the token request here
		return cache.Token{Value: "eyJ0eXAi...", TokenType: "Bearer", ExpiresOn: time.Now().Add(time.Hour)}, nil
	}
	for i := 0; i < 3; i++ {
		tok, err := c.Token(context.Background(), key, false, fetch)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(tok.TokenType, tok.RefreshOn.Sub(tok.ExpiresOn).Round(time.Minute))
	}
	fmt.Println("requests:", requests)
	fmt.Printf("%v\n", cache.Token{Value: "secret", TokenType: "Bearer"})
	// Output:
	// Bearer -5m0s
	// Bearer -5m0s
	// Bearer -5m0s
	// requests: 1
	// cache.Token{Value: REDACTED, TokenType: "Bearer", ExpiresOn: 0001-01-01T00:00:00Z, RefreshOn: 0001-01-01T00:00:00Z}
}

func ExampleNewFileStore() {
	// A cache that survives restarts. Keep the file where only its owner
	// can read it: it holds tokens.
	c := cache.New(cache.Options{
		Store:        cache.NewFileStore("/path/to/azid/cache.json"),
		OnStoreError: func(err error) { fmt.Println(err) },
	})
	_ = c
}
