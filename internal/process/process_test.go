package process

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// tool writes a #!/bin/sh script named name into a fresh directory, puts
// that directory first on PATH for the rest of the test, and returns the
// directory. The scripts are test fixtures; Run itself never uses a shell.
func tool(t *testing.T, name, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fixtures are POSIX shell scripts")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return dir
}

func TestRunPassesArgvWithoutShell(t *testing.T) {
	dir := tool(t, "azid-echo", `printf '%s\0' "$@"`+"\n")
	marker := filepath.Join(dir, "p")
	args := []string{
		"x; touch " + marker,
		"$(touch " + marker + ")",
		"`touch " + marker + "`",
		"a b", `it's`, `"q"`, "", "line\nbreak", "*", "--flag",
	}
	res, err := Run(context.Background(), Command{Name: "azid-echo", Args: args})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := strings.Join(args, "\x00") + "\x00"
	if string(res.Stdout) != want {
		t.Errorf("argv seen by the tool:\n got %q\nwant %q", res.Stdout, want)
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Errorf("an argument was run as a command: %s exists", marker)
	}
}

func TestRunWorkingDirectoryStdinAndEnv(t *testing.T) {
	tool(t, "azid-where", `pwd -P; printf '[%s]\n' "$AZID_X"; wc -c; printf '%s\n' "$PWD"`+"\n")
	res, err := Run(context.Background(), Command{Name: "azid-where", Env: []string{"AZID_X=first", "AZID_X=v w"}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	bin, err := filepath.EvalSymlinks("/bin")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(res.Stdout)), "\n")
	if len(lines) != 4 {
		t.Fatalf("stdout %q: want 4 lines", res.Stdout)
	}
	if lines[0] != bin {
		t.Errorf("working directory %q, want %q (/bin)", lines[0], bin)
	}
	if lines[1] != "[v w]" {
		t.Errorf("AZID_X %s, want [v w]: the last entry wins", lines[1])
	}
	if strings.TrimSpace(lines[2]) != "0" {
		t.Errorf("stdin gave %s bytes, want 0 (the null device)", lines[2])
	}
	if lines[3] != "/bin" {
		t.Errorf("PWD %q, want /bin", lines[3])
	}
}

func TestRunExitCodeIsNotAnError(t *testing.T) {
	tool(t, "azid-fail", "echo out; echo err >&2; exit 3\n")
	res, err := Run(context.Background(), Command{Name: "azid-fail"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.ExitCode != 3 || string(res.Stdout) != "out\n" || string(res.Stderr) != "err\n" {
		t.Errorf("got exit %d stdout %q stderr %q; want 3 \"out\\n\" \"err\\n\"", res.ExitCode, res.Stdout, res.Stderr)
	}
}

func TestRunBoundsOutput(t *testing.T) {
	// 3 MiB on each stream: the tool must not block, and each keeps MaxOutput.
	tool(t, "azid-loud", "head -c 3145728 /dev/zero; head -c 3145728 /dev/zero >&2; exit 0\n")
	res, err := Run(context.Background(), Command{Name: "azid-loud"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(res.Stdout) != MaxOutput || !res.StdoutTruncated {
		t.Errorf("stdout: %d bytes, truncated %v; want %d, true", len(res.Stdout), res.StdoutTruncated, MaxOutput)
	}
	if len(res.Stderr) != MaxOutput || !res.StderrTruncated {
		t.Errorf("stderr: %d bytes, truncated %v; want %d, true", len(res.Stderr), res.StderrTruncated, MaxOutput)
	}
}

func TestCappedWriter(t *testing.T) {
	tests := []struct {
		name      string
		writes    []int
		wantLen   int
		truncated bool
	}{
		{"empty", nil, 0, false},
		{"limit-1", []int{MaxOutput - 1}, MaxOutput - 1, false},
		{"limit", []int{MaxOutput}, MaxOutput, false},
		{"limit+1", []int{MaxOutput + 1}, MaxOutput, true},
		{"split across the limit", []int{MaxOutput - 10, 20}, MaxOutput, true},
		{"write after full", []int{MaxOutput, 1}, MaxOutput, true},
		{"empty write after full", []int{MaxOutput, 0}, MaxOutput, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w capped
			for _, n := range tt.writes {
				got, err := w.Write(bytes.Repeat([]byte{'x'}, n))
				if got != n || err != nil {
					t.Fatalf("Write(%d bytes) = %d, %v; want %d, nil", n, got, err, n)
				}
			}
			if len(w.buf) != tt.wantLen || w.truncated != tt.truncated {
				t.Errorf("writes %v: kept %d, truncated %v; want %d, %v", tt.writes, len(w.buf), w.truncated, tt.wantLen, tt.truncated)
			}
		})
	}
}

func TestRunNotFound(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Run(context.Background(), Command{Name: "azid-no-such-tool"})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if got := err.Error(); got != "process: azid-no-such-tool: executable not found on PATH" {
		t.Errorf("message %q", got)
	}
}

func TestRunRefusesBadCommands(t *testing.T) {
	tests := []struct {
		name string
		cmd  Command
		want string
	}{
		{"empty name", Command{}, "process: empty executable name"},
		{"absolute path", Command{Name: "/bin/sh"}, `process: executable name "/bin/sh" is a path; give a bare name to look up on PATH`},
		{"relative path", Command{Name: "./az"}, `process: executable name "./az" is a path; give a bare name to look up on PATH`},
		{"windows path", Command{Name: `bin\az`}, `process: executable name "bin\\az" is a path; give a bare name to look up on PATH`},
		{"dot dot", Command{Name: ".."}, `process: executable name ".." is a path; give a bare name to look up on PATH`},
		{"negative timeout", Command{Name: "az", Timeout: -time.Second}, "process: az: negative timeout -1s"},
		{"env without =", Command{Name: "az", Env: []string{"A=1", "s3cr3t"}}, "process: az: environment entry 1 is not KEY=value"},
		{"env without key", Command{Name: "az", Env: []string{"=s3cr3t"}}, "process: az: environment entry 0 is not KEY=value"},
	}
	//lint:ignore SA1012 a nil context is the bad input under test
	if _, err := Run(nil, Command{Name: "az"}); err == nil || err.Error() != "process: nil context" {
		t.Errorf("Run(nil, ...) error %v, want process: nil context", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.cmd)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Run(%+v) error %v, want %q", tt.cmd, err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error %q shows an environment value", err)
			}
		})
	}
}

func TestRunContextEndedBeforeStart(t *testing.T) {
	dir := tool(t, "azid-touch", `touch "$0.ran"`+"\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, Command{Name: "azid-touch"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var te *TimeoutError
	if errors.As(err, &te) {
		t.Errorf("a cancelled context reported as %v", te)
	}
	if _, err := os.Stat(filepath.Join(dir, "azid-touch.ran")); !os.IsNotExist(err) {
		t.Errorf("the tool ran although the context had ended")
	}
}

func TestRunContextDeadlineBeforeTimeout(t *testing.T) {
	tool(t, "azid-sleep", "exec sleep 60\n")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := Run(ctx, Command{Name: "azid-sleep", Timeout: time.Minute})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's DeadlineExceeded", err)
	}
	var te *TimeoutError
	if errors.As(err, &te) {
		t.Errorf("the caller's deadline reported as ProcessTimeout: %v", te)
	}
}

func TestTimeoutErrorMessage(t *testing.T) {
	err := &TimeoutError{Name: "az", Timeout: 300 * time.Millisecond}
	want := "process: az did not finish within 300ms and was killed; raise ProcessTimeout if the tool needs longer"
	if err.Error() != want {
		t.Errorf("got %q, want %q", err.Error(), want)
	}
}
