package jwt

import "time"

// MaxTokenLen is the longest compact JWS accepted or produced: 64 KiB. A
// client assertion with a three-certificate x5c chain is under 8 KiB and an
// Entra ID access token a few KiB; anything near this limit is not a token
// azid deals with, and refusing it early bounds the work of parsing.
const MaxTokenLen = 64 << 10

// MinKeyBits is the smallest RSA modulus accepted for signing or verifying.
// RFC 7518, Section 3.3: "A key of size 2048 bits or larger MUST be used with
// these algorithms." Section 3.5 says the same for PS256, and Entra ID
// refuses smaller keys (spec/PROTOCOL.md 4.4).
const MinKeyBits = 2048

// MaxAssertionLife is the longest lifetime ClientAssertion gives an
// assertion, and its default: 10 minutes, as MSAL Go and MSAL Python send
// (exp = now + 600 s, spec/PROTOCOL.md 4.2). A client assertion is used
// once, right away; a long-lived one is only worth more to a thief.
const MaxAssertionLife = 10 * time.Minute

// maxQuoted is the most bytes of untrusted header text (an algorithm name)
// quoted in an error message.
const maxQuoted = 32
