package oauth2

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// ErrClaimsConflict is returned by MergeClaims when the claims already set a
// value, not an object, where the capabilities go (MSAL Go's rule,
// spec/PROTOCOL.md 2.11).
var ErrClaimsConflict = errors.New("oauth2: claims conflict with client capabilities")

// MergeClaims merges client capabilities into a claims JSON object
// (spec/PROTOCOL.md 2.11, MSAL Go's rules): with no claims the result is
// {"access_token":{"xms_cc":{"values":[...capabilities]}}}; otherwise that
// object is merged in deeply, adding each member the claims lack. Where both
// have a member and either value is not an object, the claims conflict with
// the capabilities and MergeClaims fails. Claims that are not a JSON object
// (base64, say) fail too. The result is compact JSON with members sorted.
// With no capabilities, valid claims are returned unchanged.
func MergeClaims(claims string, capabilities []string) (string, error) {
	if len(claims) > MaxClaims {
		return "", invalid("claims are longer than %d bytes", MaxClaims)
	}
	var obj map[string]any
	if strings.TrimSpace(claims) != "" {
		const notObject = "claims must be a JSON object (are they base64 encoded? pass the decoded JSON)"
		if !json.Valid([]byte(claims)) {
			return "", invalid(notObject)
		}
		d := json.NewDecoder(strings.NewReader(claims))
		d.UseNumber() // numbers are re-encoded exactly as given
		if err := d.Decode(&obj); err != nil || obj == nil {
			return "", invalid(notObject)
		}
	}
	if len(capabilities) == 0 {
		if obj == nil {
			return "", nil // blank claims
		}
		return claims, nil
	}
	values := make([]any, len(capabilities))
	for i, c := range capabilities {
		values[i] = c
	}
	caps := map[string]any{"access_token": map[string]any{"xms_cc": map[string]any{"values": values}}}
	if obj == nil {
		obj = caps
	} else if err := mergeInto(obj, caps); err != nil {
		return "", err
	}
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(obj); err != nil {
		return "", invalid("claims cannot be encoded")
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// mergeInto adds src's members to dst, recursing where both are objects.
func mergeInto(dst, src map[string]any) error {
	for k, sv := range src {
		dv, ok := dst[k]
		if !ok {
			dst[k] = sv
			continue
		}
		dm, dok := dv.(map[string]any)
		sm, sok := sv.(map[string]any)
		if !dok || !sok {
			return ErrClaimsConflict
		}
		if err := mergeInto(dm, sm); err != nil {
			return err
		}
	}
	return nil
}
