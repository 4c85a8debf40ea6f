package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Command describes one run of a tool.
type Command struct {
	// Name is the executable's bare name (no directory), looked up on PATH.
	// On Windows, when Name has no extension, Name+".cmd" and then
	// Name+".exe" are tried first (spec/PROTOCOL.md, Section 8.1).
	Name string
	// Args are the arguments after the program name, passed as they are;
	// no shell sees them.
	Args []string
	// Env holds "KEY=value" entries added to the inherited environment
	// (a later entry for the same key wins), e.g. "AZURE_CORE_NO_COLOR=true".
	Env []string
	// Timeout bounds the run; zero means DefaultTimeout. The context's
	// deadline applies too, whichever comes first.
	Timeout time.Duration
}

// Result is what a tool printed and how it exited. A tool that ran to its end
// yields a Result and a nil error whatever its exit code.
type Result struct {
	Stdout, Stderr []byte
	// ExitCode is the tool's exit status; -1 if a signal ended it.
	ExitCode int
	// StdoutTruncated and StderrTruncated report that the tool printed more
	// than MaxOutput bytes there and the excess was discarded.
	StdoutTruncated, StderrTruncated bool
}

// ErrNotFound reports that the executable is not on PATH. Run returns it
// wrapped; test with errors.Is.
var ErrNotFound = errors.New("executable not found on PATH")

// TimeoutError reports that a tool was killed because it ran longer than
// its timeout (Command.Timeout, or DefaultTimeout).
type TimeoutError struct {
	Name    string        // the executable's name
	Timeout time.Duration // the limit it exceeded
}

// Error names the tool and the timeout, and says which setting to raise.
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("process: %s did not finish within %v and was killed; raise ProcessTimeout if the tool needs longer", e.Name, e.Timeout)
}

// Run starts the tool described by c, waits for it to exit or for the
// timeout, and returns its output. The tool's exit code is in the Result,
// not in the error: err is non-nil only when the tool could not be started
// (ErrNotFound, a bad Command, a start failure), ran out of time
// (*TimeoutError) or ctx ended first (the error wraps ctx.Err()). On error
// the Result is the zero value.
func Run(ctx context.Context, c Command) (Result, error) {
	if ctx == nil {
		return Result{}, errors.New("process: nil context")
	}
	if err := check(c); err != nil {
		return Result{}, err
	}
	path, err := lookPath(c.Name)
	if err != nil {
		return Result{}, fmt.Errorf("process: %s: %w", c.Name, ErrNotFound)
	}
	dir, err := workDir() // PROTOCOL 8.1: an OS-controlled directory, never the application's
	if err != nil {
		return Result{}, err
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var stdout, stderr capped
	cmd := exec.CommandContext(runCtx, path, c.Args...)
	cmd.Dir = dir
	// PWD names the working directory, as os/exec sets it when Env is nil;
	// os/exec keeps the last of duplicate keys, so c.Env can override.
	cmd.Env = append(append(childEnviron(), "PWD="+dir), c.Env...)
	cmd.Stdin = nil // PROTOCOL 8.1: the null device, so a prompt cannot hang
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = PipeGrace
	killTree(cmd)

	err = cmd.Run() // Start then Wait: the tool is always reaped
	switch {
	case err == nil:
	case errors.Is(err, exec.ErrWaitDelay):
		// The tool exited successfully but something it started kept the
		// pipes open past PipeGrace; what it printed before exiting stands,
		// and what is still holding them is killed.
		endTree(cmd)
	case runCtx.Err() != nil && ctx.Err() != nil:
		return Result{}, fmt.Errorf("process: %s: %w", c.Name, ctx.Err())
	case runCtx.Err() != nil:
		return Result{}, &TimeoutError{Name: c.Name, Timeout: timeout}
	case isExit(err):
		// A non-zero exit is the tool's answer, reported in ExitCode.
	default:
		return Result{}, fmt.Errorf("process: %s: %w", c.Name, err)
	}
	return Result{
		Stdout:          stdout.buf,
		Stderr:          stderr.buf,
		ExitCode:        cmd.ProcessState.ExitCode(),
		StdoutTruncated: stdout.truncated,
		StderrTruncated: stderr.truncated,
	}, nil
}

// check refuses a Command that Run cannot run as documented.
func check(c Command) error {
	switch {
	case c.Name == "":
		return errors.New("process: empty executable name")
	case strings.ContainsAny(c.Name, `/\`) || c.Name == "." || c.Name == "..":
		// A path would bypass the PATH lookup, and a relative one would
		// resolve against the application's directory.
		return fmt.Errorf("process: executable name %q is a path; give a bare name to look up on PATH", c.Name)
	case c.Timeout < 0:
		return fmt.Errorf("process: %s: negative timeout %v", c.Name, c.Timeout)
	}
	for i, kv := range c.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			// Not quoted: the entry may hold a secret value.
			return fmt.Errorf("process: %s: environment entry %d is not KEY=value", c.Name, i)
		}
	}
	return nil
}

// isExit reports whether err is the tool's own non-zero exit.
func isExit(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee)
}

// capped keeps the first MaxOutput bytes written to it and discards the
// rest, always reporting success so the writing process never blocks.
// os/exec gives each stream its own copying goroutine, so a capped is only
// ever written by one goroutine and read after Wait.
type capped struct {
	buf       []byte
	truncated bool
}

func (w *capped) Write(p []byte) (int, error) {
	room := MaxOutput - len(w.buf)
	if len(p) > room {
		w.buf = append(w.buf, p[:room]...)
		w.truncated = true
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// secretVariables are variables that hold another credential's secret.
// The tools need none of them (they have their own sign-in), so they are
// not passed on: a tool, or anything it starts, never sees them.
var secretVariables = map[string]bool{
	"AZURE_CLIENT_SECRET": true, "AZURE_CLIENT_CERTIFICATE_PASSWORD": true, "AZURE_PASSWORD": true,
	"IDENTITY_HEADER": true, "MSI_SECRET": true, "SYSTEM_ACCESSTOKEN": true,
	"ACTIONS_ID_TOKEN_REQUEST_TOKEN": true,
}

// childEnviron is the process environment without secretVariables.
func childEnviron() []string {
	env := os.Environ()
	out := env[:0:0]
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !secretVariables[strings.ToUpper(name)] {
			out = append(out, kv)
		}
	}
	return out
}
