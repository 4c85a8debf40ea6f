package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/azid-go/azid/identity"
)

const tokenHelp = `Usage: azid token --scope SCOPE [--credential NAME] [--tenant TENANT] [--output json|raw]

Gets an access token and prints it, like 'az account get-access-token'.

Options:
  --scope S        the scope, e.g. https://management.azure.com/.default (repeatable)
  --credential N   which credential: %s
                   (default: default, i.e. DefaultAzureCredential)
  --tenant T       ask for a token from tenant T
  --output F       json (default) or raw (the bare token)

Output (json, stable): {"accessToken": "...", "expiresOn": "<RFC 3339 UTC>",
"expires_on": <Unix seconds>, "tokenType": "Bearer"}

Configuration comes from the environment variables the credential reads
(AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, ...: see README.md).
`

// scopeList collects repeated --scope flags.
type scopeList []string

func (s *scopeList) String() string     { return strings.Join(*s, " ") }
func (s *scopeList) Set(v string) error { *s = append(*s, v); return nil }

// tokenOutput is the stable JSON form of `azid token --output json`.
type tokenOutput struct {
	AccessToken string `json:"accessToken"`
	ExpiresOn   string `json:"expiresOn"`
	ExpiresOnTS int64  `json:"expires_on"`
	TokenType   string `json:"tokenType"`
}

func runToken(ctx context.Context, args []string, out, errOut io.Writer) int {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() { fmt.Fprintf(errOut, tokenHelp, strings.Join(credentialNames(), ", ")) }
	var scopes scopeList
	fs.Var(&scopes, "scope", "scope (repeatable)")
	name := fs.String("credential", "default", "credential")
	tenant := fs.String("tenant", "", "tenant")
	output := fs.String("output", "json", "json or raw")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(scopes) == 0 || fs.NArg() > 0 || (*output != "json" && *output != "raw") {
		fs.Usage()
		return exitUsage
	}
	cred, err := newCredential(*name, errOut)
	if err != nil {
		fmt.Fprintf(errOut, "azid token: %v\n", err)
		return exitCode(err)
	}
	tok, err := cred.GetToken(ctx, identity.TokenRequestOptions{Scopes: scopes, TenantID: *tenant})
	if err != nil {
		fmt.Fprintf(errOut, "azid token: %v\n", err)
		return exitCode(err)
	}
	if *output == "raw" {
		fmt.Fprintln(out, tok.Token)
		return exitOK
	}
	b, err := json.MarshalIndent(tokenOutput{
		AccessToken: tok.Token,
		ExpiresOn:   tok.ExpiresOn.UTC().Format(time.RFC3339),
		ExpiresOnTS: tok.ExpiresOn.Unix(),
		TokenType:   tok.TokenType,
	}, "", "  ")
	if err != nil {
		fmt.Fprintf(errOut, "azid token: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(out, "%s\n", b)
	return exitOK
}

func exitCode(err error) int {
	var cue *identity.CredentialUnavailableError
	switch {
	case errors.As(err, &cue):
		return exitUnavailable
	case errors.Is(err, errUnknownCredential), errors.Is(err, identity.ErrInvalidScope),
		errors.Is(err, identity.ErrInvalidTenantID), errors.Is(err, identity.ErrInvalidArgument):
		return exitUsage
	}
	return exitFailed
}
