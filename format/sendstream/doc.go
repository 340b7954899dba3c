// Package sendstream reads and verifies OpenZFS send streams (the output of
// zfs send) in pure Go, without ZFS: record by record, holding at most one
// record in memory, and checking every checksum that zfs receive checks.
//
//	sum, err := sendstream.Scan(f, sendstream.Options{}) // like zstream dump
//	if err != nil {
//		return err // a *ChecksumError, *TruncatedError or *RecordError
//	}
//	for _, ss := range sum.Substreams {
//		fmt.Println(ss.Begin.ToName, ss.Begin.Features, ss.Records[sendstream.TypeWrite])
//	}
//
// To check a stream on its way into zfs receive, put a [VerifyingReader] or
// [VerifyingWriter] in its path; package recv does so with
// recv.Options.Verify.
//
// # Reading
//
// [Reader] returns one [Record] at a time with its decoded header (Begin,
// Write, Object, ... by Type) and payload, verifies each header's embedded
// checksum and each END record's stream checksum, decodes BEGIN payloads
// with package [github.com/gozfs/gozfs/format/nvlist], and keeps a [Summary] equivalent to zstream dump's:
// record counts and payload bytes per type, per-substream dataset names,
// GUIDs and feature flags. [Scan] reads a whole stream and returns its
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
// Problems with the input are reported as [*ChecksumError],
// [*TruncatedError] or [*RecordError] values, which give the record index and byte offset and
// wrap one of the sentinel errors ([ErrChecksum], ErrTruncated, ErrBadMagic,
// ErrUnknownRecord, ErrMalformed, ErrUnsupportedFeature, ErrTrailingData)
// for errors.Is. Errors from the underlying reader or writer are returned
// as they are.
package sendstream
