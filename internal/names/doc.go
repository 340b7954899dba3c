// Package names validates and splits ZFS dataset, snapshot, bookmark and pool
// names, following OpenZFS's own rules (module/zcommon/zfs_namecheck.c and
// libzfs's zfs_validate_name and zpool_name_valid) so that bad names are
// rejected before any command runs.
//
// A name is "pool[/component...]" for a filesystem or volume, followed by
// "@snapshot" for a snapshot or "#bookmark" for a bookmark. Every component is
// non-empty, is not "." or "..", and consists of ASCII letters, digits and the
// characters "_-.: " (space included). The pool part begins with a letter and
// is not "mirror", "raidz" or "draid". A whole name is at most MaxLen (255)
// bytes and a pool name at most MaxPoolLen (239) bytes. Names holding '%'
// (used by zfs internally for temporary datasets) are rejected, as zfs rejects
// them in commands that modify datasets.
//
// Because a pool name begins with a letter, a name that passes any check here
// never begins with '-' and so cannot be mistaken for an option.
//
// The nesting limit (zfs_max_dataset_nesting, 50 by default) is a module
// parameter and is not checked here; zfs reports it as "maximum name nesting
// depth exceeded".
//
// Every check returns nil or an *errors.Error of Kind errors.InvalidName (or
// errors.InvalidArgument for Operand) from package
// github.com/gozfs/gozfs/errors, with an empty Op; callers may set the
// operation with errors.WithOp.
package names
