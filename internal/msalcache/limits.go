package msalcache

import "time"

// MaxCacheSize is the largest cache read, from a file or a secret store:
// 4 MiB. A developer's shared cache holds a few accounts and their tokens,
// tens to a few hundred kilobytes; reading more would let a planted file
// exhaust memory. It matches secretstore.MaxSecret.
const MaxCacheSize = 4 << 20

// minRemaining is how long a cached access token must still be valid to be
// returned: spec/PROTOCOL.md 10.4, "whose expires_on is more than 300 s
// away".
const minRemaining = 300 * time.Second

// maxUnixDigits is the most digits accepted in a time field: Unix seconds
// have 10 today, and 18 keep every value inside time.Unix's range.
const maxUnixDigits = 18
