// Package commandtest provides a scripted fake command.Runner for unit tests.
//
// A Fake holds expectations, each an exact argv with the stdout, stderr and exit
// code to answer with. A command that matches no expectation fails the test
// (t.Errorf) and returns an error; expectations left unused when the test ends
// fail it too.
package commandtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/gozfs/gozfs/command"
	"github.com/stretchr/testify/assert"
)

// TB is the subset of testing.TB the fake needs.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Cleanup(func())
}

// Expectation is one scripted command. Create them with Fake.Expect.
type Expectation struct {
	argv     []string
	stdout   []byte
	stderr   string
	code     int
	err      error
	do       func(ctx context.Context, c *command.Cmd) error
	times    int // 0 means exactly once; -1 means any number
	used     int
	gotStdin [][]byte
}

// Stdout sets what the command writes to standard output.
func (e *Expectation) Stdout(s string) *Expectation { e.stdout = []byte(s); return e }

// StdoutBytes sets standard output from bytes.
func (e *Expectation) StdoutBytes(b []byte) *Expectation { e.stdout = b; return e }

// Stderr sets what the command writes to standard error.
func (e *Expectation) Stderr(s string) *Expectation { e.stderr = s; return e }

// Exit sets the exit code (a non-zero code is reported as *command.ExitError).
func (e *Expectation) Exit(code int) *Expectation { e.code = code; return e }

// Fail makes the command fail with err, as a runner does when the program
// cannot be started.
func (e *Expectation) Fail(err error) *Expectation { e.err = err; return e }

// Do runs f instead of the scripted output; f sees the command with its
// streams and may block on ctx. Stdout, Stderr and Exit are ignored.
func (e *Expectation) Do(f func(ctx context.Context, c *command.Cmd) error) *Expectation {
	e.do = f
	return e
}

// Times allows the expectation to match n times (n < 0: any number of times).
func (e *Expectation) Times(n int) *Expectation { e.times = n; return e }

// Stdin returns what each matching call read from its standard input.
func (e *Expectation) Stdin() [][]byte { return e.gotStdin }

// Fake is a scripted command.Runner. It is safe for concurrent use.
type Fake struct {
	t       TB
	mu      sync.Mutex
	exps    []*Expectation
	ordered bool
	calls   [][]string
}

var _ command.Runner = (*Fake)(nil)

// New returns a Fake bound to t. When the test ends, t fails if an expectation
// was not used as many times as it allows.
func New(t TB) *Fake {
	f := &Fake{t: t}
	t.Cleanup(f.verify)
	return f
}

// InOrder makes the fake require expectations to be met in the order they were
// added.
func (f *Fake) InOrder() *Fake { f.ordered = true; return f }

// Expect adds an expectation for the exact argv (program name first).
func (f *Fake) Expect(argv ...string) *Expectation {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := &Expectation{argv: argv}
	f.exps = append(f.exps, e)
	return e
}

// Calls returns every argv the fake was asked to run, in order.
func (f *Fake) Calls() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (e *Expectation) open() bool { return e.times < 0 || e.used < max(e.times, 1) }

func (f *Fake) match(argv []string) *Expectation {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, argv)
	for _, e := range f.exps {
		if !e.open() {
			continue
		}
		if slices.Equal(e.argv, argv) {
			e.used++
			return e
		}
		if f.ordered && e.times >= 0 {
			return nil
		}
	}
	return nil
}

// Run implements command.Runner.
func (f *Fake) Run(ctx context.Context, c *command.Cmd) error {
	argv := c.Argv()
	e := f.match(argv)
	if e == nil {
		f.t.Helper()
		assert.Fail(f.t, "commandtest: unexpected command: "+c.String())
		return fmt.Errorf("commandtest: unexpected command: %s", c.String())
	}
	if err := ctx.Err(); err != nil {
		return &command.ExitError{Argv: argv, Code: -1, Err: err}
	}
	if e.do != nil {
		return e.do(ctx, c)
	}
	if e.err != nil {
		return e.err
	}
	if c.Stdin != nil {
		b, err := io.ReadAll(c.Stdin)
		if err != nil {
			return &command.ExitError{Argv: argv, Code: 1, Stderr: err.Error(), Err: err}
		}
		f.mu.Lock()
		e.gotStdin = append(e.gotStdin, b)
		f.mu.Unlock()
	}
	if c.Stdout != nil && len(e.stdout) > 0 {
		if _, err := io.Copy(c.Stdout, bytes.NewReader(e.stdout)); err != nil {
			return &command.ExitError{Argv: argv, Code: -1, Err: err}
		}
	}
	if c.Stderr != nil && e.stderr != "" {
		io.WriteString(c.Stderr, e.stderr)
	}
	if e.code != 0 {
		return &command.ExitError{Argv: argv, Code: e.code, Stderr: e.stderr}
	}
	return nil
}

func (f *Fake) verify() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.exps {
		switch {
		case e.times < 0:
		case e.times == 0 && e.used != 1, e.times > 0 && e.used != e.times:
			f.t.Helper()
			assert.Fail(f.t, fmt.Sprintf("commandtest: expected %q to run %d time(s), ran %d", strings.Join(e.argv, " "), max(e.times, 1), e.used))
		}
	}
}
