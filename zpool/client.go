package zpool

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/zfs"
)

// Client runs zpool commands. It is built on a *zfs.Client, whose Runner and
// OpenZFS version probe it shares: a program that drives both zfs and zpool
// makes one zfs.Client and passes it to New, so both go through the same
// runner (sudo, ssh, a logger) and `zfs version` runs at most once.
//
// A Client is safe for concurrent use.
type Client struct {
	zc *zfs.Client
}

// New returns a Client that runs commands through c. A nil c means
// zfs.New(zfs.ClientOptions{}): zpool from $PATH through the default exec
// runner.
func New(c *zfs.Client) *Client {
	if c == nil {
		c = zfs.New(zfs.ClientOptions{})
	}
	return &Client{zc: c}
}

// ZFS returns the zfs.Client the Client runs commands through.
func (c *Client) ZFS() *zfs.Client { return c.zc }

// output runs `zpool args...` for operation op on name and returns its
// standard output.
func (c *Client) output(ctx context.Context, op, name string, args ...string) ([]byte, error) {
	var out bytes.Buffer
	err := c.runCmd(ctx, op, name, &command.Cmd{Name: "zpool", Args: args, Stdout: &out})
	return out.Bytes(), err
}

// runOn runs `zpool <verb> flags... extra... pool operands...` for operation
// op ("zpool <verb>") on an existing pool, once the pool name and the extra
// arguments pass their checks: the shape of most commands that change a
// pool. Callers check the operands first.
func (c *Client) runOn(ctx context.Context, op, pool string, flags []string, extra zfs.ExtraArgs, operands ...string) error {
	if err := checkPool(op, pool); err != nil {
		return err
	}
	if err := checkExtra(op, pool, extra); err != nil {
		return err
	}
	args := append([]string{strings.TrimPrefix(op, "zpool ")}, flags...)
	args = append(args, extra...)
	args = append(args, pool)
	return c.run(ctx, op, pool, append(args, operands...)...)
}

// run runs `zpool args...` for operation op on name, discarding its output.
func (c *Client) run(ctx context.Context, op, name string, args ...string) error {
	return c.runCmd(ctx, op, name, &command.Cmd{Name: "zpool", Args: args})
}

// runCmd runs cmd with the zfs client's runner and turns a failure into an
// *errors.Error for operation op on name.
func (c *Client) runCmd(ctx context.Context, op, name string, cmd *command.Cmd) error {
	return errors.FromCommand(op, name, c.zc.Options().Runner.Run(ctx, cmd))
}

// json reports whether to ask zpool for JSON output: the zfs client was not
// told to read text output, and the version offers JSON.
func (c *Client) json(ctx context.Context) (bool, error) {
	if c.zc.Options().TextOutput {
		return false, nil
	}
	v, err := c.zc.Version(ctx)
	if err != nil {
		return false, err
	}
	return v.SupportsJSON(), nil
}

// form is one of the two output forms of a reporting command: its arguments
// (before the pool names) and the parser of its output.
type form[T any] struct {
	args  []string
	parse func([]byte) ([]T, error)
}

// report runs a command that reports on the named pools, or on every
// imported pool when none is named, in JSON form when the client reads JSON
// and the version offers it (see json), in text form otherwise.
func report[T any](ctx context.Context, c *Client, op string, pools []string, js, text form[T]) ([]T, error) {
	if err := checkPools(op, pools); err != nil {
		return nil, err
	}
	name := ""
	if len(pools) == 1 {
		name = pools[0]
	}
	useJSON, err := c.json(ctx)
	if err != nil {
		return nil, err
	}
	f := text
	if useJSON {
		f = js
	}
	out, err := c.output(ctx, op, name, append(slices.Clone(f.args), pools...)...)
	if err != nil {
		return nil, err
	}
	return f.parse(out)
}

// find returns the element of all that nameOf names name, or an error of
// Kind NotExist for op.
func find[T any](op, name string, all []T, nameOf func(T) string) (T, error) {
	for _, x := range all {
		if nameOf(x) == name {
			return x, nil
		}
	}
	var zero T
	return zero, errs.Newf(errors.NotExist, op, name, "no such pool")
}

// checkPool validates the name of an existing pool for operation op.
func checkPool(op, name string) error {
	return errs.WithOp(names.Pool(name), op)
}

// checkExtra validates the ExtraArgs of an options struct for operation op
// on pool.
func checkExtra(op, pool string, a zfs.ExtraArgs) error {
	return errs.WithOp(names.ExtraArgs(pool, a), op)
}

// checkPools validates several pool names.
func checkPools(op string, pools []string) error {
	for _, p := range pools {
		if err := checkPool(op, p); err != nil {
			return err
		}
	}
	return nil
}

// checkDevices validates device or vdev operands: they must not be taken
// for options or for the keywords of a vdev specification.
func checkDevices(op, pool string, devs []string) error {
	for _, d := range devs {
		if err := checkDevice(op, pool, d); err != nil {
			return err
		}
	}
	return nil
}

// checkPoolDevices validates the pool and the devices of an operation that
// needs at least one device.
func checkPoolDevices(op, pool string, devs []string) error {
	if err := checkPool(op, pool); err != nil {
		return err
	}
	if len(devs) == 0 {
		return errs.InvalidArgumentf(op, pool, "no device given")
	}
	return checkDevices(op, pool, devs)
}

func checkDevice(op, pool, dev string) error {
	if err := names.Operand(dev); err != nil {
		return errs.InvalidArgumentf(op, pool, "invalid device %q: must be non-empty and not begin with '-'", dev)
	}
	if isKeyword(dev) {
		return errs.InvalidArgumentf(op, pool, "invalid device %q: it is a vdev keyword", dev)
	}
	return nil
}

// keywordRE matches the words zpool reads as a vdev type or class in a vdev
// specification rather than as a device.
var keywordRE = regexp.MustCompile(`^(mirror|raidz[0-3]?|draid[0-3]?(:[0-9]+[dcs])*|logs?|cache|spares?|special|dedup)$`)

// isKeyword reports whether s would be read by zpool as a vdev type or class
// keyword rather than a device.
func isKeyword(s string) bool { return keywordRE.MatchString(s) }

// propArgs turns properties into sorted "flag key=value" pairs, after
// checking every key.
func propArgs(op, pool, flag string, props map[string]string) ([]string, error) {
	keys := make([]string, 0, len(props))
	for k := range props {
		if err := checkPropName(op, pool, k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	args := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		args = append(args, flag, k+"="+props[k])
	}
	return args, nil
}

// checkPropName validates a property name: non-empty, no '=', no leading '-'
// and no white space or control characters.
func checkPropName(op, pool, prop string) error {
	if prop == "" || prop[0] == '-' || strings.ContainsAny(prop, "= \t\n\r,") {
		return errs.InvalidArgumentf(op, pool, "invalid property name %q", prop)
	}
	for _, r := range prop {
		if r < 0x20 || r == 0x7f {
			return errs.InvalidArgumentf(op, pool, "invalid property name %q", prop)
		}
	}
	return nil
}
