package cache

import "time"

// DefaultMaxEntries is the number of access tokens a Cache holds when
// Options.MaxEntries is zero: 4096. A process uses a handful of keys (one per
// tenant, client, scope set and user); thousands means keys built from
// untrusted input, and the bound keeps memory and the copy made on each new
// key (a few hundred microseconds at this size, after a network fetch) small.
// The same bound applies to refresh tokens.
const DefaultMaxEntries = 4096

// MaxFileSize is the largest serialized cache read or written: 16 MiB. An
// access token is a few KiB, so this holds thousands of them; a larger file
// is not ours, and reading it whole would let whoever wrote it exhaust memory.
const MaxFileSize = 16 << 20

// RefreshRetryDelay is how long after a failed proactive refresh the cache
// waits before trying again, returning the still-valid token meanwhile: 30 s
// (DESIGN.md "Refresh"; spec/PROTOCOL.md 5.1, DEFAULT_TOKEN_REFRESH_RETRY_DELAY).
const RefreshRetryDelay = 30 * time.Second

// LockWait is how long FileStore.Save waits for another writer's lock file
// before giving up with ErrLocked: 5 s, as MSAL's persistence layer retries
// (spec/PROTOCOL.md 10.1). A save holds the lock for milliseconds.
const LockWait = 5 * time.Second

// StaleLock is the age past which a lock file is taken to be left behind by a
// process that died while saving, and is removed: 10 s, twice LockWait, far
// longer than any save holds the lock.
const StaleLock = 10 * time.Second

// accessTombstoneLife is how long FileStore keeps the deletion of an access
// token in its file (a tombstone, see merge): 48 hours. An access token
// written at or before the deletion has expired by then, and expired tokens
// are dropped anyway: Entra ID issues them for at most a day under a token
// lifetime policy (learn.microsoft.com/entra/identity-platform/
// configurable-token-lifetimes), up to 28 hours with CAE (learn.microsoft.com/
// entra/identity-platform/app-resilience-continuous-access-evaluation), and
// for 24 hours to a managed identity (spec/PROTOCOL.md 7.3); the rest is room
// for clocks that disagree.
const accessTombstoneLife = 48 * time.Hour

// refreshTombstoneLife is how long FileStore keeps the deletion of a refresh
// token in its file: 90 days, the lifetime of a refresh token Entra ID
// issues (24 hours for a single-page app; learn.microsoft.com/entra/
// identity-platform/refresh-tokens, "Token lifetime"). A refresh token
// written at or before the deletion was issued no later than it, so 90 days
// after the deletion Entra ID refuses it; one redeemed since was replaced by
// a later write, which the deletion does not cover.
const refreshTombstoneLife = 90 * 24 * time.Hour

// maxTombstoneAhead is how far after the merging writer's clock a deletion
// may be dated and still be kept in the file: 10 minutes. A deletion is
// dated no earlier than the entry it deletes (Cache.Delete), so one of an
// entry written by a process whose clock runs ahead, or before this clock
// stepped back, is dated ahead too, and must still cover that entry. One
// dated further ahead still removes the entry from the file in the save
// that carries it, but is not kept: no clock that agrees with this one to
// within minutes made it, and kept it would keep the key's new entries out
// until then. (A process that still holds the entry can then write it
// back, as before deletions were kept.)
const maxTombstoneAhead = 10 * time.Minute

// maxTombstones is the number of deletions of each kind FileStore keeps in
// its file, the latest ones, and that a Cache keeps unsaved while its saves
// fail: DefaultMaxEntries of access tokens and as many of refresh tokens.
// Deletions are rare (identity deletes a refresh token after invalid_grant);
// the bound keeps the deletions of a process that deletes keys built from
// untrusted input to a few MiB (a deletion is about 300 bytes), well within
// MaxFileSize.
const maxTombstones = DefaultMaxEntries

// refreshOffset is how long before expiry a token without a longer refresh
// time is refreshed: 5 minutes (spec/PROTOCOL.md 5.1 DEFAULT_REFRESH_OFFSET, 5.5).
const refreshOffset = 5 * time.Minute

// halfLifeFrom is the shortest lifetime to which the half-life rule applies:
// 2 hours (spec/PROTOCOL.md 5.5, "lifetime >= 2 h").
const halfLifeFrom = 2 * time.Hour

// lockPoll is how often a waiting FileStore.Save retries the lock file.
const lockPoll = 10 * time.Millisecond
