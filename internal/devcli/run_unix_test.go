//go:build unix

package devcli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/azid-go/azid/identitytest"
	"github.com/azid-go/azid/internal/process"
)

// TestHangingToolIsKilled: each fake tool sleeps 60 s after starting a
// child that sleeps 60 s too. With ProcessTimeout 300 ms the request must
// fail, unavailable, with an error naming ProcessTimeout, and both the tool
// and its child (its process group) must be dead.
func TestHangingToolIsKilled(t *testing.T) {
	req := Request{Scopes: []string{"https://management.azure.com/.default"}}
	for _, tool := range tools {
		t.Run(tool.name, func(t *testing.T) {
			dir := fakes(t, identitytest.ToolBehavior{Outcome: identitytest.ToolHang})
			// 300 ms; on a machine too loaded for the tool to start its
			// child in that time, the run proves nothing and is repeated.
			for req.Timeout = 300 * time.Millisecond; ; req.Timeout *= 2 {
				tok, err := tool.get(context.Background(), req)
				var te *process.TimeoutError
				var e *Error
				if !errors.As(err, &te) || !errors.As(err, &e) || !e.Unavailable || tok != (Token{}) {
					t.Fatalf("got %v, %#v; want an unavailable *Error wrapping *process.TimeoutError", tok, err)
				}
				if te.Timeout != req.Timeout || !strings.Contains(err.Error(), "raise ProcessTimeout") {
					t.Errorf("error %q (timeout %v): want the %v timeout and ProcessTimeout named", err, te.Timeout, req.Timeout)
				}
				leader, child, ok := identitytest.HangPIDs(dir, tool.name)
				if ok {
					for _, pid := range []int{leader, child} {
						if !gone(pid) {
							syscall.Kill(pid, syscall.SIGKILL)
							t.Errorf("process %d of the hanging %s is still running", pid, tool.name)
						}
					}
					return
				}
				if req.Timeout > 5*time.Second {
					t.Fatalf("the fake %s never recorded its processes", tool.name)
				}
			}
		})
	}
}

// gone waits up to 10 s for process pid to have ended. On Linux a zombie
// counts as ended: where PID 1 does not reap orphans, the killed child
// stays one. The wait is for the kernel to finish a kill already sent, not
// a timing assertion.
func gone(pid int) bool {
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if runtime.GOOS == "linux" {
			stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
			if err != nil {
				return true
			}
			// The state follows the command name, which is in parentheses.
			if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X') {
				return true
			}
			continue
		}
		if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			return true
		}
	}
	return false
}
