// Package oauth2 sends requests to the Microsoft Entra ID token endpoint
// (RFC 6749, Section 3.2) for every grant azid uses and parses the replies
// strictly (Sections 5.1 and 5.2). Clients authenticate with a secret
// (Section 2.3.1) or a caller-supplied JWT assertion (RFC 7523, Section 2.2).
// It never caches or reads the environment; package identity decides when.
//
// Grants: client credentials (RFC 6749, Section 4.4), authorization code with
// optional PKCE (Section 4.1.3; RFC 7636, Section 4.5), refresh token
// (Section 6), on-behalf-of (RFC 7523, Section 2.1), resource owner password
// (Section 4.3; managed accounts only, no WS-Trust) and the device
// authorization grant (RFC 8628). Azure behaviour that no RFC states is cited
// from spec/PROTOCOL.md by section number.
//
// It does not fetch OpenID Connect metadata: the token endpoint is
// {authority}{tenant}/oauth2/v2.0/token, as the Python library builds it
// (spec/PROTOCOL.md 1.1), or {authority}adfs/oauth2/token for ADFS. Instance
// discovery is optional and only ever asks the authority's own host.
//
// References: RFC 6749 https://www.rfc-editor.org/rfc/rfc6749,
// RFC 7521 https://www.rfc-editor.org/rfc/rfc7521,
// RFC 7523 https://www.rfc-editor.org/rfc/rfc7523,
// RFC 7636 https://www.rfc-editor.org/rfc/rfc7636,
// RFC 8628 https://www.rfc-editor.org/rfc/rfc8628.
//
// # Security considerations
//
// Secrets and assertions travel only in the body of https requests and never
// appear in errors or log records: not the client secret, assertion,
// password, authorization code, PKCE verifier, device code, refresh or access
// token. Requests are never redirected. Responses over 1 MiB are refused, and
// server text quoted in errors is cut to the limits in limits.go. Access
// tokens are opaque; nothing here parses them. Everything here is safe for
// concurrent use.
package oauth2

// Reading order for reviewers: client.go (Client, New, the endpoints),
// exchange.go (one request with retries), request.go and auth.go (the form),
// response.go and errors.go (the replies), then one file per grant:
// clientcredentials.go, authcode.go, refresh.go, onbehalfof.go, password.go,
// devicecode.go; claims.go, clientinfo.go and discovery.go last.
