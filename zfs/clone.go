package zfs

import (
	"context"

	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// CloneOptions are the options of Snapshot.Clone and Snapshot.CloneVolume.
type CloneOptions struct {
	// Parents (-p) creates missing parents of the clone.
	Parents bool
	// Properties are set on the clone (-o key=value).
	Properties map[string]string
	// ExtraArgs are more arguments for `zfs clone`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

// Clone creates a filesystem from the snapshot, which must be a snapshot of
// a filesystem, and returns a handle on it. target is the new filesystem's
// full name, in the snapshot's pool and below its root dataset. It runs
// three commands: one checks that the snapshot's dataset is a filesystem
// (a snapshot of a volume fails with Kind InvalidArgument before anything
// is created: use CloneVolume), one clones and one reads the clone's
// identity.
func (s *Snapshot) Clone(ctx context.Context, target string, opts CloneOptions) (*Filesystem, error) {
	d, err := s.clone(ctx, target, opts, TypeFilesystem)
	if err != nil {
		return nil, err
	}
	return newFilesystem(d), nil
}

// CloneVolume creates a volume from the snapshot, which must be a snapshot
// of a volume, and returns a handle on it; see Clone.
func (s *Snapshot) CloneVolume(ctx context.Context, target string, opts CloneOptions) (*Volume, error) {
	d, err := s.clone(ctx, target, opts, TypeVolume)
	if err != nil {
		return nil, err
	}
	return newVolume(d), nil
}

// clone checks that the snapshot's dataset has type want, clones it to
// target and reads the clone's identity.
func (s *Snapshot) clone(ctx context.Context, target string, opts CloneOptions, want Type) (dataset, error) {
	const op = "clone"
	if err := checkNewDataset(target); err != nil {
		return dataset{}, errs.WithOp(err, op)
	}
	if err := samePool(op, s.name, target); err != nil {
		return dataset{}, errs.InvalidArgumentf(op, s.name, "a clone is in its origin's pool: %s is not in %s", target, s.Pool())
	}
	if err := checkExtra(op, s.name, opts.ExtraArgs); err != nil {
		return dataset{}, err
	}
	args := []string{"clone"}
	if opts.Parents {
		args = append(args, "-p")
	}
	pa, err := propArgs(op, "-o", opts.Properties)
	if err != nil {
		return dataset{}, err
	}
	args = append(args, pa...)
	args = append(args, opts.ExtraArgs...)
	origin, err := s.c.identity(ctx, op, s.Dataset(), names.Dataset, 0)
	if err != nil {
		return dataset{}, err
	}
	if origin.typ != want {
		use := "Clone"
		if origin.typ == TypeVolume {
			use = "CloneVolume"
		}
		return dataset{}, errs.InvalidArgumentf(op, s.name, "%s is a snapshot of a %s, not of a %s: use %s", s.name, origin.typ, want, use)
	}
	if err := s.c.run(ctx, op, s.name, nil, append(args, s.name, target)...); err != nil {
		return dataset{}, err
	}
	return s.c.identity(ctx, op, target, names.Dataset, want)
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
