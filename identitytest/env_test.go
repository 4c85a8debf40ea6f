package identitytest

import (
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestManagedIdentityEnv: each source's Env holds the variables PROTOCOL
// 7.1 detects it by, pointing at the fake.
func TestManagedIdentityEnv(t *testing.T) {
	want := map[MISource][]string{
		SourceIMDS:          {"AZURE_POD_IDENTITY_AUTHORITY_HOST"},
		SourceAppService:    {"IDENTITY_ENDPOINT", "IDENTITY_HEADER"},
		SourceAzureArc:      {"IDENTITY_ENDPOINT", "IMDS_ENDPOINT"},
		SourceCloudShell:    {"MSI_ENDPOINT"},
		SourceServiceFabric: {"IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT"},
		SourceAzureML:       {"DEFAULT_IDENTITY_CLIENT_ID", "MSI_ENDPOINT", "MSI_SECRET"},
	}
	for _, source := range allSources {
		m := newMI(t, source, nil)
		env := m.Env()
		names := make([]string, 0, len(env))
		for name, v := range env {
			names = append(names, name)
			if v == "" {
				t.Errorf("%s: %s is empty", source, name)
			}
		}
		sort.Strings(names)
		if !reflect.DeepEqual(names, want[source]) {
			t.Errorf("%s: Env has %v; want %v", source, names, want[source])
		}
		for _, name := range []string{"IDENTITY_ENDPOINT", "MSI_ENDPOINT"} {
			if v, ok := env[name]; ok && v != m.TokenURL() {
				t.Errorf("%s: %s = %s; want %s", source, name, v, m.TokenURL())
			}
		}
		for _, name := range []string{"AZURE_POD_IDENTITY_AUTHORITY_HOST", "IMDS_ENDPOINT"} {
			if v, ok := env[name]; ok && v != m.URL() {
				t.Errorf("%s: %s = %s; want %s", source, name, v, m.URL())
			}
		}
		if s := env["IDENTITY_HEADER"] + env["MSI_SECRET"]; s != m.secret {
			t.Errorf("%s: the secret in Env is not the one checked", source)
		}
	}
	// IMDS's token URL is the override host plus the fixed path (PROTOCOL
	// 7.3), which is where the fake serves.
	m := newMI(t, SourceIMDS, nil)
	if m.Env()["AZURE_POD_IDENTITY_AUTHORITY_HOST"]+"/metadata/identity/oauth2/token" != m.TokenURL() {
		t.Fatal("IMDS token URL is not the override host's")
	}
}

// TestManagedIdentitySetenv: Setenv sets Env's variables, unsets (not
// empties) the other managed identity variables, and the test's end
// restores everything.
func TestManagedIdentitySetenv(t *testing.T) {
	t.Setenv("MSI_ENDPOINT", "http://elsewhere")
	t.Setenv("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token")
	t.Setenv("IDENTITY_HEADER", "") // restored at the end, then unset for this test
	os.Unsetenv("IDENTITY_HEADER")
	m := newMI(t, SourceAppService, nil)
	t.Run("inside", func(t *testing.T) {
		m.Setenv(t)
		for name, v := range m.Env() {
			if got := os.Getenv(name); got != v {
				t.Errorf("%s = %q; want %q", name, got, v)
			}
		}
		for _, name := range []string{"MSI_ENDPOINT", "AZURE_FEDERATED_TOKEN_FILE", "IMDS_ENDPOINT"} {
			if v, ok := os.LookupEnv(name); ok {
				t.Errorf("%s is still set (%q)", name, v)
			}
		}
	})
	if os.Getenv("MSI_ENDPOINT") != "http://elsewhere" || os.Getenv("AZURE_FEDERATED_TOKEN_FILE") != "/var/run/token" {
		t.Error("Setenv's changes outlived the test")
	}
	if _, ok := os.LookupEnv("IDENTITY_HEADER"); ok {
		t.Error("IDENTITY_HEADER was unset before and is set after")
	}
}

// TestVariableLists: every variable a fake sets is in the list its Setenv
// clears, so that two fakes set one after the other leave no trace of the
// first.
func TestVariableLists(t *testing.T) {
	in := func(list []string, name string) bool {
		for _, n := range list {
			if n == name {
				return true
			}
		}
		return false
	}
	for _, source := range allSources {
		for name := range newMI(t, source, nil).Env() {
			if !in(managedIdentityVariables, name) {
				t.Errorf("%s sets %s, which Setenv does not clear", source, name)
			}
		}
	}
	for _, c := range []*OIDCIssuer{newOIDC(t, false, nil), newOIDC(t, true, nil)} {
		for name := range c.Env() {
			if !in(ciVariables, name) {
				t.Errorf("OIDC sets %s, which Setenv does not clear", name)
			}
		}
	}
	for _, list := range [][]string{managedIdentityVariables, ciVariables, workloadVariables} {
		for _, name := range list {
			if name != strings.ToUpper(name) || strings.ContainsAny(name, " =") {
				t.Errorf("bad variable name %q", name)
			}
		}
	}
}
