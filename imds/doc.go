// Package imds gets managed identity tokens from the endpoint of the Azure
// hosting environment a program runs in: the Instance Metadata Service of
// virtual machines (IMDS), App Service and its relatives, Azure Arc, Cloud
// Shell, Service Fabric and Azure Machine Learning. New decides which one
// from the environment variables it is given (spec/PROTOCOL.md 7.1) and
// Token sends that source's request (7.3 to 7.8) and parses its reply (7.11).
// Probe tells quickly whether an IMDS endpoint answers at all.
//
// It does not cache tokens, decide when to refresh them, read the process
// environment or turn a scope list into a resource (Resource does the one
// conversion PROTOCOL.md 1.3 defines); package identity does those. There
// is no RFC for these endpoints: every rule cites PROTOCOL.md, which names
// the official library it was observed in.
//
// # Security considerations
//
// The local endpoints are trusted to issue tokens, not to be well behaved.
// Requests never go through a proxy, whatever HTTP_PROXY says: the client's
// *http.Transport is cloned with Proxy set to nil (a caller's RoundTripper
// of another type is used as it is, and is then the caller's business).
// Redirects are never followed, so the secret headers (X-IDENTITY-HEADER,
// Secret, secret, Authorization) cannot be forwarded to another host.
// Service Fabric is reached over https only, and the server certificate
// must have the SHA-1 thumbprint named by IDENTITY_SERVER_THUMBPRINT,
// compared in constant time. The Azure Arc key file is read only if it sits
// directly in the agent's token directory, ends in ".key", is a regular
// file (not a symbolic link) and holds at most 4096 bytes, all checked
// before it is opened.
//
// Response bodies are read through send.Do (at most 1 MiB). Errors carry
// the source, the status (a request that got no answer: the endpoint's host
// and path), and at most 256 bytes of the service's own message with
// control characters removed; never an access token, the identity header,
// the MSI secret, the Arc key or a query string. Token and Source print in
// redacted form.
//
// A Source is immutable after New and safe for concurrent use.
package imds
