package secretstore

import (
	"errors"
	"fmt"
)

// D-Bus type signatures (D-Bus Specification, "Type System" and "Valid
// Signatures"). A signature is a list of single complete types, each a basic
// type code, "v", "a" followed by a single complete type, "(...)" holding one
// or more single complete types, or, only as an array element, "{kv}" with a
// basic key type.

// objectPath is a D-Bus OBJECT_PATH value ("o").
type objectPath string

// signature is a D-Bus SIGNATURE value ("g").
type signature string

// variant is a D-Bus VARIANT value ("v"): a single complete type and a value
// of that type.
type variant struct {
	sig   signature
	value any
}

// dictEntry is one element of an array of DICT_ENTRY ("a{kv}").
type dictEntry struct {
	key, value any
}

var errSignature = errors.New("invalid signature")

// isBasic reports whether c is the code of a basic type (D-Bus Specification,
// "Basic types"): the only types a dict entry key may have.
func isBasic(c byte) bool {
	switch c {
	case 'y', 'b', 'n', 'q', 'i', 'u', 'x', 't', 'd', 'h', 's', 'o', 'g':
		return true
	}
	return false
}

// alignment is the wire alignment of a value whose type starts with c (D-Bus
// Specification, "Summary of D-Bus marshalling").
func alignment(c byte) int {
	switch c {
	case 'n', 'q':
		return 2
	case 'b', 'i', 'u', 'h', 's', 'o', 'a':
		return 4
	case 'x', 't', 'd', '(', '{':
		return 8
	}
	return 1 // y, g, v
}

// splitType returns the first single complete type of sig and the rest.
// arrays and structs count the array codes and open parentheses or braces
// enclosing sig, for the nesting limits.
func splitType(sig string, arrays, structs int) (first, rest string, err error) {
	if sig == "" {
		return "", "", fmt.Errorf("%w: missing type", errSignature)
	}
	switch c := sig[0]; c {
	case 'y', 'b', 'n', 'q', 'i', 'u', 'x', 't', 'd', 'h', 's', 'o', 'g', 'v':
		return sig[:1], sig[1:], nil
	case 'a':
		// "The maximum depth of container type nesting is 32 array type codes
		// and 32 open parentheses."
		if arrays+1 > maxArrayNesting {
			return "", "", fmt.Errorf("%w: arrays nested too deeply", errSignature)
		}
		if len(sig) > 1 && sig[1] == '{' {
			end, err := dictEnd(sig[1:], arrays+1, structs)
			if err != nil {
				return "", "", err
			}
			return sig[:2+end], sig[2+end:], nil
		}
		elem, rest, err := splitType(sig[1:], arrays+1, structs)
		if err != nil {
			return "", "", err
		}
		return sig[:1+len(elem)], rest, nil
	case '(':
		if structs+1 > maxStructNesting {
			return "", "", fmt.Errorf("%w: structs nested too deeply", errSignature)
		}
		// "Empty structures are not allowed; there must be at least one type
		// code between the parentheses."
		inner := sig[1:]
		n := 0
		for {
			if inner == "" {
				return "", "", fmt.Errorf("%w: unclosed struct", errSignature)
			}
			if inner[0] == ')' {
				if n == 0 {
					return "", "", fmt.Errorf("%w: empty struct", errSignature)
				}
				used := len(sig) - len(inner) + 1
				return sig[:used], sig[used:], nil
			}
			_, r, err := splitType(inner, arrays, structs+1)
			if err != nil {
				return "", "", err
			}
			inner = r
			n++
		}
	default:
		// '{' outside an array, ')', '}', and every reserved or unknown code.
		return "", "", fmt.Errorf("%w: unexpected %q", errSignature, c)
	}
}

// dictEnd checks the dict entry type at the start of sig ("{kv}") and
// returns the index of its closing brace. "A DICT_ENTRY ... occurs only as an
// array element type; it has exactly two single complete types inside the
// curly braces; the first single complete type (the "key") must be a basic
// type."
func dictEnd(sig string, arrays, structs int) (int, error) {
	if structs+1 > maxStructNesting {
		return 0, fmt.Errorf("%w: structs nested too deeply", errSignature)
	}
	if len(sig) < 2 || !isBasic(sig[1]) {
		return 0, fmt.Errorf("%w: dict entry key is not a basic type", errSignature)
	}
	_, rest, err := splitType(sig[2:], arrays, structs+1)
	if err != nil {
		return 0, err
	}
	if rest == "" || rest[0] != '}' {
		return 0, fmt.Errorf("%w: dict entry does not hold exactly two types", errSignature)
	}
	return len(sig) - len(rest), nil
}

// splitSignature checks that sig is a valid signature ("The maximum length of
// a signature is 255") and returns its single complete types.
func splitSignature(sig string) ([]string, error) {
	if len(sig) > maxSignature {
		return nil, fmt.Errorf("%w: longer than %d bytes", errSignature, maxSignature)
	}
	var types []string
	for sig != "" {
		first, rest, err := splitType(sig, 0, 0)
		if err != nil {
			return nil, err
		}
		types = append(types, first)
		sig = rest
	}
	return types, nil
}

// validObjectPath reports whether p is a valid object path (D-Bus
// Specification, "Valid Object Paths"): "/" alone, or "/"-separated non-empty
// elements of [A-Za-z0-9_] with no trailing "/".
func validObjectPath(p string) bool {
	if p == "/" {
		return true
	}
	if p == "" || p[0] != '/' || p[len(p)-1] == '/' {
		return false
	}
	prevSlash := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '/':
			if prevSlash {
				return false
			}
			prevSlash = true
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
			prevSlash = false
		default:
			return false
		}
	}
	return true
}
