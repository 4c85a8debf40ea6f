//go:build unix

package process

import (
	"context"
	"io"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestChildHoldingPipesKilled: a tool that exits by itself while a child it
// started still holds the output pipes: after PipeGrace, Run returns (the
// tool's answer stands) and the tool's process group, child included, is
// killed. The child used to keep running.
//
// The child holds the write end of a FIFO the test reads; end-of-file on it
// means the child is dead (a zombie has closed its files too).
func TestChildHoldingPipesKilled(t *testing.T) {
	dir := tool(t, "azid-leaver", "exec 3>\"$1\"\nsleep 60 &\necho $!\nprintf 'ready\\n' >&3\nexit 0\n")
	fifo, r := aliveFIFO(t, dir)

	res, err := Run(context.Background(), Command{Name: "azid-leaver", Args: []string{fifo}, Timeout: time.Minute})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if pid, perr := strconv.Atoi(strings.TrimSpace(string(res.Stdout))); perr == nil && pid > 1 {
		defer syscall.Kill(pid, syscall.SIGKILL) // clean up whatever the verdict
	}
	if err := r.SetReadDeadline(time.Now().Add(3 * time.Second)); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("Run returned (exit %d, stdout %q) but the child the tool started is still running, in the tool's process group, 3 s later (%v)",
			res.ExitCode, res.Stdout, err)
	}
	if string(got) != "ready\n" {
		t.Fatalf("FIFO gave %q, want \"ready\\n\"", got)
	}
}
