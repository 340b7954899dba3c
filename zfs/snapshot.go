package zfs

import (
	"context"
	"strings"

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
