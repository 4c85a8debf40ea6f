package identitytest

import "time"

// MaxRequestBody bounds the body of every request the server reads: 1 MiB.
// A token request is a few kilobytes even with a certificate chain in its
// assertion; the bound keeps a runaway client from filling the test's memory.
const MaxRequestBody = 1 << 20

// OversizeBody is the size of the body a Fault with Oversize writes: one
// byte over 1 MiB, the bound azid's clients read up to (internal/send.MaxBody),
// so a client that does not bound its reads is caught.
const OversizeBody = 1<<20 + 1

// AssertionSkew is the clock skew allowed when checking a client
// assertion's nbf and exp. Entra ID allows 5 minutes; we do the same.
const AssertionSkew = 5 * time.Minute

// MaxAssertionLifetime is the longest exp - nbf (or exp - iat, or exp - now
// when neither is sent) accepted in a certificate assertion. The official
// libraries use 10 minutes (MSAL) and 30 minutes (Python): PROTOCOL 4.2.
// Entra ID publishes no figure; one hour catches a client that sets exp far
// in the future without refusing any known client.
const MaxAssertionLifetime = time.Hour

// maxSeenJTIs bounds the memory used to detect reused assertion ids. Ids are
// forgotten once their assertion has expired; past this many live ones the
// server forgets them all, which no test reaches by accident.
const maxSeenJTIs = 100000

// maxSignatureCache bounds the tokens Server.sign remembers; the cache is
// emptied when full. Each entry is a few kilobytes.
const maxSignatureCache = 256

// AuthCodeLifetime is how long a code from Server.AuthCode can be redeemed:
// "about 10 minutes" (PROTOCOL 2.6).
const AuthCodeLifetime = 10 * time.Minute

// Defaults of Options.
const (
	defaultTokenLifetime        = time.Hour
	defaultRefreshTokenLifetime = 90 * 24 * time.Hour // Entra ID's default for refresh tokens
	defaultDeviceCodeInterval   = 5 * time.Second     // RFC 8628, Section 3.2: "If no value is provided, clients MUST use 5 as the default."
	defaultDeviceCodeLifetime   = 15 * time.Minute    // Entra ID sends expires_in 900 (PROTOCOL 2.9)
)

// maxQuoted bounds client-supplied text quoted back in an error description.
const maxQuoted = 64

// maxArcKeys is how many Azure Arc key files a ManagedIdentity keeps
// valid; past it the oldest is removed. A client gets one per challenge,
// so only a client that loops on the challenge reaches it.
const maxArcKeys = 1000

// maxIssueAhead is how far ahead of its clock the server stamps a token's
// iat to meet a claims request's nbf (a CAE challenge): 60 s. Resource's
// default challenge asks for one second ahead; a value further out is not
// met, and the token fails the challenge again.
const maxIssueAhead = 60
