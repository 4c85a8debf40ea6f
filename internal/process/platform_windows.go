//go:build windows

package process

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
)

// lookPath finds name on PATH. Without an extension, name.cmd and then
// name.exe are tried before what PATHEXT would pick (spec/PROTOCOL.md,
// Section 8.1: the Python library looks up az.cmd before az). A match
// through the current directory is refused like a miss.
func lookPath(name string) (string, error) {
	if filepath.Ext(name) == "" {
		for _, ext := range []string{".cmd", ".exe"} {
			if p, err := exec.LookPath(name + ext); err == nil && filepath.IsAbs(p) {
				return p, nil
			}
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(p) {
		return "", exec.ErrDot
	}
	return p, nil
}

// workDir is %SYSTEMROOT% (spec/PROTOCOL.md, Section 8.1), which only
// administrators can write to; unset, the tool is not run.
func workDir() (string, error) {
	dir := os.Getenv("SYSTEMROOT")
	if dir == "" {
		return "", errors.New(`process: environment variable "SYSTEMROOT" has no value`)
	}
	return dir, nil
}

// killTree keeps os/exec's default: at the context's end the tool itself is
// killed (TerminateProcess). Its children survive; see the package doc.
func killTree(cmd *exec.Cmd) {}

// endTree does nothing on Windows: the tool's children are not tracked
// (see killTree and the package doc).
func endTree(cmd *exec.Cmd) {}
