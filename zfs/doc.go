// Package zfs drives the OpenZFS zfs command: typed handles for filesystems,
// volumes, snapshots and bookmarks, whose methods run `zfs` subprocesses and
// parse their machine-readable output (`-j` JSON on OpenZFS 2.3 and later,
// `-H -p` text before that).
//
// A Client holds the Runner that runs commands and the OpenZFS version it
// detects on first use; it is safe for concurrent use. Every method takes a
// context first: cancelling it stops the command (SIGTERM, then SIGKILL after a
// grace period) and the method returns an error matching context.Canceled.
//
// Errors are *errors.Error values from github.com/gozfs/gozfs/errors, carrying
// the operation, the dataset, the exit code and zfs's standard error, with a
// Kind that errors.Is matches against sentinels such as errors.ErrNotExist (and
// fs.ErrNotExist). Bad names and options are rejected before anything runs.
package zfs
