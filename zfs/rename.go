package zfs

import (
	"context"
	"strings"

	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// RenameOptions are the options of the Rename methods.
type RenameOptions struct {
	// Parents (-p) creates missing parents of the new name (datasets only).
	Parents bool
	// Recursive (-r) renames the snapshots of the same name in descendant
	// datasets too (snapshots only).
	Recursive bool
	// ForceUnmount (-f) unmounts the filesystem even if busy.
	ForceUnmount bool
	// NoMount (-u) does not remount the filesystem under its new mountpoint.
	NoMount bool
	// ExtraArgs are more arguments for `zfs rename`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

// Rename renames a dataset, snapshot or bookmark. A snapshot keeps its
// dataset: to may be a full name ("pool/a@new") or, for snapshots and
// bookmarks, the short name after '@' or '#'.
func (c *Client) Rename(ctx context.Context, from, to string, opts RenameOptions) error {
	const op = "rename"
	to, err := renameTarget(from, to, opts)
	if err != nil {
		return errs.WithOp(err, op)
	}
	args := []string{"rename"}
	if opts.Parents {
		args = append(args, "-p")
	}
	if opts.Recursive {
		args = append(args, "-r")
	}
	if opts.ForceUnmount {
		args = append(args, "-f")
	}
	if opts.NoMount {
		args = append(args, "-u")
	}
	args = append(args, opts.ExtraArgs...)
	return c.run(ctx, op, from, nil, append(args, from, to)...)
}

// renameTarget validates a rename and returns the full new name.
func renameTarget(from, to string, opts RenameOptions) (string, error) {
	if err := names.Any(from); err != nil {
		return "", err
	}
	if err := names.ExtraArgs(from, opts.ExtraArgs); err != nil {
		return "", err
	}
	ds, snap, bm := names.Split(from)
	switch {
	case snap != "" || bm != "":
		sep := "@"
		if bm != "" {
			sep = "#"
		}
		if !strings.Contains(to, sep) {
			to = ds + sep + to
		}
		if tds, _, _ := names.Split(to); tds != ds {
			return "", errs.InvalidArgumentf("", from, "cannot rename %s to another dataset (%s)", from, to)
		}
		if opts.Parents {
			return "", errs.InvalidArgumentf("", from, "parents do not apply to snapshots and bookmarks")
		}
	case opts.Recursive:
		return "", errs.InvalidArgumentf("", from, "recursive applies to snapshots only")
	}
	if err := names.Any(to); err != nil {
		return "", err
	}
	if typeOfName(to) != typeOfName(from) {
		return "", errs.InvalidArgumentf("", from, "cannot rename %s to %s", from, to)
	}
	return to, nil
}

// Rename renames the filesystem and returns a handle on the new name (the
// identity is unchanged). The receiver keeps the old name.
func (f *Filesystem) Rename(ctx context.Context, to string, opts RenameOptions) (*Filesystem, error) {
	if err := f.c.Rename(ctx, f.name, to, opts); err != nil {
		return nil, err
	}
	n := *f
	n.name = to
	return &n, nil
}

// Rename renames the volume; see Filesystem.Rename.
func (v *Volume) Rename(ctx context.Context, to string, opts RenameOptions) (*Volume, error) {
	if err := v.c.Rename(ctx, v.name, to, opts); err != nil {
		return nil, err
	}
	n := *v
	n.name = to
	return &n, nil
}

// Rename renames the snapshot within its dataset; to is the new short name
// or full name. With Recursive, the snapshots of the same name in descendant
// datasets are renamed too.
func (s *Snapshot) Rename(ctx context.Context, to string, opts RenameOptions) (*Snapshot, error) {
	full, err := renameTarget(s.name, to, opts)
	if err != nil {
		return nil, errs.WithOp(err, "rename")
	}
	if err := s.c.Rename(ctx, s.name, full, opts); err != nil {
		return nil, err
	}
	n := *s
	n.name = full
	return &n, nil
}
