package ondisk

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package and by the readers built
// on it wrap one of them, so callers can test with errors.Is.
var (
	// ErrCorrupt means a structure does not decode: a bad magic number, a
	// size or count that does not fit, a value out of range.
	ErrCorrupt = errors.New("zfs: corrupt on-disk structure")
	// ErrChecksum means a block's data does not match its checksum.
	ErrChecksum = errors.New("zfs: checksum mismatch")
	// ErrUnsupported means a valid structure this package cannot read: an
	// unknown compression or checksum algorithm, or a feature it does not
	// implement.
	ErrUnsupported = errors.New("zfs: unsupported")
	// ErrEncrypted means the data is encrypted; its contents are not read.
	ErrEncrypted = errors.New("zfs: encrypted")
	// ErrNotFound means a name or object that does not exist.
	ErrNotFound = errors.New("zfs: not found")
)

// BlockError reports a block that could not be read: every copy was
// unreadable, failed its checksum, or did not decompress.
type BlockError struct {
	// Objset names the object set (a dataset name, "MOS", or empty).
	Objset string
	// Object is the object number, Level the indirection level (0 for
	// data) and BlockID the block's index at that level.
	Object  uint64
	Level   int
	BlockID uint64
	// Offset is the logical byte offset of the block in its object, for
	// level-0 blocks.
	Offset uint64
	// Err says why, wrapping ErrChecksum, ErrCorrupt, ErrUnsupported or an
	// I/O error.
	Err error
}

// Error formats the error with the block's location.
func (e *BlockError) Error() string {
	where := ""
	if e.Objset != "" {
		where = e.Objset + " "
	}
	if e.Level == 0 {
		return fmt.Sprintf("zfs: %sobject %d offset %d (block %d): %v", where, e.Object, e.Offset, e.BlockID, e.Err)
	}
	return fmt.Sprintf("zfs: %sobject %d level %d block %d: %v", where, e.Object, e.Level, e.BlockID, e.Err)
}

// Unwrap returns e.Err.
func (e *BlockError) Unwrap() error { return e.Err }

// corruptf returns an error wrapping ErrCorrupt.
func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// unsupportedf returns an error wrapping ErrUnsupported.
func unsupportedf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnsupported}, args...)...)
}
