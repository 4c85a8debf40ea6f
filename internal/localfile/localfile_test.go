package localfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(file, 5); err != nil || string(got) != "12345" {
		t.Errorf("Read at the limit = %q, %v", got, err)
	}
	if _, err := Read(file, 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Read over the limit: err = %v, want ErrTooLarge", err)
	}
	if _, err := Read(filepath.Join(dir, "none"), 5); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: err = %v, want fs.ErrNotExist", err)
	}
	if _, err := Read(dir, 5); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: err = %v, want ErrNotRegular naming a directory", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(file, link); err == nil {
		if got, err := Read(link, 5); err != nil || string(got) != "12345" {
			t.Errorf("symbolic link to a file = %q, %v", got, err)
		}
	}
}

func TestDevice(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	if _, err := Read("/dev/zero", 100); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "device") {
		t.Errorf("err = %v, want ErrNotRegular naming a device", err)
	}
}
