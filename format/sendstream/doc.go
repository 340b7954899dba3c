// Package sendstream reads and verifies OpenZFS send streams (the output of
// zfs send) in pure Go, without ZFS: record by record, holding at most one
// record in memory, and checking every checksum that zfs receive checks.
//
// # Format
//
// A stream is a sequence of records. Each starts with a 312-byte header
// (dmu_replay_record_t): a type, a payload length used only by BEGIN, a
// type-specific part, and, in every record but BEGIN, the running
// fletcher-4 checksum of the stream up to that point. A payload whose size
// follows from the header fields may follow. A substream runs from a BEGIN
// record to an END record whose own checksum covers everything before it.
// A compound stream (zfs send -R, -I, -p, -b or -h) wraps substreams: a
// BEGIN with header type Compound, usually carrying a packed nvlist that
// describes the datasets, an END checksumming that header, the substreams, and a
// final all-zero END. The byte order is the sending host's; it is detected
// from the BEGIN record's magic number, and big-endian streams are read
// and checksummed byte-swapped as zfs receive does.
//
// # Reading
//
// Reader returns one Record at a time with its decoded header (Begin,
// Write, Object, ... by Type) and payload, verifies each header's embedded
// checksum and each END record's stream checksum, decodes BEGIN payloads
// with package nvlist, and keeps a Summary equivalent to zstream dump's:
// record counts and payload bytes per type, per-substream dataset names,
// GUIDs and feature flags. Scan reads a whole stream and returns its
// Summary.
//
// # Verifying transforms
//
// VerifyingReader and VerifyingWriter pass a stream through unchanged
// while checking it with the same rules as Reader. Put one in front of
// zfs receive so that a corrupt or truncated stream makes it fail rather
// than commit a bad snapshot. Their guarantee:
//
// Every record header is held back until it is complete and has passed its
// checks: its embedded running checksum, its type, its place in the stream
// structure, and for an END record the checksum of the whole substream it
// closes. Payload bytes are passed on as they arrive; they are covered by
// the checksum in the next header. So the bytes that complete an END record
// are passed on only if that END record, and everything before it in its
// substream, verified. On a corrupt stream the error is returned before the
// first byte of the header whose check fails is passed on (damage to a
// BEGIN record, which carries no checksum of its own, is caught by the next
// header's). On a truncated stream the error replaces io.EOF (reader) or is
// returned by Close (writer), and the bytes of a partial header are never
// passed on.
//
// Put differently: whatever has been passed on when the error is returned,
// read by itself as zfs receive reads it, never contains a complete END for
// a substream that failed, and never a complete stream. A downstream
// zfs receive therefore fails instead of committing a bad substream, even
// if its input is simply closed after the error (it then reads end of file
// before the END record it needs).
//
// Two caveats follow from the format. The substreams of a compound (-R,
// -I) stream are independent: zfs receive commits each one at its END, so
// substreams that verified before a later one fails may already have been
// received. And data after a complete stream is reported (ErrTrailingData)
// after the stream's final END has been passed on; zfs receive does not read
// past that END anyway.
//
// # Errors
//
// Problems with the input are reported as *ChecksumError, *TruncatedError
// or *RecordError values, which give the record index and byte offset and
// wrap one of the sentinel errors (ErrChecksum, ErrTruncated, ErrBadMagic,
// ErrUnknownRecord, ErrMalformed, ErrUnsupportedFeature, ErrTrailingData)
// for errors.Is. Errors from the underlying reader or writer are returned
// as they are.
//
// Sources for the format: include/sys/zfs_ioctl.h, module/zfs/dmu_send.c,
// module/zfs/dmu_recv.c, lib/libzfs/libzfs_sendrecv.c and
// cmd/zstream/zstream_dump.c in OpenZFS.
package sendstream
