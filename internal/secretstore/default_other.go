//go:build !windows

package secretstore

import (
	"errors"
	"fmt"
	"runtime"
)

// Default returns the secret store of this system: the Keychain on macOS
// (through /usr/bin/security), and elsewhere the Secret Service on the
// session bus that getenv("DBUS_SESSION_BUS_ADDRESS") names. getenv is
// os.Getenv in production; the caller passes it so that environment reads
// stay in one place.
func Default(getenv func(string) string) Store {
	if runtime.GOOS == "darwin" {
		return keychain{path: securityPath, timeout: DefaultTimeout}
	}
	return &SecretService{Address: getenv("DBUS_SESSION_BUS_ADDRESS")}
}

// Unprotect decrypts a Windows DPAPI blob. DPAPI exists only on Windows;
// elsewhere it reports ErrUnavailable.
func Unprotect(blob []byte) ([]byte, error) {
	return nil, fmt.Errorf("%w: %w", ErrUnavailable, errNoDPAPI)
}

var errNoDPAPI = errors.New("DPAPI exists only on Windows")
