package pkcs12

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"testing"
)

// TestOID checks OBJECT IDENTIFIER decoding (X.690, 8.19).
func TestOID(t *testing.T) {
	for _, tc := range []struct {
		hex, want string
		err       bool
	}{
		{"060b2a864886f70d010c0a0102", "1.2.840.113549.1.12.10.1.2", false},
		{"06032b6570", "1.3.101.112", false},
		{"0603551d0f", "2.5.29.15", false},
		{"0601 00", "0.0", false},
		{"060288 37", "2.999", false},
		{"06092b0601040182371101", "1.3.6.1.4.1.311.17.1", false},
		{"0600", "", true},                                                  // empty
		{"06022a86", "", true},                                              // last octet continues
		{"06032a8001", "", true},                                            // leading 0x80 in a subidentifier
		{"04012a", "", true},                                                // not an OID
		{"060b2affffffffffffffffff7f", "oid:2affffffffffffffffff7f", false}, // too big for 64 bits
	} {
		b, _ := hex.DecodeString(despace(tc.hex))
		e, _, err := parseElement(b, 0)
		if err != nil {
			t.Fatalf("%s: %v", tc.hex, err)
		}
		got, err := e.oid("test")
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("oid(%s) = %q, %v; want %q, error %v", tc.hex, got, err, tc.want, tc.err)
		}
	}
}

// TestInteger checks non-negative INTEGER decoding (X.690, 8.3).
func TestInteger(t *testing.T) {
	for _, tc := range []struct {
		hex  string
		want int64
		err  bool
	}{
		{"020100", 0, false},
		{"02020800", 2048, false},
		{"0203009c40", 40000, false},
		{"020400000001", 1, false}, // BER leading zeros
		{"0209008000000000000000", math.MaxInt64, false},
		{"02017f", 127, false},
		{"020180", 0, true}, // negative
		{"0200", 0, true},
		{"0401ff", 0, true},
	} {
		b, _ := hex.DecodeString(tc.hex)
		e, _, err := parseElement(b, 0)
		if err != nil {
			t.Fatalf("%s: %v", tc.hex, err)
		}
		got, err := e.integer("test")
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("integer(%s) = %d, %v; want %d, error %v", tc.hex, got, err, tc.want, tc.err)
		}
	}
}

// TestParseElement checks the BER framing: lengths, high tags, indefinite
// lengths and constructed OCTET STRINGs, and the errors.
func TestParseElement(t *testing.T) {
	for _, tc := range []struct {
		name, hex string
		body      string // hex of the body, or of the octets for OCTET STRINGs
		rest      int
		want      error
	}{
		{"short", "0403616263ff", "616263", 1, nil},
		{"long form", "048103616263", "616263", 0, nil},
		{"long form with a leading zero (BER)", "04820003616263", "616263", 0, nil},
		{"indefinite constructed OCTET STRING", "2480040161048200016204016300000a", "616263", 1, nil},
		{"high tag number", "9f8101" + "01" + "aa", "aa", 0, nil},
		{"truncated body", "040561", "", 0, ErrMalformed},
		{"length over 4 bytes", "0485000000000161", "", 0, ErrMalformed},
		{"reserved length", "04ff", "", 0, ErrMalformed},
		{"indefinite primitive", "048061620000", "", 0, ErrMalformed},
		{"missing end-of-contents", "308004016100", "", 0, ErrMalformed},
		{"stray end-of-contents", "0000", "", 0, ErrMalformed},
		{"bad high tag", "1f80", "", 0, ErrMalformed},
		{"one byte", "30", "", 0, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := hex.DecodeString(tc.hex)
			e, rest, err := parseElement(b, 0)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.octets()
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != tc.body || len(rest) != tc.rest {
				t.Errorf("body %x rest %d, want %s rest %d", got, len(rest), tc.body, tc.rest)
			}
			if !bytes.Equal(e.raw, b[:len(b)-len(rest)]) {
				t.Errorf("raw %x", e.raw)
			}
		})
	}
}

func despace(s string) string { return string(bytes.ReplaceAll([]byte(s), []byte(" "), nil)) }
