// Command sloghttpget is httpget plus what DESIGN.md's ClientOptions.Logger
// (a *slog.Logger, nil for silence) costs any program that can log through
// it: one (*slog.Logger).LogAttrs call, made only when a logger is set, as
// azid makes its calls. Built (never run) by TestFootprint and
// .ci/footprint, it measures the floor the Logger's type puts under the
// token program: the call reaches slog.Handler.Handle, so the linker keeps
// the Handle method of slog's default handler (set up by slog's init), and
// with it slog's text and JSON formatting and encoding/json. Written for
// this repository.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
)

// logger stands for ClientOptions.Logger: nil unless the program sets it.
var logger *slog.Logger

func main() {
	resp, err := http.Get(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	resp.Body.Close()
	if logger != nil {
		logger.LogAttrs(context.Background(), slog.LevelInfo, "fetched", slog.String("status", resp.Status))
	}
	fmt.Println(resp.Status)
}
