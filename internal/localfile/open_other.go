//go:build !unix

package localfile

import "os"

// openNoWait is os.Open: on Windows, opening a named pipe does not wait for
// its server, and Open refuses it before any read.
func openNoWait(path string) (*os.File, error) {
	return os.Open(path)
}
