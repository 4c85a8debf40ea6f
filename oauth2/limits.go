package oauth2

import "time"

// Retry defaults: the Go Azure SDK's (spec/PROTOCOL.md 1.5, GO): 3 retries,
// 0.8 s base delay, 60 s maximum delay.
const (
	DefaultMaxRetries = 3
	DefaultDelay      = 800 * time.Millisecond
	DefaultMaxDelay   = 60 * time.Second
)

// MaxTryTime bounds one HTTP exchange when the caller's context has no
// deadline, as MSAL Go does (spec/PROTOCOL.md 1.5: "MGO applies a 30 s
// timeout to each call when the caller's context has no deadline"). A token
// endpoint answers in well under a second; a server that holds a connection
// open must not hang a credential forever.
const MaxTryTime = 30 * time.Second

// maxLifetime is the longest token or device code lifetime accepted from a
// response. Entra ID access tokens live at most about 28 hours and device
// codes 15 minutes; a larger value is a broken response, and the bound keeps
// time arithmetic far from overflow.
const maxLifetime = 366 * 24 * time.Hour

// maxDescription is the most bytes of error_description kept in an Error. An
// Entra description is an AADSTS line plus trace, correlation and timestamp
// lines, a few hundred bytes; the limit keeps a hostile body out of logs.
const maxDescription = 2048

// maxField is the most bytes kept of any other server string in an Error
// (error, trace_id, correlation_id, timestamp, suberror, a content type):
// each is a short code or a GUID.
const maxField = 128

// maxQuoted is the most bytes of a malformed response value quoted in an
// error message (such as a non-numeric expires_in).
const maxQuoted = 32

// maxErrorCodes is the most AADSTS numbers kept from error_codes; Entra sends
// one or two.
const maxErrorCodes = 16

// MaxClaims is the longest claims JSON accepted, from a caller or in an error
// body: 16 KiB. Conditional access challenges are a few hundred bytes; a
// claims parameter travels in a form body, and merging parses it.
const MaxClaims = 16 << 10

// maxClientInfo is the longest client_info accepted by ParseClientInfo: two
// GUIDs in JSON, base64url-encoded, are under 200 bytes.
const maxClientInfo = 4096

// maxTenant is the longest tenant path segment accepted. A GUID is 36
// characters and a domain name at most 253.
const maxTenant = 256

// minScrub is the shortest secret scrubbed from server text quoted in an
// error (see Error.Description). Every secret the service could echo (client
// secrets, tokens, assertions, codes) is far longer; scrubbing a two-letter
// password from a description would mangle it and reveal the password.
const minScrub = 8

// Device code polling (RFC 8628, Section 3.2: "interval ... If no value is
// provided, clients MUST use 5 as the default"; Section 3.5: slow_down "the
// interval MUST be increased by 5 seconds for this and all subsequent
// requests"). minInterval keeps a zero interval from turning polling into a
// busy loop.
const (
	defaultInterval = 5 * time.Second
	slowDownStep    = 5 * time.Second
	minInterval     = 1 * time.Second
)
