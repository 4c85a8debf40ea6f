package secretstore

import "time"

// MaxSecret is the largest secret Lookup returns: 4 MiB. The largest secret
// azid reads is an MSAL token cache, a few hundred kilobytes even for a busy
// developer; a VS Code refresh token is about two.
const MaxSecret = 4 << 20

// DefaultTimeout bounds each D-Bus call to the Secret Service and each run of
// /usr/bin/security when the caller's context has no earlier deadline. Both
// answer in milliseconds unless they wait for a person (an unlock prompt), and
// azid never waits for one.
const DefaultTimeout = 5 * time.Second

// D-Bus limits from the specification ("Valid Signatures", "Marshalling
// containers", "Message Format"), which an implementation "must not send or
// accept" beyond.
const (
	maxSignature     = 255     // "The maximum length of a signature is 255."
	maxArrayNesting  = 32      // "32 array type codes"
	maxStructNesting = 32      // "and 32 open parentheses"
	maxDepth         = 64      // "must not cause a total message depth to be larger than 64"
	maxArray         = 1 << 26 // "Arrays have a maximum length defined to be 2 to the 26th power"
)

// maxMessage is the largest D-Bus message read: the secret plus 64 KiB for
// the header and the rest of a GetSecrets reply. The specification allows
// 128 MiB; nothing the Secret Service sends us comes near that, and every
// message is read whole into memory.
const maxMessage = MaxSecret + 64<<10

// maxValues is the most values decoded from one message. A GetSecrets reply
// holds about ten; the bound keeps a small hostile message (an array of a
// million one-byte structs) from becoming a large tree of Go values.
const maxValues = 1 << 14

// maxSkipped is the most unrelated messages (signals such as NameAcquired)
// read while waiting for one reply before giving up.
const maxSkipped = 64

// maxAuthLine is the longest SASL line accepted from the bus during
// authentication; "OK" and a 32-digit GUID is 37 bytes.
const maxAuthLine = 512

// maxQuoted is the most bytes of text from the other side (a D-Bus error
// message, the stderr of /usr/bin/security) kept in an error.
const maxQuoted = 200

// maxKeychainOutput is the most stdout read from /usr/bin/security. It prints
// a secret with a non-printable byte as hex, and each byte above 0x7f as
// eight hex digits (see decodeSecurityOutput), so a MaxSecret secret can
// take eight times its size.
const maxKeychainOutput = 8*MaxSecret + 1

// keychainWaitDelay is how long a killed /usr/bin/security may keep its
// output pipes open before they are closed under it (exec.Cmd.WaitDelay).
const keychainWaitDelay = time.Second
