package zfs

import (
	"context"

	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// CloneOptions are the options of Snapshot.Clone.
type CloneOptions struct {
	// Parents (-p) creates missing parents of the clone.
	Parents bool
	// Properties are set on the clone (-o key=value).
	Properties map[string]string
	// ExtraArgs are more arguments for `zfs clone`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

// Clone creates a filesystem or volume (the type of the snapshot's dataset)
// from the snapshot and returns its identity; use the Filesystem or Volume
// method of the result for a handle.
func (s *Snapshot) Clone(ctx context.Context, target string, opts CloneOptions) (*Dataset, error) {
	const op = "clone"
	if err := names.Dataset(target); err != nil {
		return nil, errs.WithOp(err, op)
	}
	if err := checkExtra(op, s.name, opts.ExtraArgs); err != nil {
		return nil, err
	}
	args := []string{"clone"}
	if opts.Parents {
		args = append(args, "-p")
	}
	pa, err := propArgs(op, "-o", opts.Properties)
	if err != nil {
		return nil, err
	}
	args = append(args, pa...)
	args = append(args, opts.ExtraArgs...)
	if err := s.c.run(ctx, op, s.name, nil, append(args, s.name, target)...); err != nil {
		return nil, err
	}
	d, err := s.c.identity(ctx, op, target, names.Dataset, 0)
	if err != nil {
		return nil, err
	}
	return &Dataset{dataset: d}, nil
}

// Promote makes the filesystem, a clone, independent of its origin
// snapshot: the origin's dataset becomes a clone of it instead. It fails with
// an error if the filesystem is not a clone.
func (f *Filesystem) Promote(ctx context.Context) error {
	return f.c.run(ctx, "promote", f.name, nil, "promote", f.name)
}

// Promote makes the volume, a clone, independent of its origin; see
// Filesystem.Promote.
func (v *Volume) Promote(ctx context.Context) error {
	return v.c.run(ctx, "promote", v.name, nil, "promote", v.name)
}
