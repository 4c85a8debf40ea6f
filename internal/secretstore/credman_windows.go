package secretstore

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"unsafe"
)

// Windows Credential Manager (advapi32.dll), where keytar, and so VS Code's
// Azure Account extension, keeps secrets (spec/PROTOCOL.md 11.1: "generic
// credential (type 1) with target name VS Code Azure/AzureCloud; the blob
// bytes are the token characters").

var (
	advapi32     = syscall.NewLazyDLL("advapi32.dll")
	procCredRead = advapi32.NewProc("CredReadW")
	procCredFree = advapi32.NewProc("CredFree")
)

const (
	credTypeGeneric = 1    // CRED_TYPE_GENERIC
	errorNotFound   = 1168 // ERROR_NOT_FOUND
)

// credential is CREDENTIALW, field for field.
type credential struct {
	flags              uint32
	typ                uint32
	targetName         *uint16
	comment            *uint16
	lastWritten        syscall.Filetime
	credentialBlobSize uint32
	credentialBlob     *byte
	persist            uint32
	attributeCount     uint32
	attributes         uintptr
	targetAlias        *uint16
	userName           *uint16
}

// credentialManager reads generic credentials named "Service/Account".
type credentialManager struct{}

// Lookup implements Store. The call is local and quick; ctx is checked
// before it only.
func (credentialManager) Lookup(ctx context.Context, item Item) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: credential manager: %w", ErrUnavailable, err)
	}
	if item.Service == "" || item.Account == "" {
		return nil, fmt.Errorf("%w: credential manager: the item needs a service and an account", ErrUnavailable)
	}
	target, err := syscall.UTF16PtrFromString(item.Service + "/" + item.Account)
	if err != nil {
		return nil, fmt.Errorf("%w: credential manager: %w", ErrUnavailable, err)
	}
	if err := procCredRead.Find(); err != nil {
		return nil, fmt.Errorf("%w: credential manager: %w", ErrUnavailable, err)
	}
	var cred *credential
	// BOOL CredReadW(LPCWSTR TargetName, DWORD Type, DWORD Flags,
	//   PCREDENTIALW *Credential)
	ok, _, callErr := procCredRead.Call(uintptr(unsafe.Pointer(target)), credTypeGeneric, 0, uintptr(unsafe.Pointer(&cred)))
	if ok == 0 {
		var errno syscall.Errno
		if errors.As(callErr, &errno) && errno == errorNotFound {
			return nil, fmt.Errorf("%w: credential manager: no generic credential for %s", ErrNotFound, item.serviceAccount())
		}
		return nil, fmt.Errorf("%w: credential manager: CredReadW: %w", ErrUnavailable, callErr)
	}
	defer procCredFree.Call(uintptr(unsafe.Pointer(cred)))
	if cred.credentialBlobSize > MaxSecret {
		return nil, fmt.Errorf("%w: credential manager: the secret is over %d bytes", ErrUnavailable, MaxSecret)
	}
	if cred.credentialBlobSize == 0 {
		return []byte{}, nil
	}
	blob := unsafe.Slice(cred.credentialBlob, cred.credentialBlobSize)
	secret := append([]byte{}, blob...)
	clear(blob)
	return secret, nil
}
