package identitytest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/azid-go/azid/jwt"
)

// grantee is who a token is for: an app alone (user == nil) or a user
// through an app.
type grantee struct {
	tid   string
	oid   string // the user's, or the app's service principal's
	appid string
	roles []string
	user  *User
	// family ties refresh tokens to the authorization code they came from,
	// so reusing the code can revoke them (RFC 6749, Section 4.1.2).
	family string
}

// issue builds a token response (RFC 6749, Section 5.1; PROTOCOL 2.12) for
// g and the resource rr names. User tokens come with a refresh token, an ID
// token and, when the client sent client_info=1, client_info.
func (s *Server) issue(tr *tokenRequest, g grantee, rr resourceRequest) (map[string]any, *oauthError) {
	now := tr.now
	exp := now.Add(s.opts.TokenLifetime)
	iat := now.Unix()
	if tr.claims != nil && tr.claims.issuedAfter > iat && tr.claims.issuedAfter-iat <= maxIssueAhead {
		// A CAE challenge asks for a token issued at or after its nbf,
		// which Resource.Challenge sets one second ahead so that no token
		// issued in the second of the challenge passes: the token that
		// answers it is stamped with that second.
		iat = tr.claims.issuedAfter
	}
	claims := map[string]any{
		"aud":   rr.aud,
		"iss":   "https://sts.windows.net/" + g.tid + "/",
		"iat":   iat,
		"nbf":   now.Unix(),
		"exp":   exp.Unix(),
		"tid":   g.tid,
		"oid":   g.oid,
		"sub":   g.oid,
		"appid": g.appid,
		"ver":   "1.0",
	}
	if tr.adfs {
		claims["iss"] = s.ts.URL + "/adfs"
	}
	if g.user != nil {
		claims["scp"] = rr.scp()
		claims["upn"] = g.user.Username
		claims["unique_name"] = g.user.Username
		claims["idtyp"] = "user"
	} else {
		claims["idtyp"] = "app"
		if len(g.roles) > 0 {
			claims["roles"] = g.roles
		}
	}
	tr.claims.apply(claims)
	at, err := s.sign(claims)
	if err != nil {
		return nil, errorf(http.StatusInternalServerError, "server_error", 90033, "A transient error has occurred. Please try again.")
	}
	secs := int64(s.opts.TokenLifetime.Seconds())
	resp := map[string]any{
		"token_type":     "Bearer",
		"expires_in":     secs,
		"ext_expires_in": secs,
		"access_token":   at,
	}
	if s.opts.RefreshIn > 0 {
		resp["refresh_in"] = int64(s.opts.RefreshIn.Seconds())
	}
	if g.user == nil {
		resp["scope"] = rr.appScope()
		return resp, nil
	}
	resp["scope"] = strings.Join(rr.requested, " ")
	resp["refresh_token"] = s.newRefreshToken(tr, g, rr.requested)
	idt, err := s.sign(map[string]any{
		"aud":                g.appid,
		"iss":                s.ts.URL + "/" + g.tid + "/v2.0",
		"iat":                now.Unix(),
		"nbf":                now.Unix(),
		"exp":                exp.Unix(),
		"oid":                g.oid,
		"sub":                g.oid,
		"tid":                g.tid,
		"preferred_username": g.user.Username,
		"name":               g.user.Username,
		"ver":                "2.0",
	})
	if err != nil {
		return nil, errorf(http.StatusInternalServerError, "server_error", 90033, "A transient error has occurred. Please try again.")
	}
	resp["id_token"] = idt
	if tr.form.Get("client_info") == "1" {
		// PROTOCOL 2.12: base64url (unpadded) JSON {"uid","utid"}.
		ci, _ := json.Marshal(map[string]string{"uid": g.oid, "utid": g.tid})
		resp["client_info"] = base64.RawURLEncoding.EncodeToString(ci)
	}
	return resp, nil
}

// sign signs claims as an RS256 JWT with the server key. RS256 is
// deterministic (RFC 8017, Section 8.2), so identical claims give an
// identical token; sign remembers recent ones, which spares the RSA
// operation (a millisecond or two) when a benchmark asks for the same token
// many times within one second of iat.
func (s *Server) sign(claims map[string]any) (string, error) {
	key, err := json.Marshal(claims) // map keys sorted: a canonical form
	if err != nil {
		return "", err
	}
	s.sigMu.Lock()
	tok, ok := s.sigs[string(key)]
	s.sigMu.Unlock()
	if ok {
		return tok, nil
	}
	tok, err = jwt.Sign(jwt.Header{Alg: jwt.RS256, Typ: "JWT", Kid: s.kid}, claims, s.key)
	if err != nil {
		return "", err
	}
	s.sigMu.Lock()
	if len(s.sigs) >= maxSignatureCache {
		clear(s.sigs)
	}
	s.sigs[string(key)] = tok
	s.sigMu.Unlock()
	return tok, nil
}

// userGrantee is the grantee for user u signing in through app.
func (tr *tokenRequest) userGrantee(app App, u User) grantee {
	return grantee{tid: tr.tenantFor(u.Tenant), oid: u.ObjectID, appid: app.ClientID, user: &u}
}

// tenantFor is the tid of a user token: the tenant in the URL, unless that
// names no particular tenant; then the user's home tenant.
func (tr *tokenRequest) tenantFor(home string) string {
	switch {
	case tr.adfs:
		return "adfs"
	case !isOrganizationsLike(tr.tenant):
		return tr.tenant
	case home != "":
		return home
	}
	return DefaultTenantID
}

// randomToken returns n random bytes in base64url, for opaque codes and
// refresh tokens.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// UserToken issues an access token for username signed in through
// clientID, as the user flows would, without a request: the user
// assertion an on-behalf-of test hands its middle tier (scopes such as
// "api://middle-tier/.default"), or a token for a Resource. The tid is
// the user's home tenant.
func (s *Server) UserToken(clientID, username string, scopes []string) (string, error) {
	u, ok := s.user(username)
	if !ok {
		return "", fmt.Errorf("identitytest: no user %q; register it with AddUser", username)
	}
	rr, e := parseScopes(scopes, false)
	if e != nil {
		return "", fmt.Errorf("identitytest: scopes %q: %s", scopes, e.desc)
	}
	tr := &tokenRequest{tenant: "organizations", now: s.now(), form: url.Values{}}
	resp, e := s.issue(tr, tr.userGrantee(App{ClientID: clientID}, u), rr)
	if e != nil {
		return "", fmt.Errorf("identitytest: cannot sign the token: %s", e.desc)
	}
	return resp["access_token"].(string), nil
}
