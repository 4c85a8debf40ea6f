package secretstore

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// A D-Bus client connection (D-Bus Specification, "Server Addresses",
// "Authentication Protocol" and "Message Bus Specification"), enough to call
// methods on a session bus over a unix socket and read their replies.

// errNoService reports that no program owns the bus name called: the bus
// answered ServiceUnknown or NameHasNoOwner.
var errNoService = errors.New("no such service on the bus")

// busError is an ERROR reply: "If the first argument exists and is a string,
// it is an error message."
type busError struct {
	name, message string
}

func (e *busError) Error() string {
	if e.message == "" {
		return cut(e.name)
	}
	return cut(e.name) + ": " + cut(e.message)
}

func (e *busError) Is(target error) bool {
	return target == errNoService &&
		(e.name == "org.freedesktop.DBus.Error.ServiceUnknown" || e.name == "org.freedesktop.DBus.Error.NameHasNoOwner")
}

// cut shortens text from the other side to maxQuoted bytes, on a rune
// boundary, for an error message.
func cut(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	i := maxQuoted
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + "..."
}

// busConn is one authenticated connection to a message bus. It is used by
// one goroutine, for one Lookup.
type busConn struct {
	conn    net.Conn
	serial  uint32
	timeout time.Duration
}

// socketNames returns the unix sockets named by a D-Bus address list,
// in order: "unix:path=P" gives P, "unix:abstract=A" gives "@A" (Go's name
// for the Linux abstract namespace). Other transports and the listen-only
// keys (dir, tmpdir, runtime) are skipped. "Server addresses consist of a
// transport name followed by a colon, and then an optional, comma-separated
// list of keys and values in the form key=value"; addresses are separated
// by ";", and values are %-escaped.
func socketNames(address string) ([]string, error) {
	var names []string
	for _, addr := range strings.Split(address, ";") {
		transport, params, ok := strings.Cut(addr, ":")
		if !ok || transport != "unix" {
			continue
		}
		for _, kv := range strings.Split(params, ",") {
			key, value, _ := strings.Cut(kv, "=")
			v, err := unescapeAddress(value)
			if err != nil {
				return nil, err
			}
			switch key {
			case "path":
				names = append(names, v)
			case "abstract":
				names = append(names, "@"+v)
			}
		}
	}
	if len(names) == 0 {
		return nil, errors.New("the bus address names no unix socket")
	}
	return names, nil
}

// unescapeAddress undoes the escaping of address values: "a byte may be
// represented by an ASCII '%' followed by two hexadecimal digits".
func unescapeAddress(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", errors.New("bad %-escape in the bus address")
		}
		x, err := hex.DecodeString(s[i+1 : i+3])
		if err != nil {
			return "", errors.New("bad %-escape in the bus address")
		}
		b.WriteByte(x[0])
		i += 2
	}
	return b.String(), nil
}

// dialBus connects to the first socket of address that answers, and
// authenticates.
func dialBus(ctx context.Context, address string, timeout time.Duration) (*busConn, error) {
	if address == "" {
		return nil, errors.New("no session bus (DBUS_SESSION_BUS_ADDRESS is unset)")
	}
	names, err := socketNames(address)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: timeout}
	var conn net.Conn
	for _, name := range names {
		if conn, err = d.DialContext(ctx, "unix", name); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("connecting to the session bus: %w", err)
	}
	b := &busConn{conn: conn, timeout: timeout}
	if err := b.authenticate(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return b, nil
}

// Close closes the connection; the bus then ends everything tied to it,
// the Secret Service session included.
func (b *busConn) Close() error { return b.conn.Close() }

// deadline bounds the next exchange by the timeout and ctx's deadline.
func (b *busConn) deadline(ctx context.Context) {
	d := time.Now().Add(b.timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(d) {
		d = dl
	}
	b.conn.SetDeadline(d)
}

// authenticate runs the SASL EXTERNAL exchange: "the client must send a
// single nul byte" and then "AUTH EXTERNAL" with the hex-encoded decimal uid
// as the initial response; the server answers "OK <guid>", and the client
// sends "BEGIN", after which messages flow.
func (b *busConn) authenticate(ctx context.Context) error {
	uid := os.Getuid()
	if uid < 0 {
		return errors.New("no user id to authenticate to the bus with on this system")
	}
	b.deadline(ctx)
	hello := "\x00AUTH EXTERNAL " + hex.EncodeToString([]byte(strconv.Itoa(uid))) + "\r\n"
	if _, err := b.conn.Write([]byte(hello)); err != nil {
		return fmt.Errorf("authenticating to the bus: %w", err)
	}
	line, err := b.readLine()
	if err != nil {
		return fmt.Errorf("authenticating to the bus: %w", err)
	}
	if !strings.HasPrefix(line, "OK ") {
		verb, _, _ := strings.Cut(line, " ")
		return fmt.Errorf("the bus refused EXTERNAL authentication (%s)", cut(verb))
	}
	if _, err := b.conn.Write([]byte("BEGIN\r\n")); err != nil {
		return fmt.Errorf("authenticating to the bus: %w", err)
	}
	return nil
}

// readLine reads one CRLF-terminated SASL line a byte at a time, so that no
// buffer holds bytes that belong to the messages after it.
func (b *busConn) readLine() (string, error) {
	var line []byte
	one := make([]byte, 1)
	for len(line) < maxAuthLine {
		if _, err := io.ReadFull(b.conn, one); err != nil {
			return "", err
		}
		if one[0] == '\n' {
			if len(line) == 0 || line[len(line)-1] != '\r' {
				return "", errors.New("line not ended by CRLF")
			}
			return string(line[:len(line)-1]), nil
		}
		line = append(line, one[0])
	}
	return "", errors.New("line too long")
}

// call invokes a method and waits for its reply, whose body signature must
// be want. Other messages that arrive meanwhile (signals such as
// NameAcquired) are skipped, up to maxSkipped.
func (b *busConn) call(ctx context.Context, want signature, dest string, path objectPath, iface, member string, sig signature, args ...any) ([]any, error) {
	b.serial++
	req := &message{
		typ: msgMethodCall, serial: b.serial, path: path, iface: iface, member: member,
		destination: dest, sig: sig, body: args,
	}
	raw, err := req.encode(binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	b.deadline(ctx)
	if _, err := b.conn.Write(raw); err != nil {
		return nil, fmt.Errorf("%s: %w", member, err)
	}
	for skipped := 0; skipped <= maxSkipped; skipped++ {
		raw, err := readMessage(b.conn, maxMessage)
		if err != nil {
			return nil, fmt.Errorf("%s: reading the reply: %w", member, err)
		}
		reply, err := decodeMessage(raw)
		clear(raw) // the reply to GetSecrets holds the secret; keep one copy only
		if err != nil {
			return nil, fmt.Errorf("%s: %w", member, err)
		}
		if reply.replySerial != req.serial || (reply.typ != msgMethodReturn && reply.typ != msgError) {
			continue
		}
		if reply.typ == msgError {
			be := &busError{name: reply.errorName}
			if len(reply.body) > 0 {
				be.message, _ = reply.body[0].(string)
			}
			return nil, fmt.Errorf("%s: %w", member, be)
		}
		if reply.sig != want {
			return nil, fmt.Errorf("%s: reply has signature %q, want %q", member, reply.sig, want)
		}
		return reply.body, nil
	}
	return nil, fmt.Errorf("%s: no reply among %d messages", member, maxSkipped)
}

// hello registers the connection with the bus, which every client must do
// before anything else: "Before an application is able to send messages to
// other applications it must send the org.freedesktop.DBus.Hello message".
func (b *busConn) hello(ctx context.Context) error {
	_, err := b.call(ctx, "s", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "")
	return err
}
