//go:build unix

package process

import (
	"context"
	"strings"
	"testing"
)

// TestSecretsNotPassedOn: another credential's secret in the environment
// never reaches a tool.
func TestSecretsNotPassedOn(t *testing.T) {
	t.Setenv("AZURE_CLIENT_SECRET", "canary-client-secret")
	t.Setenv("IDENTITY_HEADER", "canary-identity-header")
	t.Setenv("AZID_HARMLESS", "kept")
	r, err := Run(context.Background(), Command{Name: "env"})
	if err != nil {
		t.Skipf("no env executable: %v", err)
	}
	out := string(r.Stdout)
	if strings.Contains(out, "canary") {
		t.Fatalf("a secret reached the child:\n%s", out)
	}
	if !strings.Contains(out, "AZID_HARMLESS=kept") {
		t.Fatal("other variables must be passed on")
	}
}
