package process

import (
	"go/build"
	"testing"
)

// allowedImports lists every package process may import, with the reason
// (STYLE.md, "Ground"): the standard library only, and nothing of azid.
// regexp is left out on purpose: Scrub is a plain scanner, and every
// program that links a developer credential would pay for the engine.
var allowedImports = map[string]string{
	"context":       "the timeout and the caller's cancellation",
	"errors":        "ErrNotFound, errors.As on exit errors",
	"fmt":           "error texts",
	"os":            "the inherited environment, SYSTEMROOT, ErrProcessDone",
	"os/exec":       "starting and waiting for the tool",
	"path/filepath": "refusing relative PATH matches, extensions on Windows",
	"runtime":       "naming an unsupported system",
	"strings":       "Scrub, checking commands",
	"syscall":       "process groups and kill(2) on Unix",
	"time":          "timeouts",
}

func TestImports(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows", "freebsd", "plan9"} {
		ctx := build.Default
		ctx.GOOS = goos
		pkg, err := ctx.ImportDir(".", 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkg.Imports {
			if _, ok := allowedImports[p]; !ok {
				t.Errorf("process imports %q on %s, which is not in allowedImports; add it with a reason, or don't", p, goos)
			}
		}
	}
}
