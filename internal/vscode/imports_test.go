package vscode

import (
	"go/build"
	"testing"
)

// allowedImports lists every package vscode may import, with the reason
// (STYLE.md, "Ground"): the standard library and the secret stores.
var allowedImports = map[string]string{
	"bytes":         "settings text handling",
	"context":       "cancellation of the secret store lookup",
	"encoding/json": "settings.json",
	"errors":        "sentinels, errors.As",
	"fmt":           "error texts",
	"io":            "bounded file reads",
	"io/fs":         "telling a missing file from an unreadable one",
	"os":            "reading settings.json",
	"github.com/azid-go/azid/internal/secretstore": "the OS secret stores that hold the refresh token",
}

func TestImports(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows", "freebsd"} {
		ctx := build.Default
		ctx.GOOS = goos
		pkg, err := ctx.ImportDir(".", 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkg.Imports {
			if _, ok := allowedImports[p]; !ok {
				t.Errorf("vscode imports %q on %s, which is not in allowedImports; add it with a reason, or don't", p, goos)
			}
		}
	}
}
