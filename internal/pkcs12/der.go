package pkcs12

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
)

// A small BER reader (ITU-T X.690). DER is a subset of BER; PKCS #12
// producers mostly write DER, but some write BER with indefinite lengths and
// constructed OCTET STRINGs (spec/PROTOCOL.md 14.3), and encoding/asn1 is
// DER only, so the walk over the file is done here.

// ASN.1 classes (X.690, 8.1.2.2) and the universal tags used here.
const (
	classUniversal = 0
	classContext   = 2

	tagInteger     = 2
	tagOctetString = 4
	tagNull        = 5
	tagOID         = 6
	tagSequence    = 16
	tagSet         = 17
	tagBMPString   = 30
)

// element is one decoded TLV. body is the contents octets (for an
// indefinite length, without the end-of-contents octets); raw is the whole
// encoding. Both alias the input.
type element struct {
	class       byte
	constructed bool
	tag         uint32
	body        []byte
	raw         []byte
	depth       int
}

// parseElement reads one element from the front of b and returns it with
// the bytes after it. depth is the element's nesting level.
func parseElement(b []byte, depth int) (element, []byte, error) {
	if depth > MaxDepth {
		return element{}, nil, fmt.Errorf("%w: ASN.1 nesting deeper than %d", ErrLimit, MaxDepth)
	}
	if len(b) < 2 {
		return element{}, nil, malformed("truncated ASN.1 element")
	}
	// X.690, 8.1.2: identifier octets.
	e := element{class: b[0] >> 6, constructed: b[0]&0x20 != 0, tag: uint32(b[0] & 0x1f), depth: depth}
	i := 1
	if e.tag == 0x1f {
		// X.690, 8.1.2.4.2: high tag numbers in base 128, bit 8 set on all
		// but the last octet, the first not 0x80.
		e.tag = 0
		for n := 0; ; n++ {
			if i >= len(b) || n == 4 || (n == 0 && b[i] == 0x80) {
				return element{}, nil, malformed("bad ASN.1 tag")
			}
			c := b[i]
			i++
			e.tag = e.tag<<7 | uint32(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
	}
	if e.class == classUniversal && e.tag == 0 {
		return element{}, nil, malformed("unexpected end-of-contents octets")
	}
	if i >= len(b) {
		return element{}, nil, malformed("truncated ASN.1 element")
	}
	// X.690, 8.1.3: length octets.
	first := b[i]
	i++
	var length uint64
	switch {
	case first < 0x80: // 8.1.3.4: short form
		length = uint64(first)
	case first == 0x80: // 8.1.3.6: indefinite form, constructed only
		if !e.constructed {
			return element{}, nil, malformed("indefinite length on a primitive element")
		}
		rest := b[i:]
		for {
			// 8.1.5: the contents end with two zero octets.
			if len(rest) < 2 {
				return element{}, nil, malformed("missing end-of-contents octets")
			}
			if rest[0] == 0 && rest[1] == 0 {
				break
			}
			var err error
			if _, rest, err = parseElement(rest, depth+1); err != nil {
				return element{}, nil, err
			}
		}
		end := len(b) - len(rest)
		e.body = b[i:end:end]
		e.raw = b[: end+2 : end+2]
		return e, rest[2:], nil
	case first == 0xff: // 8.1.3.5 c): reserved
		return element{}, nil, malformed("reserved ASN.1 length octet")
	default: // 8.1.3.5: long form; BER allows leading zero octets
		n := int(first & 0x7f)
		if n > 4 || i+n > len(b) {
			return element{}, nil, malformed("bad ASN.1 length")
		}
		for _, c := range b[i : i+n] {
			length = length<<8 | uint64(c)
		}
		i += n
	}
	if length > uint64(len(b)-i) {
		return element{}, nil, malformed("truncated ASN.1 element")
	}
	end := i + int(length)
	e.body = b[i:end:end]
	e.raw = b[:end:end]
	return e, b[end:], nil
}

// parseOne reads b as exactly one element of the given universal tag.
func parseOne(b []byte, tag uint32, what string) (element, error) {
	e, rest, err := parseElement(b, 0)
	if err != nil {
		return element{}, err
	}
	if len(rest) != 0 {
		return element{}, malformed("%s: trailing data", what)
	}
	if !e.is(classUniversal, tag) {
		return element{}, malformed("%s: unexpected ASN.1 type", what)
	}
	return e, nil
}

// is reports whether e has the given class and tag.
func (e element) is(class byte, tag uint32) bool {
	return e.class == class && e.tag == tag
}

// items iterates over the elements inside a constructed element.
type items struct {
	rest  []byte
	depth int
	what  string
}

// children returns an iterator over the contents of e, which must be a
// constructed element of the given universal tag (SEQUENCE or SET).
func (e element) children(tag uint32, what string) (items, error) {
	if !e.is(classUniversal, tag) || !e.constructed {
		return items{}, malformed("%s: unexpected ASN.1 type", what)
	}
	return items{rest: e.body, depth: e.depth + 1, what: what}, nil
}

// explicit returns the single element inside the context-specific
// [n] EXPLICIT wrapper e.
func (e element) explicit(n uint32, what string) (element, error) {
	if !e.is(classContext, n) || !e.constructed {
		return element{}, malformed("%s: expected [%d]", what, n)
	}
	inner, rest, err := parseElement(e.body, e.depth+1)
	if err != nil {
		return element{}, err
	}
	if len(rest) != 0 {
		return element{}, malformed("%s: trailing data in [%d]", what, n)
	}
	return inner, nil
}

// more reports whether elements remain.
func (it *items) more() bool { return len(it.rest) != 0 }

// next returns the next element; running out is an error naming what.
func (it *items) next() (element, error) {
	if len(it.rest) == 0 {
		return element{}, malformed("%s: missing field", it.what)
	}
	e, rest, err := parseElement(it.rest, it.depth)
	if err != nil {
		return element{}, err
	}
	it.rest = rest
	return e, nil
}

// peekIs reports whether the next element has the given class and tag,
// without consuming it. Malformed input reports false; next then fails.
func (it *items) peekIs(class byte, tag uint32) bool {
	if len(it.rest) == 0 {
		return false
	}
	e, _, err := parseElement(it.rest, it.depth)
	return err == nil && e.is(class, tag)
}

// octets returns the value of an OCTET STRING whose tag the caller has
// checked (it may be IMPLICIT). A constructed string (BER, X.690 8.7.3) is
// the concatenation of its segments, each an OCTET STRING.
func (e element) octets() ([]byte, error) {
	if !e.constructed {
		return e.body, nil
	}
	var out []byte
	it := items{rest: e.body, depth: e.depth + 1, what: "OCTET STRING"}
	for it.more() {
		seg, err := it.next()
		if err != nil {
			return nil, err
		}
		if !seg.is(classUniversal, tagOctetString) {
			return nil, malformed("constructed OCTET STRING: segment is not an OCTET STRING")
		}
		b, err := seg.octets()
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// octetString checks that e is an OCTET STRING and returns its value.
func (e element) octetString(what string) ([]byte, error) {
	if !e.is(classUniversal, tagOctetString) {
		return nil, malformed("%s: expected OCTET STRING", what)
	}
	return e.octets()
}

// oid returns the dotted form of an OBJECT IDENTIFIER (X.690, 8.19). An arc
// too large for 64 bits cannot name anything this package knows, so the
// identifier is returned in hex instead of failing.
func (e element) oid(what string) (string, error) {
	if !e.is(classUniversal, tagOID) || e.constructed {
		return "", malformed("%s: expected OBJECT IDENTIFIER", what)
	}
	b := e.body
	if len(b) == 0 || b[len(b)-1]&0x80 != 0 {
		return "", malformed("%s: bad OBJECT IDENTIFIER", what)
	}
	var sb strings.Builder
	var arc uint64
	first := true
	for _, c := range b {
		if arc == 0 && c == 0x80 { // 8.19.2: no leading 0x80 octet
			return "", malformed("%s: bad OBJECT IDENTIFIER", what)
		}
		if arc > math.MaxUint64>>7 {
			return fmt.Sprintf("oid:%x", b), nil
		}
		arc = arc<<7 | uint64(c&0x7f)
		if c&0x80 != 0 {
			continue
		}
		if first {
			// 8.19.4: the first subidentifier packs two arcs.
			switch {
			case arc < 40:
				sb.WriteString("0." + strconv.FormatUint(arc, 10))
			case arc < 80:
				sb.WriteString("1." + strconv.FormatUint(arc-40, 10))
			default:
				sb.WriteString("2." + strconv.FormatUint(arc-80, 10))
			}
			first = false
		} else {
			sb.WriteString("." + strconv.FormatUint(arc, 10))
		}
		arc = 0
	}
	return sb.String(), nil
}

// integer returns a non-negative INTEGER (X.690, 8.3). Values beyond int64
// come back as math.MaxInt64 so that limit checks, not parsing, reject them.
func (e element) integer(what string) (int64, error) {
	if !e.is(classUniversal, tagInteger) || e.constructed {
		return 0, malformed("%s: expected INTEGER", what)
	}
	b := e.body
	if len(b) == 0 {
		return 0, malformed("%s: empty INTEGER", what)
	}
	if b[0]&0x80 != 0 {
		return 0, malformed("%s: negative INTEGER", what)
	}
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) > 8 || (len(b) == 8 && b[0]&0x80 != 0) {
		return math.MaxInt64, nil
	}
	var v int64
	for _, c := range b {
		v = v<<8 | int64(c)
	}
	return v, nil
}

// bmpString decodes a BMPString (UTF-16 big-endian; X.680, 41.16).
func (e element) bmpString(what string) (string, error) {
	if !e.is(classUniversal, tagBMPString) {
		return "", malformed("%s: expected BMPString", what)
	}
	b, err := e.octets()
	if err != nil {
		return "", err
	}
	if len(b)%2 != 0 {
		return "", malformed("%s: odd-length BMPString", what)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u)), nil
}

// algorithm is an AlgorithmIdentifier (RFC 5280, Section 4.1.1.2):
// SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }.
type algorithm struct {
	oid    string
	params element
	// hasParams is false when parameters are absent or NULL.
	hasParams bool
}

// parseAlgorithm reads an AlgorithmIdentifier; what names its role.
func parseAlgorithm(e element, what string) (algorithm, error) {
	it, err := e.children(tagSequence, what)
	if err != nil {
		return algorithm{}, err
	}
	o, err := it.next()
	if err != nil {
		return algorithm{}, err
	}
	a := algorithm{}
	if a.oid, err = o.oid(what); err != nil {
		return algorithm{}, err
	}
	if it.more() {
		if a.params, err = it.next(); err != nil {
			return algorithm{}, err
		}
		a.hasParams = !a.params.is(classUniversal, tagNull)
	}
	return a, nil
}
