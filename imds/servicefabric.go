package imds

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode"
)

// serviceFabricAPIVersion is PROTOCOL.md 7.7's "2019-07-01-preview".
const serviceFabricAPIVersion = "2019-07-01-preview"

// initServiceFabric reads IDENTITY_ENDPOINT, IDENTITY_HEADER and
// IDENTITY_SERVER_THUMBPRINT and returns the thumbprint to pin. PROTOCOL.md
// 7.7 (GO): "the URL must be https with a host"; "User-assigned selection is
// not part of this API (the identity comes from the application
// manifest). GO/MGO reject a configured user-assigned id".
func (s *Source) initServiceFabric(getenv func(string) string) ([]byte, error) {
	if s.id.Kind != SystemAssigned {
		return nil, s.unsupportedID("Service Fabric API doesn't support specifying a user-assigned identity; the application manifest chooses it")
	}
	pin, err := thumbprint(getenv(envThumbprint))
	if err != nil {
		return nil, s.fail(err.Error())
	}
	if err := s.setSecret(envIdentityHeader, getenv(envIdentityHeader)); err != nil {
		return nil, err
	}
	if err := s.setEndpoint(envIdentityEndpoint, getenv(envIdentityEndpoint), true); err != nil {
		return nil, err
	}
	return pin, nil
}

// thumbprint decodes a SHA-1 thumbprint. PROTOCOL.md 7.7 (GO): "the
// thumbprint is normalised by removing : and whitespace and must decode to
// 20 bytes".
func thumbprint(v string) ([]byte, error) {
	v = strings.Map(func(r rune) rune {
		if r == ':' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, v)
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != 20 {
		return nil, errBadThumbprint
	}
	return b, nil
}

// errPinMismatch is the handshake error of a server whose certificate is
// not the pinned one. No retry can mend it.
var errPinMismatch = errors.New("the server certificate does not match " + envThumbprint)

// errBadThumbprint does not quote the value: it is not secret, but it is
// long and the operator has it at hand.
var errBadThumbprint = errors.New(envThumbprint + " is not a SHA-1 thumbprint (40 hex digits; ':' and spaces are allowed)")

// serviceFabricRequest builds PROTOCOL.md 7.7's request: "GET
// {IDENTITY_ENDPOINT}?api-version=2019-07-01-preview&resource=<resource>",
// "Header Secret: {IDENTITY_HEADER}; MGO also Accept: application/json".
func (s *Source) serviceFabricRequest(ctx context.Context, resource string) (*http.Request, error) {
	q := url.Values{"api-version": {serviceFabricAPIVersion}, "resource": {resource}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.tokenURL(q), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Secret", s.secret.value)
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// serviceFabricToken gets a token from the Service Fabric node's endpoint,
// over TLS pinned to the thumbprint (newClient). "Service Fabric
// documentation asks clients not to retry 404" (7.7): the retry policy of
// the non-IMDS sources does not.
func (s *Source) serviceFabricToken(ctx context.Context, resource string) (Token, error) {
	resp, sent, err := s.exchange(ctx, func(ctx context.Context) (*http.Request, error) {
		return s.serviceFabricRequest(ctx, resource)
	})
	r, err := s.finish(ctx, resp, sent, err, serviceFabricErrorMessage, s.secret.value)
	return r.Token, err
}

// serviceFabricErrorMessage reads a Service Fabric error body, PROTOCOL.md
// 7.7: {"error":{"correlationId":"...","code":"...","message":"..."}}.
func serviceFabricErrorMessage(body []byte) string { return nestedMessage(body) }
