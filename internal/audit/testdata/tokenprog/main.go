// Command tokenprog is the smallest useful program on azid: it gets one
// token with ClientSecretCredential and prints its expiry. It exists to be
// built, never run, by TestFootprint and .ci/footprint, which compare its
// size with httpget's (issue 7, item 4). Written for this repository.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/azid-go/azid/identity"
)

func main() {
	cred, err := identity.NewClientSecretCredential(os.Getenv("AZURE_TENANT_ID"), os.Getenv("AZURE_CLIENT_ID"), os.Getenv("AZURE_CLIENT_SECRET"), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tok, err := cred.GetToken(context.Background(), identity.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(tok.ExpiresOn)
}
