package identity

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Challenge is one authentication challenge from a WWW-Authenticate header
// (RFC 9110, Section 11.6.1).
type Challenge struct {
	Scheme  string            // as sent; compare with strings.EqualFold
	Token68 string            // the token68 form, when the challenge has one
	Params  map[string]string // auth-params, names lowercased (RFC 9110: "case-insensitive")
}

// ErrMalformedChallenge is wrapped by every ParseChallenges error.
var ErrMalformedChallenge = errors.New("malformed WWW-Authenticate header")

// Bounds on what ParseChallenges reads from a server.
const (
	maxChallengeHeader = 16 << 10 // bytes in one header value
	maxChallenges      = 16       // challenges in all values together
	maxChallengeParams = 32       // auth-params in one challenge
)

// ParseChallenges parses WWW-Authenticate header values strictly by RFC 9110,
// Section 11.6.1:
//
//	WWW-Authenticate = #challenge
//	challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//	auth-param = token BWS "=" BWS ( token / quoted-string )
//
// Several challenges may share one value and there may be several values.
// A comma followed by "token =" continues the current challenge's
// parameters; a comma followed by a token and then a space, a comma or the
// end starts a new challenge.
func ParseChallenges(values []string) ([]Challenge, error) {
	var out []Challenge
	for _, v := range values {
		if len(v) > maxChallengeHeader {
			return nil, fmt.Errorf("identity: %w: longer than %d bytes", ErrMalformedChallenge, maxChallengeHeader)
		}
		p := challengeParser{s: v}
		cs, err := p.parse(maxChallenges - len(out))
		if err != nil {
			return nil, fmt.Errorf("identity: %w: %v at byte %d", ErrMalformedChallenge, err, p.i)
		}
		out = append(out, cs...)
	}
	return out, nil
}

type challengeParser struct {
	s string
	i int
}

func (p *challengeParser) parse(room int) ([]Challenge, error) {
	var out []Challenge
	for {
		p.skipListSeparators()
		if p.i == len(p.s) {
			return out, nil
		}
		if len(out) == room {
			return nil, errors.New("too many challenges")
		}
		c, err := p.challenge()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
}

// skipListSeparators skips OWS and empty list elements ("#rule" allows them).
func (p *challengeParser) skipListSeparators() {
	for p.i < len(p.s) && (p.s[p.i] == ',' || p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *challengeParser) skipOWS() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *challengeParser) challenge() (Challenge, error) {
	scheme := p.token()
	if scheme == "" {
		return Challenge{}, errors.New("expected an auth-scheme")
	}
	c := Challenge{Scheme: scheme}
	if p.i == len(p.s) || p.s[p.i] == ',' {
		return c, nil
	}
	if p.s[p.i] != ' ' {
		return Challenge{}, errors.New("expected a space after the auth-scheme")
	}
	p.skipOWS()
	if p.i == len(p.s) || p.s[p.i] == ',' {
		return c, nil
	}
	// token68, or the first auth-param?
	start := p.i
	name := p.token()
	p.skipOWS()
	if p.i < len(p.s) && p.s[p.i] == '=' && name != "" && !p.token68Ends(start) {
		p.i = start
		return p.params(c)
	}
	p.i = start
	t := p.token68()
	if t == "" {
		return Challenge{}, errors.New("expected a token68 or an auth-param")
	}
	c.Token68 = t
	p.skipOWS()
	if p.i < len(p.s) && p.s[p.i] != ',' {
		return Challenge{}, errors.New("unexpected text after token68")
	}
	return c, nil
}

// token68Ends reports whether a token68 read from start would be followed
// by only OWS and then a comma or the end: then "abc==" is a token68, not a
// parameter named "abc" with an empty value.
func (p *challengeParser) token68Ends(start int) bool {
	save := p.i
	defer func() { p.i = save }()
	p.i = start
	if p.token68() == "" {
		return false
	}
	p.skipOWS()
	return p.i == len(p.s) || p.s[p.i] == ','
}

func (p *challengeParser) params(c Challenge) (Challenge, error) {
	c.Params = make(map[string]string)
	for {
		name := p.token()
		if name == "" {
			return Challenge{}, errors.New("expected an auth-param name")
		}
		p.skipOWS()
		if p.i == len(p.s) || p.s[p.i] != '=' {
			return Challenge{}, errors.New("expected '=' after an auth-param name")
		}
		p.i++
		p.skipOWS()
		var value string
		if p.i < len(p.s) && p.s[p.i] == '"' {
			v, err := p.quoted()
			if err != nil {
				return Challenge{}, err
			}
			value = v
		} else if value = p.token(); value == "" {
			return Challenge{}, errors.New("expected a token or quoted-string value")
		}
		key := strings.ToLower(name)
		if _, dup := c.Params[key]; dup {
			// RFC 9110: "Each parameter name MUST only occur once per challenge."
			return Challenge{}, fmt.Errorf("parameter %q repeated", key)
		}
		if len(c.Params) == maxChallengeParams {
			return Challenge{}, errors.New("too many parameters")
		}
		c.Params[key] = value
		p.skipOWS()
		if p.i == len(p.s) {
			return c, nil
		}
		if p.s[p.i] != ',' {
			return Challenge{}, errors.New("expected ',' between auth-params")
		}
		// Another parameter of this challenge, or the next challenge?
		save := p.i
		p.skipListSeparators()
		if p.i == len(p.s) {
			return c, nil
		}
		n := p.i
		if p.token() != "" {
			p.skipOWS()
			if p.i < len(p.s) && p.s[p.i] == '=' {
				p.i = n
				continue
			}
		}
		p.i = save
		return c, nil
	}
}

// token = 1*tchar (RFC 9110, Section 5.6.2).
func (p *challengeParser) token() string {
	start := p.i
	for p.i < len(p.s) && isTchar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
func (p *challengeParser) token68() string {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if isAlnum(c) || strings.IndexByte("-._~+/", c) >= 0 {
			p.i++
			continue
		}
		break
	}
	if p.i == start {
		return ""
	}
	for p.i < len(p.s) && p.s[p.i] == '=' {
		p.i++
	}
	return p.s[start:p.i]
}

// quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110, 5.6.4).
func (p *challengeParser) quoted() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			if p.i+1 == len(p.s) {
				return "", errors.New("unterminated quoted-pair")
			}
			q := p.s[p.i+1]
			if !(q == '\t' || q >= 0x20 && q != 0x7f) {
				return "", errors.New("invalid quoted-pair")
			}
			b.WriteByte(q)
			p.i += 2
		case c == '\t' || c >= 0x20 && c != 0x7f:
			b.WriteByte(c)
			p.i++
		default:
			return "", errors.New("control character in quoted-string")
		}
	}
	return "", errors.New("unterminated quoted-string")
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// tchar (RFC 9110, Section 5.6.2).
func isTchar(c byte) bool {
	return isAlnum(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// ErrInvalidClaims is wrapped when a CAE challenge's claims are not base64 of
// a JSON object.
var ErrInvalidClaims = errors.New("claims challenge is not base64 of a JSON object")

// maxClaims bounds a claims challenge; real ones are a few hundred bytes.
const maxClaims = 8 << 10

// CAEClaims returns the decoded claims of the CAE challenge among cs: a
// Bearer challenge with error="insufficient_claims" and a claims parameter
// (PROTOCOL.md 12). ok is false when there is none; err is set when there is
// one whose claims do not decode to a JSON object. Both base64 alphabets are
// accepted, padded or not.
func CAEClaims(cs []Challenge) (claims string, ok bool, err error) {
	for _, c := range cs {
		if !strings.EqualFold(c.Scheme, "Bearer") || c.Params["error"] != "insufficient_claims" {
			continue
		}
		enc, has := c.Params["claims"]
		if !has || enc == "" {
			continue
		}
		if len(enc) > maxClaims {
			return "", true, fmt.Errorf("identity: %w: longer than %d bytes", ErrInvalidClaims, maxClaims)
		}
		raw, derr := decodeBase64Any(enc)
		if derr != nil {
			return "", true, fmt.Errorf("identity: %w: %v", ErrInvalidClaims, derr)
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil || obj == nil {
			return "", true, fmt.Errorf("identity: %w: not a JSON object", ErrInvalidClaims)
		}
		return string(raw), true, nil
	}
	return "", false, nil
}

// decodeBase64Any decodes standard or URL-safe base64, padded or not.
func decodeBase64Any(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
