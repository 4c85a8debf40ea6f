package secretstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// The Secret Service API (freedesktop.org Secret Service API Draft 0.2,
// implemented by gnome-keyring and KeePassXC, and what libsecret talks to).
const (
	secretsName    = "org.freedesktop.secrets"
	secretsPath    = "/org/freedesktop/secrets"
	secretsService = "org.freedesktop.Secret.Service"
	// "plain": "The secret is not encrypted" between the service and us; it
	// travels over the session bus's unix socket, readable by the user only.
	algorithmPlain = "plain"
	// noPrompt is the prompt path that means "no prompt is necessary".
	noPrompt = "/"
)

// errLocked reports an item that only a person could unlock.
var errLocked = errors.New("the item is locked, and unlocking it needs a prompt")

// SecretService reads secrets from the freedesktop.org Secret Service on the
// D-Bus session bus, the way libsecret's secret_password_lookup does: search
// by attributes, take the first unlocked match (or unlock the first locked
// one when that needs no prompt), and read its secret through a "plain"
// session. It never shows a prompt: a locked item whose unlocking needs one
// is reported unavailable. A SecretService is safe for concurrent use; each
// Lookup opens its own connection and closes it before returning.
type SecretService struct {
	// Address is the session bus address (DBUS_SESSION_BUS_ADDRESS): one
	// or more "unix:path=..." or "unix:abstract=..." addresses separated by
	// ";". Empty means there is no session bus.
	Address string

	// Timeout bounds each D-Bus call; zero means DefaultTimeout.
	Timeout time.Duration
}

// Lookup returns the secret of the first item whose attributes include all
// of item's (its Schema as xdg:schema among them).
func (s *SecretService) Lookup(ctx context.Context, item Item) ([]byte, error) {
	secret, err := s.lookup(ctx, item)
	switch {
	case err == nil:
		return secret, nil
	case errors.Is(err, ErrNotFound):
		return nil, err
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%w: secret service: %w", ErrUnavailable, ctx.Err())
	}
	return nil, fmt.Errorf("%w: secret service: %w", ErrUnavailable, err)
}

func (s *SecretService) lookup(ctx context.Context, item Item) ([]byte, error) {
	attrs := item.attributes()
	if len(attrs) == 0 {
		// An empty search matches every item in every collection.
		return nil, errors.New("the item has no attributes to search by")
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	bus, err := dialBus(ctx, s.Address, timeout)
	if err != nil {
		return nil, err
	}
	defer bus.Close()
	// Cancelling ctx closes the connection, which ends any read or write.
	stop := context.AfterFunc(ctx, func() { bus.Close() })
	defer stop()

	if err := bus.hello(ctx); err != nil {
		return nil, err
	}
	// OpenSession(IN String algorithm, IN Variant input, OUT Variant output,
	// OUT ObjectPath result); "plain" takes an empty string as input.
	out, err := bus.call(ctx, "vo", secretsName, secretsPath, secretsService, "OpenSession", "sv",
		algorithmPlain, variant{sig: "s", value: ""})
	if err != nil {
		return nil, err
	}
	session := out[1].(objectPath)

	// SearchItems(IN Dict<String,String> attributes, OUT Array<ObjectPath>
	// unlocked, OUT Array<ObjectPath> locked).
	out, err = bus.call(ctx, "aoao", secretsName, secretsPath, secretsService, "SearchItems", "a{ss}", stringDict(attrs))
	if err != nil {
		return nil, err
	}
	unlocked, locked := paths(out[0]), paths(out[1])
	var path objectPath
	switch {
	case len(unlocked) > 0:
		path = unlocked[0]
	case len(locked) == 0:
		return nil, fmt.Errorf("%w: secret service: no item with %s", ErrNotFound, item.attributeList())
	default:
		// Unlock(IN Array<ObjectPath> objects, OUT Array<ObjectPath>
		// unlocked, OUT ObjectPath prompt): a prompt other than "/" means a
		// person must be asked. We do not call Prompt, so none appears.
		out, err = bus.call(ctx, "aoo", secretsName, secretsPath, secretsService, "Unlock", "ao", []any{locked[0]})
		if err != nil {
			return nil, err
		}
		done := paths(out[0])
		if out[1].(objectPath) != noPrompt || len(done) == 0 {
			return nil, errLocked
		}
		path = done[0]
	}

	// GetSecrets(IN Array<ObjectPath> items, IN ObjectPath session, OUT
	// Dict<ObjectPath,Secret> secrets), where a Secret is the struct
	// (session, parameters, value, content_type).
	out, err = bus.call(ctx, "a{o(oayays)}", secretsName, secretsPath, secretsService, "GetSecrets", "aoo", []any{path}, session)
	if err != nil {
		return nil, err
	}
	for _, e := range out[0].([]any) {
		entry := e.(dictEntry)
		if entry.key.(objectPath) != path {
			continue
		}
		value := entry.value.([]any)[2].([]byte)
		if len(value) > MaxSecret {
			clear(value)
			return nil, fmt.Errorf("the secret is over %d bytes", MaxSecret)
		}
		return value, nil
	}
	return nil, errors.New("GetSecrets returned no secret for the item")
}

// stringDict is m as a D-Bus a{ss}, in key order so that requests are
// reproducible.
func stringDict(m map[string]string) []any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	d := make([]any, len(keys))
	for i, k := range keys {
		d[i] = dictEntry{key: k, value: m[k]}
	}
	return d
}

// paths converts a decoded "ao".
func paths(v any) []objectPath {
	items := v.([]any)
	ps := make([]objectPath, len(items))
	for i, p := range items {
		ps[i] = p.(objectPath)
	}
	return ps
}
