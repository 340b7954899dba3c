package zfs

import (
	"bytes"
	"context"
	"log/slog"
	"sync"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
)

// Runner runs one zfs or zpool command. The default is an *ExecRunner; plug in
// your own to run commands through sudo, over ssh or in a container. A Runner
// reports a command that ran and failed as an *ExitError.
type Runner = command.Runner

// RunnerFunc adapts a function to the Runner interface.
type RunnerFunc = command.RunnerFunc

// Cmd is one command for a Runner: a program name ("zfs" or "zpool"), its
// arguments (argv, never a shell string) and optional standard streams.
type Cmd = command.Cmd

// ExitError is what a Runner returns for a command that ran and failed: its
// argv, exit code and (bounded) standard error.
type ExitError = command.ExitError

// ExecRunner is the default Runner: it runs the programs with os/exec, with
// LC_ALL=C, in their own process group, with graceful cancellation and an
// optional slog hook. Its zero value is ready to use.
type ExecRunner = command.Exec

// Client runs zfs commands. It holds the Runner and the OpenZFS version, which
// it detects on first use. A Client is safe for concurrent use.
type Client struct {
	runner    Runner
	textOnly  bool
	versionMu sync.Mutex
	version   *Version
}

// Option configures a Client.
type Option func(*Client)

// WithRunner makes the client run commands with r instead of a default
// ExecRunner.
func WithRunner(r Runner) Option { return func(c *Client) { c.runner = r } }

// WithExec makes the client use the given exec runner settings (binary paths,
// grace period, logger).
func WithExec(e *ExecRunner) Option { return func(c *Client) { c.runner = e } }

// WithLogger makes the default exec runner log every command (argv, duration,
// exit status) to l. It has no effect on a runner set with WithRunner.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) {
		if e, ok := c.runner.(*ExecRunner); ok {
			e2 := *e
			e2.Logger = l
			c.runner = &e2
		}
	}
}

// WithVersion tells the client which OpenZFS version it drives, so it does not
// run `zfs version` to find out.
func WithVersion(v Version) Option { return func(c *Client) { c.version = &v } }

// WithTextOutput makes the client parse the `-H -p` text output even where
// OpenZFS offers JSON (≥ 2.3).
func WithTextOutput() Option { return func(c *Client) { c.textOnly = true } }

// New returns a Client. Without options it runs `zfs` and `zpool` from $PATH.
func New(opts ...Option) *Client {
	c := &Client{runner: &ExecRunner{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Runner returns the client's Runner.
func (c *Client) Runner() Runner { return c.runner }

// Version returns the OpenZFS userland version, running `zfs version` the first
// time. A failed probe is not cached.
func (c *Client) Version(ctx context.Context) (Version, error) {
	c.versionMu.Lock()
	defer c.versionMu.Unlock()
	if c.version != nil {
		return *c.version, nil
	}
	var out bytes.Buffer
	cmd := &Cmd{Name: "zfs", Args: []string{"version"}, Stdout: &out}
	if err := c.runner.Run(ctx, cmd); err != nil {
		return Version{}, errors.FromCommand("version", "", err)
	}
	v, err := ParseVersion(out.String())
	if err != nil {
		return Version{}, err
	}
	c.version = &v
	return v, nil
}

// JSON reports whether list-style commands should use `-j` JSON output: the
// version supports it and WithTextOutput was not given.
func (c *Client) JSON(ctx context.Context) (bool, error) {
	if c.textOnly {
		return false, nil
	}
	v, err := c.Version(ctx)
	if err != nil {
		return false, err
	}
	return v.SupportsJSON(), nil
}

// Run runs cmd with the client's runner and turns a failure into an
// *errors.Error for operation op on the named dataset or pool. It is the one
// place the zfs package and its siblings run commands through.
func (c *Client) Run(ctx context.Context, op, name string, cmd *Cmd) error {
	return errors.FromCommand(op, name, c.runner.Run(ctx, cmd))
}
