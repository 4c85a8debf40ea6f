package identity

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/azid-go/azid/cache"
)

// AccessToken is an access token and the times that govern its use. fmt
// (every verb) and slog print it redacted; encoding/json does not, as for
// any exported field, and neither does slog's JSON handler when the token
// is inside another value (a slice, a map, a struct), which that handler
// hands to encoding/json. Log the token itself, or its ExpiresOn.
type AccessToken struct {
	Token     string
	ExpiresOn time.Time
	RefreshOn time.Time // when a proactive refresh is due; zero if unknown
	TokenType string    // "Bearer" unless the service says otherwise
}

// String redacts the token, so printing an AccessToken never shows it.
func (t AccessToken) String() string {
	return fmt.Sprintf("AccessToken{Token: [redacted], ExpiresOn: %s, TokenType: %q}",
		t.ExpiresOn.UTC().Format(time.RFC3339), t.TokenType)
}

// GoString redacts the token for %#v.
func (t AccessToken) GoString() string { return t.String() }

// Format redacts the token for every fmt verb (%d and %x would otherwise
// print its bytes).
func (t AccessToken) Format(f fmt.State, _ rune) { io.WriteString(f, t.String()) }

// LogValue redacts the token in slog records.
func (t AccessToken) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("token", "[redacted]"),
		slog.Time("expires_on", t.ExpiresOn),
		slog.String("token_type", t.TokenType),
	)
}

// TokenRequestOptions describes the token a caller wants.
type TokenRequestOptions struct {
	// Scopes the token is for; at least one. Token-endpoint credentials send
	// them all; managed identity, the Azure CLI and Azure PowerShell take
	// exactly one and turn "<resource>/.default" into "<resource>".
	Scopes []string
	// Claims is a claims challenge as JSON text (not base64), from a CAE
	// challenge or a conditional access error. A request with claims is never
	// answered from the cache; the token it gets replaces the cached one.
	Claims string
	// TenantID, when set, asks for a token from another tenant; allowed only
	// when the credential's AdditionallyAllowedTenants permits it.
	TenantID string
	// EnableCAE tells Entra ID the caller handles CAE claims challenges
	// ("xms_cc":["CP1"]), so it may issue long-lived CAE tokens. CAE and
	// non-CAE tokens are cached apart.
	EnableCAE bool
}

// TokenCredential is implemented by every credential in this package.
type TokenCredential interface {
	GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error)
}

// fromCache converts without allocating.
func fromCache(t cache.Token) (at AccessToken) {
	at.fill(&t)
	return at
}

// fill sets at to t. The cache hit paths call it on their named result and
// return that, where "return fromCache(t), nil" would be natural: the
// compiler builds such a result in a temporary with 8-byte stores and then
// copies it out with 16-byte loads, which the CPU cannot forward from those
// stores. That stall cost 7 ns a hit, an eighth of it (BenchmarkGetTokenCached,
// amd64).
func (at *AccessToken) fill(t *cache.Token) {
	at.Token, at.ExpiresOn, at.RefreshOn, at.TokenType = t.Value, t.ExpiresOn, t.RefreshOn, t.TokenType
}

// redacted is embedded in every credential type so that fmt (any verb) and
// log/slog print a fixed text instead of walking the credential's fields,
// some of which hold secrets: fmt cannot call the redacting methods of
// unexported fields, so it would print them raw.
type redacted struct{}

// String returns a fixed text; a credential's fields are never printed.
func (redacted) String() string { return "identity credential [fields redacted]" }

// GoString is String.
func (r redacted) GoString() string { return r.String() }

// Format prints String for every verb.
func (r redacted) Format(f fmt.State, _ rune) { io.WriteString(f, r.String()) }

// LogValue is String.
func (r redacted) LogValue() slog.Value { return slog.StringValue(r.String()) }
