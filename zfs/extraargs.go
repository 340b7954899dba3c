package zfs

import (
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// ExtraArgs are command-line arguments passed to zfs or zpool verbatim: an
// escape hatch for a flag this release does not model yet. Every options
// struct of a command that takes flags, in this package and in the send,
// recv and zpool packages, has an ExtraArgs field of this type.
//
// They are placed after the flags gozfs sets and before the operands
// (dataset, snapshot and pool names, hold tags, devices), so that
//
//	fs.CreateSnapshot(ctx, "s", zfs.SnapshotOptions{
//		ExtraArgs: zfs.ExtraArgs{"-o", "com.example:x=1"},
//	})
//
// runs `zfs snapshot -o com.example:x=1 pool/fs@s`. The first element must
// begin with '-' (so that it cannot be taken for an operand) and no element
// may be empty or hold a NUL byte; otherwise the method fails with an error
// of Kind errors.InvalidArgument before anything runs.
//
// Beyond that, extra arguments are not checked: they can make a command fail,
// or behave differently than the options say, and a flag that changes what a
// command prints can break the parsing of its output. Prefer a modelled
// option when there is one.
type ExtraArgs []string

// checkExtra validates extra arguments for operation op on name.
func checkExtra(op, name string, a ExtraArgs) error {
	return errs.WithOp(names.ExtraArgs(name, a), op)
}
