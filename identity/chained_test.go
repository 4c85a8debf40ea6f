package identity

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// scripted is a credential whose answers a test sets.
type scripted struct {
	name  string
	err   error
	calls atomic.Int32
}

func (s *scripted) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	s.calls.Add(1)
	if s.err != nil {
		return AccessToken{}, s.err
	}
	return AccessToken{Token: s.name, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func unavailableErr(cred, msg string) error {
	return &CredentialUnavailableError{Credential: cred, Message: msg}
}

func TestChainedTokenCredential(t *testing.T) {
	opts := TokenRequestOptions{Scopes: []string{testScope}}
	t.Run("first available wins", func(t *testing.T) {
		a := &scripted{err: unavailableErr("A", "not configured")}
		b := &scripted{name: "b"}
		c := &scripted{name: "c"}
		chain, err := NewChainedTokenCredential([]TokenCredential{a, b, c}, nil)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := chain.GetToken(context.Background(), opts)
		if err != nil || tok.Token != "b" || c.calls.Load() != 0 {
			t.Fatalf("got %q, %v; c called %d times", tok.Token, err, c.calls.Load())
		}
	})
	t.Run("authentication failure stops", func(t *testing.T) {
		a := &scripted{err: unavailableErr("A", "not configured")}
		b := &scripted{err: &AuthenticationFailedError{Credential: "B", StatusCode: 401, ErrorCode: "invalid_client"}}
		c := &scripted{name: "c"}
		chain, _ := NewChainedTokenCredential([]TokenCredential{a, b, c}, nil)
		_, err := chain.GetToken(context.Background(), opts)
		var afe *AuthenticationFailedError
		if !errors.As(err, &afe) || c.calls.Load() != 0 {
			t.Fatalf("err = %v, c calls %d; want an authentication failure and c untried", err, c.calls.Load())
		}
		if !strings.Contains(err.Error(), "not configured") || !strings.Contains(err.Error(), "invalid_client") {
			t.Errorf("error %q must list every source's reason", err)
		}
	})
	t.Run("all unavailable", func(t *testing.T) {
		a := &scripted{err: unavailableErr("A", "reason one")}
		b := &scripted{err: unavailableErr("B", "reason two")}
		chain, _ := NewChainedTokenCredential([]TokenCredential{a, b}, nil)
		_, err := chain.GetToken(context.Background(), opts)
		var cue *CredentialUnavailableError
		if !errors.As(err, &cue) || !strings.Contains(err.Error(), "reason one") || !strings.Contains(err.Error(), "reason two") {
			t.Fatalf("err = %v; want unavailable listing both reasons", err)
		}
	})
	t.Run("sticky", func(t *testing.T) {
		a := &scripted{err: unavailableErr("A", "not yet")}
		b := &scripted{name: "b"}
		chain, _ := NewChainedTokenCredential([]TokenCredential{a, b}, nil)
		chain.GetToken(context.Background(), opts)
		a.err = nil
		a.name = "a"
		tok, _ := chain.GetToken(context.Background(), opts)
		if tok.Token != "b" || a.calls.Load() != 1 {
			t.Fatalf("got %q, a called %d times; want b again without asking a", tok.Token, a.calls.Load())
		}
	})
	t.Run("retry sources", func(t *testing.T) {
		a := &scripted{err: unavailableErr("A", "not yet")}
		b := &scripted{name: "b"}
		chain, _ := NewChainedTokenCredential([]TokenCredential{a, b}, &ChainedTokenCredentialOptions{RetrySources: true})
		chain.GetToken(context.Background(), opts)
		a.err = nil
		a.name = "a"
		if tok, _ := chain.GetToken(context.Background(), opts); tok.Token != "a" {
			t.Fatalf("got %q; with RetrySources the chain starts over", tok.Token)
		}
	})
	t.Run("construction", func(t *testing.T) {
		var nilCred *ClientSecretCredential
		for _, sources := range [][]TokenCredential{nil, {}, {nil}, {nilCred}} {
			if _, err := NewChainedTokenCredential(sources, nil); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("sources %v: err = %v, want ErrInvalidArgument", sources, err)
			}
		}
	})
	t.Run("name", func(t *testing.T) {
		if n := credentialName(&ClientSecretCredential{}); n != "ClientSecretCredential" {
			t.Errorf("credentialName = %q", n)
		}
	})
}

// TestChainKeepsFailureDetails: when a source is refused by the service, the
// chain's error carries the refusal's wire details, the claims challenge
// above all, where errors.As finds them first.
func TestChainKeepsFailureDetails(t *testing.T) {
	inner := &AuthenticationFailedError{Credential: "ClientSecretCredential", StatusCode: 400,
		ErrorCode: "interaction_required", ErrorCodes: []int{50076}, CorrelationID: "c", TraceID: "t", Description: "d",
		Claims: `{"access_token":{"capolids":{"essential":true,"values":["x"]}}}`}
	chain, _ := NewChainedTokenCredential([]TokenCredential{&scripted{err: unavailableErr("A", "no")}, &scripted{err: inner}}, nil)
	_, err := chain.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	var afe *AuthenticationFailedError
	if !errors.As(err, &afe) || afe.Credential != "ChainedTokenCredential" {
		t.Fatalf("err = %v, want the chain's AuthenticationFailedError", err)
	}
	got := *afe
	got.Credential, got.err = inner.Credential, nil
	if !reflect.DeepEqual(&got, inner) {
		t.Errorf("chain's error %+v, want the details of %+v", *afe, *inner)
	}
}
