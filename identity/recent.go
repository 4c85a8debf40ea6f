package identity

import (
	"sync/atomic"

	"github.com/azid-go/azid/cache"
)

// recent remembers a credential's latest request that the cache's slow path
// answered, and the cache.Ref of its token. Asking again for the same thing,
// which is what nearly every caller does, is then answered by Ref.Get alone:
// the scope was validated, the tenant resolved and the key built for exactly
// this request before, and each depends only on the request and on the
// credential's configuration, which never changes. Only requests with one
// scope and no claims are remembered.
//
// The zero value is ready. It is safe for concurrent use: the hit path loads
// one pointer, and a new request replaces it whole.
//
// The four callers (tokenEndpoint.getToken, userSession.getToken,
// ManagedIdentityCredential.GetToken and devTool.getToken) spell out
// "match, then Ref.Get, then AccessToken.fill" themselves: a helper
// returning the AccessToken is too big to be inlined, and its call and
// extra copy of the token cost 4-10 ns, a tenth of the hit (measured with
// BenchmarkGetTokenCached).
type recent struct {
	p atomic.Pointer[recentRequest]
}

type recentRequest struct {
	scope    string
	tenantID string // as asked, before resolution
	subject  string
	cae      bool
	ref      cache.Ref
}

// match returns the remembered request when opts is that request again,
// else nil. Its Ref then answers opts (or misses, and the slow path runs).
func (r *recent) match(opts *TokenRequestOptions, subject string) *recentRequest {
	q := r.p.Load()
	if q == nil || len(opts.Scopes) != 1 || q.scope != opts.Scopes[0] || q.subject != subject ||
		q.tenantID != opts.TenantID || q.cae != opts.EnableCAE || opts.Claims != "" {
		return nil
	}
	return q
}

// stale reports, on the slow path, whether the remembered request should be
// replaced by opts once the cache has answered it: when there is none, when
// its subject is not subject (a user credential's subject changes once, when
// its account is known, and the new one is what it asks for from then on),
// or when it is opts itself, whose Ref missed (the token is due for refresh,
// or its cache entry has gone). A request that differs otherwise does not
// replace it on a cache hit, so that a caller alternating between two
// scopes does not allocate on every call.
func (r *recent) stale(opts *TokenRequestOptions, subject string) bool {
	q := r.p.Load()
	return q == nil || q.subject != subject || r.match(opts, subject) != nil
}

// remember records opts, keyed as key in c, as the request to answer next.
// It does nothing for a request recent does not keep.
func (r *recent) remember(c *cache.Cache, key cache.Key, opts *TokenRequestOptions, subject string) {
	if opts.Claims != "" || len(opts.Scopes) != 1 {
		return
	}
	r.p.Store(&recentRequest{
		scope:    opts.Scopes[0],
		tenantID: opts.TenantID,
		subject:  subject,
		cae:      opts.EnableCAE,
		ref:      c.Ref(key),
	})
}
