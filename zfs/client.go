package zfs

import (
	"bytes"
	"context"
	"io"
	"maps"
	"slices"
	"sync"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// ClientOptions configure a [Client]. The zero value runs zfs and zpool from
// $PATH with a default [command.Exec] and detects the OpenZFS version on first
// use.
type ClientOptions struct {
	// Runner runs every zfs and zpool command of the client. Nil means a
	// default *command.Exec. Plug in another to run commands through sudo,
	// over ssh or in a container, to log them (command.Exec.Logger), or to
	// script them in tests; see package command.
	Runner command.Runner
	// Version is the OpenZFS version the client drives. When it is zero the
	// client runs `zfs version` on first use to find out; set it to avoid
	// that command (or to drive a fake runner in tests).
	Version Version
	// TextOutput makes the client read the `-H -p` text output of zfs and
	// zpool even where OpenZFS offers `-j` JSON (2.3 and later). The text
	// path is the one OpenZFS before 2.3 takes.
	TextOutput bool
}

// Client runs zfs commands. It holds the Runner and the OpenZFS version, which
// it detects on first use. A Client is safe for concurrent use.
type Client struct {
	opts      ClientOptions
	versionMu sync.Mutex
	version   *Version
}

// New returns a Client configured by opts.
func New(opts ClientOptions) *Client {
	if opts.Runner == nil {
		opts.Runner = &command.Exec{}
	}
	c := &Client{opts: opts}
	if opts.Version != (Version{}) {
		v := opts.Version
		c.version = &v
	}
	return c
}

// Options returns the options the client was made with, with the default
// Runner filled in. Sibling clients (such as zpool's) share them.
func (c *Client) Options() ClientOptions { return c.opts }

// Version returns the OpenZFS userland version, running `zfs version` the first
// time unless [ClientOptions.Version] was set. A failed probe is not cached.
func (c *Client) Version(ctx context.Context) (Version, error) {
	c.versionMu.Lock()
	defer c.versionMu.Unlock()
	if c.version != nil {
		return *c.version, nil
	}
	var out bytes.Buffer
	cmd := &command.Cmd{Name: "zfs", Args: []string{"version"}, Stdout: &out}
	if err := c.opts.Runner.Run(ctx, cmd); err != nil {
		return Version{}, errors.FromCommand("version", "", err)
	}
	v, err := ParseVersion(out.String())
	if err != nil {
		return Version{}, err
	}
	c.version = &v
	return v, nil
}

// json reports whether list-style commands should use `-j` JSON output: the
// version supports it and TextOutput was not asked for.
func (c *Client) json(ctx context.Context) (bool, error) {
	if c.opts.TextOutput {
		return false, nil
	}
	v, err := c.Version(ctx)
	if err != nil {
		return false, err
	}
	return v.SupportsJSON(), nil
}

// runCmd runs cmd with the client's runner and turns a failure into an
// *errors.Error for operation op on the named dataset or pool.
func (c *Client) runCmd(ctx context.Context, op, name string, cmd *command.Cmd) error {
	return errors.FromCommand(op, name, c.opts.Runner.Run(ctx, cmd))
}

// run runs `zfs args...` for op on name, discarding standard output.
func (c *Client) run(ctx context.Context, op, name string, stdin io.Reader, args ...string) error {
	return c.runCmd(ctx, op, name, &command.Cmd{Name: "zfs", Args: args, Stdin: stdin})
}

// output runs `zfs args...` and returns its standard output.
func (c *Client) output(ctx context.Context, op, name string, args ...string) (string, error) {
	var out bytes.Buffer
	err := c.runCmd(ctx, op, name, &command.Cmd{Name: "zfs", Args: args, Stdout: &out})
	return out.String(), err
}

// propArgs turns properties into repeated `flag key=value` arguments, in
// sorted key order, checking each with checkProp.
func propArgs(op, flag string, props map[string]string) ([]string, error) {
	return propArgsChecked(op, flag, props, checkProp)
}

// propArgsChecked is propArgs with another check.
func propArgsChecked(op, flag string, props map[string]string, check func(name, value string) error) ([]string, error) {
	var args []string
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if err := check(k, props[k]); err != nil {
			return nil, errs.WithOp(err, op)
		}
		args = append(args, flag, k+"="+props[k])
	}
	return args, nil
}

// maxArgBytes bounds the argument bytes of one command, well below Linux's
// ARG_MAX (2 MiB by default, shared with the environment).
const maxArgBytes = 1 << 20

// maxArgLen bounds one argument: Linux rejects any longer than
// MAX_ARG_STRLEN (128 KiB).
const maxArgLen = names.MaxArgLen
