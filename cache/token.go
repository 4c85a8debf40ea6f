package cache

import (
	"fmt"
	"log/slog"
	"time"
)

// Token is one cached access token. Its String, GoString, Format and LogValue
// methods redact Value, so printing or logging a Token is safe.
type Token struct {
	Value     string
	TokenType string
	ExpiresOn time.Time
	RefreshOn time.Time // zero: Put computes it (see Cache.Put)
}

const redacted = "REDACTED"

// String describes t without its Value.
func (t Token) String() string {
	return fmt.Sprintf("cache.Token{Value: %s, TokenType: %q, ExpiresOn: %s, RefreshOn: %s}",
		redacted, t.TokenType, t.ExpiresOn.Format(time.RFC3339), t.RefreshOn.Format(time.RFC3339))
}

// GoString is String, so that %#v does not print Value either.
func (t Token) GoString() string { return t.String() }

// Format prints String for every verb, so that no verb (%d, %x, %+v, ...)
// reaches Value through fmt's struct printing.
func (t Token) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(t.String())) }

// LogValue logs t as a group without its Value.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("value", redacted),
		slog.String("token_type", t.TokenType),
		slog.Time("expires_on", t.ExpiresOn),
		slog.Time("refresh_on", t.RefreshOn),
	)
}

// withRefreshOn returns t with its refresh time set when it is zero, and with
// wall-clock times only (no monotonic reading), so that every comparison the
// cache makes is on the wall clock the service's expiry is given in.
func withRefreshOn(t Token, now time.Time) Token {
	t.ExpiresOn = t.ExpiresOn.Round(0)
	t.RefreshOn = t.RefreshOn.Round(0)
	now = now.Round(0)
	if t.RefreshOn.IsZero() {
		life := t.ExpiresOn.Sub(now)
		switch {
		case life >= halfLifeFrom:
			// spec/PROTOCOL.md 5.5: "lifetime >= 2 h" -> "issue time + lifetime / 2".
			t.RefreshOn = now.Add(life / 2)
		default:
			// spec/PROTOCOL.md 5.5: otherwise "the refresh window is the last
			// 5 minutes". A token living under 5 minutes is due for refresh at
			// once but still served until ExpiresOn.
			t.RefreshOn = t.ExpiresOn.Add(-refreshOffset)
			if t.RefreshOn.Before(now) {
				t.RefreshOn = now
			}
		}
	}
	if t.RefreshOn.After(t.ExpiresOn) {
		t.RefreshOn = t.ExpiresOn // a refresh_in past expiry: refresh no later than expiry
	}
	return t
}
