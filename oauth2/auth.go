package oauth2

import (
	"context"
	"fmt"
	"log/slog"
)

// Auth is client authentication (RFC 6749, Section 2.3): a secret
// (Section 2.3.1), or an assertion callback (RFC 7523, Section 2.2) given the
// audience (the token URL for the resolved tenant, spec/PROTOCOL.md 4.2) and
// returning a JWT. Neither means a public client; both is an error. Its
// String, GoString, Format and LogValue methods never print the secret.
type Auth struct {
	Secret    string
	Assertion func(ctx context.Context, audience string) (string, error)
}

// Client assertion type, RFC 7523, Section 2.2: "The value of the
// "client_assertion_type" is "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"."
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

func (a Auth) check() error {
	if a.Secret != "" && a.Assertion != nil {
		return invalid("Auth has both a secret and an assertion callback")
	}
	return nil
}

// add puts the client authentication into the grant's form. The assertion
// callback is called once per grant call, with the grant's token URL as the
// audience: retries resend the same form.
func (a Auth) add(ctx context.Context, g *grant) error {
	switch {
	case a.Secret != "":
		// RFC 6749, Section 2.3.1: client_id and client_secret in the body.
		g.setSecret("client_secret", a.Secret)
	case a.Assertion != nil:
		jwt, err := a.Assertion(ctx, g.audience)
		if err != nil {
			return fmt.Errorf("oauth2: client assertion: %w", err)
		}
		if jwt == "" {
			return invalid("client assertion callback returned an empty assertion")
		}
		// RFC 7521, Section 4.2: client_assertion_type and client_assertion.
		g.set("client_assertion_type", clientAssertionType)
		g.setSecret("client_assertion", jwt)
	}
	return nil
}

func (a Auth) kind() string {
	switch {
	case a.Secret != "" && a.Assertion != nil:
		return "secret and assertion"
	case a.Secret != "":
		return "secret"
	case a.Assertion != nil:
		return "assertion"
	}
	return "none"
}

// String names the kind of authentication only.
func (a Auth) String() string { return "oauth2.Auth{" + a.kind() + "}" }

// GoString is String, so %#v redacts too.
func (a Auth) GoString() string { return a.String() }

// Format prints String for every verb.
func (a Auth) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(a.String())) }

// LogValue logs the kind of authentication only.
func (a Auth) LogValue() slog.Value { return slog.StringValue(a.kind()) }
