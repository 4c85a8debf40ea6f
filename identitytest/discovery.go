package identitytest

import (
	"encoding/base64"
	"math/big"
	"net/http"
	"net/url"
	"strings"
)

// instanceDiscovery serves GET /common/discovery/instance (PROTOCOL 3,
// step 1) for its own host only: an authorization_endpoint on any other
// host is an unknown instance.
func (s *Server) instanceDiscovery(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ae, err := url.Parse(r.URL.Query().Get("authorization_endpoint"))
	if err != nil || ae.Scheme != "https" || ae.Host != s.Host() {
		s.writeError(w, r, errorf(http.StatusBadRequest, "invalid_instance", 50049,
			"Unknown or invalid instance."), false)
		return
	}
	tenant := "common"
	if seg := strings.Split(strings.Trim(ae.Path, "/"), "/"); seg[0] != "" {
		tenant = seg[0]
	}
	host := s.Host()
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": s.ts.URL + "/" + url.PathEscape(tenant) + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": host,
			"preferred_cache":   host,
			"aliases":           []string{host},
		}},
	})
}

// openIDConfiguration serves the OpenID Connect discovery document of a
// tenant (PROTOCOL 3, step 2). For tenants that name no particular tenant
// the issuer holds the literal "{tenantid}", as Entra ID's does.
func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request, tenant string) {
	base := s.ts.URL + "/" + tenant
	issuerTenant := tenant
	if isOrganizationsLike(tenant) {
		issuerTenant = "{tenantid}"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.ts.URL + "/" + issuerTenant + "/v2.0",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"tenant_region_scope":                   nil,
	})
}

// adfsConfiguration serves the ADFS farm's discovery document
// (PROTOCOL 3, ADFS).
func (s *Server) adfsConfiguration(w http.ResponseWriter, r *http.Request) {
	base := s.ts.URL + "/adfs"
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                base,
		"authorization_endpoint":                base + "/oauth2/authorize/",
		"token_endpoint":                        base + "/oauth2/token/",
		"jwks_uri":                              base + "/discovery/keys",
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token", "code token", "code id_token token"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic", "windows_client_authentication"},
	})
}

// keys serves the JSON Web Key Set of the server's signing key (RFC 7517,
// Section 5; RFC 7518, Section 6.3.1 for the RSA members).
func (s *Server) keys(w http.ResponseWriter, r *http.Request) {
	pub := s.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{
		"keys": []map[string]any{{
			"kty": "RSA",
			"use": "sig",
			"kid": s.kid,
			"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		}},
	})
}
