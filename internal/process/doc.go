// Package process runs the developer tools (az, azd, pwsh) that the
// developer credentials ask for tokens (spec/PROTOCOL.md, Section 8.1).
//
// A tool is found on PATH by its bare name and started directly with an
// argument vector: never through /bin/sh or cmd.exe, so no argument is ever
// parsed by a shell. Its standard input is the null device, so a prompt
// cannot wait for an answer; its working directory belongs to the operating
// system (/bin, or %SYSTEMROOT% on Windows), so an executable planted in the
// application's directory is never picked up; it inherits the environment,
// less the variables that hold another credential's secret (client secret,
// certificate and user passwords, managed identity and pipeline tokens:
// secretVariables), plus the variables the
// caller adds. A timeout (DefaultTimeout unless the caller sets one, and
// never later than the context's deadline) ends it: on Unix the tool runs in
// its own process group and the whole group is killed, so a child it
// started dies with it. Wait is always called, so no zombie is left, and a
// grandchild that keeps the output pipes open delays Run by at most
// PipeGrace, after which (on Unix) the group is killed too.
//
// Run does not judge the tool's output; package devcli does. Scrub removes
// access tokens from tool output before any of it may reach an error.
//
// # Security considerations
//
// Standard output and standard error are each kept up to MaxOutput bytes;
// the excess is read and discarded, so a chatty tool can neither exhaust
// memory nor block on a full pipe. Standard output of a successful tool
// holds an access token: callers must not put it in errors or logs, and
// must pass anything from standard error through Scrub first. Errors from
// Run name the tool and the cause, never its arguments or output.
//
// On Windows, a tool found as a .cmd file (az.cmd) is run by Windows through
// cmd.exe whatever this package does, and cmd.exe interprets %, ^, &, |, <,
// > and quotes in its arguments. Callers must therefore pass only arguments
// made of characters cmd.exe leaves alone; package devcli validates every
// value it puts on a command line against the character sets of
// spec/PROTOCOL.md, Sections 1.2 and 1.3, which exclude all of them. On
// Windows only the tool itself is killed at the timeout, not the processes
// it started (that would need a job object).
//
// Everything here is safe for concurrent use.
package process
