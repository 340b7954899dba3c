// Package ondisk decodes the on-disk structures of OpenZFS that pool images
// and send streams share, in pure Go and read-only: block pointers, dnodes,
// object sets, ZAP objects (micro and fat), system attributes and legacy
// znodes, DSL directories and datasets, the compression algorithms (lz4,
// lzjb, gzip, zle, zstd) and the checksums (fletcher-2, fletcher-4, SHA-256,
// SHA-512/256, Skein-512/256, BLAKE3; Skein is written here, as no kept Go
// module offers it).
//
// On top of those structures, FS presents the files of one ZFS file system
// object set as an io/fs file system: directories, file contents, symbolic
// links, owners, modes, times and extended attributes. It reads the objects
// through an ObjectReader, which package
// github.com/gozfs/gozfs/format/poolimage implements for pool images and
// package github.com/gozfs/gozfs/format/streamfs for send streams.
//
// # Hostile input
//
// Every decoder checks sizes and counts against the bytes it was given before
// it allocates or indexes, and returns an error wrapping ErrCorrupt rather
// than panicking; decompression never produces more than the caller's
// destination buffer. Object numbers, block numbers and levels are checked
// against the limits of the format, so a corrupt image cannot make a reader
// loop or allocate without bound.
//
// # Sources
//
// The formats are described in OpenZFS's include/sys/spa.h (block
// pointers), dnode.h, dmu_objset.h, zap_impl.h and zap_leaf.h, sa_impl.h,
// zfs_sa.h, zfs_znode.h, dsl_dir.h and dsl_dataset.h, and in module/zfs
// (zio_checksum.c, zio_compress.c, lzjb.c, zle.c, lz4_zfs.c, zfs_zstd.c).
package ondisk
