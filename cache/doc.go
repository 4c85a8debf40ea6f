// Package cache is the in-memory token cache every azid credential uses and
// several may share: access tokens keyed by authority, tenant, client, scopes,
// CAE and subject (spec/PROTOCOL.md 5.6), the refresh time of each token
// (spec/PROTOCOL.md 5.5), one request per key for concurrent misses, one
// proactive refresh per key, and the refresh tokens of user flows.
//
// Claims are never part of a key: a request carrying a claims challenge
// bypasses the cache and its token replaces the cached one (spec/PROTOCOL.md
// 2.11, and the DESIGN decision on claims).
//
// It does not talk to the network or parse tokens: the caller's fetch function
// does that, and the cache only decides when to call it. It never reads the
// environment.
//
// # Persistence
//
// Options.Store makes the cache persistent: it is loaded once, lazily, before
// the first token is fetched (or the first refresh token is looked up or
// anything is stored), and saved after each Put, PutRefreshToken and Delete.
// The stored form is versioned JSON (see Cache.Save). FileStore keeps it in
// one file, written atomically and merged under a lock file so that two
// processes sharing the file lose none of each other's entries, and keeps
// each deletion in it for a while so that neither undoes the other's (a
// sign-out that dropped a refresh token stays done).
//
// # Security considerations
//
// Access and refresh tokens are secrets. Token's String, GoString, Format and
// LogValue print a redacted form, and no error from this package contains a
// token, a refresh token or a user assertion (HashSubject keeps only a hash of
// the latter). A persistent store holds tokens in plain JSON: FileStore
// creates its file with mode 0600 and its directory with 0700, which is all
// the protection it gives; encrypt in a custom Store where that is not enough.
// Stored data is parsed strictly and bounded by MaxFileSize.
//
// # Concurrency
//
// A Cache is safe for concurrent use. Get, Ref.Get and the hit path of Token
// take no lock and allocate nothing: the entries live in a copy-on-write
// table behind an atomic pointer, and each entry's token behind another.
// They read the wall clock, never the monotonic one, so that a token does not
// outlive its expiry on a machine that slept. Writers take one
// mutex, which is never held while a fetch runs or a Store is used. A
// FileStore is safe for concurrent use, also by several processes.
package cache
