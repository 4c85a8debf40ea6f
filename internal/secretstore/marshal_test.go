package secretstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestSplitSignature(t *testing.T) {
	tests := []struct {
		name string
		sig  string
		want []string // nil: invalid
	}{
		{name: "empty", sig: "", want: []string{}},
		{name: "basic types", sig: "ybnqiuxtdhsogv", want: strings.Split("ybnqiuxtdhsogv", "")},
		{name: "array", sig: "ai", want: []string{"ai"}},
		{name: "spec multiple", sig: "aiai", want: []string{"ai", "ai"}},
		{name: "spec structs", sig: "(ii)(ii)", want: []string{"(ii)", "(ii)"}},
		{name: "nested struct", sig: "(i(ii))", want: []string{"(i(ii))"}},
		{name: "dict", sig: "a{sv}", want: []string{"a{sv}"}},
		{name: "secrets dict", sig: "a{o(oayays)}", want: []string{"a{o(oayays)}"}},
		{name: "header", sig: "yyyyuua(yv)", want: []string{"y", "y", "y", "y", "u", "u", "a(yv)"}},
		{name: "32 arrays", sig: strings.Repeat("a", 32) + "y", want: []string{strings.Repeat("a", 32) + "y"}},
		{name: "32 structs", sig: strings.Repeat("(", 32) + "y" + strings.Repeat(")", 32), want: []string{strings.Repeat("(", 32) + "y" + strings.Repeat(")", 32)}},
		{name: "spec not single aa", sig: "aa"},
		{name: "spec not single (ii", sig: "(ii"},
		{name: "spec not single ii)", sig: "ii)"},
		{name: "empty struct", sig: "()"},
		{name: "dict outside array", sig: "{ss}"},
		{name: "dict container key", sig: "a{(i)s}"},
		{name: "dict variant key", sig: "a{vs}"},
		{name: "dict one field", sig: "a{s}"},
		{name: "dict three fields", sig: "a{sss}"},
		{name: "reserved r", sig: "r"},
		{name: "reserved m", sig: "mi"},
		{name: "unknown", sig: "z"},
		{name: "33 arrays", sig: strings.Repeat("a", 33) + "y"},
		{name: "33 structs", sig: strings.Repeat("(", 33) + "y" + strings.Repeat(")", 33)},
		{name: "33 dicts and structs", sig: "a{s" + strings.Repeat("(", 32) + "y" + strings.Repeat(")", 32) + "}"},
		{name: "256 bytes", sig: strings.Repeat("y", 256)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := splitSignature(tt.sig)
			if tt.want == nil {
				if err == nil || !errors.Is(err, errSignature) {
					t.Fatalf("splitSignature(%q) = %q, %v; want errSignature", tt.sig, got, err)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
				t.Fatalf("splitSignature(%q) = %q, %v; want %q", tt.sig, got, err, tt.want)
			}
		})
	}
}

func TestValidObjectPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/": true, "/org/freedesktop/secrets": true, "/a_B/9": true,
		"": false, "org": false, "/org/": false, "//": false, "/a//b": false, "/a-b": false, "/a.b": false,
	} {
		if got := validObjectPath(p); got != want {
			t.Errorf("validObjectPath(%q) = %v, want %v", p, got, want)
		}
	}
}

// Vectors from the D-Bus Specification, "Marshalling basic types" and
// "Marshalling containers".
func TestMarshalSpecVectors(t *testing.T) {
	tests := []struct {
		name  string
		order byteOrder
		sig   string
		vals  []any
		want  []byte
	}{
		{
			name: "strings foo + bar", order: binary.LittleEndian, sig: "sss", vals: []any{"foo", "+", "bar"},
			want: []byte{
				0x03, 0, 0, 0, 'f', 'o', 'o', 0,
				0x01, 0, 0, 0, '+', 0, 0, 0,
				0x03, 0, 0, 0, 'b', 'a', 'r', 0,
			},
		},
		{
			name: "array of one int64", order: binary.BigEndian, sig: "ax", vals: []any{[]any{int64(5)}},
			want: []byte{0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5},
		},
		{
			name: "variant uint64", order: binary.BigEndian, sig: "v", vals: []any{variant{sig: "t", value: uint64(5)}},
			want: []byte{1, 't', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := encoder{order: tt.order}
			if err := e.values(tt.sig, tt.vals); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(e.buf, tt.want) {
				t.Fatalf("encode %q %v:\n got % x\nwant % x", tt.sig, tt.vals, e.buf, tt.want)
			}
			d := decoder{buf: tt.want, order: tt.order}
			got, err := d.values(tt.sig)
			if err != nil || !reflect.DeepEqual(got, tt.vals) || d.pos != len(tt.want) {
				t.Fatalf("decode % x as %q = %v, %v; want %v", tt.want, tt.sig, got, err, tt.vals)
			}
		})
	}
}

// everyType is one value of every type the marshaller knows.
func everyType() (string, []any) {
	return "ybnqiuxtdhsogvayaia{sv}(y(s))a(o)aay", []any{
		byte(7), true, int16(-2), uint16(65535), int32(-3), uint32(4), int64(math.MinInt64), uint64(math.MaxUint64),
		1.5, uint32(0), "héllo", objectPath("/org/x"), signature("a{sv}"),
		variant{sig: "ai", value: []any{int32(1), int32(2)}},
		[]byte("secret"), []any{}, []any{dictEntry{key: "k", value: variant{sig: "s", value: "v"}}},
		[]any{byte(1), []any{"x"}}, []any{[]any{objectPath("/")}}, []any{[]byte{}, []byte{1}},
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	sig, vals := everyType()
	for _, order := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
		e := encoder{order: order}
		if err := e.values(sig, vals); err != nil {
			t.Fatalf("%v: %v", order, err)
		}
		d := decoder{buf: e.buf, order: order}
		got, err := d.values(sig)
		if err != nil {
			t.Fatalf("%v: %v", order, err)
		}
		if !reflect.DeepEqual(got, vals) || d.pos != len(e.buf) {
			t.Fatalf("%v: round trip:\n got %#v\nwant %#v", order, got, vals)
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	tests := []struct {
		name string
		sig  string
		vals []any
	}{
		{name: "wrong type", sig: "u", vals: []any{int32(1)}},
		{name: "too few values", sig: "uu", vals: []any{uint32(1)}},
		{name: "nul in string", sig: "s", vals: []any{"a\x00b"}},
		{name: "bad utf8", sig: "s", vals: []any{"\xff"}},
		{name: "bad object path", sig: "o", vals: []any{objectPath("/a/")}},
		{name: "bad signature value", sig: "g", vals: []any{signature("a")}},
		{name: "variant of two types", sig: "v", vals: []any{variant{sig: "ss", value: "x"}}},
		{name: "struct too short", sig: "(ss)", vals: []any{[]any{"x"}}},
		{name: "struct too long", sig: "(s)", vals: []any{[]any{"x", "y"}}},
		{name: "dict element not an entry", sig: "a{ss}", vals: []any{[]any{"x"}}},
		{name: "bytes for ai", sig: "ai", vals: []any{[]byte{1}}},
		{name: "array over limit", sig: "ay", vals: []any{make([]byte, maxArray+1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := encoder{order: binary.LittleEndian}
			if err := e.values(tt.sig, tt.vals); err == nil {
				t.Fatalf("encode %q %v: no error", tt.sig, tt.vals)
			}
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	// 65 variants of variants, then a byte: deeper than "a total message
	// depth ... larger than 64" allows. (The encoder refuses to build it.)
	deep := bytes.Repeat([]byte{1, 'v', 0}, maxDepth+1)
	deep = append(deep, 1, 'y', 0, 7)
	tests := []struct {
		name string
		sig  string
		data []byte
	}{
		{name: "boolean 2", sig: "b", data: []byte{2, 0, 0, 0}},
		{name: "non-zero padding", sig: "yu", data: []byte{1, 9, 0, 0, 1, 0, 0, 0}},
		{name: "truncated", sig: "u", data: []byte{1, 0}},
		{name: "string without nul", sig: "s", data: []byte{1, 0, 0, 0, 'a', 'b'}},
		{name: "string with interior nul", sig: "s", data: []byte{2, 0, 0, 0, 'a', 0, 0}},
		{name: "string bad utf8", sig: "s", data: []byte{1, 0, 0, 0, 0xff, 0}},
		{name: "string length huge", sig: "s", data: []byte{0xff, 0xff, 0xff, 0xff, 0}},
		{name: "bad object path", sig: "o", data: []byte{2, 0, 0, 0, '/', '/', 0}},
		{name: "bad signature", sig: "g", data: []byte{2, '(', ')', 0}},
		{name: "variant of two types", sig: "v", data: []byte{2, 'y', 'y', 0, 1, 2}},
		{name: "array splits element", sig: "au", data: []byte{6, 0, 0, 0, 1, 0, 0, 0, 2, 0}},
		{name: "array over limit", sig: "ay", data: []byte{0, 0, 0, 8}},
		{name: "array past end", sig: "ay", data: []byte{9, 0, 0, 0, 1}},
		{name: "variants too deep", sig: "v", data: deep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decoder{buf: tt.data, order: binary.LittleEndian}
			got, err := d.values(tt.sig)
			if err == nil {
				t.Fatalf("decode % x as %q = %v; want an error", tt.data, tt.sig, got)
			}
			if got != nil {
				t.Fatalf("decode % x as %q returned %v with error %v; want nil", tt.data, tt.sig, got, err)
			}
		})
	}
}

func TestDecodeValueBudget(t *testing.T) {
	// An array of maxValues+1 bytes is one value; of structs it is many.
	e := encoder{order: binary.LittleEndian}
	many := make([]any, maxValues+1)
	for i := range many {
		many[i] = []any{byte(0)}
	}
	if err := e.values("a(y)", []any{many}); err != nil {
		t.Fatal(err)
	}
	d := decoder{buf: e.buf, order: binary.LittleEndian}
	if _, err := d.values("a(y)"); err == nil {
		t.Fatalf("decoded %d structs; want the value budget to stop it", len(many))
	}
	e = encoder{order: binary.LittleEndian}
	if err := e.values("ay", []any{make([]byte, maxValues+1)}); err != nil {
		t.Fatal(err)
	}
	d = decoder{buf: e.buf, order: binary.LittleEndian}
	if _, err := d.values("ay"); err != nil {
		t.Fatalf("byte array: %v", err)
	}
}
