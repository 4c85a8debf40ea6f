package devcli

// MaxMessage bounds, in bytes, the part of an error message quoted from a
// tool's standard error: 2 KiB. An Entra ID error as az prints it (AADSTS
// code, description, trace and correlation IDs, timestamp, and az's advice)
// runs to about 800 bytes; more is log noise, not information.
const MaxMessage = 2048

// maxQuotedInput bounds how much of a refused scope, tenant or subscription
// a ValidationError repeats: enough to recognise it, not a whole file pasted
// by mistake.
const maxQuotedInput = 100

// maxUnixTime is the largest expiry accepted from a tool, in Unix seconds:
// 9999-12-31T23:59:59Z. Larger values are garbage, and time.Unix would
// accept them silently.
const maxUnixTime = 253402300799
