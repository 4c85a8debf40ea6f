package identitytest

import (
	"net/http"
	"strings"
)

// graphResource is the resource of a scope without one ("User.Read") and of
// a request for OpenID Connect scopes only, as in Entra ID.
const graphResource = "https://graph.microsoft.com"

// oidcScopes are the OpenID Connect scopes MSAL adds to requests (PROTOCOL
// 2.3); they name no resource.
var oidcScopes = map[string]bool{"openid": true, "profile": true, "offline_access": true, "email": true}

// resourceRequest is what a scope parameter asks for.
type resourceRequest struct {
	aud       string   // the resource: the scopes' common prefix
	perms     []string // the permissions after the resource, e.g. "User.Read" or ".default"
	requested []string // every scope as sent, in order
}

// splitScopes splits a scope parameter: RFC 6749, Section 3.3: "The value
// of the scope parameter is expressed as a list of space-delimited,
// case-sensitive strings."
func splitScopes(scope string) []string {
	return strings.Fields(scope)
}

// parseScopes finds the one resource the scopes name. appOnly requires the
// client credentials form, "<resource>/.default" (PROTOCOL 2.4).
func parseScopes(scopes []string, appOnly bool) (resourceRequest, *oauthError) {
	rr := resourceRequest{requested: scopes}
	for _, sc := range scopes {
		if oidcScopes[sc] {
			continue
		}
		res, perm := splitScope(sc)
		if perm == "" {
			return resourceRequest{}, errorf(http.StatusBadRequest, "invalid_scope", codeInvalidScope,
				"The provided value for the input parameter 'scope' is not valid. The scope %s is not valid.", quoted(sc))
		}
		if rr.aud != "" && res != rr.aud {
			return resourceRequest{}, errorf(http.StatusBadRequest, "invalid_scope", codeMultipleResources,
				"Provided value for the input parameter scope is not valid because it contains more than one resource. Scope %s is not valid.",
				quoted(strings.Join(scopes, " ")))
		}
		rr.aud = res
		rr.perms = append(rr.perms, perm)
	}
	if rr.aud == "" {
		if appOnly {
			return resourceRequest{}, errorf(http.StatusBadRequest, "invalid_scope", codeInvalidScope,
				"The provided value for the input parameter 'scope' is not valid. It names no resource.")
		}
		rr.aud = graphResource
	}
	hasDefault := false
	for _, p := range rr.perms {
		hasDefault = hasDefault || p == ".default"
	}
	switch {
	case appOnly && (len(rr.perms) != 1 || !hasDefault):
		return resourceRequest{}, errorf(http.StatusBadRequest, "invalid_scope", codeScopeNotDefault,
			"The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).",
			quoted(strings.Join(scopes, " ")))
	case hasDefault && len(rr.perms) > 1:
		return resourceRequest{}, errorf(http.StatusBadRequest, "invalid_scope", codeInvalidScope,
			"The provided value for the input parameter 'scope' is not valid: .default cannot be combined with resource-specific scopes.")
	}
	return rr, nil
}

// splitScope splits a scope into resource and permission at its last '/'
// after the scheme: "https://vault.azure.net/.default" is
// ("https://vault.azure.net", ".default"); "api://app/read" is
// ("api://app", "read"); a scope without '/' is a Microsoft Graph
// permission. perm is "" when the scope has no permission part.
func splitScope(sc string) (resource, perm string) {
	after := 0
	if i := strings.Index(sc, "://"); i >= 0 {
		after = i + len("://")
	}
	i := strings.LastIndexByte(sc, '/')
	if i < after {
		if after > 0 {
			return sc, "" // "https://host" alone
		}
		return graphResource, sc
	}
	return sc[:i], sc[i+1:]
}

// scp is the scp claim of a user token: the permissions, space-separated;
// ".default" stands for the app's consented permissions, which the fake
// calls "user_impersonation".
func (rr resourceRequest) scp() string {
	if len(rr.perms) == 1 && rr.perms[0] == ".default" {
		return "user_impersonation"
	}
	if len(rr.perms) == 0 {
		return strings.Join(rr.requested, " ")
	}
	return strings.Join(rr.perms, " ")
}

// appScope is the scope field of an app-only token response: the
// requested scopes without the OpenID Connect ones.
func (rr resourceRequest) appScope() string {
	out := make([]string, 0, len(rr.requested))
	for _, sc := range rr.requested {
		if !oidcScopes[sc] {
			out = append(out, sc)
		}
	}
	return strings.Join(out, " ")
}
