package secretstore

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
)

// fakeBus is a message bus and a Secret Service in one, on a unix socket in
// the test's temporary directory: enough of dbus-daemon and gnome-keyring to
// drive SecretService through every path, on any system.
type fakeBus struct {
	t       *testing.T
	address string
	ln      net.Listener

	// Set by newFakeBus's setup function, before any connection.
	items      map[objectPath]*fakeItem
	authReply  string        // default "OK <guid>"
	order      byteOrder     // of the replies; default little-endian
	signals    int           // signals sent before each reply
	stallOn    string        // a member never answered
	stalled    chan struct{} // closed when stallOn is first called
	stallOnce  sync.Once
	errorOn    map[string]string // member -> D-Bus error name
	replySig   map[string]string // member -> a wrong reply signature
	skipSecret bool              // GetSecrets answers with an empty dict
	garbageOn  string            // a member answered with a malformed message

	mu    sync.Mutex // guards calls, and items once serving
	calls []string   // members called, in order
}

type fakeItem struct {
	attrs          map[string]string
	secret         []byte
	locked, prompt bool // prompt: unlocking needs a person
}

func newFakeBus(t *testing.T, setup func(*fakeBus)) *fakeBus {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bus")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	b := &fakeBus{
		t: t, ln: ln, address: "unix:path=" + path + ",guid=0123456789abcdef0123456789abcdef",
		items: map[objectPath]*fakeItem{}, authReply: "OK 0123456789abcdef0123456789abcdef",
		order: binary.LittleEndian, errorOn: map[string]string{}, replySig: map[string]string{},
		stalled: make(chan struct{}),
	}
	if setup != nil {
		setup(b)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				b.serve(conn)
			}()
		}
	}()
	return b
}

func (b *fakeBus) called() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string{}, b.calls...)
}

// serve plays the bus for one connection until it closes.
func (b *fakeBus) serve(conn net.Conn) {
	if err := b.auth(conn); err != nil {
		return
	}
	var serial uint32 = 100
	for {
		raw, err := readMessage(conn, maxMessage)
		if err != nil {
			return
		}
		m, err := decodeMessage(raw)
		if err != nil {
			b.t.Errorf("fake bus: client sent a malformed message: %v", err)
			return
		}
		if m.typ != msgMethodCall {
			continue
		}
		b.mu.Lock()
		b.calls = append(b.calls, m.member)
		b.mu.Unlock()
		if m.member == b.stallOn {
			b.stallOnce.Do(func() { close(b.stalled) })
			io.Copy(io.Discard, conn) // until the client hangs up
			return
		}
		for i := 0; i < b.signals; i++ {
			serial++
			b.send(conn, &message{typ: msgSignal, serial: serial, path: "/org/freedesktop/DBus",
				iface: "org.freedesktop.DBus", member: "NameAcquired", sig: "s", body: []any{":1.7"}})
			// A reply to someone else's call is skipped too.
			serial++
			b.send(conn, &message{typ: msgMethodReturn, serial: serial, replySerial: m.serial + 1000})
		}
		serial++
		if m.member == b.garbageOn {
			conn.Write([]byte("l\x02\x00\x01\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00")) // zero-length header fields: no REPLY_SERIAL
			continue
		}
		reply := &message{typ: msgMethodReturn, serial: serial, replySerial: m.serial, destination: ":1.7"}
		if name := b.errorOn[m.member]; name != "" {
			reply.typ, reply.errorName, reply.sig, reply.body = msgError, name, "s", []any{"the fake bus says no"}
		} else {
			b.mu.Lock()
			reply.sig, reply.body = b.answer(m)
			b.mu.Unlock()
		}
		if sig, ok := b.replySig[m.member]; ok {
			reply.sig, reply.body = signature(sig), []any{"unexpected"}
		}
		b.send(conn, reply)
	}
}

func (b *fakeBus) send(conn net.Conn, m *message) {
	raw, err := m.encode(b.order)
	if err != nil {
		b.t.Errorf("fake bus: encoding %s: %v", m.member, err)
		return
	}
	conn.Write(raw)
}

// auth plays the server side of SASL EXTERNAL and checks the client's uid.
func (b *fakeBus) auth(conn net.Conn) error {
	buf := make([]byte, 1)
	if _, err := io.ReadFull(conn, buf); err != nil || buf[0] != 0 {
		return errors.New("no nul byte")
	}
	line, err := readTestLine(conn)
	if err != nil {
		return err
	}
	want := "AUTH EXTERNAL " + hex.EncodeToString([]byte(strconv.Itoa(os.Getuid())))
	if line != want {
		b.t.Errorf("fake bus: auth line %q, want %q", line, want)
		conn.Write([]byte("REJECTED EXTERNAL\r\n"))
		return errors.New("bad auth")
	}
	conn.Write([]byte(b.authReply + "\r\n"))
	if line, err = readTestLine(conn); err != nil || line != "BEGIN" {
		return errors.New("no BEGIN")
	}
	return nil
}

func readTestLine(r io.Reader) (string, error) {
	var line []byte
	buf := make([]byte, 1)
	for len(line) < 1024 {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		if buf[0] == '\n' && len(line) > 0 && line[len(line)-1] == '\r' {
			return string(line[:len(line)-1]), nil
		}
		line = append(line, buf[0])
	}
	return "", errors.New("line too long")
}

// answer computes the reply body of a method call.
func (b *fakeBus) answer(m *message) (signature, []any) {
	const session = objectPath("/org/freedesktop/secrets/session/s1")
	switch m.member {
	case "Hello":
		return "s", []any{":1.7"}
	case "OpenSession":
		if m.sig != "sv" || m.body[0] != "plain" {
			b.t.Errorf("fake bus: OpenSession(%v), want plain", m.body)
		}
		return "vo", []any{variant{sig: "s", value: ""}, session}
	case "SearchItems":
		want := map[string]string{}
		for _, e := range m.body[0].([]any) {
			de := e.(dictEntry)
			want[de.key.(string)] = de.value.(string)
		}
		unlocked, locked := []any{}, []any{}
		for _, p := range sortedPaths(b.items) {
			it := b.items[p]
			if !matches(it.attrs, want) {
				continue
			}
			if it.locked {
				locked = append(locked, p)
			} else {
				unlocked = append(unlocked, p)
			}
		}
		return "aoao", []any{unlocked, locked}
	case "Unlock":
		done := []any{}
		for _, p := range m.body[0].([]any) {
			it := b.items[p.(objectPath)]
			if it == nil || it.prompt {
				return "aoo", []any{[]any{}, objectPath("/org/freedesktop/secrets/prompt/p1")}
			}
			it.locked = false
			done = append(done, p)
		}
		return "aoo", []any{done, objectPath("/")}
	case "GetSecrets":
		if m.body[1] != session {
			b.t.Errorf("fake bus: GetSecrets with session %v", m.body[1])
		}
		out := []any{}
		for _, p := range m.body[0].([]any) {
			it := b.items[p.(objectPath)]
			if it == nil || it.locked || b.skipSecret {
				continue
			}
			out = append(out, dictEntry{key: p, value: []any{session, []byte{}, it.secret, "text/plain"}})
		}
		return "a{o(oayays)}", []any{out}
	}
	return "", nil
}

func matches(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

func sortedPaths(m map[objectPath]*fakeItem) []objectPath {
	var ps []objectPath
	for p := range m {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	return ps
}
