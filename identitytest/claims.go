package identitytest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
)

// claimsRequest is a parsed claims parameter (OpenID Connect Core 1.0,
// Section 5.5; PROTOCOL 2.11): what the access_token member asks for.
type claimsRequest struct {
	capabilities []string       // access_token.xms_cc.values, e.g. ["CP1"]
	extra        map[string]any // other requested claims and the values to issue
	// issuedAfter is access_token.nbf's value, when one was given: the
	// token must be issued at or after it (a CAE challenge, PROTOCOL 12).
	issuedAfter int64
}

// reservedClaims are the claims the server sets itself; a claims request
// cannot change them. nbf is among them: a challenge's nbf value asks for a
// token issued at or after that time (issuedAfter), which issue ensures.
var reservedClaims = map[string]bool{
	"aud": true, "iss": true, "iat": true, "nbf": true, "exp": true, "sub": true,
	"tid": true, "oid": true, "appid": true, "azp": true, "scp": true, "roles": true,
	"ver": true, "idtyp": true, "upn": true, "unique_name": true, "name": true,
	"preferred_username": true, "xms_cc": true,
}

// parseClaims parses the claims parameter: a JSON object whose
// "access_token" member, if any, maps claim names to null or to an object
// with "essential", "value" or "values" (OpenID Connect Core 1.0, Section
// 5.5.1). Other members (id_token, userinfo) are accepted and ignored.
func parseClaims(raw string) (*claimsRequest, *oauthError) {
	bad := func(why string) *oauthError {
		return errorf(http.StatusBadRequest, "invalid_request", codeMalformedRequest,
			"Invalid request. The claims parameter %s.", why)
	}
	var top map[string]json.RawMessage
	if err := strictJSON([]byte(raw), &top); err != nil || top == nil {
		return nil, bad("is not a JSON object")
	}
	cr := &claimsRequest{extra: map[string]any{}}
	at, ok := top["access_token"]
	if !ok || string(at) == "null" {
		return cr, nil
	}
	var members map[string]*struct {
		Essential bool  `json:"essential"`
		Value     any   `json:"value"`
		Values    []any `json:"values"`
	}
	if err := strictJSON(at, &members); err != nil || members == nil {
		return nil, bad("has an access_token member that is not an object of claim requests")
	}
	for name, m := range members {
		switch {
		case name == "xms_cc":
			if m != nil {
				for _, v := range m.Values {
					if s, ok := v.(string); ok {
						cr.capabilities = append(cr.capabilities, s)
					}
				}
				if s, ok := m.Value.(string); ok {
					cr.capabilities = append(cr.capabilities, s)
				}
			}
		case name == "nbf":
			if m != nil {
				if v, ok := numericValue(m.Value); ok {
					cr.issuedAfter = v.Unix()
				}
			}
		case reservedClaims[name]:
		case m == nil:
			cr.extra[name] = true
		case name == "acrs":
			// Entra ID issues acrs (authentication context) as an array.
			vals := m.Values
			if m.Value != nil {
				vals = append([]any{m.Value}, vals...)
			}
			cr.extra[name] = vals
		case m.Value != nil:
			cr.extra[name] = m.Value
		case m.Values != nil:
			cr.extra[name] = m.Values
		default:
			cr.extra[name] = true
		}
	}
	sort.Strings(cr.capabilities)
	return cr, nil
}

// apply adds what c asks for to the claims of a token being issued.
func (c *claimsRequest) apply(claims map[string]any) {
	if c == nil {
		return
	}
	if len(c.capabilities) > 0 {
		claims["xms_cc"] = c.capabilities
	}
	for name, v := range c.extra {
		claims[name] = v
	}
}

// strictJSON decodes one JSON value into v with nothing after it.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	// Nothing may follow the value: dec.More would miss a stray ']' or '}'.
	if _, err := dec.Token(); err != io.EOF {
		return errNotObject
	}
	return nil
}
