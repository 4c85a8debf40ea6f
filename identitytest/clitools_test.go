package identitytest

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fakeToolRun runs the fake tool directly (no PATH lookup needed here)
// and returns its output and exit code.
func fakeToolRun(t *testing.T, pathDir, tool string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(pathDir, tool), args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("running fake %s: %v", tool, err)
	}
	return out.String(), errOut.String(), code
}

func skipOnWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake developer tools are shell scripts")
	}
}

func TestFakeToolsRecordArgv(t *testing.T) {
	skipOnWindows(t)
	dir := t.TempDir()
	pathDir, err := FakeTools(dir, ToolBehavior{})
	if err != nil {
		t.Fatal(err)
	}
	if runs, err := ReadArgv(dir, "az"); err != nil || runs != nil {
		t.Fatalf("before any run: ReadArgv = %q, %v; want nil, nil", runs, err)
	}
	first := []string{"account", "get-access-token", "--resource", "a b", `it's`, `"q"`, "", "two\nlines", "$(id)", "✓", "-"}
	second := []string(nil)
	fakeToolRun(t, pathDir, "az", first...)
	fakeToolRun(t, pathDir, "az", second...)
	runs, err := ReadArgv(dir, "az")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{first, {}}
	if !reflect.DeepEqual(runs, want) {
		t.Errorf("ReadArgv(az)\n got %q\nwant %q", runs, want)
	}
	if runs, _ := ReadArgv(dir, "azd"); runs != nil {
		t.Errorf("azd never ran but has log %q", runs)
	}
}

func TestReadArgvCorruptLog(t *testing.T) {
	for _, log := range []string{"1\x00a", "2\x00a\x00", "x\x00", "-1\x00"} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "az.argv"), []byte(log), 0o600); err != nil {
			t.Fatal(err)
		}
		if runs, err := ReadArgv(dir, "az"); err == nil {
			t.Errorf("log %q: ReadArgv = %q, want an error", log, runs)
		}
	}
}

func TestFakeToolsSuccess(t *testing.T) {
	skipOnWindows(t)
	exp := time.Date(2024, 5, 16, 21, 35, 42, 0, time.UTC)
	for _, legacy := range []bool{false, true} {
		dir := t.TempDir()
		pathDir, err := FakeTools(dir, ToolBehavior{Token: `tok"en`, ExpiresOn: exp.Add(400 * time.Millisecond), Legacy: legacy})
		if err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := fakeToolRun(t, pathDir, "az")
		var az map[string]any
		if code != 0 || stderr != "" || json.Unmarshal([]byte(stdout), &az) != nil {
			t.Fatalf("az (legacy %v): exit %d, stdout %q, stderr %q", legacy, code, stdout, stderr)
		}
		wantLocal := exp.Local().Format("2006-01-02 15:04:05") + ".000000"
		if az["accessToken"] != `tok"en` || az["expiresOn"] != wantLocal || az["tokenType"] != "Bearer" {
			t.Errorf("az printed %v; want the token, expiresOn %q", az, wantLocal)
		}
		if epoch, has := az["expires_on"]; has == legacy || has && epoch != float64(exp.Unix()) {
			t.Errorf("az (legacy %v) expires_on = %v", legacy, epoch)
		}

		stdout, _, code = fakeToolRun(t, pathDir, "azd")
		var azd map[string]any
		if code != 0 || json.Unmarshal([]byte(stdout), &azd) != nil || azd["token"] != `tok"en` || azd["expiresOn"] != "2024-05-16T21:35:42Z" {
			t.Errorf("azd: exit %d, stdout %q", code, stdout)
		}

		stdout, _, code = fakeToolRun(t, pathDir, "pwsh")
		if want := `{"Token":"tok\"en","ExpiresOn":1715895342}` + "\n"; code != 0 || stdout != want {
			t.Errorf("pwsh: exit %d, stdout %q; want %q", code, stdout, want)
		}
	}
}

func TestFakeToolsFailures(t *testing.T) {
	skipOnWindows(t)
	tests := []struct {
		name    string
		b       ToolBehavior
		tool    string
		code    int
		stderrs []string // substrings of standard error (PROTOCOL 18)
	}{
		{"az not logged in", ToolBehavior{Outcome: ToolNotLoggedIn}, "az", 1, []string{"az login"}},
		{"azd not logged in", ToolBehavior{Outcome: ToolNotLoggedIn}, "azd", 1, []string{`{"error":"not logged in, run ` + "`azd auth login`" + ` to login"}`}},
		{"azd not logged in, legacy", ToolBehavior{Outcome: ToolNotLoggedIn, Legacy: true}, "azd", 1, []string{`"type":"consoleMessage"`, "not logged in, run `azd auth login` to login"}},
		{"pwsh not logged in", ToolBehavior{Outcome: ToolNotLoggedIn}, "pwsh", 1, []string{"Run Connect-AzAccount to login"}},
		{"az not installed", ToolBehavior{Outcome: ToolNotInstalled}, "az", 127, []string{"az: not found"}},
		{"pwsh not installed", ToolBehavior{Outcome: ToolNotInstalled}, "pwsh", 127, []string{"pwsh: not found"}},
		{"az AADSTS", ToolBehavior{Outcome: ToolAADSTSError}, "az", 1, []string{"AADSTS50076", "az login"}},
		{"azd AADSTS", ToolBehavior{Outcome: ToolAADSTSError}, "azd", 1, []string{`{"error":"fetching token: AADSTS50076`, `"suggestion":`}},
		{"azd AADSTS, legacy", ToolBehavior{Outcome: ToolAADSTSError, Legacy: true}, "azd", 1, []string{"ERROR: fetching token: AADSTS50076", "Suggestion: "}},
		{"pwsh AADSTS", ToolBehavior{Outcome: ToolAADSTSError}, "pwsh", 1, []string{"AADSTS50076"}},
		{"pwsh module missing", ToolBehavior{Outcome: ToolModuleMissing}, "pwsh", 1, []string{"Az.Accounts module not found"}},
		{"az module missing", ToolBehavior{Outcome: ToolModuleMissing}, "az", 1, []string{"unexpected error"}},
		{"custom", ToolBehavior{Outcome: ToolCustom, Stderr: "it's \"odd\"\n%s $HOME `x`", ExitCode: 42}, "azd", 42, []string{"it's \"odd\"\n%s $HOME `x`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pathDir, err := FakeTools(t.TempDir(), tt.b)
			if err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := fakeToolRun(t, pathDir, tt.tool)
			if code != tt.code || stdout != "" {
				t.Errorf("exit %d, stdout %q; want %d and nothing", code, stdout, tt.code)
			}
			for _, s := range tt.stderrs {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr %q lacks %q", stderr, s)
				}
			}
		})
	}
}

func TestFakeToolsCustomExactBytes(t *testing.T) {
	skipOnWindows(t)
	b := ToolBehavior{Outcome: ToolCustom, Stdout: "'\n\\n%d\t", Stderr: "a'b", ExitCode: 0}
	pathDir, err := FakeTools(t.TempDir(), b)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := fakeToolRun(t, pathDir, "pwsh")
	if stdout != b.Stdout || stderr != b.Stderr || code != 0 {
		t.Errorf("got %q %q %d; want %q %q 0", stdout, stderr, code, b.Stdout, b.Stderr)
	}
	if _, err := FakeTools(t.TempDir(), ToolBehavior{Outcome: ToolCustom, Stdout: "a\x00b"}); err == nil {
		t.Error("FakeTools accepted a NUL byte")
	}
}

func TestHangPIDsBeforeAnyRun(t *testing.T) {
	if _, _, ok := HangPIDs(t.TempDir(), "az"); ok {
		t.Error("HangPIDs reported processes for a tool that never ran")
	}
}

func TestFakeToolsOnWindows(t *testing.T) {
	if runtime.GOOS != "windows" {
		t.Skip("checks the Windows refusal")
	}
	if _, err := FakeTools(t.TempDir(), ToolBehavior{}); err == nil {
		t.Error("FakeTools should refuse on Windows")
	}
}
