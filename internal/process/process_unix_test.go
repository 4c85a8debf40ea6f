//go:build unix

package process

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRunTimeoutKillsProcessGroup runs a tool that sleeps 60 s after
// starting a child that sleeps 60 s too. The child holds the write end of a
// FIFO the test reads: it writes "ready" once started, and the read sees
// end-of-file only when the child is dead (a zombie has closed its files
// too, so this holds where nobody reaps orphans). Run must return a
// TimeoutError naming ProcessTimeout, and the child must be dead.
func TestRunTimeoutKillsProcessGroup(t *testing.T) {
	dir := tool(t, "azid-hang", `(printf 'ready\n'; exec sleep 60) >"$1" &`+"\nexec sleep 60\n")
	fifo, r := aliveFIFO(t, dir)

	// 300 ms as the brief asks; on a machine too loaded to start the child
	// in that time the run proves nothing, so it is repeated with more.
	for timeout := 300 * time.Millisecond; ; timeout *= 2 {
		_, err := Run(context.Background(), Command{Name: "azid-hang", Args: []string{fifo}, Timeout: timeout})
		var te *TimeoutError
		if !errors.As(err, &te) {
			t.Fatalf("Run: err = %v, want *TimeoutError", err)
		}
		if te.Name != "azid-hang" || te.Timeout != timeout || !strings.Contains(err.Error(), "ProcessTimeout") {
			t.Errorf("TimeoutError %+v / %q: want name azid-hang, timeout %v, a message naming ProcessTimeout", te, err, timeout)
		}
		// Bounded so a surviving child fails the test instead of hanging it.
		if err := r.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("the child still holds the FIFO after Run returned (%v): its process group was not killed", err)
		}
		if string(got) == "ready\n" {
			return // the child started, and is dead now
		}
		if len(got) != 0 || timeout > 5*time.Second {
			t.Fatalf("FIFO gave %q after a %v timeout; want \"ready\\n\"", got, timeout)
		}
		t.Logf("the child had not started within %v; trying again with more", timeout)
	}
}

// TestRunGrandchildKeepsPipesOpen: a tool that exits at once but leaves a
// child holding its stdout must not make Run wait for that child.
func TestRunGrandchildKeepsPipesOpen(t *testing.T) {
	tool(t, "azid-orphan", "sleep 60 &\necho $!\n")
	res, err := Run(context.Background(), Command{Name: "azid-orphan", Timeout: time.Minute})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	pid, perr := strconv.Atoi(strings.TrimSpace(string(res.Stdout)))
	if perr == nil && pid > 1 {
		defer syscall.Kill(pid, syscall.SIGKILL)
	}
	if res.ExitCode != 0 || perr != nil {
		t.Errorf("got exit %d stdout %q; want 0 and the child's pid", res.ExitCode, res.Stdout)
	}
}

func TestRunRefusesRelativePathEntry(t *testing.T) {
	// An empty PATH entry means the current directory, where an attacker
	// may have planted "az".
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "azid-planted"), []byte("#!/bin/sh\necho planted\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, path := range []string{"", ".", ":" + t.TempDir()} {
		t.Setenv("PATH", path)
		if _, err := Run(context.Background(), Command{Name: "azid-planted"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("PATH=%q: err = %v, want ErrNotFound", path, err)
		}
	}
}

// aliveFIFO makes the FIFO dir/alive and opens its read end, before the tool
// starts so that the child's open for writing does not block, and
// non-blocking so that this open does not wait for a writer. End-of-file on
// it means every writer, the child included, is dead.
func aliveFIFO(t *testing.T, dir string) (string, *os.File) {
	t.Helper()
	fifo := filepath.Join(dir, "alive")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return fifo, r
}
