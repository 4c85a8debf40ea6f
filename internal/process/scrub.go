package process

import "strings"

// Redacted replaces every token Scrub removes.
const Redacted = "****"

// secretKeys are the JSON member names whose string value Scrub removes,
// compared without regard to case. The Python library redacts
// "accessToken" (az) and "token" (azd) in tool output (spec/PROTOCOL.md,
// Section 8.1); "Token" is what our PowerShell script prints (Section 8.4);
// the refresh, ID token and snake-case forms cover tools that echo token
// responses, "secret" is where MSAL's cache keeps every token, and
// client_secret and password cover a tool that echoes a request.
var secretKeys = [...]string{"accessToken", "access_token", "token", "refreshToken", "refresh_token",
	"idToken", "id_token", "secret", "client_secret", "password"}

// maxKeyLen bounds the search for a member name's closing quote.
const maxKeyLen = len("refresh_token")

// Scrub returns stderr as valid UTF-8 with access tokens replaced by
// Redacted: the string value of any member named in secretKeys
// (`"accessToken": "..."`, escapes honoured, an unterminated value redacted
// to the end; also in JSON nested in a JSON string, `\"token\": \"...\"`,
// and in Python's repr, `'accessToken': '...'`), the value of such a name
// in a form body or query (`refresh_token=...`, up to '&', white space or a
// quote), and every sequence that starts like a JWT ("eyJ", the base64url
// of `{"`) up to the first byte that cannot belong to one. Anything taken
// from a tool's output must pass through Scrub before it reaches an error
// or a log.
func Scrub(stderr []byte) string {
	s := strings.ToValidUTF8(string(stderr), "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if v, q, ok := secretValueAt(s, i); ok {
			b.WriteString(s[i:v]) // the member name, up to and including the value's opening quote
			b.WriteString(Redacted)
			end, closed := valueEnd(s, v, q)
			if closed {
				b.WriteString(q)
			}
			i = end
			continue
		}
		if v, ok := formValueAt(s, i); ok {
			b.WriteString(s[i:v]) // the name and '='
			b.WriteString(Redacted)
			for i = v; i < len(s) && !strings.ContainsRune("& \t\r\n\"'", rune(s[i])); i++ {
			}
			continue
		}
		if strings.HasPrefix(s[i:], "eyJ") {
			b.WriteString(Redacted)
			for i += 3; i < len(s) && isJWTByte(s[i]); i++ {
			}
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// quotes are the ways a member name and its value may be quoted: JSON,
// JSON inside a JSON string, and Python's repr of a dict.
var quotes = [...]string{`"`, `\"`, "'"}

// secretValueAt reports whether s[i:] starts with a quoted name from
// secretKeys, optional white space, a colon, optional white space and the
// same quote; v is the index just past that last quote, and q the quote.
func secretValueAt(s string, i int) (v int, q string, ok bool) {
	for _, q := range quotes {
		if !strings.HasPrefix(s[i:], q) {
			continue
		}
		rest := s[i+len(q):]
		end := strings.Index(rest[:min(len(rest), maxKeyLen+len(q))], q)
		if end < 0 || !isSecretKey(rest[:end]) {
			return 0, "", false
		}
		j := skipSpace(s, i+len(q)+end+len(q))
		if j >= len(s) || s[j] != ':' {
			return 0, "", false
		}
		j = skipSpace(s, j+1)
		if !strings.HasPrefix(s[j:], q) {
			return 0, "", false
		}
		return j + len(q), q, true
	}
	return 0, "", false
}

// formValueAt reports whether s[i:] starts with a name from secretKeys and
// '=', at the start of s or after '&', '?' or white space, as in a form
// body or a query; v is the index just past the '='.
func formValueAt(s string, i int) (v int, ok bool) {
	if i > 0 && !strings.ContainsRune("&? \t\r\n", rune(s[i-1])) {
		return 0, false
	}
	eq := strings.IndexByte(s[i:min(len(s), i+maxKeyLen+1)], '=')
	if eq <= 0 || !isSecretKey(s[i:i+eq]) {
		return 0, false
	}
	return i + eq + 1, true
}

func isSecretKey(k string) bool {
	for _, name := range secretKeys {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

func skipSpace(s string, j int) int {
	for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n') {
		j++
	}
	return j
}

// valueEnd returns the index just past the quote q that closes the value
// starting at s[j]; closed is false, and end is len(s), when the value is
// not terminated. A JSON string honours backslash escapes; in the other
// forms the first q ends the value, as no token holds a quote.
func valueEnd(s string, j int, q string) (end int, closed bool) {
	if q != `"` {
		if k := strings.Index(s[j:], q); k >= 0 {
			return j + k + len(q), true
		}
		return len(s), false
	}
	for j < len(s) {
		switch s[j] {
		case '\\':
			j += 2
		case '"':
			return j + 1, true
		default:
			j++
		}
	}
	return len(s), false
}

// isJWTByte reports whether c may appear in a JWS compact serialization
// (RFC 7515, Section 7.1: base64url parts separated by '.'), or in its
// padded or standard-alphabet cousins.
func isJWTByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '+' || c == '/' || c == '='
}
