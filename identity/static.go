package identity

import (
	"context"
	"sync"
	"time"
)

// StaticCredential is a fake TokenCredential for unit tests of code that
// only needs some credential: it returns the same token for every request
// and records the requests it saw. (It lives here rather than in
// identitytest because identitytest must not import this package.) It is
// safe for concurrent use.
type StaticCredential struct {
	redacted // fmt and slog print no field: some hold secrets
	token    AccessToken
	err      error

	mu       sync.Mutex // guards requests
	requests []TokenRequestOptions
}

// NewStaticCredential returns a credential whose GetToken always returns
// token, valid until expiresOn, or err when err is not nil.
func NewStaticCredential(token string, expiresOn time.Time, err error) *StaticCredential {
	return &StaticCredential{token: AccessToken{Token: token, ExpiresOn: expiresOn, TokenType: "Bearer"}, err: err}
}

// GetToken records opts and returns the configured token or error.
func (s *StaticCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	s.mu.Lock()
	opts.Scopes = append([]string(nil), opts.Scopes...)
	s.requests = append(s.requests, opts)
	s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return AccessToken{}, err
	}
	if s.err != nil {
		return AccessToken{}, s.err
	}
	return s.token, nil
}

// Requests returns a copy of every request GetToken has seen, in order.
func (s *StaticCredential) Requests() []TokenRequestOptions {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TokenRequestOptions(nil), s.requests...)
}

// TokenCredentialFunc adapts a function to TokenCredential.
type TokenCredentialFunc func(ctx context.Context, opts TokenRequestOptions) (AccessToken, error)

// GetToken calls f.
func (f TokenCredentialFunc) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return f(ctx, opts)
}
