// Package localfile reads the local files azid is pointed at (certificates,
// federated token files, the token caches, VS Code's settings) so that none
// of them can make a read hang or grow without bound.
//
// A path may name something that is not a file: a named pipe whose writer
// never comes blocks open(2) and read(2) for ever, and a device such as
// /dev/zero never ends. Open therefore opens without waiting for a writer
// (O_NONBLOCK, on Unix), asks the opened file what it is, and refuses
// anything but a regular file with ErrNotRegular; Read also stops at a
// limit. Symbolic links are followed, as os.Open follows them; a caller that
// must refuse them checks with os.Lstat first.
//
// Errors wrap the os package's (errors.Is(err, fs.ErrNotExist) holds for a
// missing file) and name the path, never the contents.
package localfile

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrNotRegular is returned for a path that names a named pipe, a device, a
// socket or a directory.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is returned by Read for a file longer than its limit.
var ErrTooLarge = errors.New("file too large")

// Open opens the regular file at path for reading. Anything else is
// ErrNotRegular, found without waiting for a writer or reading a byte.
func Open(path string) (*os.File, error) {
	f, err := openNoWait(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, kind(fi.Mode()))
	}
	return f, nil
}

// Read returns the contents of the regular file at path, which must hold at
// most limit bytes: a longer file is ErrTooLarge, whatever its size says
// (it may grow while it is read).
func Read(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: %w: over %d bytes", path, ErrTooLarge, limit)
	}
	return data, nil
}

// kind names what a path that is not a regular file is.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "not a file"
}
