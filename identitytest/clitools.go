package identitytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The fake developer tools: az, azd and pwsh as small #!/bin/sh scripts that
// tests put first on PATH. They print what the real tools print
// (spec/PROTOCOL.md, Sections 8.2 to 8.4 and 18) and record every argument
// vector they are run with. The scripts are test fixtures; the code under
// test still runs them directly, never through a shell.

// FakeToolToken is the access token the fake tools print when
// ToolBehavior.Token is empty.
const FakeToolToken = "fake-developer-tool-access-token"

// FakeToolSubscription is the subscription the fake az reports.
const FakeToolSubscription = "6f9f3a4b-0000-4000-8000-0000000000aa"

// ToolOutcome is what a fake tool does when it runs.
type ToolOutcome int

const (
	// ToolSuccess prints a token as the real tool does, exit code 0.
	ToolSuccess ToolOutcome = iota
	// ToolNotLoggedIn prints the tool's "not logged in" error, exit code 1.
	ToolNotLoggedIn
	// ToolNotInstalled behaves as a shell does for a missing command:
	// "sh: 1: az: not found" on standard error, exit code 127. (A tool that
	// is really missing is one that is not on PATH.)
	ToolNotInstalled
	// ToolAADSTSError prints an Entra ID error (AADSTS50076, multi-factor
	// authentication required) the way the tool reports it, exit code 1.
	ToolAADSTSError
	// ToolHang starts a child that sleeps 60 s, then sleeps 60 s itself;
	// HangPIDs tells both process IDs.
	ToolHang
	// ToolModuleMissing: pwsh reports that Az.Accounts is missing, as the
	// script of package devcli does; az and azd, which have no modules,
	// fail with a generic error. Exit code 1.
	ToolModuleMissing
	// ToolCustom prints ToolBehavior.Stdout and Stderr and exits with
	// ToolBehavior.ExitCode.
	ToolCustom
)

// ToolBehavior configures the fake tools.
type ToolBehavior struct {
	Outcome ToolOutcome
	// Token is the access token printed on success; "" means FakeToolToken.
	Token string
	// ExpiresOn is the expiry printed on success; zero means one hour after
	// FakeTools is called. Printed to the second, as the tools do.
	ExpiresOn time.Time
	// Legacy makes the tools behave like older versions: az before 2.54.0
	// prints only expiresOn (local time, no zone, six fraction digits) and
	// no expires_on; azd before 1.23.7 writes errors as consoleMessage JSON
	// lines. pwsh is unaffected.
	Legacy bool
	// Stdout, Stderr and ExitCode are what ToolCustom prints and returns.
	// They must not contain a NUL byte.
	Stdout, Stderr string
	ExitCode       int
}

// fakeTools are the tools FakeTools writes.
var fakeTools = [...]string{"az", "azd", "pwsh"}

// FakeTools writes fake az, azd and pwsh executables into dir/bin and
// returns that directory, to be put first on PATH (t.Setenv). Each run
// appends its arguments to a log in dir that ReadArgv reads. Calling
// FakeTools again on the same dir changes the behaviour and keeps the logs.
// It needs a POSIX shell at /bin/sh, so it returns an error on Windows.
func FakeTools(dir string, b ToolBehavior) (pathDir string, err error) {
	if runtime.GOOS == "windows" {
		return "", errors.New("identitytest: the fake developer tools are shell scripts; Windows has no /bin/sh")
	}
	if strings.ContainsRune(b.Stdout, 0) || strings.ContainsRune(b.Stderr, 0) || strings.ContainsRune(b.Token, 0) {
		return "", errors.New("identitytest: a fake tool cannot print a NUL byte")
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("identitytest: %w", err)
	}
	if b.Token == "" {
		b.Token = FakeToolToken
	}
	if b.ExpiresOn.IsZero() {
		b.ExpiresOn = time.Now().Add(time.Hour)
	}
	b.ExpiresOn = b.ExpiresOn.Truncate(time.Second)
	pathDir = filepath.Join(dir, "bin")
	if err := os.MkdirAll(pathDir, 0o755); err != nil {
		return "", fmt.Errorf("identitytest: %w", err)
	}
	for _, tool := range fakeTools {
		script := "#!/bin/sh\n" +
			"# A fake " + tool + " written by identitytest.FakeTools: a test fixture.\n" +
			"PATH=/usr/bin:/bin\n" +
			// Each run appends its argument count, then each argument,
			// every field ending in NUL, the one byte no argument holds.
			`printf '%s\0' "$#" "$@" >>` + shellQuote(filepath.Join(dir, tool+".argv")) + "\n" +
			toolBody(dir, tool, b)
		// Written under another name and renamed, so a tool running now
		// never sees a half-written script.
		tmp := filepath.Join(pathDir, "."+tool+".tmp")
		if err := os.WriteFile(tmp, []byte(script), 0o755); err != nil {
			return "", fmt.Errorf("identitytest: %w", err)
		}
		if err := os.Rename(tmp, filepath.Join(pathDir, tool)); err != nil {
			return "", fmt.Errorf("identitytest: %w", err)
		}
	}
	return pathDir, nil
}

// toolBody is the part of a fake tool's script that acts out b.Outcome.
func toolBody(dir, tool string, b ToolBehavior) string {
	switch b.Outcome {
	case ToolSuccess:
		return emit(successOutput(tool, b), "", 0)
	case ToolNotLoggedIn:
		return emit("", notLoggedIn(tool, b.Legacy), 1)
	case ToolNotInstalled:
		return emit("", "sh: 1: "+tool+": not found\n", 127)
	case ToolAADSTSError:
		return emit("", aadstsError(tool, b.Legacy), 1)
	case ToolHang:
		return "sleep 60 &\n" +
			`printf '%s %s\n' "$$" "$!" >` + shellQuote(filepath.Join(dir, tool+".pids")) + "\n" +
			"exec sleep 60\n"
	case ToolModuleMissing:
		if tool == "pwsh" {
			return emit("", "Write-Error: Az.Accounts module not found: install Az.Accounts 2.2.0 or later\n", 1)
		}
		return emit("", "ERROR: The command failed with an unexpected error.\n", 1)
	default:
		return emit(b.Stdout, b.Stderr, b.ExitCode)
	}
}

// emit is shell that prints stdout and stderr exactly and exits with code.
func emit(stdout, stderr string, code int) string {
	var s strings.Builder
	if stdout != "" {
		s.WriteString("printf '%s' " + shellQuote(stdout) + "\n")
	}
	if stderr != "" {
		s.WriteString("printf '%s' " + shellQuote(stderr) + " >&2\n")
	}
	s.WriteString("exit " + strconv.Itoa(code) + "\n")
	return s.String()
}

// shellQuote quotes s for /bin/sh. Inside single quotes only the single
// quote is special; each one becomes: close the quotes, a backslash-escaped
// quote, open the quotes again.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// jsonString is s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// successOutput is what each tool prints with a token.
func successOutput(tool string, b ToolBehavior) string {
	switch tool {
	case "az":
		// PROTOCOL 8.2: indented JSON; expiresOn in local time with six
		// fraction digits; expires_on from az 2.54.0.
		epoch := ""
		if !b.Legacy {
			epoch = `  "expires_on": ` + strconv.FormatInt(b.ExpiresOn.Unix(), 10) + ",\n"
		}
		return "{\n" +
			`  "accessToken": ` + jsonString(b.Token) + ",\n" +
			`  "expiresOn": "` + b.ExpiresOn.Local().Format("2006-01-02 15:04:05.000000") + `",` + "\n" +
			epoch +
			`  "subscription": "` + FakeToolSubscription + `",` + "\n" +
			`  "tenant": "` + DefaultTenantID + `",` + "\n" +
			`  "tokenType": "Bearer"` + "\n}\n"
	case "azd":
		// PROTOCOL 8.3: RFC 3339 in UTC, no fraction.
		return "{\n" +
			`  "token": ` + jsonString(b.Token) + ",\n" +
			`  "expiresOn": "` + b.ExpiresOn.UTC().Format("2006-01-02T15:04:05Z") + `"` + "\n}\n"
	default:
		// PROTOCOL 8.4: ConvertTo-Json -Compress of Token and ExpiresOn.
		return `{"Token":` + jsonString(b.Token) + `,"ExpiresOn":` + strconv.FormatInt(b.ExpiresOn.Unix(), 10) + "}\n"
	}
}

// notLoggedIn is each tool's error when nobody is logged in (PROTOCOL 8.2-8.4, 18).
func notLoggedIn(tool string, legacy bool) string {
	switch tool {
	case "az":
		return "ERROR: Please run 'az login' to setup account.\n"
	case "azd":
		return azdError(legacy, "not logged in, run `azd auth login` to login", "")
	default:
		return "Get-AzAccessToken: Run Connect-AzAccount to login.\n"
	}
}

// mfaRequired is the text of Entra ID's AADSTS50076 error as the tools
// relay it; the IDs are made up.
const mfaRequired = "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '797f4846-ba00-4fd7-ba43-dac1f8f63013'. " +
	"Trace ID: 0c7b1f2e-0000-4000-8000-000000000001 Correlation ID: 5d1a9c3b-0000-4000-8000-000000000002 Timestamp: 2024-05-16 20:35:42Z"

// aadstsError is each tool's report of an Entra ID error.
func aadstsError(tool string, legacy bool) string {
	switch tool {
	case "az":
		return "ERROR: " + mfaRequired + "\n" +
			"Run the command below to authenticate interactively; additional arguments may be added as needed:\n" +
			"az logout\n" +
			"az login --scope https://management.core.windows.net//.default\n"
	case "azd":
		return azdError(legacy, "fetching token: "+mfaRequired,
			"reauthentication required, run `azd auth login --scope https://management.azure.com/.default` to acquire a new token.")
	default:
		return "Get-AzAccessToken: " + mfaRequired + "\n"
	}
}

// azdError is an azd error on standard error (PROTOCOL 8.3): from 1.23.7
// one {"error","suggestion"} line; before, a consoleMessage line for the
// error and another for the suggestion.
func azdError(legacy bool, msg, suggestion string) string {
	if !legacy {
		line := `{"error":` + jsonString(msg)
		if suggestion != "" {
			line += `,"suggestion":` + jsonString(suggestion)
		}
		return line + "}\n"
	}
	console := func(m string) string {
		return `{"type":"consoleMessage","timestamp":"2024-05-16T20:35:42.1234567Z","data":{"message":` + jsonString(m) + "}}\n"
	}
	out := console("\nERROR: " + msg + "\n")
	if suggestion != "" {
		out += console("Suggestion: " + suggestion + "\n")
	}
	return out
}

// ReadArgv returns the argument vectors (without the program name) that
// the fake tool ("az", "azd" or "pwsh") written by FakeTools into dir has
// been run with, oldest first; none when it never ran.
func ReadArgv(dir, tool string) ([][]string, error) {
	data, err := os.ReadFile(filepath.Join(dir, tool+".argv"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("identitytest: %w", err)
	}
	fields := strings.Split(string(data), "\x00")
	if fields[len(fields)-1] != "" {
		return nil, fmt.Errorf("identitytest: %s argument log ends mid-field", tool)
	}
	fields = fields[:len(fields)-1]
	var runs [][]string
	for len(fields) > 0 {
		n, err := strconv.Atoi(fields[0])
		if err != nil || n < 0 || n > len(fields)-1 {
			return nil, fmt.Errorf("identitytest: %s argument log is corrupt", tool)
		}
		runs = append(runs, append([]string{}, fields[1:1+n]...))
		fields = fields[1+n:]
	}
	return runs, nil
}

// HangPIDs returns the process IDs of the last ToolHang run of tool: the
// tool itself, which leads its process group when the runner made it one,
// and the child it started. ok is false when the tool was killed before it
// recorded them.
func HangPIDs(dir, tool string) (leader, child int, ok bool) {
	data, err := os.ReadFile(filepath.Join(dir, tool+".pids"))
	if err != nil {
		return 0, 0, false
	}
	f := strings.Fields(string(data))
	if len(f) != 2 {
		return 0, 0, false
	}
	leader, err1 := strconv.Atoi(f[0])
	child, err2 := strconv.Atoi(f[1])
	return leader, child, err1 == nil && err2 == nil && leader > 1 && child > 1
}
