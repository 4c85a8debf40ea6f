package secretstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
)

// sampleMessages are one message of each type, as the Secret Service
// exchange sends them.
func sampleMessages() []*message {
	secret := []any{dictEntry{key: objectPath("/org/freedesktop/secrets/collection/login/1"),
		value: []any{objectPath("/org/freedesktop/secrets/session/s1"), []byte{}, []byte(testSecret), "text/plain"}}}
	return []*message{
		{typ: msgMethodCall, serial: 1, path: "/org/freedesktop/DBus", iface: "org.freedesktop.DBus",
			member: "Hello", destination: "org.freedesktop.DBus"},
		{typ: msgMethodCall, serial: 3, path: secretsPath, iface: secretsService, member: "SearchItems",
			destination: secretsName, sig: "a{ss}", body: []any{stringDict(msalAttrs())}},
		{typ: msgMethodReturn, serial: 9, replySerial: 4, sender: ":1.3", destination: ":1.7",
			sig: "a{o(oayays)}", body: []any{secret}},
		{typ: msgError, serial: 10, replySerial: 5, errorName: "org.freedesktop.DBus.Error.ServiceUnknown",
			sig: "s", body: []any{"The name is not activatable"}},
		{typ: msgSignal, serial: 2, path: "/org/freedesktop/DBus", iface: "org.freedesktop.DBus",
			member: "NameAcquired", sig: "s", body: []any{":1.7"}},
	}
}

func TestMessageRoundTrip(t *testing.T) {
	for _, order := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
		for _, m := range sampleMessages() {
			raw, err := m.encode(order)
			if err != nil {
				t.Fatalf("%v %s: %v", order, m.member, err)
			}
			if len(raw)%8 != 0 && m.sig == "" {
				t.Fatalf("%v: header of %d bytes is not padded to 8", order, len(raw))
			}
			got, err := decodeMessage(raw)
			if err != nil {
				t.Fatalf("%v type %d: %v", order, m.typ, err)
			}
			want := *m
			if want.body == nil {
				want.body = []any{}
			}
			if !reflect.DeepEqual(*got, want) {
				t.Fatalf("%v: round trip\n got %+v\nwant %+v", order, *got, want)
			}
			// And through readMessage, as from a socket.
			read, err := readMessage(bytes.NewReader(raw), maxMessage)
			if err != nil || !bytes.Equal(read, raw) {
				t.Fatalf("readMessage: %v", err)
			}
		}
	}
}

// Hello as dbus-daemon's own clients send it: bytes fixed by hand from the
// specification's header layout, to pin the encoder to the wire format.
func TestHelloBytes(t *testing.T) {
	m := &message{typ: msgMethodCall, serial: 1, path: "/org/freedesktop/DBus", iface: "org.freedesktop.DBus",
		member: "Hello", destination: "org.freedesktop.DBus"}
	raw, err := m.encode(binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	// Endianness, METHOD_CALL, no flags, version 1, body length 0, serial
	// 1, and the field array's length, patched below.
	want := []byte{'l', 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}
	field := func(code byte, sig byte, s string) {
		for len(want)%8 != 0 {
			want = append(want, 0)
		}
		want = append(want, code, 1, sig, 0)
		want = binary.LittleEndian.AppendUint32(want, uint32(len(s)))
		want = append(want, s...)
		want = append(want, 0)
	}
	field(fieldPath, 'o', "/org/freedesktop/DBus")
	field(fieldInterface, 's', "org.freedesktop.DBus")
	field(fieldMember, 's', "Hello")
	field(fieldDestination, 's', "org.freedesktop.DBus")
	// The array length counts no padding after the last element.
	binary.LittleEndian.PutUint32(want[12:], uint32(len(want)-16))
	for len(want)%8 != 0 {
		want = append(want, 0)
	}
	if !bytes.Equal(raw, want) {
		t.Fatalf("Hello:\n got % x\nwant % x", raw, want)
	}
}

func TestDecodeMessageRefuses(t *testing.T) {
	good, err := sampleMessages()[2].encode(binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(b []byte) []byte) []byte { return f(append([]byte{}, good...)) }
	encode := func(m *message) []byte {
		raw, err := m.encode(binary.LittleEndian)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	tests := []struct {
		name string
		raw  []byte
	}{
		{name: "empty", raw: nil},
		{name: "short", raw: good[:15]},
		{name: "truncated body", raw: good[:len(good)-1]},
		{name: "extra byte", raw: append(append([]byte{}, good...), 0)},
		{name: "unknown byte order", raw: edit(func(b []byte) []byte { b[0] = 'x'; return b })},
		{name: "version 2", raw: edit(func(b []byte) []byte { b[3] = 2; return b })},
		{name: "zero serial", raw: edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 0); return b })},
		{name: "body longer than said", raw: edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[4:], binary.LittleEndian.Uint32(b[4:])-1)
			return b[:len(b)-1]
		})},
		{name: "return without reply serial", raw: encode(&message{typ: msgMethodReturn, serial: 1})},
		{name: "error without name", raw: encode(&message{typ: msgError, serial: 1, replySerial: 1})},
		{name: "call without member", raw: encode(&message{typ: msgMethodCall, serial: 1, path: "/"})},
		{name: "signal without interface", raw: encode(&message{typ: msgSignal, serial: 1, path: "/", member: "X"})},
		{name: "over the size limit", raw: edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], maxMessage); return b })},
		{name: "file descriptors", raw: func() []byte {
			// A method return whose UNIX_FDS field says 1.
			e := encoder{order: binary.LittleEndian}
			e.buf = append(e.buf, 'l', msgMethodReturn, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0)
			fields := []any{
				[]any{byte(fieldReplySerial), variant{sig: "u", value: uint32(1)}},
				[]any{byte(fieldUnixFDs), variant{sig: "u", value: uint32(1)}},
			}
			if err := e.value("a(yv)", fields, 0); err != nil {
				t.Fatal(err)
			}
			e.pad(8)
			return e.buf
		}()},
		{name: "field of the wrong type", raw: func() []byte {
			e := encoder{order: binary.LittleEndian}
			e.buf = append(e.buf, 'l', msgMethodReturn, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0)
			fields := []any{[]any{byte(fieldReplySerial), variant{sig: "s", value: "1"}}}
			if err := e.value("a(yv)", fields, 0); err != nil {
				t.Fatal(err)
			}
			e.pad(8)
			return e.buf
		}()},
		{name: "field code 0", raw: func() []byte {
			e := encoder{order: binary.LittleEndian}
			e.buf = append(e.buf, 'l', msgMethodReturn, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0)
			fields := []any{
				[]any{byte(fieldReplySerial), variant{sig: "u", value: uint32(1)}},
				[]any{byte(0), variant{sig: "u", value: uint32(1)}},
			}
			if err := e.value("a(yv)", fields, 0); err != nil {
				t.Fatal(err)
			}
			e.pad(8)
			return e.buf
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := decodeMessage(tt.raw)
			if err == nil || m != nil {
				t.Fatalf("decodeMessage = %+v, %v; want nil and an error", m, err)
			}
			if !errors.Is(err, errMarshal) {
				t.Fatalf("error %v does not wrap errMarshal", err)
			}
		})
	}
}

func TestDecodeMessageIgnoresUnknown(t *testing.T) {
	// An unknown header field (code 200) is skipped; an unknown message
	// type (5) decodes, for the caller to ignore.
	e := encoder{order: binary.LittleEndian}
	e.buf = append(e.buf, 'l', 5, 0, 1, 0, 0, 0, 0, 7, 0, 0, 0)
	fields := []any{[]any{byte(200), variant{sig: "ai", value: []any{int32(1)}}}}
	if err := e.value("a(yv)", fields, 0); err != nil {
		t.Fatal(err)
	}
	e.pad(8)
	m, err := decodeMessage(e.buf)
	if err != nil || m.typ != 5 || m.serial != 7 {
		t.Fatalf("decodeMessage = %+v, %v", m, err)
	}
}

func TestReadMessageLimit(t *testing.T) {
	raw, err := sampleMessages()[2].encode(binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readMessage(bytes.NewReader(raw), len(raw)); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	if _, err := readMessage(bytes.NewReader(raw), len(raw)-1); err == nil {
		t.Fatal("over the limit: no error")
	}
}

// FuzzDecodeMessage feeds decodeMessage arbitrary bytes: it must not panic,
// must return nil with every error, and what it accepts must encode back to
// a message that decodes and encodes to the same bytes.
func FuzzDecodeMessage(f *testing.F) {
	for _, order := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
		for _, m := range sampleMessages() {
			raw, err := m.encode(order)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(raw)
			f.Add(raw[:len(raw)-1])
		}
	}
	sig, vals := everyType()
	m := &message{typ: msgSignal, serial: 5, path: "/a", iface: "a.b", member: "C", sig: signature(sig), body: vals}
	raw, err := m.encode(binary.LittleEndian)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	// Headers claiming the size limit, one under and one over it.
	for _, n := range []uint32{maxMessage - 24 - 1, maxMessage - 24, maxMessage - 24 + 1} {
		h := []byte{'l', msgMethodReturn, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 5, 1, 'u', 0, 1, 0, 0, 0}
		binary.LittleEndian.PutUint32(h[4:], n)
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeMessage(data)
		if err != nil {
			if m != nil {
				t.Fatalf("error %v with a message", err)
			}
			return
		}
		raw, err := m.encode(binary.LittleEndian)
		if err != nil {
			t.Fatalf("re-encoding an accepted message: %v", err)
		}
		again, err := decodeMessage(raw)
		if err != nil {
			t.Fatalf("decoding the re-encoded message: %v", err)
		}
		// Compared as bytes: a NaN double is not DeepEqual to itself.
		raw2, err := again.encode(binary.LittleEndian)
		if err != nil || !bytes.Equal(raw, raw2) {
			t.Fatalf("round trip changed the message:\n%+v\n%+v", m, again)
		}
	})
}
