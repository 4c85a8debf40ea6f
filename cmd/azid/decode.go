package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/azid-go/azid/jwt"
)

const decodeHelp = `Usage: azid decode [TOKEN]

Prints the header and claims of a JWT (for example an access token) as JSON.
The token is read from the argument, or from standard input when there is
none. NOTHING IS VERIFIED: not the signature, not the issuer, not the expiry.
Use it to look at a token, never to decide whether to trust one.
`

// maxDecodeInput bounds what decode reads from standard input.
const maxDecodeInput = 1 << 20

func runDecode(_ context.Context, args []string, in io.Reader, out, errOut io.Writer) int {
	fs := flag.NewFlagSet("decode", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() { fmt.Fprint(errOut, decodeHelp) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	var token string
	switch fs.NArg() {
	case 0:
		b, err := io.ReadAll(io.LimitReader(in, maxDecodeInput+1))
		if err != nil {
			fmt.Fprintf(errOut, "azid decode: reading standard input: %v\n", err)
			return exitFailed
		}
		if len(b) > maxDecodeInput {
			fmt.Fprintln(errOut, "azid decode: input larger than 1 MiB")
			return exitUsage
		}
		token = strings.TrimSpace(string(b))
	case 1:
		token = strings.TrimSpace(fs.Arg(0))
	default:
		fmt.Fprint(errOut, decodeHelp)
		return exitUsage
	}
	token = strings.TrimPrefix(token, "Bearer ")
	_, payload, err := jwt.ParseUnverified(token)
	if err != nil {
		fmt.Fprintf(errOut, "azid decode: %v\n", err)
		return exitFailed
	}
	// The header is printed whole, as sent: jwt.Header has only the members
	// jwt reads (a Graph token's nonce, cty, jku would be lost).
	rawHeader, err := base64.RawURLEncoding.DecodeString(token[:strings.IndexByte(token, '.')])
	var header bytes.Buffer
	if err == nil {
		err = json.Indent(&header, rawHeader, "", "  ")
	}
	if err != nil {
		fmt.Fprintf(errOut, "azid decode: the header is not JSON: %v\n", err)
		return exitFailed
	}
	var claims bytes.Buffer
	if err := json.Indent(&claims, payload, "", "  "); err != nil {
		fmt.Fprintf(errOut, "azid decode: claims are not JSON: %v\n", err)
		return exitFailed
	}
	fmt.Fprintln(out, "# NOT VERIFIED: signature, issuer and lifetime were not checked.")
	fmt.Fprintf(out, "# header\n%s\n# claims\n%s\n", header.Bytes(), claims.Bytes())
	return exitOK
}
