package secretstore

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// D-Bus messages (D-Bus Specification, "Message Format"). The header's
// signature is "yyyyuua(yv)": endianness, type, flags, major version, body
// length, serial, and an array of header fields; it is padded to 8 bytes and
// followed by the body, whose signature is the SIGNATURE header field.

// Message types.
const (
	msgMethodCall   = 1
	msgMethodReturn = 2
	msgError        = 3
	msgSignal       = 4
)

// Header field codes and their types.
const (
	fieldPath        = 1 // o
	fieldInterface   = 2 // s
	fieldMember      = 3 // s
	fieldErrorName   = 4 // s
	fieldReplySerial = 5 // u
	fieldDestination = 6 // s
	fieldSender      = 7 // s
	fieldSignature   = 8 // g
	fieldUnixFDs     = 9 // u
)

// protocolVersion is the major protocol version: "The major protocol version
// for this version of the specification is 1."
const protocolVersion = 1

// headerFixed is the size of the header before the field array's elements:
// four bytes, the body length, the serial and the array's length.
const headerFixed = 16

// message is one D-Bus message, header fields decoded.
type message struct {
	typ, flags  byte
	serial      uint32
	path        objectPath
	iface       string
	member      string
	errorName   string
	replySerial uint32
	destination string
	sender      string
	sig         signature
	body        []any
}

// encode marshals m in the given byte order; azid sends little-endian, and
// tests also play a big-endian peer.
func (m *message) encode(order byteOrder) ([]byte, error) {
	var fields []any
	add := func(code byte, sig signature, v any) {
		fields = append(fields, []any{code, variant{sig: sig, value: v}})
	}
	if m.path != "" {
		add(fieldPath, "o", m.path)
	}
	if m.iface != "" {
		add(fieldInterface, "s", m.iface)
	}
	if m.member != "" {
		add(fieldMember, "s", m.member)
	}
	if m.errorName != "" {
		add(fieldErrorName, "s", m.errorName)
	}
	if m.replySerial != 0 {
		add(fieldReplySerial, "u", m.replySerial)
	}
	if m.destination != "" {
		add(fieldDestination, "s", m.destination)
	}
	if m.sender != "" {
		add(fieldSender, "s", m.sender)
	}
	if m.sig != "" {
		add(fieldSignature, "g", m.sig)
	}
	body := encoder{order: order}
	if err := body.values(string(m.sig), m.body); err != nil {
		return nil, err
	}
	h := encoder{order: order}
	endian := byte('l')
	if order == binary.BigEndian {
		endian = 'B'
	}
	h.buf = append(h.buf, endian, m.typ, m.flags, protocolVersion)
	h.buf = h.order.AppendUint32(h.buf, uint32(len(body.buf)))
	h.buf = h.order.AppendUint32(h.buf, m.serial)
	if err := h.value("a(yv)", fields, 0); err != nil {
		return nil, err
	}
	// "If the header does not naturally end on an 8-byte boundary up to 7
	// bytes of nul-initialized alignment padding must be added."
	h.pad(8)
	if len(h.buf)+len(body.buf) > maxMessage {
		return nil, fmt.Errorf("message of %d bytes is too large", len(h.buf)+len(body.buf))
	}
	return append(h.buf, body.buf...), nil
}

// messageSize reads the fixed part of a header and returns the size of the
// whole message, or an error when it is malformed or over max.
func messageSize(fixed []byte, max int) (int, error) {
	var order binary.ByteOrder
	switch fixed[0] {
	case 'l':
		order = binary.LittleEndian
	case 'B':
		order = binary.BigEndian
	default:
		return 0, fmt.Errorf("%w: unknown byte order %q", errMarshal, fixed[0])
	}
	bodyLen := uint64(order.Uint32(fixed[4:]))
	fieldsLen := uint64(order.Uint32(fixed[12:]))
	header := (headerFixed + fieldsLen + 7) &^ 7
	// "The maximum length of a message, including header, header alignment
	// padding, and body is 2 to the 27th power"; ours is smaller.
	if total := header + bodyLen; total <= uint64(max) {
		return int(total), nil
	}
	return 0, fmt.Errorf("%w: message larger than %d bytes", errMarshal, max)
}

// readMessage reads one whole message from r, at most max bytes.
func readMessage(r io.Reader, max int) ([]byte, error) {
	fixed := make([]byte, headerFixed)
	if _, err := io.ReadFull(r, fixed); err != nil {
		return nil, err
	}
	n, err := messageSize(fixed, max)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	copy(buf, fixed)
	if _, err := io.ReadFull(r, buf[headerFixed:]); err != nil {
		return nil, err
	}
	return buf, nil
}

// decodeMessage parses exactly one message. It refuses what the
// specification says must not be accepted: an unknown byte order, another
// major version, a zero serial, a known header field of the wrong type, a
// message of a known type without its required fields, a body that does not
// match its signature or leaves bytes over, and file descriptors (azid never
// negotiates them). Unknown header fields are ignored ("it must accept and
// ignore that field"); messages of unknown types are returned for the caller
// to ignore.
func decodeMessage(b []byte) (*message, error) {
	if len(b) < headerFixed {
		return nil, fmt.Errorf("%w: shorter than a header", errMarshal)
	}
	n, err := messageSize(b[:headerFixed], maxMessage)
	if err != nil {
		return nil, err
	}
	if n != len(b) {
		return nil, fmt.Errorf("%w: %d bytes for a message of %d", errMarshal, len(b), n)
	}
	order := byteOrder(binary.LittleEndian)
	if b[0] == 'B' {
		order = binary.BigEndian
	}
	m := &message{typ: b[1], flags: b[2], serial: order.Uint32(b[8:])}
	if b[3] != protocolVersion {
		return nil, fmt.Errorf("%w: protocol version %d", errMarshal, b[3])
	}
	// "The serial of this message ... must not be zero."
	if m.serial == 0 {
		return nil, fmt.Errorf("%w: zero serial", errMarshal)
	}
	fieldsEnd := headerFixed + int(order.Uint32(b[12:]))
	h := decoder{buf: b[:fieldsEnd], pos: 12, order: order}
	fields, err := h.value("a(yv)", 0)
	if err != nil {
		return nil, err
	}
	if err := m.setFields(fields.([]any)); err != nil {
		return nil, err
	}
	bodyStart := (fieldsEnd + 7) &^ 7
	for _, pad := range b[fieldsEnd:bodyStart] {
		if pad != 0 {
			return nil, fmt.Errorf("%w: non-zero header padding", errMarshal)
		}
	}
	if err := m.checkRequired(); err != nil {
		return nil, err
	}
	d := decoder{buf: b[bodyStart:], order: order, count: h.count}
	if m.body, err = d.values(string(m.sig)); err != nil {
		return nil, err
	}
	if d.pos != len(d.buf) {
		return nil, fmt.Errorf("%w: %d bytes after the body", errMarshal, len(d.buf)-d.pos)
	}
	return m, nil
}

// fieldTypes holds the type of each known header field.
var fieldTypes = map[byte]signature{
	fieldPath: "o", fieldInterface: "s", fieldMember: "s", fieldErrorName: "s",
	fieldReplySerial: "u", fieldDestination: "s", fieldSender: "s",
	fieldSignature: "g", fieldUnixFDs: "u",
}

// setFields copies the known header fields into m, checking their types:
// "implementations must not send or accept known header fields with the
// wrong type stored in the field value".
func (m *message) setFields(fields []any) error {
	for _, f := range fields {
		kv := f.([]any)
		code, v := kv[0].(byte), kv[1].(variant)
		want := fieldTypes[code]
		if code == 0 {
			// "INVALID ... error if it appears in a message"
			return fmt.Errorf("%w: header field 0", errMarshal)
		}
		if want == "" {
			continue
		}
		if v.sig != want {
			return fmt.Errorf("%w: header field %d has type %q", errMarshal, code, v.sig)
		}
		switch code {
		case fieldPath:
			m.path = v.value.(objectPath)
		case fieldInterface:
			m.iface = v.value.(string)
			if !validInterfaceName(m.iface) {
				return fmt.Errorf("%w: INTERFACE is not an interface name", errMarshal)
			}
		case fieldMember:
			m.member = v.value.(string)
			if !validMemberName(m.member) {
				return fmt.Errorf("%w: MEMBER is not a member name", errMarshal)
			}
		case fieldErrorName:
			// "Error names have the same restrictions as interface names."
			m.errorName = v.value.(string)
			if !validInterfaceName(m.errorName) {
				return fmt.Errorf("%w: ERROR_NAME is not an error name", errMarshal)
			}
		case fieldReplySerial:
			m.replySerial = v.value.(uint32)
		case fieldDestination:
			m.destination = v.value.(string)
		case fieldSender:
			m.sender = v.value.(string)
		case fieldSignature:
			m.sig = v.value.(signature)
		case fieldUnixFDs:
			if v.value.(uint32) != 0 {
				return fmt.Errorf("%w: message carries file descriptors", errMarshal)
			}
		}
	}
	return nil
}

// validInterfaceName applies the D-Bus Specification's rules for interface
// (and error) names: at most 255 bytes, two or more elements separated by
// '.', each of [A-Za-z0-9_] and not starting with a digit.
func validInterfaceName(s string) bool {
	if len(s) > 255 || !strings.Contains(s, ".") {
		return false
	}
	for _, e := range strings.Split(s, ".") {
		if !validMemberName(e) {
			return false
		}
	}
	return true
}

// validMemberName applies the rules for member names, which are those of
// one element of an interface name: 1 to 255 bytes of [A-Za-z0-9_], not
// starting with a digit.
func validMemberName(s string) bool {
	if s == "" || len(s) > 255 || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// checkRequired checks the header fields each message type requires
// (D-Bus Specification, "Header Fields", column "Required In").
func (m *message) checkRequired() error {
	missing := ""
	switch m.typ {
	case msgMethodCall:
		if m.path == "" || m.member == "" {
			missing = "PATH or MEMBER"
		}
	case msgMethodReturn:
		if m.replySerial == 0 {
			missing = "REPLY_SERIAL"
		}
	case msgError:
		if m.errorName == "" || m.replySerial == 0 {
			missing = "ERROR_NAME or REPLY_SERIAL"
		}
	case msgSignal:
		if m.path == "" || m.iface == "" || m.member == "" {
			missing = "PATH, INTERFACE or MEMBER"
		}
	}
	if missing != "" {
		return fmt.Errorf("%w: message type %d without %s", errMarshal, m.typ, missing)
	}
	return nil
}
