package secretstore

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Unmarshalling: the reverse of marshal.go, with every check the D-Bus
// Specification asks of a receiver.

// decoder reads values from buf in one byte order. It refuses everything the
// specification says an implementation "must not accept": bad padding,
// booleans other than 0 and 1, invalid UTF-8 or interior NULs, invalid object
// paths and signatures, arrays over 64 MiB or whose length splits an
// element, and nesting deeper than 64. count bounds the number of values
// decoded from one message, so that a small message cannot make a large
// tree of them.
type decoder struct {
	buf   []byte
	pos   int
	order binary.ByteOrder
	count int
}

func (d *decoder) fail(what string) error {
	return fmt.Errorf("%w: %s at byte %d", errMarshal, what, d.pos)
}

// align skips the padding before a value aligned to n, which must be zeros.
func (d *decoder) align(n int) error {
	for d.pos%n != 0 {
		if d.pos >= len(d.buf) {
			return d.fail("truncated padding")
		}
		if d.buf[d.pos] != 0 {
			return d.fail("non-zero padding")
		}
		d.pos++
	}
	return nil
}

func (d *decoder) take(n int) ([]byte, error) {
	if n < 0 || n > len(d.buf)-d.pos {
		return nil, d.fail("truncated value")
	}
	b := d.buf[d.pos : d.pos+n]
	d.pos += n
	return b, nil
}

func (d *decoder) uint32() (uint32, error) {
	b, err := d.take(4)
	if err != nil {
		return 0, err
	}
	return d.order.Uint32(b), nil
}

// values decodes one value for each single complete type of sig.
func (d *decoder) values(sig string) ([]any, error) {
	types, err := splitSignature(sig)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errMarshal, err)
	}
	vals := make([]any, 0, len(types))
	for _, t := range types {
		v, err := d.value(t, 0)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	return vals, nil
}

// value decodes one value of the single complete type t, nested in depth
// containers.
func (d *decoder) value(t string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, d.fail("values nested too deeply")
	}
	if d.count++; d.count > maxValues {
		return nil, d.fail("too many values")
	}
	if err := d.align(alignment(t[0])); err != nil {
		return nil, err
	}
	switch t[0] {
	case 'y':
		b, err := d.take(1)
		if err != nil {
			return nil, err
		}
		return b[0], nil
	case 'b':
		u, err := d.uint32()
		if err != nil {
			return nil, err
		}
		// "0 is FALSE and 1 is TRUE. Everything else is invalid."
		if u > 1 {
			return nil, d.fail("boolean other than 0 or 1")
		}
		return u == 1, nil
	case 'n', 'q':
		b, err := d.take(2)
		if err != nil {
			return nil, err
		}
		if t[0] == 'n' {
			return int16(d.order.Uint16(b)), nil
		}
		return d.order.Uint16(b), nil
	case 'i':
		u, err := d.uint32()
		return int32(u), err
	case 'u', 'h':
		return d.uint32()
	case 'x', 't', 'd':
		b, err := d.take(8)
		if err != nil {
			return nil, err
		}
		u := d.order.Uint64(b)
		switch t[0] {
		case 'x':
			return int64(u), nil
		case 'd':
			return math.Float64frombits(u), nil
		}
		return u, nil
	case 's':
		return d.str()
	case 'o':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		if !validObjectPath(s) {
			return nil, d.fail("invalid object path")
		}
		return objectPath(s), nil
	case 'g':
		s, err := d.sig()
		if err != nil {
			return nil, err
		}
		return signature(s), nil
	case 'v':
		s, err := d.sig()
		if err != nil {
			return nil, err
		}
		// "the variant signature can contain only a single complete type"
		first, rest, err := splitType(s, 0, 0)
		if err != nil || rest != "" {
			return nil, d.fail("variant signature is not one single complete type")
		}
		v, err := d.value(first, depth+1)
		if err != nil {
			return nil, err
		}
		return variant{sig: signature(s), value: v}, nil
	case 'a':
		return d.array(t[1:], depth)
	case '(':
		return d.fields(t[1:len(t)-1], depth+1)
	}
	return nil, d.fail("unknown type")
}

// fields decodes the members of a struct or dict entry.
func (d *decoder) fields(inner string, depth int) ([]any, error) {
	var vals []any
	for inner != "" {
		t, rest, err := splitType(inner, 0, 0)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errMarshal, err)
		}
		v, err := d.value(t, depth)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
		inner = rest
	}
	return vals, nil
}

// array decodes an ARRAY whose element type is elem.
func (d *decoder) array(elem string, depth int) (any, error) {
	n, err := d.uint32()
	if err != nil {
		return nil, err
	}
	if n > maxArray {
		return nil, d.fail("array over the D-Bus limit")
	}
	if err := d.align(alignment(elem[0])); err != nil {
		return nil, err
	}
	if int(n) > len(d.buf)-d.pos {
		return nil, d.fail("truncated array")
	}
	end := d.pos + int(n)
	if elem == "y" {
		b := append([]byte{}, d.buf[d.pos:end]...)
		d.pos = end
		return b, nil
	}
	vals := []any{}
	for d.pos < end {
		var v any
		if elem[0] == '{' {
			if err := d.align(8); err != nil {
				return nil, err
			}
			kv, err := d.fields(elem[1:len(elem)-1], depth+2)
			if err != nil {
				return nil, err
			}
			v = dictEntry{key: kv[0], value: kv[1]}
		} else {
			v, err = d.value(elem, depth+1)
			if err != nil {
				return nil, err
			}
		}
		vals = append(vals, v)
	}
	// "n should be divisible by the number of elements": the last element
	// must end exactly where the array does.
	if d.pos != end {
		return nil, d.fail("array length splits an element")
	}
	return vals, nil
}

// str decodes a STRING or the text of an OBJECT_PATH: "a UINT32 indicating
// the string's length in bytes excluding its terminating nul, followed by
// non-nul string data of the given length, followed by a terminating nul".
func (d *decoder) str() (string, error) {
	n, err := d.uint32()
	if err != nil {
		return "", err
	}
	if n > uint32(len(d.buf)) {
		return "", d.fail("truncated string")
	}
	b, err := d.take(int(n) + 1)
	if err != nil {
		return "", err
	}
	return d.text(b)
}

// sig decodes a SIGNATURE: a one-byte length, the text and a nul. The
// signature must be valid.
func (d *decoder) sig() (string, error) {
	b, err := d.take(1)
	if err != nil {
		return "", err
	}
	b, err = d.take(int(b[0]) + 1)
	if err != nil {
		return "", err
	}
	s, err := d.text(b)
	if err != nil {
		return "", err
	}
	if _, err := splitSignature(s); err != nil {
		return "", fmt.Errorf("%w: %w", errMarshal, err)
	}
	return s, nil
}

// text checks b, a string's bytes and its terminating nul.
func (d *decoder) text(b []byte) (string, error) {
	s := string(b[:len(b)-1])
	if b[len(b)-1] != 0 || !validString(s) {
		return "", d.fail("string not valid UTF-8 or not nul-terminated")
	}
	return s, nil
}
