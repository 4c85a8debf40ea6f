package secretstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/azid-go/azid/internal/secretstore/fixtures"
)

// These tests talk to a real dbus-daemon and gnome-keyring-daemon, as
// started by .ci/secretservice.sh:
//
//	eval "$(bash .ci/secretservice.sh)"
//	AZID_REQUIRE_SECRET_SERVICE=1 go test ./internal/secretstore/
//
// They skip, saying why, only when DBUS_SESSION_BUS_ADDRESS is unset or no
// Secret Service answers on that bus; with AZID_REQUIRE_SECRET_SERVICE=1 (as
// CI sets it) they fail instead.

// TestSecretServiceDaemon stores a secret with secret-tool (libsecret's own
// client) under fresh attributes, reads it back through SecretService, and
// clears it.
func TestSecretServiceDaemon(t *testing.T) {
	addr := fixtures.Bus(t)
	s := &SecretService{Address: addr}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Probe: an item nobody has. NotFound proves the whole exchange works.
	probe := Item{Attributes: map[string]string{"azid-probe": "none"}}
	if _, err := s.Lookup(ctx, probe); !errors.Is(err, ErrNotFound) {
		if errors.Is(err, errNoService) {
			fixtures.Unavailable(t, "no Secret Service on the session bus: "+err.Error())
		}
		t.Fatalf("Lookup of an absent item = %v; want ErrNotFound", err)
	}

	tool, err := exec.LookPath("secret-tool")
	if err != nil {
		fixtures.Unavailable(t, "secret-tool (Debian package libsecret-tools) is not installed")
	}
	nonce := make([]byte, 8)
	rand.Read(nonce)
	run := hex.EncodeToString(nonce)
	secret := "azid test secret " + run + " ünïcode"
	attrs := []string{"xdg:schema", "org.azid.Test", "azid-run", run}
	store := exec.CommandContext(ctx, tool, append([]string{"store", "--label=azid test " + run}, attrs...)...)
	store.Stdin = strings.NewReader(secret)
	if out, err := store.CombinedOutput(); err != nil {
		t.Fatalf("secret-tool store: %v: %s", err, out)
	}
	t.Cleanup(func() {
		exec.Command(tool, append([]string{"clear"}, attrs...)...).Run()
	})

	item := Item{Schema: "org.azid.Test", Attributes: map[string]string{"azid-run": run}}
	got, err := s.Lookup(ctx, item)
	if err != nil || string(got) != secret {
		t.Fatalf("Lookup = %q, %v; want %q", got, err, secret)
	}
	// The schema is matched: the same attributes under another schema are
	// another item.
	item.Schema = "org.azid.Other"
	if _, err := s.Lookup(ctx, item); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Lookup under another schema = %v; want ErrNotFound", err)
	}
}

// TestSecretServiceDaemonFixtures reads the two fixtures that
// .ci/secretservice.sh stores, named as MSAL and VS Code name them.
func TestSecretServiceDaemonFixtures(t *testing.T) {
	addr := fixtures.FixtureBus(t)
	s := &SecretService{Address: addr}
	got, err := s.Lookup(context.Background(), msalItem)
	if err != nil || !strings.Contains(string(got), `"secret":"fixture-msal-refresh-token"`) {
		t.Fatalf("MSAL cache item: %.60q, %v", got, err)
	}
	vscode := Item{Service: "VS Code Azure", Account: "AzureCloud", Schema: "org.freedesktop.Secret.Generic",
		Attributes: map[string]string{"service": "VS Code Azure", "account": "AzureCloud"}}
	got, err = s.Lookup(context.Background(), vscode)
	if err != nil || string(got) != "fixture-vscode-refresh-token" {
		t.Fatalf("VS Code item: %q, %v", got, err)
	}
}
