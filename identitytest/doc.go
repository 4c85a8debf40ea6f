// Package identitytest is a fake Microsoft Entra ID token service for tests:
// an httptest TLS server, started in one line, that speaks the token endpoint
// protocol of spec/PROTOCOL.md section 2 closely enough that a real client
// cannot tell the difference on the happy path and gets Entra's own error
// shape (error, error_description, error_codes, trace_id, correlation_id,
// timestamp) on every failure path.
//
//	srv := identitytest.New(nil)
//	defer srv.Close()
//	srv.AddApp(identitytest.App{ClientID: "app", Secret: "s3cret"})
//	// point the code under test at srv.Authority(), with srv.Client()
//
// It serves:
//
//   - POST /{tenant}/oauth2/v2.0/token: client_credentials with a client
//     secret or a client assertion (RFC 7523, Section 2.2), certificate
//     assertions checked for signature, thumbprint, aud, iss, sub, nbf, exp,
//     lifetime and jti reuse (PROTOCOL 4), federated assertions handed to the
//     app's own check; authorization_code with PKCE S256 (RFC 7636, Section
//     4.6) and single-use codes; refresh_token with rotation and revocation;
//     on-behalf-of (urn:ietf:params:oauth:grant-type:jwt-bearer); the device
//     code grant (RFC 8628, Section 3.4); password (ROPC).
//   - POST /{tenant}/oauth2/v2.0/devicecode (RFC 8628, Section 3.2).
//   - POST /adfs/oauth2/token: an ADFS farm (RS256 and x5t only).
//   - GET /common/discovery/instance, /{tenant}/v2.0/.well-known/openid-configuration,
//     /adfs/.well-known/openid-configuration and the signing keys (PROTOCOL 3).
//   - protected resources (Server.Resource) that demand a bearer token from
//     this server and can answer with a CAE claims challenge (PROTOCOL 12).
//
// Access tokens are RS256 JWTs signed with a fixed test key
// (Server.SigningKey) and carry aud, iss, tid, oid, appid, scp or roles,
// iat, nbf, exp, and xms_cc or other claims when the request asked for them.
// Every request is logged (Server.Requests) and faults can be queued
// (Server.Fault): status codes with Retry-After, delays, dropped
// connections, malformed and oversized bodies.
//
// Beside the Server, NewManagedIdentity starts a fake managed identity
// endpoint of one hosting source (IMDS, App Service, Azure Arc with its
// key file challenge, Cloud Shell, Service Fabric over TLS with its own
// certificate, Azure ML; PROTOCOL 7), NewPipelinesOIDC and NewGitHubOIDC
// fake the CI systems' OIDC token endpoints (PROTOCOL 6.9), and
// NewWorkloadIdentity writes a projected service account token (6.8).
// Each has Env and Setenv for the variables the code under test reads.
// FakeTools writes fake az, azd and pwsh executables (POSIX shell scripts,
// so not on Windows) that print what the real tools print and record their
// argument vectors, for tests to put first on PATH (PROTOCOL 8).
//
// It does not serve the authorize endpoint (tests mint codes with
// Server.AuthCode), WS-Trust or user realm discovery, and its AADSTS
// numbers are those of PROTOCOL 2.13 or, where that is silent, the ones
// Entra ID is known to send for the same failure (the list in errors.go
// names the source of each).
//
// # Security considerations
//
// This is test code: its signing key is public (it is in this package's
// source), and Server.Requests returns secrets exactly as clients sent them so
// tests can inspect them. Request.String redacts them for printing. The
// server's own error responses never echo a secret, password, assertion or
// token. Request bodies are read up to MaxRequestBody. The Azure Arc fake
// and WorkloadIdentity write their key and token files with mode 0600 and
// remove them at Close. Everything here is safe for concurrent use, except
// the Setenv methods, which use t.Setenv and so refuse parallel tests.
package identitytest
