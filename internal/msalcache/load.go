package msalcache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"

	"github.com/azid-go/azid/internal/localfile"
	"github.com/azid-go/azid/internal/secretstore"
)

// DefaultName is the name of the cache that Visual Studio, older Azure CLI
// and Azure PowerShell releases and azure-identity share (spec/PROTOCOL.md
// 10.1).
const DefaultName = "msal.cache"

// ErrNoCache reports that there is no cache to read: no file, or a file
// that only signals a cache the secret store does not hold.
var ErrNoCache = errors.New("msalcache: no shared token cache")

// The names MSAL files its cache under in the OS stores (spec/PROTOCOL.md
// 10.1): a Keychain generic password with this service and account on macOS,
// and on Linux a Secret Service item with schema name <cache name> and the
// attribute MsalClientID.
const (
	keychainService = "Microsoft.Developer.IdentityService"
	keychainAccount = "MSALCache"
	msalClientIDKey = "MsalClientID"
)

// StoreItem names the cache called name in the OS secret stores.
func StoreItem(name string) secretstore.Item {
	return secretstore.Item{
		Service: keychainService, Account: keychainAccount,
		Schema: name, Attributes: map[string]string{msalClientIDKey: keychainService},
	}
}

// DefaultPath is where the default cache is on goos (spec/PROTOCOL.md
// 10.1): %LOCALAPPDATA%\.IdentityService\msal.cache on Windows, and
// $HOME/.IdentityService/msal.cache elsewhere (on macOS and Linux the file
// only signals changes unless it holds the cache in plaintext). It is empty
// when the variable is unset. getenv is os.Getenv in production.
func DefaultPath(goos string, getenv func(string) string) string {
	if goos == "windows" {
		if dir := getenv("LOCALAPPDATA"); dir != "" {
			return dir + `\.IdentityService\` + DefaultName
		}
		return ""
	}
	if home := getenv("HOME"); home != "" {
		return home + "/.IdentityService/" + DefaultName
	}
	return ""
}

// Load returns the JSON of the cache whose file is path (spec/PROTOCOL.md
// 10.1). The file must exist: MSAL creates it with every cache, also where
// the cache itself is in a secret store.
//
//   - store nil: path is a plaintext cache (a CachePath the user chose).
//   - Windows: the file holds the JSON encrypted with DPAPI, for the current
//     user (a plaintext file is read as it is).
//   - Elsewhere: the cache is the item StoreItem(base name of path) in store
//     (the Keychain, the Secret Service); when the store cannot be used or
//     has no such item and the file holds plaintext JSON, the file is the
//     cache (MSAL's Linux fallback where libsecret is unusable, "the
//     plaintext JSON is stored in that same file").
//
// It fails with an error wrapping ErrNoCache when there is no cache, and
// with the store's error (wrapping secretstore.ErrUnavailable) when the
// store could not be asked and the file does not help.
func Load(ctx context.Context, path string, store secretstore.Store) ([]byte, error) {
	return load(ctx, runtime.GOOS, path, store, secretstore.Unprotect)
}

func load(ctx context.Context, goos, path string, store secretstore.Store, unprotect func([]byte) ([]byte, error)) ([]byte, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: no cache path (HOME or LOCALAPPDATA is unset)", ErrNoCache)
	}
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	plaintext := looksLikeJSON(data)
	switch {
	case plaintext:
		if store == nil || goos == "windows" {
			return data, nil
		}
	case store == nil:
		if len(data) == 0 {
			return nil, fmt.Errorf("%w: %s is empty", ErrNoCache, path)
		}
		return nil, fmt.Errorf("%w: %s does not hold JSON", ErrMalformed, path)
	case goos == "windows":
		if len(data) == 0 {
			return nil, fmt.Errorf("%w: %s is empty", ErrNoCache, path)
		}
		plain, err := unprotect(data)
		clear(data)
		if err != nil {
			return nil, fmt.Errorf("msalcache: decrypting %s: %w", path, err)
		}
		return plain, nil
	}
	secret, err := store.Lookup(ctx, StoreItem(filepath.Base(path)))
	switch {
	case err == nil:
		return secret, nil
	case plaintext:
		return data, nil
	case errors.Is(err, secretstore.ErrNotFound):
		return nil, fmt.Errorf("%w: %s signals a cache the secret store does not hold: %w", ErrNoCache, path, err)
	}
	return nil, fmt.Errorf("msalcache: reading the cache from the secret store: %w", err)
}

// readFile reads the regular file at path, of at most MaxCacheSize bytes
// (a named pipe there would block the read for ever: localfile).
func readFile(path string) ([]byte, error) {
	data, err := localfile.Read(path, MaxCacheSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: %s does not exist", ErrNoCache, path)
	case errors.Is(err, localfile.ErrTooLarge):
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrMalformed, path, MaxCacheSize)
	case errors.Is(err, localfile.ErrNotRegular):
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	case err != nil:
		return nil, fmt.Errorf("msalcache: %w", err)
	}
	return data, nil
}

// looksLikeJSON reports whether data starts, after an optional byte order
// mark and white space, with "{": a plaintext cache. A DPAPI blob starts
// with its version, 01 00 00 00.
func looksLikeJSON(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}
