package identity

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
)

// ChainedTokenCredential tries its sources in order and returns the first
// token one of them gets (PROTOCOL.md 9.1). It moves on only when a source
// is unavailable (*CredentialUnavailableError); an authentication failure
// stops the chain, because a source that was configured and refused is a
// problem to report, not to hide behind the next one.
//
// Stickiness: once a source has succeeded, later requests go straight to
// it, so one machine always gets its tokens from one identity and a request
// never pays for the unavailable sources before it. Set RetrySources to try
// the whole chain every time. It is safe for concurrent use.
type ChainedTokenCredential struct {
	redacted // fmt and slog print no field: some hold secrets
	name     string
	sources  []TokenCredential
	names    []string // each source's name, for messages
	retry    bool
	chosen   atomic.Pointer[chosenSource]
	onPick   func(ctx context.Context, name string) // DefaultAzureCredential logs its choice once
}

type chosenSource struct{ cred TokenCredential }

// ChainedTokenCredentialOptions configures a ChainedTokenCredential. nil
// means defaults.
type ChainedTokenCredentialOptions struct {
	// RetrySources tries every source on every request instead of sticking
	// to the first that succeeded.
	RetrySources bool
}

// NewChainedTokenCredential returns a chain of sources, tried in order.
func NewChainedTokenCredential(sources []TokenCredential, o *ChainedTokenCredentialOptions) (*ChainedTokenCredential, error) {
	const name = "ChainedTokenCredential"
	if len(sources) == 0 {
		return nil, inputError(name, ErrInvalidArgument, "at least one source is required")
	}
	for i, s := range sources {
		if isNil(s) {
			return nil, inputError(name, ErrInvalidArgument, "source %d is nil", i)
		}
	}
	if o == nil {
		o = &ChainedTokenCredentialOptions{}
	}
	c := &ChainedTokenCredential{name: name, sources: append([]TokenCredential(nil), sources...), retry: o.RetrySources}
	for _, s := range sources {
		c.names = append(c.names, credentialName(s))
	}
	return c, nil
}

// GetToken returns a token from the first source that gets one.
func (c *ChainedTokenCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	if !c.retry {
		if s := c.chosen.Load(); s != nil {
			return s.cred.GetToken(ctx, opts)
		}
	}
	var reasons []string
	for i, s := range c.sources {
		tok, err := s.GetToken(ctx, opts)
		if err == nil {
			if !c.retry && c.chosen.CompareAndSwap(nil, &chosenSource{cred: s}) && c.onPick != nil {
				c.onPick(ctx, c.names[i])
			}
			return tok, nil
		}
		reasons = append(reasons, c.names[i]+": "+err.Error())
		if ctx.Err() != nil {
			return AccessToken{}, fmt.Errorf("identity: %s: %w", c.name, err)
		}
		var cue *CredentialUnavailableError
		if errors.As(err, &cue) {
			continue
		}
		return AccessToken{}, chainFailed(c.name, reasons, err)
	}
	return AccessToken{}, &CredentialUnavailableError{Credential: c.name, Message: "no source could get a token:\n\t" + strings.Join(reasons, "\n\t")}
}

// isNil reports a nil interface, or one holding a nil pointer, func, map,
// slice, channel or interface, any of which would panic when called.
func isNil(c TokenCredential) bool {
	if c == nil {
		return true
	}
	switch v := reflect.ValueOf(c); v.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Slice, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// chainFailed is the chain's error when the source whose error err is
// stopped it. When that source was refused by the service, the wire details
// (status, error codes, correlation ID, claims challenge) are copied, so that
// a caller who finds the chain's error with errors.As can still read them:
// a claims challenge must reach the caller to be answered.
func chainFailed(chain string, reasons []string, err error) error {
	out := &AuthenticationFailedError{Credential: chain, err: chainError{reasons: reasons, last: err}}
	var afe *AuthenticationFailedError
	if errors.As(err, &afe) {
		out.StatusCode, out.ErrorCode, out.ErrorCodes = afe.StatusCode, afe.ErrorCode, afe.ErrorCodes
		out.Description, out.CorrelationID, out.TraceID, out.Claims = afe.Description, afe.CorrelationID, afe.TraceID, afe.Claims
	}
	return out
}

// chainError lists every source's reason and wraps the one that stopped
// the chain, so errors.As still finds its type.
type chainError struct {
	reasons []string
	last    error
}

func (e chainError) Error() string {
	return "a source failed, so the chain stopped:\n\t" + strings.Join(e.reasons, "\n\t")
}

func (e chainError) Unwrap() error { return e.last }

// credentialName is the type name of a credential, without package or
// pointer: "ManagedIdentityCredential".
func credentialName(c TokenCredential) string {
	t := reflect.TypeOf(c)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() == "" {
		return "TokenCredential"
	}
	return t.Name()
}
