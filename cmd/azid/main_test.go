package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"

	"github.com/azid-go/azid/identitytest"
	"github.com/azid-go/azid/jwt"
)

func run(args ...string) (code int, out, errOut string) {
	var o, e bytes.Buffer
	code = execute(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestDemo(t *testing.T) {
	code, out, errOut := run("demo")
	if code != exitOK {
		t.Fatalf("demo exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"ClientSecretCredential", "ClientCertificateCredential", "DeviceCodeCredential", "hit"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "FAILED") {
		t.Errorf("demo output has a failure:\n%s", out)
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, exitUsage, "Usage"},
		{[]string{"nope"}, exitUsage, "unknown command"},
		{[]string{"help"}, exitOK, "Exit codes"},
		{[]string{"token", "--help"}, exitOK, "--scope"},
		{[]string{"token"}, exitUsage, "--scope"},
		{[]string{"token", "--scope", "s", "--output", "yaml"}, exitUsage, "--output"},
		{[]string{"token", "--scope", "s", "--credential", "nope"}, exitUsage, "unknown credential"},
		{[]string{"decode", "--help"}, exitOK, "NOTHING IS VERIFIED"},
		{[]string{"decode", "not-a-jwt"}, exitFailed, "jwt:"},
		{[]string{"demo", "--help"}, exitOK, "fake Microsoft Entra ID"},
	}
	for _, tt := range tests {
		code, out, errOut := run(tt.args...)
		if code != tt.code || !strings.Contains(out+errOut, tt.want) {
			t.Errorf("azid %q: exit %d (want %d), output lacks %q:\n%s%s", tt.args, code, tt.code, tt.want, out, errOut)
		}
	}
}

func TestDecode(t *testing.T) {
	tok := sampleJWT(t)
	code, out, errOut := run("decode", "Bearer "+tok)
	if code != exitOK || !strings.Contains(out, `"alg": "RS256"`) || !strings.Contains(out, `"sub": "demo"`) || !strings.Contains(out, "NOT VERIFIED") {
		t.Fatalf("decode exit %d:\n%s%s", code, out, errOut)
	}
}

func TestTokenWithEnvironmentCredential(t *testing.T) {
	s := identitytest.New(nil)
	defer s.Close()
	s.AddApp(identitytest.App{ClientID: "11111111-0000-0000-0000-000000000001", Secret: "cmd-secret"})
	t.Setenv("AZURE_TENANT_ID", "tenant-1")
	t.Setenv("AZURE_CLIENT_ID", "11111111-0000-0000-0000-000000000001")
	t.Setenv("AZURE_CLIENT_SECRET", "cmd-secret")
	t.Setenv("AZURE_AUTHORITY_HOST", s.Authority())
	t.Setenv("SSL_CERT_FILE", writePEM(t, s))
	code, out, errOut := run("token", "--credential", "environment", "--scope", "https://management.azure.com/.default")
	if code != exitOK || !strings.Contains(out, `"accessToken"`) || !strings.Contains(out, `"expires_on"`) {
		t.Fatalf("token exit %d:\n%s%s", code, out, errOut)
	}
	t.Setenv("AZURE_CLIENT_SECRET", "")
	if code, _, errOut := run("token", "--credential", "environment", "--scope", "s"); code != exitUnavailable {
		t.Fatalf("unconfigured: exit %d, want %d:\n%s", code, exitUnavailable, errOut)
	}
}

// TestHelpOfHelp: "help" after a help word prints the usage once. It used
// to turn "help X" into "X --help" again and again ("azid help --help",
// "azid -h -h"), until the stack ran out.
func TestHelpOfHelp(t *testing.T) {
	for _, args := range [][]string{{"help", "--help"}, {"--help", "--help"}, {"-h", "-h"}, {"help", "help"}} {
		code, out, _ := run(args...)
		if code != exitOK || !strings.Contains(out, "Usage") {
			t.Errorf("azid %s: exit %d, output %.60q; want the usage", strings.Join(args, " "), code, out)
		}
	}
}

// TestDecodePrintsWholeHeader: decode prints the header as sent, members
// jwt.Header does not have (a Graph token's nonce) included.
func TestDecodePrintsWholeHeader(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.SignRaw([]byte(`{"typ":"JWT","nonce":"abc123","alg":"RS256","kid":"k1"}`), []byte(`{"sub":"demo"}`), key)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run("decode", tok)
	if code != exitOK {
		t.Fatalf("decode exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"nonce": "abc123"`) || !strings.Contains(out, `"kid": "k1"`) {
		t.Errorf("decode did not print the whole header:\n%s", out)
	}
}
