package secretstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// securityPath is macOS's command-line front end to the Keychain.
const securityPath = "/usr/bin/security"

// itemNotFoundExit is the exit status of security when no item matches:
// it exits with the low byte of the OSStatus, and errSecItemNotFound is
// -25300 (0x...9D2C), hence 44.
const itemNotFoundExit = 44

// keychain reads generic passwords from the macOS login Keychain by running
// "security find-generic-password -s SERVICE -a ACCOUNT -w", started
// directly (no shell) with stdin closed and a timeout that kills it. The
// path is a field so that tests run a stand-in; Default sets it to
// /usr/bin/security.
type keychain struct {
	path    string
	timeout time.Duration
}

// Lookup implements Store.
func (k keychain) Lookup(ctx context.Context, item Item) ([]byte, error) {
	// Both must be set: with one missing, security matches any item.
	if item.Service == "" || item.Account == "" {
		return nil, fmt.Errorf("%w: keychain: the item needs a service and an account", ErrUnavailable)
	}
	timeout := k.timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, k.path, "find-generic-password", "-s", item.Service, "-a", item.Account, "-w")
	stdout := &boundedBuffer{max: maxKeychainOutput, stop: true}
	stderr := &boundedBuffer{max: 2 * maxQuoted} // cut trims it on a rune boundary
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = keychainWaitDelay
	err := cmd.Run()
	defer clear(stdout.buf.Bytes())

	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		// A Keychain access prompt waiting for a click looks like this.
		return nil, fmt.Errorf("%w: keychain: security did not answer within %v: %w", ErrUnavailable, timeout, ctx.Err())
	case stdout.over:
		return nil, fmt.Errorf("%w: keychain: the secret is over %d bytes", ErrUnavailable, MaxSecret)
	case errors.As(err, &exit) && exit.ExitCode() == itemNotFoundExit:
		return nil, fmt.Errorf("%w: keychain: no item with %s", ErrNotFound, item.serviceAccount())
	case err != nil:
		// stderr says why ("User interaction is not allowed." and the like);
		// security never prints the password there.
		if why := strings.TrimSpace(stderr.buf.String()); why != "" {
			return nil, fmt.Errorf("%w: keychain: security: %w: %s", ErrUnavailable, err, cut(why))
		}
		return nil, fmt.Errorf("%w: keychain: security: %w", ErrUnavailable, err)
	}
	secret, err := decodeSecurityOutput(stdout.buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%w: keychain: %w", ErrUnavailable, err)
	}
	if len(secret) > MaxSecret {
		clear(secret)
		return nil, fmt.Errorf("%w: keychain: the secret is over %d bytes", ErrUnavailable, MaxSecret)
	}
	return secret, nil
}

// decodeSecurityOutput recovers the password from what "security
// find-generic-password -w" prints. It prints the password and a newline
// when every byte is printable (isprint, in the C locale: 0x20 to 0x7e);
// otherwise it prints every byte with printf("%02x") of a plain char, which
// is signed on macOS (Intel and Apple silicon alike), so a byte above 0x7f
// comes out sign-extended as eight digits, "ffffff" and the byte
// (keychain_find.c, do_password_item_printing, in Apple's Security sources).
// An MSAL cache written by MSAL Python is indented JSON, so it always takes
// the hex form.
//
// A printable password made of hex digits alone could read like hex output.
// Output is taken as hex only when it is well-formed signed hex (no lone
// pair above 7f) and decodes to bytes that security would not have printed
// as they are; the JSON and refresh tokens read here are never hex digits
// alone.
func decodeSecurityOutput(out []byte) ([]byte, error) {
	out, ok := bytes.CutSuffix(out, []byte("\n"))
	if !ok {
		return nil, errors.New("security output does not end with a newline")
	}
	if decoded, ok := decodeSignedHex(out); ok && !allPrintable(decoded) {
		return decoded, nil
	}
	if !allPrintable(out) {
		return nil, errors.New("security printed a password with non-printable bytes")
	}
	return append([]byte{}, out...), nil
}

// decodeSignedHex decodes lowercase hex as printf("%02x") prints signed
// chars: a byte up to 0x7f as two digits, a byte above as "ffffff" and two
// digits. It reports false when s is not such hex.
func decodeSignedHex(s []byte) ([]byte, bool) {
	if len(s) == 0 || len(s)%2 != 0 {
		return nil, false
	}
	out := make([]byte, 0, len(s)/2)
	for i := 0; i < len(s); {
		b, ok := hexByte(s[i], s[i+1])
		switch {
		case ok && b < 0x80:
			i += 2
		case ok && b == 0xff && i+8 <= len(s) && bytes.HasPrefix(s[i+2:], []byte("ffff")):
			b, ok = hexByte(s[i+6], s[i+7])
			if !ok || b < 0x80 {
				clear(out)
				return nil, false
			}
			i += 8
		default:
			clear(out)
			return nil, false
		}
		out = append(out, b)
	}
	return out, true
}

func hexByte(hi, lo byte) (byte, bool) {
	h, ok1 := hexDigit(hi)
	l, ok2 := hexDigit(lo)
	return h<<4 | l, ok1 && ok2
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func allPrintable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// boundedBuffer keeps the first max bytes written to it and notes whether
// more came. With stop set, a write past max fails, which closes the pipe
// (stdout: the output is no use any more); without, the rest is dropped
// (stderr: the child must not die of a closed pipe before it exits with its
// own status).
type boundedBuffer struct {
	buf  bytes.Buffer
	max  int
	stop bool
	over bool
}

var errOutputLimit = errors.New("output over the limit")

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); len(p) > room {
		b.over = true
		b.buf.Write(p[:room])
		if b.stop {
			return room, errOutputLimit
		}
		return len(p), nil
	}
	return b.buf.Write(p)
}
