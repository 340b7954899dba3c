package send

import (
	"context"
	"strings"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/format/resumetoken"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/zfs"
)

// Options select the kind of stream and how it is delivered. The zero value
// sends a full, uncompressed, non-raw stream of one snapshot, as `zfs send
// snap` does. Each field documents the zfs send flag it maps to; invalid
// combinations are rejected before anything runs, with an error of Kind
// errors.InvalidArgument.
type Options struct {
	// From makes the stream incremental from this snapshot or bookmark (-i):
	// a full name ("pool/fs@snap", "pool/fs#mark") or, as zfs send accepts,
	// a short one relative to the sent dataset ("@snap", "#mark"). Empty
	// sends a full stream.
	From string
	// Intermediates includes every snapshot between From and the sent
	// snapshot (-I). It needs From to be a snapshot: zfs cannot send
	// intermediate snapshots from a bookmark.
	Intermediates bool
	// Replicate sends a replication stream of the dataset and its
	// descendants, with their snapshots and properties (-R). With From it is
	// incremental; From must then be a snapshot.
	Replicate bool
	// ExcludeDatasets leaves these descendant datasets out of a replication
	// stream (-X, OpenZFS 2.2 and later). Each must be a non-root dataset
	// name.
	ExcludeDatasets []string
	// SkipMissing lets a replication stream skip descendants that lack the
	// snapshot instead of failing (-s, OpenZFS 2.1 and later).
	SkipMissing bool
	// Properties includes the dataset's properties (-p).
	Properties bool
	// Holds includes the snapshots' user holds (-h).
	Holds bool
	// Backup includes only received property values, as a backup (-b).
	Backup bool
	// Raw sends blocks exactly as stored on disk: still compressed, and
	// still encrypted for encrypted datasets, so the receiver needs no key
	// (-w). It implies Compressed, LargeBlocks and Embedded.
	Raw bool
	// Compressed sends blocks compressed as they are on disk (-c).
	Compressed bool
	// LargeBlocks allows blocks larger than 128 KiB (-L).
	LargeBlocks bool
	// Embedded sends embedded-data blocks as such (-e).
	Embedded bool
	// Dedup asks for a deduplicated stream (-D). OpenZFS removed
	// deduplicated sends in 2.0 (its zfs send ignores -D with a warning), so
	// on 2.0 and later Dedup is rejected with errors.ErrNotSupported rather
	// than silently ignored.
	Dedup bool
	// ResumeToken resumes an interrupted stream from the receive_resume_token
	// of the receiving dataset (-t). The snapshot argument must then be empty,
	// and only Raw, Compressed, LargeBlocks and Embedded may be combined
	// with it (they add to the flags recorded in the token).
	ResumeToken string
	// Saved sends the partially received state of a dataset whose resumable
	// receive was interrupted (-S). The snapshot argument is then the
	// filesystem or volume, and no other stream option may be set.
	Saved bool
	// ExtraArgs are more arguments for `zfs send` (and its dry run in
	// Estimate), for flags this package does not model; see
	// [zfs.ExtraArgs]. They are not checked against the other options.
	ExtraArgs zfs.ExtraArgs

	// Transforms are applied to the stream on its way out, in order (for
	// example compression, then encryption). With transforms the stream is
	// copied through this process; without, an *os.File or socket
	// destination is handed to zfs send directly.
	Transforms []stream.WriteTransform
	// Progress, if set, counts the bytes of the zfs send stream (before any
	// transform) as they are delivered. Counting needs the stream to pass
	// through this process, so it disables the direct hand-off of files
	// and sockets.
	Progress *stream.Progress
	// BufferSize is the size of the buffer between the transforms and the
	// reader of a Stream (pull mode with transforms). Zero means 1 MiB.
	BufferSize int
}

// plan is a validated send: the command to run and how to deliver its output.
type plan struct {
	c    *zfs.Client
	name string // for errors: the snapshot, dataset or "" for -t
	args []string
	opts Options
}

// op is the operation name in errors.
const op = "send"

func invalid(name, format string, args ...any) error {
	return errs.InvalidArgumentf(op, name, format, args...)
}

// prepare validates snap and o and builds the zfs send arguments. It asks the
// client for the OpenZFS version only when an option depends on it.
func prepare(ctx context.Context, c *zfs.Client, name string, o *Options) (*plan, error) {
	if c == nil {
		return nil, invalid("", "nil client")
	}
	if err := o.validate(name); err != nil {
		return nil, err
	}
	if err := o.checkVersion(ctx, c, name); err != nil {
		return nil, err
	}
	return &plan{c: c, name: name, args: o.args(name), opts: *o}, nil
}

func (o *Options) validate(name string) error {
	if err := names.ExtraArgs(name, o.ExtraArgs); err != nil {
		return errs.WithOp(err, op)
	}
	from := o.From
	switch {
	case o.ResumeToken != "":
		if name != "" {
			return invalid(name, "a resumed send (-t) takes no snapshot: the token names it")
		}
		if strings.TrimSpace(o.ResumeToken) != o.ResumeToken {
			return invalid("", "malformed resume token %q: surrounding white space", o.ResumeToken)
		}
		if _, err := resumetoken.Decode(o.ResumeToken); err != nil {
			return invalid("", "malformed resume token %q: %w", o.ResumeToken, err)
		}
		if bad := o.setFlags(from != "", false); len(bad) > 0 {
			return invalid("", "%s cannot be combined with a resume token (-t)", strings.Join(bad, ", "))
		}
		return nil
	case o.Saved:
		if err := names.Dataset(name); err != nil {
			return errs.WithOp(err, op)
		}
		if bad := o.setFlags(from != "", true); len(bad) > 0 {
			return invalid(name, "%s cannot be combined with a saved send (-S)", strings.Join(bad, ", "))
		}
		return nil
	}
	if name == "" {
		return invalid("", "no snapshot to send")
	}
	if err := names.Snapshot(name); err != nil {
		return errs.WithOp(err, op)
	}
	if from != "" {
		if err := validBase(from); err != nil {
			return errs.WithOp(err, op)
		}
	}
	bookmark := strings.Contains(from, "#")
	switch {
	case o.Intermediates && from == "":
		return invalid(name, "Intermediates (-I) needs an incremental source (From)")
	case o.Intermediates && bookmark:
		return invalid(name, "Intermediates (-I) cannot start from a bookmark (%s): zfs sends intermediate snapshots only from a snapshot", from)
	case o.Replicate && bookmark:
		return invalid(name, "a replication stream (-R) cannot start from a bookmark (%s)", from)
	case len(o.ExcludeDatasets) > 0 && !o.Replicate:
		return invalid(name, "ExcludeDatasets (-X) needs a replication stream (Replicate)")
	case o.SkipMissing && !o.Replicate:
		return invalid(name, "SkipMissing (-s) needs a replication stream (Replicate)")
	}
	for _, x := range o.ExcludeDatasets {
		if err := names.Dataset(x); err != nil {
			return errs.WithOp(err, op)
		}
		if !strings.Contains(x, "/") {
			return invalid(name, "cannot exclude %s: not a non-root dataset", x)
		}
	}
	return nil
}

// validBase checks a full or short (@snap, #mark) incremental source name.
func validBase(from string) error {
	if strings.HasPrefix(from, "@") || strings.HasPrefix(from, "#") {
		return names.Component(from[1:])
	}
	return names.SnapshotOrBookmark(from)
}

// setFlags lists the options set that a resumed (-t) or saved (-S) send
// does not accept; the block flags are allowed with -t but not with -S.
func (o *Options) setFlags(from, saved bool) []string {
	var bad []string
	add := func(set bool, what string) {
		if set {
			bad = append(bad, what)
		}
	}
	add(from, "From (-i)")
	add(o.Intermediates, "Intermediates (-I)")
	add(o.Replicate, "Replicate (-R)")
	add(len(o.ExcludeDatasets) > 0, "ExcludeDatasets (-X)")
	add(o.SkipMissing, "SkipMissing (-s)")
	add(o.Properties, "Properties (-p)")
	add(o.Holds, "Holds (-h)")
	add(o.Backup, "Backup (-b)")
	add(o.Dedup, "Dedup (-D)")
	if o.ResumeToken != "" {
		add(o.Saved, "Saved (-S)")
	}
	if saved {
		add(o.Raw, "Raw (-w)")
		add(o.Compressed, "Compressed (-c)")
		add(o.LargeBlocks, "LargeBlocks (-L)")
		add(o.Embedded, "Embedded (-e)")
	}
	return bad
}

// checkVersion rejects options the OpenZFS version lacks. It runs `zfs
// version` (once per client) only when such an option is set.
func (o *Options) checkVersion(ctx context.Context, c *zfs.Client, name string) error {
	if len(o.ExcludeDatasets) == 0 && !o.SkipMissing && !o.Dedup {
		return nil
	}
	v, err := c.Version(ctx)
	if err != nil {
		return err
	}
	switch {
	case len(o.ExcludeDatasets) > 0 && !v.AtLeast(2, 2):
		return errs.Newf(errors.NotSupported, op, name, "ExcludeDatasets (-X) needs OpenZFS 2.2 or later (have %s)", v)
	case o.SkipMissing && !v.AtLeast(2, 1):
		return errs.Newf(errors.NotSupported, op, name, "SkipMissing (-s) needs OpenZFS 2.1 or later (have %s)", v)
	case o.Dedup && v.AtLeast(2, 0):
		return errs.Newf(errors.NotSupported, op, name, "deduplicated send streams (-D) were removed in OpenZFS 2.0 (have %s)", v)
	}
	return nil
}

// args returns the zfs send arguments, "send" first.
func (o *Options) args(name string) []string {
	a := []string{"send"}
	flag := func(set bool, f string) {
		if set {
			a = append(a, f)
		}
	}
	flag(o.Replicate, "-R")
	for _, x := range o.ExcludeDatasets {
		a = append(a, "-X", x)
	}
	flag(o.SkipMissing, "-s")
	flag(o.Properties, "-p")
	flag(o.Holds, "-h")
	flag(o.Backup, "-b")
	flag(o.Raw, "-w")
	flag(o.Compressed, "-c")
	flag(o.LargeBlocks, "-L")
	flag(o.Embedded, "-e")
	flag(o.Dedup, "-D")
	flag(o.Saved, "-S")
	if o.From != "" {
		if o.Intermediates {
			a = append(a, "-I", o.From)
		} else {
			a = append(a, "-i", o.From)
		}
	}
	if o.ResumeToken != "" {
		a = append(a, "-t", o.ResumeToken)
		return append(a, o.ExtraArgs...)
	}
	a = append(a, o.ExtraArgs...)
	return append(a, name)
}

// transformed reports whether the stream passes through write transforms.
func (p *plan) transformed() bool { return len(p.opts.Transforms) > 0 }
