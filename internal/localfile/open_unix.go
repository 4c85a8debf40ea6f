//go:build unix

package localfile

import (
	"os"
	"syscall"
)

// openNoWait opens path with O_NONBLOCK, so that opening a named pipe does
// not wait for its writer. Reads of a regular file ignore the flag.
func openNoWait(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
