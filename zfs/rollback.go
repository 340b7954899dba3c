package zfs

import (
	"context"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
)

// RollbackOptions are the options of the Rollback methods.
type RollbackOptions struct {
	// DestroyLater (-r) destroys the snapshots and bookmarks more recent than
	// the target. Without it, rolling back to a snapshot that is not the
	// latest fails with an error of Kind SnapshotNotLatest.
	DestroyLater bool
	// DestroyClones (-R) also destroys clones of those snapshots.
	DestroyClones bool
	// ForceUnmount (-f) unmounts clone filesystems being destroyed even if
	// busy (with DestroyClones).
	ForceUnmount bool
	// ExtraArgs are more arguments for `zfs rollback`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

func (o RollbackOptions) args() []string {
	a := []string{"rollback"}
	if o.DestroyLater {
		a = append(a, "-r")
	}
	if o.DestroyClones {
		a = append(a, "-R")
	}
	if o.ForceUnmount {
		a = append(a, "-f")
	}
	return append(a, o.ExtraArgs...)
}

// Rollback rolls the snapshot's dataset back to the snapshot, discarding
// all changes made since.
func (s *Snapshot) Rollback(ctx context.Context, opts RollbackOptions) error {
	if err := checkExtra("rollback", s.name, opts.ExtraArgs); err != nil {
		return err
	}
	return s.c.run(ctx, "rollback", s.name, nil, append(opts.args(), s.name)...)
}

// Rollback rolls the filesystem back to its most recent snapshot (two
// commands: one lists the snapshots). It fails with an error of Kind
// NotExist if the filesystem has no snapshot.
func (f *Filesystem) Rollback(ctx context.Context, opts RollbackOptions) error {
	return f.c.rollbackLatest(ctx, f.name, opts)
}

// Rollback rolls the volume back to its most recent snapshot; see
// Filesystem.Rollback.
func (v *Volume) Rollback(ctx context.Context, opts RollbackOptions) error {
	return v.c.rollbackLatest(ctx, v.name, opts)
}

func (c *Client) rollbackLatest(ctx context.Context, name string, opts RollbackOptions) error {
	if err := checkExtra("rollback", name, opts.ExtraArgs); err != nil {
		return err
	}
	snaps, err := c.snapshotsOf(ctx, name)
	if err != nil {
		return errs.WithOp(err, "rollback")
	}
	if len(snaps) == 0 {
		return errs.Newf(errors.NotExist, "rollback", name, "%s has no snapshot", name)
	}
	return snaps[len(snaps)-1].Rollback(ctx, opts)
}
