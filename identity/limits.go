package identity

import "time"

// Bounds on what a credential waits for, each with its reason.
const (
	// dialTimeout: Entra ID answers a TCP connect in milliseconds; a host
	// that does not is not there.
	dialTimeout = 10 * time.Second
	// tlsHandshakeTimeout bounds a stalled handshake.
	tlsHandshakeTimeout = 10 * time.Second
	// responseHeaderTimeout: MSAL applies 30 s to each call; a token
	// endpoint that has not answered by then is retried or reported.
	responseHeaderTimeout = 30 * time.Second
	// requestTimeout bounds one whole request, body included, when the
	// caller's context has no deadline.
	requestTimeout = 60 * time.Second
	// refreshRetryDelay: after a failed proactive refresh the still-valid
	// token is used and no refresh is tried again for this long (PROTOCOL 5.1).
	refreshRetryDelay = 30 * time.Second
	// assertionLifetime is the life of the client assertions we sign
	// (MSAL: 10 minutes; PROTOCOL 4.2).
	assertionLifetime = 10 * time.Minute
	// maxScopes bounds the scopes of one request.
	maxScopes = 64
	// maxScopeLen bounds one scope; real scopes are URLs under 200 bytes.
	maxScopeLen = 1024
	// maxTenantLen bounds a tenant id (a GUID is 36; domains are < 256).
	maxTenantLen = 256
)

// Bounds on federated tokens.
const (
	// tokenFileMaxAge: a projected service account token is rotated by the
	// kubelet well before it expires (it lives an hour at least); re-reading
	// after five minutes always sees a fresh one (PY and GO use 10).
	tokenFileMaxAge = 5 * time.Minute
	// maxTokenFile bounds a federated token file; real ones are ~1 KiB.
	maxTokenFile = 64 << 10
)

// maxCertificateFile bounds a certificate file; a chain of ten RSA-4096
// certificates with a key is under 32 KiB.
const maxCertificateFile = 1 << 20
