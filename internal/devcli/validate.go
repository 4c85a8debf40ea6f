package devcli

import (
	"errors"
	"fmt"
	"strings"
)

// ValidationError reports a scope, tenant ID or subscription that may not be
// passed to a tool. Nothing has been run when it is returned.
type ValidationError struct {
	Field string // "scope", "tenant ID" or "subscription"
	Value string // the refused value
}

// Error names the refused field and the characters it may hold.
func (e *ValidationError) Error() string {
	v := e.Value
	if len(v) > maxQuotedInput {
		v = v[:maxQuotedInput] + "..."
	}
	switch e.Field {
	case "scope":
		// PROTOCOL 1.3, PY: "Only alphanumeric characters, '.', '-', '_', ':', and '/' are allowed."
		return fmt.Sprintf("devcli: invalid scope %q: only letters, digits, '.', '-', '_', ':' and '/' are allowed, not first '-'", v)
	case "tenant ID":
		// PROTOCOL 1.2, with PY's pointer to where the ID is found.
		return fmt.Sprintf("devcli: invalid tenant ID %q: only letters, digits, '-' and '.' are allowed, not first '-'; see https://learn.microsoft.com/partner-center/find-ids-and-domain-names", v)
	default:
		// PROTOCOL 1.3, PY-new and GO: "Subscription '<value>' contains invalid characters. If this is the name of a subscription, use its ID instead"
		return fmt.Sprintf("devcli: subscription %q contains invalid characters (only letters, digits, '_', '-', '.' and space are allowed, not first '-'); if this is the name of a subscription, use its ID instead", v)
	}
}

// ValidScope checks a scope, or a resource made from one, for the Azure CLI
// and Azure PowerShell, and each scope for the Azure Developer CLI.
// PROTOCOL 1.3: "allowed characters are ASCII letters, digits, `_`, `-`, `.`,
// `:`, `/`; empty scope is invalid."
func ValidScope(s string) error {
	return validate("scope", s, func(c byte) bool {
		return isAlnum(c) || c == '_' || c == '-' || c == '.' || c == ':' || c == '/'
	})
}

// ValidTenant checks a tenant ID. PROTOCOL 1.2: "Valid characters: ASCII
// letters, digits, `-` and `.`; must be non-empty." An empty tenant passed
// to the argument builders means "the tool's current tenant" and is not
// checked there.
func ValidTenant(s string) error {
	return validate("tenant ID", s, func(c byte) bool {
		return isAlnum(c) || c == '-' || c == '.'
	})
}

// ValidSubscription checks an Azure CLI subscription, ID or name.
// PROTOCOL 1.3: "allowed characters are letters, digits, `_`, `-`, `.` and
// space".
func ValidSubscription(s string) error {
	return validate("subscription", s, func(c byte) bool {
		return isAlnum(c) || c == '_' || c == '-' || c == '.' || c == ' '
	})
}

// validate refuses s when it is empty, holds a byte outside allowed, or
// starts with '-'. The last rule is ours, not the official libraries': a
// value that starts with '-' would read as an option to the tool, and no
// scope, tenant ID or subscription starts that way.
func validate(field, s string, allowed func(byte) bool) error {
	if s == "" || s[0] == '-' {
		return &ValidationError{Field: field, Value: s}
	}
	for i := 0; i < len(s); i++ {
		if !allowed(s[i]) {
			return &ValidationError{Field: field, Value: s}
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// defaultSuffix is what PROTOCOL 1.3 removes from a scope to make a v1 resource.
const defaultSuffix = "/.default"

// Resource turns the one scope that the Azure CLI and Azure PowerShell
// accept into the v1 resource they are given. PROTOCOL 1.3: "if the scope
// ends with the exact suffix `/.default`, remove that suffix; otherwise use
// it unchanged", and exactly one scope.
func Resource(scopes []string) (string, error) {
	if len(scopes) != 1 {
		// PROTOCOL 1.3, PY: "This credential requires exactly one scope per token request."
		return "", fmt.Errorf("devcli: got %d scopes; this tool takes exactly one scope per token request", len(scopes))
	}
	if err := ValidScope(scopes[0]); err != nil {
		return "", err
	}
	resource := strings.TrimSuffix(scopes[0], defaultSuffix)
	if resource == "" {
		return "", &ValidationError{Field: "scope", Value: scopes[0]}
	}
	return resource, nil
}

// errNoScope is returned when a request to the Azure Developer CLI has no scope.
// PROTOCOL 1.3, PY: '"get_token" requires at least one scope'.
var errNoScope = errors.New("devcli: a token request needs at least one scope")
