package process

import "time"

// DefaultTimeout is how long a tool may run when Command.Timeout is zero:
// 10 seconds, the process_timeout default of the Python library
// (spec/PROTOCOL.md, Section 8.1). A token from a logged-in tool takes well
// under a second; a tool still running after 10 s is waiting for something
// that will not come (a prompt, a network that is down).
const DefaultTimeout = 10 * time.Second

// MaxOutput bounds what is kept of a tool's standard output and, separately,
// of its standard error: 1 MiB. A token answer is a few kilobytes; the rest
// is read and discarded so the tool never blocks on a full pipe.
const MaxOutput = 1 << 20

// PipeGrace is how long Run waits for the output pipes to close after the
// tool has exited or been killed (exec.Cmd.WaitDelay). A process the tool
// started and left running may hold the pipes open for ever; after this
// delay they are closed and Run returns with what was read.
const PipeGrace = 1 * time.Second
