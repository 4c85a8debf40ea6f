// Command httpget is the baseline of the footprint proof: a program that
// only does an http.Get and prints the status, built (never run) by
// TestFootprint and .ci/footprint next to tokenprog (issue 7, item 4).
// Written for this repository.
package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	resp, err := http.Get(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
}
