// Package zpool drives the OpenZFS zpool command: it lists pools with typed
// properties, reads `zpool status` as a typed tree, creates, imports,
// exports and destroys pools, runs and waits for scrubs, resilvers and
// TRIMs, manages devices, checkpoints and feature flags, reads the pool
// history and samples I/O statistics.
//
// # Clients
//
// A Client is built on a *zfs.Client, whose Runner and OpenZFS version
// probe it shares, so that one program drives zfs and zpool through the
// same runner (the default exec runner, sudo, ssh, a container) and probes
// the version once:
//
//	zc := zfs.New(zfs.ClientOptions{Runner: &command.Exec{Logger: logger}})
//	pools := zpool.New(zc)
//
// zpool.New(nil) uses zfs.New(zfs.ClientOptions{}). A Client is safe for
// concurrent use.
//
// # Output formats
//
// On OpenZFS 2.3 and later the Client reads `zpool get`, `zpool list` and
// `zpool status` as JSON (-j --json-int); before 2.3, or with
// zfs.ClientOptions.TextOutput, it parses the text output (-H -p for properties, the
// indented tree of `zpool status`). Both paths give the same types. The
// text output of `zpool status` rounds scan byte counts to three
// significant digits and shows no GUIDs; Scan.Exact tells which is which.
// OpenZFS 2.3 prints the guid property wrongly in JSON (clamped to
// 9223372036854775807); Pool.GUID comes from the correct pool_guid field.
// Times in text output are in the local time zone of the zpool process and
// are parsed in time.Local.
//
// ParseStatus and ParseStatusJSON parse `zpool status` output obtained some
// other way.
//
// # Errors
//
// Every method takes a context first; cancelling it stops the zpool
// process (SIGTERM, then SIGKILL after the runner's grace period) and the
// method returns an error matching context.Canceled. Failures are
// *errors.Error values from github.com/gozfs/gozfs/errors, whose Kind
// errors.Is matches against sentinels: a pool that does not exist gives
// errors.ErrNotExist (and fs.ErrNotExist), creating or importing over an
// existing name gives errors.ErrExist. Pool names, device operands,
// property names and options are checked before anything runs, giving
// errors.ErrInvalidName or errors.ErrInvalidArgument with no command run.
//
// # Long-running operations
//
// Scrubs, resilvers, TRIMs and checkpoint discards run in the kernel after
// the command that started them returns. Wait waits for them (`zpool
// wait`), Status reports their progress, and the options of Scrub, Trim,
// Attach and Replace can wait for completion. IostatStream samples I/O
// statistics as a Go iterator; breaking out of the loop stops the zpool
// process.
package zpool
