package identity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// Transport is an http.RoundTripper that adds "Authorization: Bearer
// <token>" from Credential to every request, and answers one CAE claims
// challenge per request (PROTOCOL.md 12): on a 401 whose WWW-Authenticate
// carries error="insufficient_claims" and claims, it gets a new token with
// those claims and sends the request again, once. It never sends a token
// over plain http to a host that is not loopback, nor to another origin
// (scheme, host and port) than the request's when an http.Client follows a
// redirect: such a hop goes out as it is, without a token, as azure-core's
// sensitive-header cleanup does. It is safe for concurrent use; its fields
// must not change after first use.
type Transport struct {
	Credential TokenCredential
	Scopes     []string
	Base       http.RoundTripper // nil: http.DefaultTransport

	// header memoises "Bearer "+token for the last token seen, so a cached
	// token costs no string building per request.
	header atomic.Pointer[bearerHeader]
}

type bearerHeader struct{ token, value string }

// ErrInsecureTransport is returned for a request that would carry a token
// over plain http to a host that is not loopback.
var ErrInsecureTransport = errors.New("identity: Transport: bearer tokens are sent only over https (or http to a loopback host)")

var errNoTransportCredential = errors.New("identity: Transport: Credential is nil")

// maxChallengeBody bounds how much of a 401 body is drained so the
// connection can be reused; the rest is discarded with the connection.
const maxChallengeBody = 64 << 10

// RoundTrip implements http.RoundTripper. The caller's request is never
// modified: a clone carries the header, as the RoundTripper contract asks.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if crossOriginRedirect(req) {
		return t.base().RoundTrip(req)
	}
	if req.URL == nil || !secureTarget(req.URL.Scheme, req.URL.Hostname()) {
		closeBody(req)
		return nil, ErrInsecureTransport
	}
	if isNil(t.Credential) {
		closeBody(req)
		return nil, errNoTransportCredential
	}
	ctx := req.Context()
	opts := TokenRequestOptions{Scopes: t.Scopes, EnableCAE: true} // GO's policy always asks for CAE tokens
	tok, err := t.Credential.GetToken(ctx, opts)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.base().RoundTrip(t.authorize(req, tok.Token))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	values := resp.Header.Values("WWW-Authenticate")
	if len(values) == 0 {
		return resp, nil
	}
	cs, perr := ParseChallenges(values)
	if perr != nil {
		return resp, nil // not a challenge we understand: the caller sees the 401
	}
	claims, ok, err := CAEClaims(cs)
	if !ok {
		return resp, nil
	}
	if err != nil {
		drain(resp)
		return nil, fmt.Errorf("identity: Transport: %w", err)
	}
	// A body already consumed can be sent again only through GetBody; without
	// it the caller gets the 401 back rather than a request with no body.
	var body io.ReadCloser
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return resp, nil
		}
		if body, err = req.GetBody(); err != nil {
			return resp, nil
		}
	}
	drain(resp)
	opts.Claims = claims
	tok, err = t.Credential.GetToken(ctx, opts)
	if err != nil {
		if body != nil {
			body.Close()
		}
		return nil, err
	}
	retry := t.authorize(req, tok.Token)
	if body != nil {
		retry.Body = body
	}
	return t.base().RoundTrip(retry) // once: a second 401 goes back to the caller
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// authorize clones req with the Authorization header for token.
func (t *Transport) authorize(req *http.Request, token string) *http.Request {
	h := t.header.Load()
	if h == nil || h.token != token {
		h = &bearerHeader{token: token, value: "Bearer " + token}
		t.header.Store(h)
	}
	r := req.Clone(req.Context())
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	r.Header["Authorization"] = []string{h.value}
	return r
}

// crossOriginRedirect reports whether req is a redirect an http.Client
// follows (req.Response is set only then) to another origin than the
// request that began the chain of redirects. The token was asked for that
// first origin only.
func crossOriginRedirect(req *http.Request) bool {
	first := req
	for first.Response != nil && first.Response.Request != nil {
		first = first.Response.Request
	}
	return first != req && (first.URL == nil || req.URL == nil || origin(first.URL) != origin(req.URL))
}

// origin is u's scheme, host and port (RFC 6454), the port made explicit.
func origin(u *url.URL) string {
	scheme, port := strings.ToLower(u.Scheme), u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// secureTarget: https anywhere; http only to a loopback host (a local test
// server or sidecar), where nothing crosses a network.
func secureTarget(scheme, host string) bool {
	switch strings.ToLower(scheme) {
	case "https":
		return true
	case "http":
		if strings.EqualFold(host, "localhost") {
			return true
		}
		ip := net.ParseIP(host)
		return ip != nil && ip.IsLoopback()
	}
	return false
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// drain reads a little of a response body so its connection can be reused,
// then closes it.
func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxChallengeBody))
	resp.Body.Close()
}

// BearerTokenProvider returns a function that gets a token for scopes from
// cred and returns the bare token string, without the "Bearer " prefix
// (PROTOCOL.md 13). Caching is the credential's.
func BearerTokenProvider(cred TokenCredential, scopes ...string) func(context.Context) (string, error) {
	scopes = append([]string(nil), scopes...)
	if isNil(cred) {
		return func(context.Context) (string, error) {
			return "", inputError("BearerTokenProvider", ErrInvalidArgument, "the credential is nil")
		}
	}
	return func(ctx context.Context) (string, error) {
		tok, err := cred.GetToken(ctx, TokenRequestOptions{Scopes: scopes})
		if err != nil {
			return "", err
		}
		return tok.Token, nil
	}
}
