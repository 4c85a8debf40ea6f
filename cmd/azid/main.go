// Command azid gets Microsoft Entra ID access tokens with package identity,
// decodes JWTs, and demonstrates every credential against an in-process fake
// Entra ID (package identitytest).
//
//	azid demo                                   run every credential against a fake Entra ID
//	azid token --scope S [--credential NAME] [--tenant T] [--output json|raw]
//	azid decode [TOKEN]                         print a JWT's header and claims, unverified
//
// Exit codes: 0 success; 1 the operation failed (authentication, network);
// 2 bad usage; 3 the credential is unavailable (not configured here).
// Errors go to stderr; results to stdout.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// Exit codes, documented in the package comment and in `azid help`.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitUnavailable = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `azid: Microsoft Entra ID tokens on the Go standard library.

Usage:
  azid demo                 run every credential against an in-process fake Entra ID
  azid token --scope S      print an access token (like az account get-access-token)
  azid decode [TOKEN]       print a JWT's header and claims (NOT verified)
  azid help [COMMAND]       show help

Exit codes: 0 ok, 1 failed, 2 bad usage, 3 credential unavailable.
Run 'azid COMMAND --help' for a command's options.
`

// execute runs the command line args and returns the exit code; main is a
// thin wrapper so tests can call this directly.
func execute(ctx context.Context, args []string, out, errOut io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(errOut, usage)
		return exitUsage
	}
	switch args[0] {
	case "demo":
		return runDemo(ctx, args[1:], out, errOut)
	case "token":
		return runToken(ctx, args[1:], out, errOut)
	case "decode":
		return runDecode(ctx, args[1:], os.Stdin, out, errOut)
	case "help", "-h", "--help", "-help":
		// "help X" is "X --help", once: a help word after a help word is
		// the usage, not another round.
		if len(args) > 1 && !isHelpWord(args[1]) {
			return execute(ctx, []string{args[1], "--help"}, out, errOut)
		}
		fmt.Fprint(out, usage)
		return exitOK
	default:
		fmt.Fprintf(errOut, "azid: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
}

// isHelpWord reports whether arg asks for the usage.
func isHelpWord(arg string) bool {
	switch arg {
	case "help", "-h", "--help", "-help":
		return true
	}
	return false
}
