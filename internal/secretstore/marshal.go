package secretstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// The D-Bus wire format (D-Bus Specification, "Marshaling (Wire Format)").
// Go values stand for D-Bus values as follows, both ways:
//
//	y byte    b bool     n int16   q uint16  i int32  u uint32
//	x int64   t uint64   d float64 h uint32  s string
//	o objectPath         g signature         v variant
//	ay []byte            a{kv} []any of dictEntry
//	any other array, and every struct: []any
//
// Offsets are relative to the start of the block, which the caller starts on
// an 8-byte boundary of the message (the header is padded to 8), so that
// "Boundaries are calculated globally, with respect to the first byte in the
// message" holds.

var errMarshal = errors.New("malformed message")

// encoder appends values to buf in one byte order.
type encoder struct {
	buf   []byte
	order byteOrder
}

// byteOrder is binary.LittleEndian or binary.BigEndian: "ASCII 'l' for
// little-endian or ASCII 'B' for big-endian".
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// pad appends the zero bytes that align the next value to n: "The alignment
// padding must always be the minimum required padding ... and it must always
// be made up of nul bytes."
func (e *encoder) pad(n int) {
	for len(e.buf)%n != 0 {
		e.buf = append(e.buf, 0)
	}
}

// values encodes one value for each single complete type of sig.
func (e *encoder) values(sig string, vals []any) error {
	types, err := splitSignature(sig)
	if err != nil {
		return err
	}
	if len(types) != len(vals) {
		return fmt.Errorf("encoding %q: %d values for %d types", sig, len(vals), len(types))
	}
	for i, t := range types {
		if err := e.value(t, vals[i], 0); err != nil {
			return err
		}
	}
	return nil
}

// value encodes v as the single complete type t. depth counts the
// containers around it, variants included (spec: "Use of variants must not
// cause a total message depth to be larger than 64").
func (e *encoder) value(t string, v any, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("encoding: values nested deeper than %d", maxDepth)
	}
	bad := func() error { return fmt.Errorf("encoding: %T is not a D-Bus %q", v, t) }
	e.pad(alignment(t[0]))
	switch t[0] {
	case 'y':
		x, ok := v.(byte)
		if !ok {
			return bad()
		}
		e.buf = append(e.buf, x)
	case 'b':
		x, ok := v.(bool)
		if !ok {
			return bad()
		}
		var u uint32
		if x {
			u = 1
		}
		e.buf = e.order.AppendUint32(e.buf, u)
	case 'n':
		x, ok := v.(int16)
		if !ok {
			return bad()
		}
		e.buf = e.order.AppendUint16(e.buf, uint16(x))
	case 'q':
		x, ok := v.(uint16)
		if !ok {
			return bad()
		}
		e.buf = e.order.AppendUint16(e.buf, x)
	case 'i':
		x, ok := v.(int32)
		if !ok {
			return bad()
		}
		e.buf = e.order.AppendUint32(e.buf, uint32(x))
	case 'u', 'h':
		x, ok := v.(uint32)
		if !ok {
			return bad()
		}
		e.buf = e.order.AppendUint32(e.buf, x)
	case 'x':
		x, ok := v.(int64)
		if !ok {
			return bad()
		}
		e.buf = e.order.AppendUint64(e.buf, uint64(x))
	case 't':
		x, ok := v.(uint64)
		if !ok {
			return bad()
		}
		e.buf = e.order.AppendUint64(e.buf, x)
	case 'd':
		x, ok := v.(float64)
		if !ok {
			return bad()
		}
		e.buf = e.order.AppendUint64(e.buf, math.Float64bits(x))
	case 's':
		x, ok := v.(string)
		if !ok || !validString(x) {
			return bad()
		}
		e.str(x)
	case 'o':
		x, ok := v.(objectPath)
		if !ok || !validObjectPath(string(x)) {
			return bad()
		}
		e.str(string(x))
	case 'g':
		x, ok := v.(signature)
		if !ok {
			return bad()
		}
		if _, err := splitSignature(string(x)); err != nil {
			return err
		}
		e.sig(string(x))
	case 'v':
		x, ok := v.(variant)
		if !ok {
			return bad()
		}
		types, err := splitSignature(string(x.sig))
		if err != nil {
			return err
		}
		if len(types) != 1 {
			return fmt.Errorf("encoding: variant signature %q is not one single complete type", x.sig)
		}
		e.sig(string(x.sig))
		return e.value(string(x.sig), x.value, depth+1)
	case 'a':
		return e.array(t, v, depth)
	case '(':
		x, ok := v.([]any)
		if !ok {
			return bad()
		}
		return e.fields(t[1:len(t)-1], x, depth+1)
	default:
		return bad()
	}
	return nil
}

// fields encodes the members of a struct or dict entry, whose types are the
// single complete types of inner.
func (e *encoder) fields(inner string, vals []any, depth int) error {
	for i := 0; inner != ""; i++ {
		t, rest, err := splitType(inner, 0, 0)
		if err != nil {
			return err
		}
		if i >= len(vals) {
			return fmt.Errorf("encoding: struct has %d values, needs more", len(vals))
		}
		if err := e.value(t, vals[i], depth); err != nil {
			return err
		}
		inner = rest
		if inner == "" && i+1 != len(vals) {
			return fmt.Errorf("encoding: struct has %d values, needs %d", len(vals), i+1)
		}
	}
	return nil
}

// array encodes an ARRAY: "a UINT32 n giving the length of the array data in
// bytes, followed by alignment padding to the alignment boundary of the
// array element type, followed by the n bytes of the array elements".
func (e *encoder) array(t string, v any, depth int) error {
	elem := t[1:]
	at := len(e.buf)
	e.buf = append(e.buf, 0, 0, 0, 0) // n, patched below
	// "the alignment padding for the first element is required even if there
	// is no first element"
	e.pad(alignment(elem[0]))
	start := len(e.buf)
	switch x := v.(type) {
	case []byte:
		if elem != "y" {
			return fmt.Errorf("encoding: []byte is not a D-Bus %q", t)
		}
		if len(x) > maxArray {
			return fmt.Errorf("encoding: array of %d bytes is over the D-Bus limit", len(x))
		}
		e.buf = append(e.buf, x...)
	case []any:
		for _, item := range x {
			var err error
			if elem[0] == '{' {
				de, ok := item.(dictEntry)
				if !ok {
					return fmt.Errorf("encoding: %T is not a D-Bus %q", item, elem)
				}
				e.pad(8)
				err = e.fields(elem[1:len(elem)-1], []any{de.key, de.value}, depth+2)
			} else {
				err = e.value(elem, item, depth+1)
			}
			if err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("encoding: %T is not a D-Bus %q", v, t)
	}
	n := len(e.buf) - start
	// "Arrays have a maximum length defined to be 2 to the 26th power ...
	// Implementations must not send or accept arrays exceeding this length."
	if n > maxArray {
		return fmt.Errorf("encoding: array of %d bytes is over the D-Bus limit", n)
	}
	e.order.PutUint32(e.buf[at:], uint32(n))
	return nil
}

func (e *encoder) str(s string) {
	e.buf = e.order.AppendUint32(e.buf, uint32(len(s)))
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, 0)
}

func (e *encoder) sig(s string) {
	e.buf = append(e.buf, byte(len(s)))
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, 0)
}

// validString reports whether s may travel as a D-Bus STRING: "UTF-8 ...
// validated strictly ... none of which may be U+0000".
func validString(s string) bool {
	return utf8.ValidString(s) && !strings.Contains(s, "\x00")
}
