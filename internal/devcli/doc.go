// Package devcli asks the developer tools for tokens: the Azure CLI (az),
// the Azure Developer CLI (azd) and Azure PowerShell (pwsh), as
// spec/PROTOCOL.md, Section 8 describes them. For each tool it validates the
// inputs (Sections 1.2 and 1.3), builds the argument vector, runs the tool
// through package process, parses what the tool printed and classifies its
// failures; AzToken, AzdToken and PowerShellToken do all of that in one call,
// and the pieces are exported for tests and for the credentials in package
// identity, which add tenant resolution and caching on top.
//
// Read validate.go first (the character sets that keep every value safe on a
// command line), then token.go (Token, Request and Error), then one file per
// tool: az.go, azd.go, pwsh.go.
//
// It does not resolve tenants (Section 1.4), cache tokens or read the
// environment; the tool itself reads its own login state.
//
// # Security considerations
//
// Scopes, tenants and subscriptions are checked against the character sets
// of Sections 1.2 and 1.3 before any argument vector is built, and the tool
// is started without a shell, so none of them can become a command. A tool's
// standard output holds the access token: it never reaches an error, and
// Token's String, GoString and LogValue print it redacted. What an error
// quotes from standard error (the tool's own words, so an operator can act
// on them) is passed through process.Scrub and cut to MaxMessage. The tools
// are trusted to report the token they were asked for; nothing here
// inspects the token itself. Everything here is safe for concurrent use.
package devcli
