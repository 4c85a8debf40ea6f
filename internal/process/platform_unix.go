//go:build unix

package process

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// lookPath finds name on PATH. A match through a relative PATH entry (".",
// or an empty entry) is refused like a miss: it would run a file from the
// application's directory.
func lookPath(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(p) {
		return "", exec.ErrDot
	}
	return p, nil
}

// workDir is /bin (spec/PROTOCOL.md, Section 8.1): it exists everywhere and
// only the administrator can write to it.
func workDir() (string, error) { return "/bin", nil }

// killTree starts the tool as the leader of a new process group and makes
// the context's end kill that whole group, so that at the timeout children
// it spawned die with it. (A child that outlives a tool which exited by
// itself is left alone, unless it holds our pipes: see endTree.)
func killTree(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Pgid 0: the group is named by the tool's pid
	cmd.Cancel = func() error {
		// kill(2) with a negative pid signals every process in the group.
		// os/exec calls Cancel only after a successful Start, and the group
		// keeps its id while any member lives.
		err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if errors.Is(err, syscall.ESRCH) {
			return os.ErrProcessDone
		}
		return err
	}
}

// endTree kills what is left of the tool's process group after the tool
// exited by itself while a child still held our pipes past PipeGrace. The
// group keeps its id, and no process can take that id as its own, while any
// member lives; once none does, kill(2) fails with ESRCH, ignored.
func endTree(cmd *exec.Cmd) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
