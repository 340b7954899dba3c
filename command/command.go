package command

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Cmd describes one command to run.
type Cmd struct {
	// Name is the program, "zfs" or "zpool"; runners map it to a binary path.
	Name string
	// Args are the arguments after the program name. They are passed as argv,
	// never through a shell.
	Args []string
	// Stdin is the command's standard input; nil means empty input. An *os.File is
	// handed to the child directly, with no copy through Go.
	Stdin io.Reader
	// Stdout receives the command's standard output; nil discards it. An *os.File
	// is handed to the child directly.
	Stdout io.Writer
	// Stderr, if set, also receives the command's standard error as it is written.
	// Runners capture a bounded copy of stderr for errors either way.
	Stderr io.Writer
	// Interrupt asks the runner to stop the command with SIGINT rather than
	// SIGTERM when the context ends (zfs receive -s saves resumable state on
	// SIGINT). Runners that cannot send signals may ignore it.
	Interrupt bool
}

// Argv returns the full argument vector: Name followed by Args.
func (c *Cmd) Argv() []string {
	return append([]string{c.Name}, c.Args...)
}

// String returns the command line for logs and error messages, quoting arguments
// that contain spaces or shell metacharacters. It is never executed.
func (c *Cmd) String() string {
	parts := make([]string, 0, len(c.Args)+1)
	for _, a := range c.Argv() {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`;&|<>*?()[]{}#~") {
			a = fmt.Sprintf("%q", a)
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// Runner runs commands. Implementations must be safe for concurrent use.
type Runner interface {
	// Run runs c to completion and returns when the command has exited and all
	// of its output has been delivered. A command that ran and exited non-zero
	// (or was killed by a signal) is reported as an *ExitError carrying its
	// exit code and captured stderr. If ctx ends first, the command is stopped
	// and the returned error satisfies errors.Is(err, ctx.Err()).
	Run(ctx context.Context, c *Cmd) error
}

// RunnerFunc adapts a function to the Runner interface.
type RunnerFunc func(ctx context.Context, c *Cmd) error

// Run calls f(ctx, c).
func (f RunnerFunc) Run(ctx context.Context, c *Cmd) error { return f(ctx, c) }

// ExitError reports a command that ran and failed.
type ExitError struct {
	// Argv is the command that ran, program name first.
	Argv []string
	// Code is the exit status, or -1 if the process was killed by a signal.
	Code int
	// Stderr is the captured standard error, bounded (head and tail are kept).
	Stderr string
	// Err is the context's error when the context ended the command, else the
	// underlying error from the operating system (for example *exec.ExitError).
	Err error
}

// Error returns "zfs destroy tank/a: exit status 1: <first stderr line>".
func (e *ExitError) Error() string {
	var b strings.Builder
	b.WriteString(strings.Join(e.Argv, " "))
	if e.Code >= 0 {
		fmt.Fprintf(&b, ": exit status %d", e.Code)
	} else {
		b.WriteString(": killed")
	}
	if s := strings.TrimSpace(e.Stderr); s != "" {
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[:i]
		}
		b.WriteString(": ")
		b.WriteString(s)
	}
	if e.Err != nil && e.Code < 0 {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ExitError) Unwrap() error { return e.Err }
