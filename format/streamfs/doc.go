// Package streamfs reads the files inside OpenZFS send streams without ZFS:
// a backup made with zfs send, kept on S3, tape or another operating system,
// can be listed and restored from in pure Go.
//
// Read takes a full, non-raw stream (zfs send, with or without -c, -e or
// -L) and rebuilds the file system's object set from its OBJECT, WRITE,
// WRITE_EMBEDDED, FREE, FREEOBJECTS and SPILL records. Stream.FS then
// presents the snapshot as an io/fs file system (an *ondisk.FS): list the
// tree with fs.WalkDir, read files, symbolic links, owners, modes, times and
// extended attributes, and Extract one file, a subtree or everything into a
// directory.
//
// # Memory
//
// A stream's data can be far larger than memory. Read keeps only metadata
// in memory: each object's dnode fields and bonus buffer (a few hundred
// bytes per file) and a small index entry per data block. The blocks
// themselves are written to a temporary file as they arrive (removed when
// the Stream is closed), or, when the input is a regular file, left where
// they are and read from it again. Compressed (-c) and embedded (-e) blocks
// stay compressed until they are read.
//
// # Incremental streams
//
// An incremental stream carries only the objects that changed. Stream.FS
// refuses it (ErrIncremental); Stream.Changes lists what it changes, with
// paths where the stream's own directories name the objects, like a
// zfs diff without ZFS. Given the file system the stream applies to (the
// previous snapshot, read from a full stream or a pool image), Changes
// also leaves out objects that did not change, marks new and removed names,
// and names objects through unchanged directories. This is best effort: a
// directory the stream carries only in part can leave names unknown.
//
// # Raw and encrypted streams
//
// A raw stream (zfs send -w) of an encrypted dataset carries ciphertext;
// Read fails with ErrEncrypted. Raw streams of unencrypted datasets read
// like compressed ones. Compound streams (zfs send -R, -I) hold several
// substreams; Options.Dataset picks one (the first by default).
package streamfs
