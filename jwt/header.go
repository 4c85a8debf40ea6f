package jwt

import (
	"bytes"
	"encoding/json"
	"io"
	"unicode/utf8"
)

// The algorithms this package signs and verifies, as JOSE "alg" values.
const (
	RS256 = "RS256" // RFC 7518, Section 3.3: RSASSA-PKCS1-v1_5 using SHA-256
	PS256 = "PS256" // RFC 7518, Section 3.5: RSASSA-PSS using SHA-256 and MGF1 with SHA-256
)

// Header is the JOSE header (RFC 7515, Section 4.1). Zero fields are omitted
// when encoded. Decoding fills the members named here and ignores others, as
// Section 4 requires of parameters that are not understood; the thumbprints
// and certificates are returned as sent, not decoded or checked.
type Header struct {
	Alg     string   `json:"alg"`                // Section 4.1.1
	Typ     string   `json:"typ,omitempty"`      // Section 4.1.9; "JWT" for a client assertion
	Kid     string   `json:"kid,omitempty"`      // Section 4.1.4
	X5t     string   `json:"x5t,omitempty"`      // Section 4.1.7: base64url(SHA-1(cert DER)), no padding
	X5tS256 string   `json:"x5t#S256,omitempty"` // Section 4.1.8: base64url(SHA-256(cert DER)), no padding
	X5c     []string `json:"x5c,omitempty"`      // Section 4.1.6: standard base64 DER, signing certificate first
}

// decodeHeader parses the JOSE header JSON strictly: a single JSON object in
// valid UTF-8, member names matched exactly (encoding/json alone would match
// "ALG" to alg), no name twice, nothing after the object. crit reports
// whether the header has a "crit" member.
func decodeHeader(b []byte) (h Header, crit bool, err error) {
	// RFC 7515, Section 5.2 step 3: "Verify that the resulting octet
	// sequence is a UTF-8-encoded representation of a completely valid JSON
	// object conforming to RFC 7159".
	if !utf8.Valid(b) {
		return Header{}, false, malformed("header is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return Header{}, false, malformed("header is not a JSON object")
	}
	seen := make(map[string]bool, 4)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Header{}, false, malformed("header is not a JSON object")
		}
		name, _ := tok.(string) // inside an object, Token returns names as strings
		// RFC 7515, Section 4: "The Header Parameter names within the JOSE
		// Header MUST be unique; JWS parsers MUST either reject JWSs with
		// duplicate Header Parameter names or ..." We reject.
		if seen[name] {
			return Header{}, false, malformed("%s appears twice", member(name))
		}
		seen[name] = true
		var dst any
		switch name {
		case "alg":
			dst = &h.Alg
		case "typ":
			dst = &h.Typ
		case "kid":
			dst = &h.Kid
		case "x5t":
			dst = &h.X5t
		case "x5t#S256":
			dst = &h.X5tS256
		case "x5c":
			dst = &h.X5c
		case "crit":
			crit = true
			dst = new(json.RawMessage)
		default:
			// RFC 7515, Section 4: parameters "not defined by this
			// specification MUST be ignored when not understood".
			dst = new(json.RawMessage)
		}
		if err := dec.Decode(dst); err != nil {
			return Header{}, false, malformed("%s has the wrong type", member(name))
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return Header{}, false, malformed("header is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return Header{}, false, malformed("header has data after the JSON object")
	}
	if len(h.X5c) == 0 {
		h.X5c = nil // "x5c":[] and no x5c say the same; keep one zero value
	}
	// RFC 7515, Section 4.1.1: "This Header Parameter MUST be present".
	if h.Alg == "" {
		return Header{}, false, malformed("header has no alg")
	}
	return h, crit, nil
}

// isObject reports whether b is a complete, valid JSON object in UTF-8.
// RFC 7519, Section 7.2 step 10: the claims are "a UTF-8-encoded
// representation of a completely valid JSON object".
func isObject(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n") // RFC 8259, Section 2: insignificant whitespace
	return len(t) > 0 && t[0] == '{' && utf8.Valid(b) && json.Valid(b)
}

// member names a header member in an error: by its name when it is one this
// package reads, else only as "a header member", since another name is the
// token's own text.
func member(name string) string {
	switch name {
	case "alg", "typ", "kid", "x5t", "x5t#S256", "x5c", "crit":
		return "header member " + quote(name)
	}
	return "a header member"
}
