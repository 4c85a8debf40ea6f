package identitytest

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/azid-go/azid/jwt"
)

// Resource is a protected resource served by the Server: it demands a
// bearer token this server issued for its audience (RFC 6750) and can be
// told to answer with a CAE claims challenge (PROTOCOL 12).
//
// The rule it enforces after Challenge(claims) is checkable: the next
// request is refused whatever its token, and from then on a token is
// accepted only if it satisfies the challenge: for "nbf" with a value, the
// token was issued (iat) at or after that time; for any other claim, the
// token carries it, with the value asked for when one was given ("acrs"
// values must all be present). The token service puts requested claims in
// the tokens it issues, so a client that asks for a token with the
// challenge's claims passes. A Resource is safe for concurrent use.
type Resource struct {
	s        *Server
	id       string
	audience string
	h        http.Handler

	// mu guards pending and required.
	mu       sync.Mutex
	pending  []string // challenges (claims JSON) to send regardless of the token
	required string   // claims JSON tokens must satisfy; "" for none
}

// Resource mounts a protected resource for audience (the "aud" its tokens
// must carry, e.g. "https://vault.azure.net" for the scope
// "https://vault.azure.net/.default") and returns it. Requests under
// Resource.URL that carry a valid token are passed to h; nil h answers
// 200 with a JSON object of the caller's oid, appid and tid.
func (s *Server) Resource(audience string, h http.Handler) *Resource {
	if h == nil {
		h = http.HandlerFunc(whoAmI)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &Resource{s: s, id: strconv.Itoa(len(s.resources) + 1), audience: audience, h: h}
	s.resources = append(s.resources, r)
	return r
}

// URL is the resource's base URL, "https://127.0.0.1:PORT/resource/N";
// every path below it is served too.
func (r *Resource) URL() string { return r.s.ts.URL + "/resource/" + r.id }

// Challenge makes the next request get a 401 CAE claims challenge for
// claims, JSON text such as {"access_token":{"nbf":{"essential":true,"value":"1726077595"}}}
// ("" means exactly that with the second after the server's current one,
// so that no token issued before the challenge, in the same second
// included, passes; the token service stamps a token asked for with those
// claims with that second), and from then on
// requires tokens to satisfy it (see Resource). Calling it twice queues two
// challenges in a row. Claims that are not such a JSON object are refused
// with an error and change nothing.
func (r *Resource) Challenge(claims string) error {
	if claims == "" {
		claims = fmt.Sprintf(`{"access_token":{"nbf":{"essential":true,"value":"%d"}}}`, r.s.now().Unix()+1)
	}
	if _, err := parseChallenge(claims); err != nil {
		return fmt.Errorf("identitytest: challenge claims are not a JSON object of access_token claim requests: %w", err)
	}
	r.mu.Lock()
	r.pending = append(r.pending, claims)
	r.required = claims
	r.mu.Unlock()
	return nil
}

// Reset drops queued challenges and the requirement they set.
func (r *Resource) Reset() {
	r.mu.Lock()
	r.pending, r.required = nil, ""
	r.mu.Unlock()
}

// serveResource routes a request under /resource/{id}.
func (s *Server) serveResource(w http.ResponseWriter, req *http.Request, id string) {
	s.mu.Lock()
	var res *Resource
	for _, r := range s.resources {
		if r.id == id {
			res = r
		}
	}
	s.mu.Unlock()
	if res == nil {
		http.NotFound(w, req)
		return
	}
	res.serve(w, req)
}

func (r *Resource) serve(w http.ResponseWriter, req *http.Request) {
	claims, why := r.verify(req)
	if claims == nil {
		r.unauthorized(w, why, "")
		return
	}
	r.mu.Lock()
	var challenge string
	if len(r.pending) > 0 {
		challenge, r.pending = r.pending[0], r.pending[1:]
	} else if r.required != "" && !satisfies(claims, r.required) {
		challenge = r.required
	}
	r.mu.Unlock()
	if challenge != "" {
		r.unauthorized(w, "", challenge)
		return
	}
	r.h.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), claimsKey{}, map[string]any(claims))))
}

// verify checks the bearer token (RFC 6750, Section 2.1) and returns its
// claims, or nil and the reason to put in error_description.
func (r *Resource) verify(req *http.Request) (claimSet, string) {
	auth := req.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(auth, " ")
	if auth == "" {
		return nil, ""
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, "the Authorization header is not a bearer token"
	}
	_, payload, err := jwt.Verify(token, &r.s.key.PublicKey)
	if err != nil {
		return nil, "the token's signature is invalid"
	}
	c, err := decodeClaims(payload)
	if err != nil {
		return nil, "the token's claims are not a JSON object"
	}
	now := r.s.now()
	exp, ok := c.date("exp")
	if !ok || !now.Before(exp) {
		return nil, "the token is expired"
	}
	if nbf, ok := c.date("nbf"); ok && nbf.After(now) {
		return nil, "the token is not yet valid"
	}
	if !c.audienceHas(r.audience) {
		return nil, "the audience is invalid"
	}
	return c, ""
}

// unauthorized sends 401 with a WWW-Authenticate Bearer challenge: RFC
// 6750, Section 3 (error="invalid_token" for a bad token, no error when
// none was sent) or, with claims, a CAE challenge as in PROTOCOL 12.
func (r *Resource) unauthorized(w http.ResponseWriter, why, claims string) {
	v := fmt.Sprintf(`Bearer realm="", authorization_uri="%scommon/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`, r.s.Authority())
	switch {
	case claims != "":
		// Standard base64 with padding: the form Go's azcore requires and
		// Python's decoder accepts (PROTOCOL 12, step 3).
		v += `, error="insufficient_claims", claims="` + base64.StdEncoding.EncodeToString([]byte(claims)) + `"`
	case why != "":
		v += `, error="invalid_token", error_description="` + why + `"`
	}
	w.Header().Set("WWW-Authenticate", v)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte("401 unauthorized\n"))
}

// satisfies reports whether a token's claims meet what the challenge
// claims ask of access tokens (see Resource).
func satisfies(c claimSet, challenge string) bool {
	req, e := parseChallenge(challenge)
	if e != nil {
		return false
	}
	for name, m := range req {
		switch {
		case name == "nbf":
			v, ok := numericValue(m.Value)
			iat, iatOK := c.date("iat")
			if ok && (!iatOK || iat.Before(v)) {
				return false
			}
		case name == "acrs":
			have := c.stringList("acrs")
			for _, want := range append(anyStrings(m.Values), anyStrings([]any{m.Value})...) {
				if !containsString(have, want) {
					return false
				}
			}
		case c[name] == nil:
			return false
		case m.Value != nil && fmt.Sprint(c[name]) != fmt.Sprint(m.Value):
			return false
		}
	}
	return true
}

// challengeMember is one claim request of a challenge.
type challengeMember struct {
	Essential bool  `json:"essential"`
	Value     any   `json:"value"`
	Values    []any `json:"values"`
}

// parseChallenge returns the access_token members of challenge claims.
func parseChallenge(claims string) (map[string]challengeMember, error) {
	var top struct {
		AccessToken map[string]*challengeMember `json:"access_token"`
	}
	if err := strictJSON([]byte(claims), &top); err != nil {
		return nil, err
	}
	if top.AccessToken == nil {
		return nil, errNotObject
	}
	out := make(map[string]challengeMember, len(top.AccessToken))
	for k, v := range top.AccessToken {
		if v == nil {
			v = &challengeMember{}
		}
		out[k] = *v
	}
	return out, nil
}

// numericValue reads a NumericDate given as a number or a decimal string
// (CAE challenges send "1726077595").
func numericValue(v any) (time.Time, bool) {
	switch x := v.(type) {
	case float64:
		return time.Unix(int64(x), 0), true
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		if err == nil {
			return time.Unix(n, 0), true
		}
	}
	return time.Time{}, false
}

func anyStrings(vs []any) []string {
	var out []string
	for _, v := range vs {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// claimsKey is the context key under which a Resource passes the verified
// token claims to its handler.
type claimsKey struct{}

// TokenClaims returns the claims of the bearer token a Resource verified,
// for use inside the handler given to Server.Resource. Numbers are
// json.Number values.
func TokenClaims(req *http.Request) (map[string]any, bool) {
	c, ok := req.Context().Value(claimsKey{}).(map[string]any)
	return c, ok
}

// whoAmI is a Resource's default handler.
func whoAmI(w http.ResponseWriter, req *http.Request) {
	c, _ := TokenClaims(req)
	writeJSON(w, http.StatusOK, map[string]any{"oid": c["oid"], "appid": c["appid"], "tid": c["tid"]})
}
