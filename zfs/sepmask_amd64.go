package zfs

// sepMasks sets masks[i], for each whole 64-byte chunk i of b, to the bitmap
// of the tabs and newlines in the chunk (bit k for byte k). masks must have
// room for len(b)/64 words; bytes after the last whole chunk are ignored.
//
//go:noescape
func sepMasks(b []byte, masks []uint64)
