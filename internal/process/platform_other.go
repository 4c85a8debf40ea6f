//go:build !unix && !windows

package process

import (
	"errors"
	"os/exec"
	"runtime"
)

// lookPath finds name on PATH.
func lookPath(name string) (string, error) { return exec.LookPath(name) }

// workDir refuses: there is no directory known to be safe on this system.
func workDir() (string, error) {
	return "", errors.New("process: running developer tools is not supported on " + runtime.GOOS)
}

// killTree keeps os/exec's default, which kills the tool alone.
func killTree(cmd *exec.Cmd) {}

// endTree does nothing here: tools are never run (see workDir).
func endTree(cmd *exec.Cmd) {}
