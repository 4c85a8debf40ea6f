package secretstore

import (
	"fmt"
	"syscall"
	"unsafe"
)

// DPAPI (Windows Data Protection API, crypt32.dll), which MSAL uses to
// encrypt its cache file on Windows (spec/PROTOCOL.md 10.1: "current-user
// scope, no extra entropy ... flag CRYPTPROTECT_UI_FORBIDDEN").

var (
	crypt32                = syscall.NewLazyDLL("crypt32.dll")
	procCryptUnprotectData = crypt32.NewProc("CryptUnprotectData")
)

// cryptprotectUIForbidden is CRYPTPROTECT_UI_FORBIDDEN: fail rather than
// show a dialog.
const cryptprotectUIForbidden = 0x1

// dataBlob is DATA_BLOB: { DWORD cbData; BYTE *pbData; }.
type dataBlob struct {
	size uint32
	data *byte
}

// Unprotect decrypts a DPAPI blob made for the current user with no extra
// entropy (CryptUnprotectData), and returns a copy of the plaintext; the
// buffer Windows allocated is zeroed and freed.
func Unprotect(blob []byte) ([]byte, error) {
	if len(blob) == 0 {
		return nil, fmt.Errorf("%w: dpapi: empty blob", ErrUnavailable)
	}
	if err := procCryptUnprotectData.Find(); err != nil {
		return nil, fmt.Errorf("%w: dpapi: %w", ErrUnavailable, err)
	}
	in := dataBlob{size: uint32(len(blob)), data: &blob[0]}
	var out dataBlob
	// BOOL CryptUnprotectData(DATA_BLOB *pDataIn, LPWSTR *ppszDataDescr,
	//   DATA_BLOB *pOptionalEntropy, PVOID pvReserved,
	//   CRYPTPROTECT_PROMPTSTRUCT *pPromptStruct, DWORD dwFlags,
	//   DATA_BLOB *pDataOut)
	ok, _, callErr := procCryptUnprotectData.Call(
		uintptr(unsafe.Pointer(&in)), 0, 0, 0, 0, cryptprotectUIForbidden,
		uintptr(unsafe.Pointer(&out)))
	if ok == 0 {
		return nil, fmt.Errorf("%w: dpapi: CryptUnprotectData: %w", ErrUnavailable, callErr)
	}
	defer syscall.LocalFree(syscall.Handle(unsafe.Pointer(out.data)))
	plain := unsafe.Slice(out.data, out.size)
	defer clear(plain)
	if len(plain) > MaxSecret {
		return nil, fmt.Errorf("%w: dpapi: the secret is over %d bytes", ErrUnavailable, MaxSecret)
	}
	return append([]byte{}, plain...), nil
}
