package identity

import "strings"

// validTenantID reports whether id is a tenant id azid will put in a URL
// path or on a command line: non-empty, ASCII letters, digits, '-' and '.'
// (PROTOCOL.md 1.2; PY and GO agree).
func validTenantID(id string) bool {
	if id == "" || len(id) > maxTenantLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// checkScopes validates the scopes of a request before anything is sent.
// It allocates nothing on success.
func checkScopes(cred string, scopes []string) error {
	if len(scopes) == 0 {
		return inputError(cred, ErrInvalidScope, "GetToken requires at least one scope")
	}
	if len(scopes) > maxScopes {
		return inputError(cred, ErrInvalidScope, "%d scopes; at most %d", len(scopes), maxScopes)
	}
	for i, s := range scopes {
		if !validScope(s) {
			return inputError(cred, ErrInvalidScope, "scope %d is empty, too long, or has a character outside RFC 6749 Section 3.3", i)
		}
	}
	return nil
}

// validScope: RFC 6749, Section 3.3: scope-token = 1*( %x21 / %x23-5B /
// %x5D-7E ), that is printable ASCII without space, '"' and '\'.
func validScope(s string) bool {
	if s == "" || len(s) > maxScopeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !scopeChar[s[i]] {
			return false
		}
	}
	return true
}

// scopeChar[c] is true for the bytes RFC 6749, Section 3.3 allows in a
// scope-token: a table, because every GetToken checks every scope byte.
var scopeChar = func() (t [256]bool) {
	for c := 0x21; c <= 0x7e; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// tenantPolicy is what a credential knows about tenants: its own, the ones
// it may also serve, and whether per-request tenants are switched off.
type tenantPolicy struct {
	tenant       string   // configured tenant; "" for credentials that have none
	allowed      []string // AdditionallyAllowedTenants; "*" allows any
	disableMulti bool     // AZURE_IDENTITY_DISABLE_MULTITENANTAUTH was set
}

func newTenantPolicy(tenant string, allowed []string) tenantPolicy {
	return tenantPolicy{tenant: tenant, allowed: allowed, disableMulti: getenv(envDisableMultiTenantAuth) != ""}
}

// resolve returns the tenant a request goes to (PROTOCOL.md 1.4, DESIGN.md):
//  1. no request tenant, or the configured one: the configured tenant;
//  2. multi-tenant auth disabled, or an ADFS authority: the configured
//     tenant, the request tenant ignored (PY);
//  3. an invalid request tenant: an error, before anything is sent;
//  4. no configured tenant, "*" allowed, or the tenant listed: the request tenant;
//  5. otherwise ErrTenantNotAllowed.
func (p *tenantPolicy) resolve(cred, requested string) (string, error) {
	if requested == "" || requested == p.tenant {
		return p.tenant, nil
	}
	if p.disableMulti || strings.EqualFold(p.tenant, "adfs") { // as oauth2 recognizes ADFS
		return p.tenant, nil
	}
	if !validTenantID(requested) {
		return "", inputError(cred, ErrInvalidTenantID, "in TokenRequestOptions.TenantID")
	}
	if p.tenant == "" {
		return requested, nil
	}
	for _, t := range p.allowed {
		if t == "*" || t == requested {
			return requested, nil
		}
	}
	return "", inputError(cred, ErrTenantNotAllowed,
		"not configured to acquire tokens for tenant %q; add it to AdditionallyAllowedTenants, or add \"*\" to allow any tenant", requested)
}
