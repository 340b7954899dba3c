package zfs

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// identityProps are the columns every listing asks for: what a handle holds.
var identityProps = []string{"name", "type", "guid", "createtxg", "creation"}

// Filesystem returns a handle on the named filesystem, reading its identity
// with one `zfs list`. It fails with an error of Kind NotExist if there is no
// such dataset and InvalidArgument if the dataset is not a filesystem.
func (c *Client) Filesystem(ctx context.Context, name string) (*Filesystem, error) {
	d, err := c.identity(ctx, "list", name, names.Dataset, TypeFilesystem)
	if err != nil {
		return nil, err
	}
	return newFilesystem(d), nil
}

// Volume returns a handle on the named volume; see Filesystem.
func (c *Client) Volume(ctx context.Context, name string) (*Volume, error) {
	d, err := c.identity(ctx, "list", name, names.Dataset, TypeVolume)
	if err != nil {
		return nil, err
	}
	return newVolume(d), nil
}

// Snapshot returns a handle on the named snapshot, "pool/a@s"; see
// Filesystem.
func (c *Client) Snapshot(ctx context.Context, name string) (*Snapshot, error) {
	d, err := c.identity(ctx, "list", name, names.Snapshot, TypeSnapshot)
	if err != nil {
		return nil, err
	}
	return newSnapshot(d), nil
}

// Bookmark returns a handle on the named bookmark, "pool/a#b"; see
// Filesystem.
func (c *Client) Bookmark(ctx context.Context, name string) (*Bookmark, error) {
	d, err := c.identity(ctx, "list", name, names.Bookmark, TypeBookmark)
	if err != nil {
		return nil, err
	}
	return newBookmark(d), nil
}

// identity reads the identity columns of one dataset with `zfs list -H -p`
// (they hold no free text, so the text output is exact on every version) and
// checks its type (0 accepts any).
func (c *Client) identity(ctx context.Context, op, name string, check func(string) error, want Type) (dataset, error) {
	if err := check(name); err != nil {
		return dataset{}, errs.WithOp(err, op)
	}
	var out bytes.Buffer
	cmd := &command.Cmd{Name: "zfs", Args: []string{"list", "-H", "-p", "-t", "all", "-o", strings.Join(identityProps, ","), name}, Stdout: &out}
	if err := c.runCmd(ctx, op, name, cmd); err != nil {
		return dataset{}, err
	}
	line, _, _ := strings.Cut(out.String(), "\n")
	f := strings.Split(line, "\t")
	if len(f) != len(identityProps) || f[0] != name {
		return dataset{}, errs.Newf(errors.Other, op, name, "unexpected zfs list output %q", line)
	}
	d := dataset{c: c, name: name, typ: parseType(f[1])}
	d.guid, _ = strconv.ParseUint(f[2], 10, 64)
	d.createTXG, _ = strconv.ParseUint(f[3], 10, 64)
	d.creation, _ = strconv.ParseInt(f[4], 10, 64)
	if want != 0 && d.typ != want {
		return dataset{}, errs.InvalidArgumentf(op, name, "%s is a %s, not a %s", name, d.typ, want)
	}
	return d, nil
}

// Properties is a list of property values, as returned by a listing
// ([Dataset.Properties]) or by the Get method of a handle; the zpool package
// reports pool properties with it too.
type Properties []Property

// Lookup returns the named property and whether it is in the list.
func (ps Properties) Lookup(name string) (Property, bool) {
	for i := range ps {
		if ps[i].Name == name {
			return ps[i], true
		}
	}
	return Property{Name: name, Value: "-"}, false
}

// Property returns the named property, or one with Value "-" (no value) if
// it is not in the list.
func (ps Properties) Property(name string) Property {
	p, _ := ps.Lookup(name)
	return p
}

// handle is what every handle adds to the identity: the client, and reading
// properties.
type handle struct{ dataset }

// Client returns the client the handle runs its commands with.
func (h *handle) Client() *Client { return h.c }

// Get reads the named properties (all of them when no name is given) with
// one `zfs get`, in the order zfs reports them. Any property name is
// accepted, including user properties ("module:prop") and written@snap; a
// user property that is not set has Value "-" and Source SourceNone.
func (h *handle) Get(ctx context.Context, props ...string) (Properties, error) {
	return h.c.getProperties(ctx, h.name, props)
}

// settable is a handle whose properties can be set and inherited: all but
// bookmarks, whose properties zfs does not let anyone change.
type settable struct{ handle }

// Set sets properties on the dataset with one `zfs set a=1 b=2 ... name`:
// either all of them are set or, if zfs rejects one, none is. Keys are
// passed in sorted order.
func (d *settable) Set(ctx context.Context, props map[string]string) error {
	if len(props) == 0 {
		return nil
	}
	args := []string{"set"}
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if err := checkPropName(k); err != nil {
			return errs.WithOp(err, "set")
		}
		args = append(args, k+"="+props[k])
	}
	args = append(args, d.name)
	return d.c.runCmd(ctx, "set", d.name, &command.Cmd{Name: "zfs", Args: args})
}

// InheritOptions are the options of Inherit.
type InheritOptions struct {
	// Recursive (-r) also clears the properties on all descendants.
	Recursive bool
	// Received (-S) reverts to the received value, if any, rather than
	// inheriting.
	Received bool
	// ExtraArgs are more arguments for `zfs inherit`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

// Inherit clears the local values of the named properties with one `zfs
// inherit`, so that they are inherited from the parent (or take their
// default, or received, value). Clearing a user property removes it.
func (d *settable) Inherit(ctx context.Context, opts InheritOptions, props ...string) error {
	if len(props) == 0 {
		return errs.InvalidArgumentf("inherit", d.name, "no property given")
	}
	args := []string{"inherit"}
	if opts.Recursive {
		args = append(args, "-r")
	}
	if opts.Received {
		args = append(args, "-S")
	}
	for _, p := range props {
		if err := checkPropName(p); err != nil {
			return errs.WithOp(err, "inherit")
		}
	}
	if err := checkExtra("inherit", d.name, opts.ExtraArgs); err != nil {
		return err
	}
	args = append(args, opts.ExtraArgs...)
	args = append(args, props...)
	args = append(args, d.name)
	return d.c.runCmd(ctx, "inherit", d.name, &command.Cmd{Name: "zfs", Args: args})
}

// checkPropName rejects property names zfs would misread: empty, beginning
// with '-', or holding '=', ',' or whitespace.
func checkPropName(p string) error {
	if p == "" || p[0] == '-' || strings.ContainsAny(p, "=, \t\n") {
		return errs.InvalidArgumentf("", p, "invalid property name %q", p)
	}
	return nil
}

// getProperties runs `zfs get` for one dataset.
func (c *Client) getProperties(ctx context.Context, name string, props []string) (Properties, error) {
	if err := names.Any(name); err != nil {
		return nil, errs.WithOp(err, "get")
	}
	list := "all"
	if len(props) > 0 {
		for _, p := range props {
			if err := checkPropName(p); err != nil {
				return nil, errs.WithOp(err, "get")
			}
		}
		list = strings.Join(props, ",")
	}
	var out bytes.Buffer
	cmd := &command.Cmd{Name: "zfs", Args: []string{"get", "-H", "-p", "-o", "name,property,value,source", list, name}, Stdout: &out}
	if err := c.runCmd(ctx, "get", name, cmd); err != nil {
		return nil, err
	}
	var ps Properties
	for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		f := strings.SplitN(line, "\t", 4)
		if len(f) != 4 {
			continue
		}
		ps = append(ps, Property{Name: f[1], Value: f[2], Source: parseSourceText(f[3])})
	}
	return ps, nil
}
