package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/azid-go/azid/identity"
)

var errUnknownCredential = errors.New("unknown credential")

// credentialFactories builds the credentials `azid token --credential` can
// name, each configured from the environment as its constructor documents.
var credentialFactories = map[string]func(prompt io.Writer) (identity.TokenCredential, error){
	"default": func(io.Writer) (identity.TokenCredential, error) { return identity.NewDefaultAzureCredential(nil) },
	"cli":     func(io.Writer) (identity.TokenCredential, error) { return identity.NewAzureCLICredential(nil) },
	"azd":     func(io.Writer) (identity.TokenCredential, error) { return identity.NewAzureDeveloperCLICredential(nil) },
	"powershell": func(io.Writer) (identity.TokenCredential, error) {
		return identity.NewAzurePowerShellCredential(nil)
	},
	"sharedcache": func(io.Writer) (identity.TokenCredential, error) { return identity.NewSharedTokenCacheCredential(nil) },
	"vscode":      func(io.Writer) (identity.TokenCredential, error) { return identity.NewVisualStudioCodeCredential(nil) },
	"environment": func(io.Writer) (identity.TokenCredential, error) { return identity.NewEnvironmentCredential(nil) },
	"managed":     func(io.Writer) (identity.TokenCredential, error) { return identity.NewManagedIdentityCredential(nil) },
	"workload":    func(io.Writer) (identity.TokenCredential, error) { return identity.NewWorkloadIdentityCredential(nil) },
	"devicecode": func(prompt io.Writer) (identity.TokenCredential, error) {
		return identity.NewDeviceCodeCredential(&identity.DeviceCodeCredentialOptions{
			UserPrompt: func(_ context.Context, m identity.DeviceCodeMessage) error {
				_, err := fmt.Fprintf(prompt, "%s\nwaiting for the sign-in to complete (the code expires at %s; Ctrl-C to stop)...\n",
					m.Message, m.ExpiresOn.Local().Format(time.TimeOnly))
				return err
			},
		})
	},
}

func credentialNames() []string {
	names := make([]string, 0, len(credentialFactories))
	for n := range credentialFactories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func newCredential(name string, prompt io.Writer) (identity.TokenCredential, error) {
	f, ok := credentialFactories[name]
	if !ok {
		return nil, fmt.Errorf("%w %q; choose one of %v", errUnknownCredential, name, credentialNames())
	}
	return f(prompt)
}
