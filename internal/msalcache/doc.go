// Package msalcache reads the MSAL persistent token cache that Visual Studio,
// older Azure CLI and Azure PowerShell releases and azure-identity share
// (spec/PROTOCOL.md 10): where it is on each system and how it is protected
// (10.1: a DPAPI-encrypted file on Windows, the Keychain on macOS, the Secret
// Service on Linux with a plaintext file as the fallback), its unified JSON
// schema (10.2), the choice of one account by username and tenant (10.3),
// and the refresh and access tokens that account may use with the developer
// sign-on client (10.4).
//
// It never writes the cache ("The shared credential must not write to the
// shared cache") and never talks to the network: package identity redeems
// the refresh token. It does not read the environment either; DefaultPath
// takes a getenv function.
//
// Parsing is strict about what it uses and tolerant of the rest: the top
// level and each known section (AccessToken, RefreshToken, IdToken, Account,
// AppMetadata) must be JSON objects of objects, and every field read must be
// a string (times: a string of Unix seconds), or the whole cache is refused
// with ErrMalformed. Unknown sections and unknown fields are ignored, as are
// entries missing a field that selection needs (MSAL ignores them too).
// Entries are searched by field values, never by their keys ("Readers should
// not rely on keys").
//
// # Security considerations
//
// The cache holds refresh and access tokens. Cache keeps them in unexported
// fields, and its String, GoString and LogValue print only counts. No error
// contains a token or any other field value except usernames: the errors for
// several or no matching accounts list the usernames found, which the user
// needs to choose one, and nothing else. JSON errors are reported by byte
// offset only, since encoding/json quotes input characters. Files are read
// through an io.LimitReader of MaxCacheSize.
//
// A Cache is immutable after Parse and safe for concurrent use.
package msalcache
