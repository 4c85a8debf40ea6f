package secretstore

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
)

// ErrNotFound reports that the store holds no secret under the item's name.
var ErrNotFound = errors.New("secretstore: no such secret")

// ErrUnavailable reports that the store could not be asked: there is none on
// this system or in this session, it is locked and would need a person to
// unlock it, or it failed. Every error of a Lookup other than ErrNotFound
// wraps it.
var ErrUnavailable = errors.New("secretstore: secret store unavailable")

// Item names one secret the way each OS store files it. A program that
// keeps its secret in every OS store (MSAL, keytar) fills in all fields.
type Item struct {
	// Service and Account name a macOS Keychain generic password; on Windows
	// they name the Credential Manager generic credential whose target is
	// "Service/Account" (keytar's naming).
	Service, Account string

	// Schema and Attributes find a Secret Service item (Linux). Schema is
	// the libsecret schema name, which libsecret stores as the attribute
	// "xdg:schema": "The name of the schema is automatically stored as an
	// attribute on the item" (libsecret, SecretSchema). Empty: not matched.
	Schema     string
	Attributes map[string]string
}

// attributes is what a Secret Service search matches: Attributes, plus
// xdg:schema when Schema is set.
func (it Item) attributes() map[string]string {
	m := make(map[string]string, len(it.Attributes)+1)
	for k, v := range it.Attributes {
		m[k] = v
	}
	if it.Schema != "" {
		m["xdg:schema"] = it.Schema
	}
	return m
}

// String describes the item for error messages. An item's name is not
// secret; its value never appears here.
func (it Item) String() string {
	var parts []string
	if it.Service != "" || it.Account != "" {
		parts = append(parts, it.serviceAccount())
	}
	if len(it.Attributes) > 0 || it.Schema != "" {
		parts = append(parts, it.attributeList())
	}
	if len(parts) == 0 {
		return "(unnamed item)"
	}
	return strings.Join(parts, ", ")
}

// serviceAccount names the item as the Keychain and Credential Manager do.
func (it Item) serviceAccount() string {
	return "service " + strconv.Quote(it.Service) + " account " + strconv.Quote(it.Account)
}

// attributeList names the item as the Secret Service does, in key order.
func (it Item) attributeList() string {
	attrs := it.attributes()
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	kv := make([]string, len(keys))
	for i, k := range keys {
		kv[i] = k + "=" + strconv.Quote(attrs[k])
	}
	return "attributes " + strings.Join(kv, " ")
}

// Store reads secrets from one OS secret store.
type Store interface {
	// Lookup returns the secret filed under item. The error wraps
	// ErrNotFound when there is none and ErrUnavailable for every other
	// failure; it never contains the secret.
	Lookup(ctx context.Context, item Item) ([]byte, error)
}
