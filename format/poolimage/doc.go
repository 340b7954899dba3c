// Package poolimage reads ZFS pools from the image files or devices of
// their vdevs, in pure Go and without ZFS: no kernel module, no import, and
// nothing is ever written.
//
// # Labels
//
// ReadLabels reads the four vdev labels of one device (what zdb -l shows):
// each label's configuration nvlist, checked against its embedded SHA-256
// checksum and decoded into a Config (pool name and GUID, state, txg, host
// name and ID, the vdev tree of the device's top-level vdev with types,
// paths, GUIDs and ashift, the features a reader needs), and the uberblock
// ring, whose valid entries (magic in either byte order, good checksum)
// are kept; Labels.Active picks the one ZFS would import from (highest
// txg, then timestamp, then MMP sequence). Damaged labels are reported in
// Label.Err, not as a failure. Package zpool's Labels function opens a
// device path for it.
//
// # Pools
//
// Open (or OpenFiles) takes the members of one pool and follows the
// active uberblock to the meta-object set (MOS): Datasets lists the file
// systems, volumes and snapshots of the DSL directory tree with their GUIDs,
// creation txg and time, space, origin, and the properties set on them;
// FS opens a file system or snapshot as an io/fs file system (an
// *ondisk.FS) whose files, directories (micro and fat ZAPs), symbolic
// links, owners, modes, times and extended attributes read like the
// mounted file system shows them; Objset gives lower-level access to the
// objects of any dataset.
//
// Block pointers of every kind are followed: indirect blocks of any level,
// embedded block pointers, gang blocks, holes, large blocks and large
// dnodes. Data is decompressed (lz4, lzjb, gzip-1 to 9, zle, zstd) and
// checked against its checksum (fletcher-2, fletcher-4, SHA-256,
// SHA-512/256, Skein and BLAKE3 with the pool's salt). Edon-R has no
// maintained Go implementation: blocks using it are read unverified, or
// refused with Options.StrictChecksums.
//
// # Vdevs and damage
//
// Single disks or files, mirrors (any side whose data passes its
// checksum), and RAID-Z with one, two or three parity columns and any
// width are read. A missing member or a block that fails its checksum is
// rebuilt from the other side of a mirror or from RAID-Z parity: every
// combination of up to nparity columns is tried until the data matches
// its checksum. A block no copy of which can be read is reported as a
// *ondisk.BlockError naming the dataset, object and offset. dRAID and
// RAID-Z vdevs that have been expanded (raidz_expansion) are not
// supported.
//
// # Encryption
//
// Encrypted datasets are listed (Dataset.Encrypted) but their contents are
// not read: FS and Objset fail with an error wrapping ondisk.ErrEncrypted.
//
// # Hostile images
//
// The decoders check every size, count and offset before using it, so a
// corrupt or malicious image gives errors, not panics, and allocations
// stay bounded (the largest is one 16 MiB block); metadata blocks are kept
// in an LRU cache of Options.CacheBytes.
package poolimage
