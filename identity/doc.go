// Package identity is azid's public face: the credential types of the Azure
// Identity family, each returning Microsoft Entra ID access tokens through
// one method, GetToken. Names follow Go azidentity wherever it has the same
// thing, so that moving from it is a change of import and of two types.
//
// A credential validates its request (at least one scope, RFC 6749 Section
// 3.3 characters; a valid tenant), resolves the tenant, looks the token up
// in its cache (package cache), and on a miss runs its flow: a grant at the
// token endpoint (package oauth2), a managed identity source (package imds),
// or a developer tool run without a shell (internal/process). The token is
// stored with its refresh time and handed back to every waiter.
//
// Environment variables are read in one file, env.go, and only by
// constructors; GetToken never reads the environment. An explicit option
// always beats the environment.
//
// # Security considerations
//
// Secrets (client secrets, assertions, certificates' private keys, refresh
// and access tokens, passwords) live in unexported fields and never appear in
// an error string, a log record or a panic. Authorities must be https.
// Errors name the credential, the endpoint (host and path), the HTTP status,
// the Entra error code and the correlation id. Every credential is safe for
// concurrent use; concurrent misses on one cache key share one request.
package identity
