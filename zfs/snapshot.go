package zfs

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// SnapshotOptions are the options of the snapshot-creating methods.
type SnapshotOptions struct {
	// Recursive (-r) also snapshots every descendant dataset, atomically.
	Recursive bool
	// Properties are user properties to set on the new snapshots (-o).
	Properties map[string]string
	// ExtraArgs are more arguments for `zfs snapshot`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

// maxArgBytes bounds the argument bytes of one command, well below Linux's
// ARG_MAX (2 MiB by default, shared with the environment).
const maxArgBytes = 1 << 20

// maxArgLen bounds one argument: Linux rejects any longer than
// MAX_ARG_STRLEN (128 KiB).
const maxArgLen = 100 << 10

// CreateSnapshots creates snapshots of several datasets atomically, in one
// transaction group, with one `zfs snapshot a@x b@y ...` (then reads their
// identities with one `zfs list`). Either all are created or none is. It
// fails with an error of Kind InvalidArgument if the names do not fit on one
// command line (the operation cannot then be atomic).
func (c *Client) CreateSnapshots(ctx context.Context, snapshots []string, opts SnapshotOptions) ([]*Snapshot, error) {
	const op = "snapshot"
	if len(snapshots) == 0 {
		return nil, nil
	}
	size := 0
	for _, s := range snapshots {
		if err := names.Snapshot(s); err != nil {
			return nil, errs.WithOp(err, op)
		}
		size += len(s) + 1
	}
	if size > maxArgBytes {
		return nil, errs.InvalidArgumentf(op, snapshots[0], "%d snapshot names (%d bytes) do not fit on one command line", len(snapshots), size)
	}
	if err := checkExtra(op, snapshots[0], opts.ExtraArgs); err != nil {
		return nil, err
	}
	args := []string{"snapshot"}
	if opts.Recursive {
		args = append(args, "-r")
	}
	pa, err := propArgs(op, "-o", opts.Properties)
	if err != nil {
		return nil, err
	}
	args = append(args, pa...)
	args = append(args, opts.ExtraArgs...)
	args = append(args, snapshots...)
	if err := c.run(ctx, op, snapshots[0], nil, args...); err != nil {
		return nil, err
	}
	ds, err := c.List(ctx, ListOptions{Roots: snapshots, Types: []Type{TypeSnapshot}})
	if err != nil {
		return nil, err
	}
	byName := make(map[string]*Dataset, len(ds))
	for _, d := range ds {
		byName[d.name] = d
	}
	out := make([]*Snapshot, 0, len(snapshots))
	for _, s := range snapshots {
		d, ok := byName[s]
		if !ok {
			return out, errs.Newf(errors.NotExist, op, s, "snapshot %s not listed after creation", s)
		}
		out = append(out, newSnapshot(d.dataset))
	}
	return out, nil
}

func (c *Client) snapshot(ctx context.Context, ds, short string, opts SnapshotOptions) (*Snapshot, error) {
	full := ds + "@" + short
	if strings.ContainsAny(short, "@#") {
		return nil, errs.InvalidNamef("snapshot", full, "snapshot name %q holds '@' or '#'", short)
	}
	s, err := c.CreateSnapshots(ctx, []string{full}, opts)
	if err != nil {
		return nil, err
	}
	return s[0], nil
}

// CreateSnapshot creates the snapshot "<filesystem>@<name>" (with Recursive,
// of every descendant too, atomically) and returns a handle on it.
func (f *Filesystem) CreateSnapshot(ctx context.Context, name string, opts SnapshotOptions) (*Snapshot, error) {
	return f.c.snapshot(ctx, f.name, name, opts)
}

// CreateSnapshot creates the snapshot "<volume>@<name>" and returns a handle
// on it; see [Filesystem.CreateSnapshot].
func (v *Volume) CreateSnapshot(ctx context.Context, name string, opts SnapshotOptions) (*Snapshot, error) {
	return v.c.snapshot(ctx, v.name, name, opts)
}

// DestroySnapshots destroys many snapshots with as few commands as possible:
// one `zfs destroy dataset@a,b,c` per dataset (more when the list is too long
// for one argument). Each command is atomic, so when zfs refuses some
// snapshots (held, cloned) the others of that command are retried without
// them. Every failure is reported, combined with errors.Append; snapshots
// that no longer exist are ignored. With Recursive, the snapshots of the same
// names in descendant datasets go too. ForceUnmount does not apply.
func (c *Client) DestroySnapshots(ctx context.Context, snapshots []string, opts DestroyOptions) error {
	const op = "destroy"
	if opts.ForceUnmount {
		return errs.InvalidArgumentf(op, "", "force unmount does not apply to snapshots")
	}
	if err := checkExtra(op, "", opts.ExtraArgs); err != nil {
		return err
	}
	groups := map[string][]string{}
	var order []string
	for _, s := range snapshots {
		if err := names.Snapshot(s); err != nil {
			return errs.WithOp(err, op)
		}
		ds, short, _ := names.Split(s)
		if _, ok := groups[ds]; !ok {
			order = append(order, ds)
		}
		if !slices.Contains(groups[ds], short) {
			groups[ds] = append(groups[ds], short)
		}
	}
	var failed error
	for _, ds := range order {
		for _, batch := range commaBatches(ds, groups[ds]) {
			failed = errs.Append(failed, c.destroyBatch(ctx, ds, batch, opts))
		}
	}
	return failed
}

// commaBatches splits short snapshot names into comma lists that keep
// "ds@list" within maxArgLen.
func commaBatches(ds string, shorts []string) [][]string {
	var out [][]string
	var cur []string
	n := len(ds) + 1
	for _, s := range shorts {
		if len(cur) > 0 && n+len(s)+1 > maxArgLen {
			out = append(out, cur)
			cur, n = nil, len(ds)+1
		}
		cur = append(cur, s)
		n += len(s) + 1
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// destroyBatch destroys ds@a,b,c; if zfs names snapshots it could not
// destroy, it retries once without them.
func (c *Client) destroyBatch(ctx context.Context, ds string, shorts []string, opts DestroyOptions) error {
	err := c.Destroy(ctx, ds+"@"+strings.Join(shorts, ","), opts)
	if err == nil {
		return nil
	}
	var e *errors.Error
	if !errors.As(err, &e) || e.Stderr == "" {
		return err
	}
	failed := failedSnapshots(e.Stderr, ds, shorts)
	if len(failed) == 0 {
		return err
	}
	var all error
	var rest []string
	for _, s := range shorts {
		if msg, ok := failed[s]; ok {
			fe := *e
			fe.Name = ds + "@" + s
			fe.Kind = errors.Classify(msg)
			fe.Stderr = msg
			all = errs.Append(all, &fe)
		} else {
			rest = append(rest, s)
		}
	}
	if len(rest) > 0 {
		all = errs.Append(all, c.Destroy(ctx, ds+"@"+strings.Join(rest, ","), opts))
	}
	return all
}

// failedSnapshots finds the per-snapshot lines of a failed batch destroy,
// "cannot destroy snapshot pool/a@s: reason", keyed by short name.
func failedSnapshots(stderr, ds string, shorts []string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(stderr, "\n") {
		rest, ok := strings.CutPrefix(line, "cannot destroy snapshot "+ds+"@")
		if !ok {
			continue
		}
		for _, s := range shorts {
			if strings.HasPrefix(rest, s+": ") {
				out[s] = line
			}
		}
	}
	return out
}

// Written returns the space written to the filesystem since the snapshot
// (the written@<snapshot> property): referenced data not shared with it.
// since is a short snapshot or bookmark name ("monday", "#mark") or a full
// name of one of the filesystem's snapshots.
func (f *Filesystem) Written(ctx context.Context, since string) (uint64, error) {
	return f.c.written(ctx, f.name, since)
}

// Written returns the space written to the volume since the snapshot; see
// Filesystem.Written.
func (v *Volume) Written(ctx context.Context, since string) (uint64, error) {
	return v.c.written(ctx, v.name, since)
}

// Written returns the space written between the previous snapshot named by
// since and this snapshot (written@since read on this snapshot).
func (s *Snapshot) Written(ctx context.Context, since string) (uint64, error) {
	return s.c.written(ctx, s.name, since)
}

func (c *Client) written(ctx context.Context, name, since string) (uint64, error) {
	prop := "written@" + since
	if i := strings.IndexAny(since, "@#"); i >= 0 {
		sep := since[i]
		prop = "written" + string(sep) + since[i+1:]
		if i > 0 {
			if ds, _, _ := names.Split(name); ds != since[:i] {
				return 0, errs.InvalidArgumentf("get", name, "%s is not a snapshot of %s", since, ds)
			}
		}
	}
	if err := names.Component(prop[len("written@"):]); err != nil {
		return 0, errs.WithOp(err, "get")
	}
	ps, err := c.getProperties(ctx, name, []string{prop})
	if err != nil {
		return 0, err
	}
	return ps.Property(prop).Bytes()
}

// Hold is a user hold on a snapshot: while it has holds, a snapshot cannot
// be destroyed.
type Hold struct {
	// Snapshot is the full name of the held snapshot.
	Snapshot string
	// Tag is the hold's tag.
	Tag string
	// Created is when the hold was placed.
	Created time.Time
}

// HoldOptions are the options of the hold methods.
type HoldOptions struct {
	// Recursive (-r) also applies to the snapshots of the same name in
	// descendant datasets.
	Recursive bool
	// ExtraArgs are more arguments for `zfs hold`, `zfs release` or `zfs
	// holds`, whichever the method runs, for flags this package does not
	// model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

func holdArgs(op, tag string, snapshots []string, opts HoldOptions) ([]string, error) {
	if tag == "" || tag[0] == '-' || strings.ContainsAny(tag, "\x00\n") {
		return nil, errs.InvalidArgumentf(op, "", "invalid hold tag %q", tag)
	}
	if len(snapshots) == 0 {
		return nil, errs.InvalidArgumentf(op, "", "no snapshot given")
	}
	for _, s := range snapshots {
		if err := names.Snapshot(s); err != nil {
			return nil, errs.WithOp(err, op)
		}
	}
	if err := checkExtra(op, snapshots[0], opts.ExtraArgs); err != nil {
		return nil, err
	}
	args := []string{op}
	if opts.Recursive {
		args = append(args, "-r")
	}
	args = append(args, opts.ExtraArgs...)
	args = append(args, tag)
	return append(args, snapshots...), nil
}

// Hold places the hold tag on the snapshots with one `zfs hold`. It fails
// with an error of Kind Exist if a snapshot already has that tag.
func (c *Client) Hold(ctx context.Context, tag string, snapshots []string, opts HoldOptions) error {
	args, err := holdArgs("hold", tag, snapshots, opts)
	if err != nil {
		return err
	}
	return c.run(ctx, "hold", snapshots[0], nil, args...)
}

// Release removes the hold tag from the snapshots with one `zfs release`.
// It fails with an error of Kind NotExist if a snapshot has no such hold.
func (c *Client) Release(ctx context.Context, tag string, snapshots []string, opts HoldOptions) error {
	args, err := holdArgs("release", tag, snapshots, opts)
	if err != nil {
		return err
	}
	return c.run(ctx, "release", snapshots[0], nil, args...)
}

// Holds lists the holds on the snapshots (with Recursive, on the snapshots
// of the same name in descendant datasets too) with one `zfs holds -H -p`.
// OpenZFS before 2.2 has no -p: there the times are read from the local-time
// column `zfs holds -H` prints, to the minute.
func (c *Client) Holds(ctx context.Context, snapshots []string, opts HoldOptions) ([]Hold, error) {
	const op = "holds"
	if len(snapshots) == 0 {
		return nil, nil
	}
	for _, s := range snapshots {
		if err := names.Snapshot(s); err != nil {
			return nil, errs.WithOp(err, op)
		}
	}
	if err := checkExtra(op, snapshots[0], opts.ExtraArgs); err != nil {
		return nil, err
	}
	v, err := c.Version(ctx)
	if err != nil {
		return nil, errs.WithOp(err, op)
	}
	exact := v.AtLeast(2, 2)
	args := []string{"holds", "-H"}
	if exact {
		args = append(args, "-p")
	}
	if opts.Recursive {
		args = append(args, "-r")
	}
	args = append(args, opts.ExtraArgs...)
	out, err := c.output(ctx, op, snapshots[0], append(args, snapshots...)...)
	if err != nil {
		return nil, err
	}
	if !exact {
		return parseHolds(out, localHoldTime(time.Local)), nil
	}
	return parseHolds(out, holdSeconds), nil
}

// parseHolds parses `zfs holds -H` output, "snapshot\ttag\ttime" lines,
// reading the time column with at. A tag may hold tabs, so the snapshot is
// cut at the first tab and the time at the last.
func parseHolds(out string, at func(string) (time.Time, error)) []Hold {
	var hs []Hold
	for _, line := range strings.Split(out, "\n") {
		i := strings.IndexByte(line, '\t')
		j := strings.LastIndexByte(line, '\t')
		if i <= 0 || j <= i {
			continue
		}
		h := Hold{Snapshot: line[:i], Tag: line[i+1 : j]}
		if t, err := at(line[j+1:]); err == nil {
			h.Created = t
		}
		hs = append(hs, h)
	}
	return hs
}

// holdSeconds reads the time column of `zfs holds -H -p`: Unix seconds.
func holdSeconds(s string) (time.Time, error) {
	sec, err := strconv.ParseInt(s, 10, 64)
	return time.Unix(sec, 0), err
}

// holdTimeLayout is how `zfs holds` prints a time without -p (ctime(3)
// without seconds).
const holdTimeLayout = "Mon Jan _2 15:04 2006"

// localHoldTime reads the time column of `zfs holds -H` without -p (before
// OpenZFS 2.2): a local time in loc, to the minute.
func localHoldTime(loc *time.Location) func(string) (time.Time, error) {
	return func(s string) (time.Time, error) { return time.ParseInLocation(holdTimeLayout, s, loc) }
}

// Hold places the hold tag on the snapshot; see Client.Hold.
func (s *Snapshot) Hold(ctx context.Context, tag string, opts HoldOptions) error {
	return s.c.Hold(ctx, tag, []string{s.name}, opts)
}

// Release removes the hold tag from the snapshot; see Client.Release.
func (s *Snapshot) Release(ctx context.Context, tag string, opts HoldOptions) error {
	return s.c.Release(ctx, tag, []string{s.name}, opts)
}

// Holds lists the holds on the snapshot.
func (s *Snapshot) Holds(ctx context.Context, opts HoldOptions) ([]Hold, error) {
	return s.c.Holds(ctx, []string{s.name}, opts)
}

// bookmarkName returns the full name of a bookmark of dataset ds: name may be
// a short name or a full name.
func bookmarkName(ds, name string) (string, error) {
	full := name
	if !strings.Contains(name, "#") {
		full = ds + "#" + name
	}
	if err := names.Bookmark(full); err != nil {
		return "", errs.WithOp(err, "bookmark")
	}
	if bds, _, _ := names.Split(full); bds != ds {
		return "", errs.InvalidArgumentf("bookmark", full, "a bookmark of %s must be in the same dataset", ds)
	}
	return full, nil
}

// CreateBookmark creates a bookmark of the snapshot, in the snapshot's
// dataset; name is the short name (after '#') or the full name. The bookmark
// has the snapshot's GUID and creation TXG. If a bookmark of that name already
// exists with the same GUID, CreateBookmark returns it (creation is
// idempotent); if its GUID differs, it fails with an error of Kind Exist.
func (s *Snapshot) CreateBookmark(ctx context.Context, name string) (*Bookmark, error) {
	full, err := bookmarkName(s.Dataset(), name)
	if err != nil {
		return nil, err
	}
	return s.c.bookmark(ctx, s.name, full, s.dataset)
}

// CreateBookmark creates a copy of the bookmark under another name, in the
// same dataset (OpenZFS 2.0 and later), with the same GUID and creation TXG.
// It is idempotent like [Snapshot.CreateBookmark].
func (b *Bookmark) CreateBookmark(ctx context.Context, name string) (*Bookmark, error) {
	full, err := bookmarkName(b.Dataset(), name)
	if err != nil {
		return nil, err
	}
	if v, err := b.c.Version(ctx); err == nil && !v.AtLeast(2, 0) {
		return nil, errs.Newf(errors.NotSupported, "bookmark", full, "bookmarks from bookmarks need OpenZFS 2.0 (have %s)", v)
	}
	return b.c.bookmark(ctx, b.name, full, b.dataset)
}

func (c *Client) bookmark(ctx context.Context, source, full string, src dataset) (*Bookmark, error) {
	err := c.run(ctx, "bookmark", full, nil, "bookmark", source, full)
	if err == nil {
		bm := newBookmark(src)
		bm.name, bm.typ = full, TypeBookmark
		if bm.guid == 0 {
			return c.Bookmark(ctx, full)
		}
		return bm, nil
	}
	if !bookmarkExists(err) {
		return nil, err
	}
	existing, lerr := c.Bookmark(ctx, full)
	if lerr != nil {
		return nil, err
	}
	if src.guid == 0 {
		sd, serr := c.identity(ctx, "bookmark", source, names.SnapshotOrBookmark, 0)
		if serr != nil {
			return nil, err
		}
		src = sd
	}
	if existing.guid == src.guid {
		return existing, nil
	}
	return nil, errs.Newf(errors.Exist, "bookmark", full, "bookmark %s exists with GUID %d, not %d of %s", full, existing.guid, src.guid, source)
}

// bookmarkExists reports whether err says the bookmark already exists
// (zfs prints "bookmark exists", which the error classifier may not know).
func bookmarkExists(err error) bool {
	if errors.Is(err, errors.ErrExist) {
		return true
	}
	var e *errors.Error
	return errors.As(err, &e) && strings.Contains(e.Stderr, "bookmark exists")
}
