package secretstore

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeSecurity writes a stand-in for /usr/bin/security: a shell script that
// records its arguments in argv.txt, one a line, and then runs body.
func fakeSecurity(t *testing.T, body string) (path, argvFile string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in for /usr/bin/security is a shell script")
	}
	dir := t.TempDir()
	argvFile = filepath.Join(dir, "argv.txt")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '" + argvFile + "'; done\n" + body + "\n"
	path = filepath.Join(dir, "security")
	if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return path, argvFile
}

// signedHex prints b as security -w does when a byte is not printable:
// printf("%02x") of each (signed) char.
func signedHex(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c >= 0x80 {
			s.WriteString("ffffff")
		}
		s.WriteString(hex.EncodeToString([]byte{c}))
	}
	return s.String()
}

func TestKeychainLookup(t *testing.T) {
	indented := "{\n    \"Account\": {\"name\": \"Zoë\"}\n}"
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr error
		wantIn  string
	}{
		{name: "printable password", body: "printf '%s\\n' '" + testSecret + "'", want: testSecret},
		{name: "hex with sign-extended bytes", body: "printf '%s\\n' '" + signedHex([]byte(indented)) + "'", want: indented},
		{name: "a pair above 7f is not security's hex", body: "printf '%s\\n' '" + hex.EncodeToString([]byte("a\tb\xc3\xa9")) + "'", want: "610962c3a9"},
		{name: "printable hex digits stay as they are", body: "printf '%s\\n' 'deadbeef'", want: "deadbeef"},
		{name: "not found", body: "echo 'security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.' >&2; exit 44",
			wantErr: ErrNotFound, wantIn: `service "Microsoft.Developer.IdentityService" account "MSALCache"`},
		{name: "other failure", body: "echo 'User interaction is not allowed.' >&2; exit 36",
			wantErr: ErrUnavailable, wantIn: "exit status 36: User interaction is not allowed."},
		{name: "long stderr is cut", body: "printf 'x%.0s' $(seq 500) >&2; exit 1", wantErr: ErrUnavailable, wantIn: strings.Repeat("x", maxQuoted)},
		{name: "no trailing newline", body: "printf '%s' '" + testSecret + "'", wantErr: ErrUnavailable, wantIn: "newline"},
		{name: "raw control bytes", body: "printf 'a\\tb\\n'", wantErr: ErrUnavailable, wantIn: "non-printable"},
		{name: "hangs", body: "exec sleep 30", wantErr: ErrUnavailable, wantIn: "did not answer within"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, argvFile := fakeSecurity(t, tt.body)
			k := keychain{path: path, timeout: 5 * time.Second}
			if tt.name == "hangs" {
				k.timeout = 200 * time.Millisecond
			}
			got, err := k.Lookup(context.Background(), msalItem)
			if tt.wantErr == nil {
				if err != nil || string(got) != tt.want {
					t.Fatalf("Lookup = %q, %v; want %q", got, err, tt.want)
				}
			} else {
				if !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("Lookup = %q, %v; want an error wrapping %v", got, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantIn) {
					t.Fatalf("error %q does not say %q", err, tt.wantIn)
				}
				if strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), strings.Repeat("x", maxQuoted+1)) {
					t.Fatalf("error %q quotes too much", err)
				}
			}
			argv, _ := os.ReadFile(argvFile)
			want := "find-generic-password\n-s\nMicrosoft.Developer.IdentityService\n-a\nMSALCache\n-w\n"
			if string(argv) != want {
				t.Fatalf("argv = %q, want %q", argv, want)
			}
		})
	}
}

func TestKeychainNeedsServiceAndAccount(t *testing.T) {
	path, argvFile := fakeSecurity(t, "exit 0")
	_, err := keychain{path: path}.Lookup(context.Background(), Item{Service: "VS Code Azure"})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Lookup without account = %v; want ErrUnavailable", err)
	}
	if _, statErr := os.Stat(argvFile); statErr == nil {
		t.Fatal("security ran for an item without an account")
	}
}

func TestKeychainOutputLimit(t *testing.T) {
	path, _ := fakeSecurity(t, "head -c "+strconv.Itoa(maxKeychainOutput+1)+" /dev/zero")
	_, err := keychain{path: path, timeout: 20 * time.Second}.Lookup(context.Background(), msalItem)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "over") {
		t.Fatalf("Lookup of a huge output = %v; want ErrUnavailable, over the limit", err)
	}
}

func TestDecodeSecurityOutput(t *testing.T) {
	tests := []struct {
		out  string
		want string // "" with ok false: an error
		ok   bool
	}{
		{out: "abc\n", want: "abc", ok: true},
		{out: "\n", want: "", ok: true},
		{out: "7b0a7d\n", want: "{\n}", ok: true},
		{out: "ffffffc3ffffffa9\n", want: "\xc3\xa9", ok: true},
		{out: "c3a9\n", want: "c3a9", ok: true},         // unsigned: not what security prints
		{out: "ffffff41\n", want: "ffffff41", ok: true}, // a sign-extended byte below 0x80 cannot occur
		{out: "6162\n", want: "6162", ok: true},         // "ab" is printable: security would not have hexed it
		{out: "abc", ok: false},
		{out: "a\x01\n", ok: false},
	}
	for _, tt := range tests {
		got, err := decodeSecurityOutput([]byte(tt.out))
		if tt.ok != (err == nil) || string(got) != tt.want {
			t.Errorf("decodeSecurityOutput(%q) = %q, %v; want %q (ok %v)", tt.out, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzDecodeSecurityOutput prints a secret the way security -w does and
// checks that decodeSecurityOutput gives it back, and never panics on
// arbitrary output.
func FuzzDecodeSecurityOutput(f *testing.F) {
	for _, s := range []string{testSecret, "{\n}", "Zoë", "", "deadbeef", "0a", "\xff", "ffffff41"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, secret []byte) {
		if got, err := decodeSecurityOutput(secret); err != nil && got != nil {
			t.Fatalf("error %v with a result", err)
		}
		printed := string(secret)
		if !allPrintable(secret) {
			printed = signedHex(secret)
		} else if d, ok := decodeSignedHex(secret); ok && !allPrintable(d) {
			return // a printable secret that reads as hex: the documented ambiguity
		}
		got, err := decodeSecurityOutput([]byte(printed + "\n"))
		if err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("decodeSecurityOutput(%q) = %q, %v; want %q", printed, got, err, secret)
		}
	})
}
