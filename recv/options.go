package recv

import (
	"context"
	"slices"
	"strings"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/zfs"
)

// Naming says how zfs receive names what it creates from the target and the
// name of the sent snapshot.
type Naming uint8

const (
	// AsGiven uses the target as given: a snapshot name is created exactly,
	// and a filesystem or volume name receives a snapshot named like the
	// sent one.
	AsGiven Naming = iota
	// DiscardFirst appends the sent dataset's name without its first
	// element (usually the pool) to the target filesystem, creating
	// intermediate filesystems as needed (-d).
	DiscardFirst
	// KeepLast appends only the last element of the sent dataset's name to
	// the target filesystem (-e).
	KeepLast
)

// Options control a receive. The zero value receives as `zfs receive target`
// does. Invalid combinations are rejected before anything runs, with an error
// of Kind errors.InvalidArgument (or errors.NotSupported for options the
// OpenZFS version lacks).
type Options struct {
	// Force rolls the destination back to its most recent snapshot first,
	// and for an incremental replication stream destroys snapshots and
	// filesystems that no longer exist on the sending side (-F).
	Force bool
	// Resumable saves the partially received state if the receive is
	// interrupted, so that `zfs send -t <token>` can resume it (-s). A
	// failed resumable receive is reported as an *errors.ResumableError
	// with the token.
	Resumable bool
	// NoMount leaves the received filesystem unmounted (-u).
	NoMount bool
	// SkipHolds does not receive the holds of a stream sent with holds (-h).
	SkipHolds bool
	// Naming selects -d or -e naming; the target must then be a filesystem.
	Naming Naming
	// SetProperties override received properties, as if set before the
	// receive (-o name=value, in sorted order). They can make an
	// unencrypted stream arrive encrypted: "encryption": "on" with
	// "keyformat" and a "keylocation" of the form file:///path (zfs reads
	// the stream on standard input, so keylocation=prompt is rejected; set
	// it after the receive if needed). Raw streams keep their encryption;
	// only keylocation may be overridden for them. Use Origin rather than
	// an "origin" property.
	SetProperties map[string]string
	// ExcludeProperties leaves these properties of the stream unapplied:
	// they are inherited or left at their default (-x).
	ExcludeProperties []string
	// Origin receives a full stream as a clone of this snapshot, a full
	// name (-o origin=snapshot).
	Origin string
	// Corrective uses the stream to heal corrupted data blocks of the
	// existing snapshot it was sent from, instead of creating anything
	// (-c, OpenZFS 2.2 and later). It cannot be combined with Force,
	// Resumable, NoMount, SkipHolds or a Naming other than AsGiven.
	Corrective bool
	// DryRun checks the stream and reports what would be received without
	// receiving it (-n).
	DryRun bool
	// ExtraArgs are more arguments for `zfs receive`, for flags this
	// package does not model; see [zfs.ExtraArgs]. They are not checked
	// against the other options.
	ExtraArgs zfs.ExtraArgs

	// Transforms are applied to the stream as it is read, in order (for
	// example decryption, then decompression), before zfs receive sees it.
	Transforms []stream.ReadTransform
	// Verify checks the send stream's own structure and checksums as it
	// passes (after the Transforms), and fails the receive on the first bad
	// record (see format/sendstream).
	Verify bool
	// Progress, if set, counts the stream bytes passed to zfs receive (after
	// the Transforms). Counting needs the stream to pass through this
	// process, so it disables the direct hand-off of files and sockets.
	Progress *stream.Progress
}

// op is the operation name in errors.
const op = "receive"

func invalid(name, format string, args ...any) error {
	return errs.InvalidArgumentf(op, name, format, args...)
}

// plan is a validated receive.
type plan struct {
	c      *zfs.Client
	target string
	args   []string
	opts   Options
}

// prepare validates target and o and builds the zfs receive arguments.
func prepare(ctx context.Context, c *zfs.Client, name string, o *Options) (*plan, error) {
	if c == nil {
		return nil, invalid("", "nil client")
	}
	if name == "" {
		return nil, invalid("", "no target")
	}
	if err := o.validate(name); err != nil {
		return nil, err
	}
	if o.Corrective {
		v, err := c.Version(ctx)
		if err != nil {
			return nil, err
		}
		if !v.AtLeast(2, 2) {
			return nil, errs.Newf(errors.NotSupported, op, name, "corrective receive (-c) needs OpenZFS 2.2 or later (have %s)", v)
		}
	}
	return &plan{c: c, target: name, args: o.args(name), opts: *o}, nil
}

func (o *Options) validate(name string) error {
	if err := names.ExtraArgs(name, o.ExtraArgs); err != nil {
		return errs.WithOp(err, op)
	}
	var err error
	switch {
	case o.Naming != AsGiven:
		err = names.Dataset(name)
	case strings.Contains(name, "@"):
		err = names.Snapshot(name)
	default:
		err = names.Dataset(name)
	}
	if err != nil {
		return errs.WithOp(err, op)
	}
	if o.Naming > KeepLast {
		return invalid(name, "unknown Naming %d", o.Naming)
	}
	if o.Corrective {
		var bad []string
		add := func(set bool, what string) {
			if set {
				bad = append(bad, what)
			}
		}
		add(o.Force, "Force (-F)")
		add(o.Resumable, "Resumable (-s)")
		add(o.NoMount, "NoMount (-u)")
		add(o.SkipHolds, "SkipHolds (-h)")
		add(o.Naming != AsGiven, "Naming (-d/-e)")
		add(o.Origin != "", "Origin")
		if len(bad) > 0 {
			return invalid(name, "%s cannot be combined with a corrective receive (-c)", strings.Join(bad, ", "))
		}
	}
	if o.Origin != "" {
		if err := names.Snapshot(o.Origin); err != nil {
			return errs.WithOp(err, op)
		}
	}
	for k, v := range o.SetProperties {
		if err := validProperty(k); err != nil {
			return invalid(name, "property %q: %v", k, err)
		}
		switch {
		case k == "origin":
			return invalid(name, "set the origin with Options.Origin, not as a property")
		case k == "keylocation" && v == "prompt":
			return invalid(name, "keylocation=prompt cannot be used while receiving: zfs reads the stream on standard input; use a file:// location")
		case strings.ContainsRune(v, 0):
			return invalid(name, "property %q: value contains a NUL byte", k)
		case slices.Contains(o.ExcludeProperties, k):
			return invalid(name, "property %q is both overridden and excluded", k)
		}
	}
	for _, k := range o.ExcludeProperties {
		if err := validProperty(k); err != nil {
			return invalid(name, "excluded property %q: %v", k, err)
		}
	}
	return nil
}

// validProperty checks a property name: native names are lower-case letters,
// digits and "_"; user properties contain a ':' and may also use '-' and '.'.
func validProperty(k string) error {
	if k == "" {
		return errors.New("empty name")
	}
	if k[0] == '-' {
		return errors.New("begins with '-'")
	}
	if len(k) > names.MaxLen {
		return errors.New("too long")
	}
	for _, r := range k {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9',
			r == '_', r == '-', r == '.', r == ':':
		default:
			return errors.New("invalid character " + string(r))
		}
	}
	return nil
}

// args returns the zfs receive arguments, "receive" first. -v is always
// given: its lines name what is received.
func (o *Options) args(name string) []string {
	a := []string{"receive"}
	flag := func(set bool, f string) {
		if set {
			a = append(a, f)
		}
	}
	flag(o.Force, "-F")
	flag(o.Resumable, "-s")
	flag(o.NoMount, "-u")
	flag(o.SkipHolds, "-h")
	flag(o.Naming == DiscardFirst, "-d")
	flag(o.Naming == KeepLast, "-e")
	flag(o.Corrective, "-c")
	flag(o.DryRun, "-n")
	a = append(a, "-v")
	if o.Origin != "" {
		a = append(a, "-o", "origin="+o.Origin)
	}
	keys := make([]string, 0, len(o.SetProperties))
	for k := range o.SetProperties {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		a = append(a, "-o", k+"="+o.SetProperties[k])
	}
	for _, k := range o.ExcludeProperties {
		a = append(a, "-x", k)
	}
	a = append(a, o.ExtraArgs...)
	return append(a, name)
}

// copies reports whether the stream must pass through this process.
func (p *plan) copies() bool {
	return len(p.opts.Transforms) > 0 || p.opts.Verify || p.opts.Progress != nil
}
