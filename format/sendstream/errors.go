package sendstream

import (
	"errors"
	"fmt"
	"io"
)

// Sentinel errors. Every error this package returns for bad input wraps
// exactly one of them, inside a *ChecksumError, *TruncatedError or
// *RecordError that locates the problem.
var (
	// ErrBadMagic means a BEGIN record was expected but the bytes do not
	// start with one (in either byte order).
	ErrBadMagic = errors.New("sendstream: bad magic number")
	// ErrChecksum means a record's embedded checksum, or an END record's
	// stream checksum, does not match the data.
	ErrChecksum = errors.New("sendstream: checksum mismatch")
	// ErrTruncated means the input ended inside a record or before the
	// stream's final END record. (Streams saved with zfs send -S end
	// without an END record by design and also report ErrTruncated.)
	ErrTruncated = errors.New("sendstream: truncated stream")
	// ErrUnknownRecord means a record type outside the known set.
	ErrUnknownRecord = errors.New("sendstream: unknown record type")
	// ErrMalformed means a structurally invalid stream: an oversized
	// payload, an unknown header type, a record where it cannot appear,
	// or an undecodable BEGIN nvlist.
	ErrMalformed = errors.New("sendstream: malformed stream")
	// ErrUnsupportedFeature means a BEGIN record with feature flags that
	// OpenZFS cannot receive; it is reported only when
	// Options.RejectUnsupported is set.
	ErrUnsupportedFeature = errors.New("sendstream: unsupported stream feature")
	// ErrTrailingData means bytes follow a complete stream and
	// Options.AllowConcatenated is not set.
	ErrTrailingData = errors.New("sendstream: data after end of stream")
)

// ChecksumError reports a checksum mismatch. It wraps ErrChecksum.
type ChecksumError struct {
	// Index and Offset locate the record whose check failed.
	Index  int64
	Offset int64
	Type   RecordType
	// StreamEnd is true when the END record's checksum of the whole
	// substream failed, false when a record header's running checksum did.
	StreamEnd bool
	// Stored is the checksum found in the stream; Computed is what the
	// data before it sums to.
	Stored   Checksum
	Computed Checksum
}

// Error formats the error with its location and cause.
func (e *ChecksumError) Error() string {
	what := "record header"
	if e.StreamEnd {
		what = "END record"
	}
	return fmt.Sprintf("sendstream: checksum mismatch in %s (record %d, %v, offset %d): stream has %v, data sums to %v",
		what, e.Index, e.Type, e.Offset, e.Stored, e.Computed)
}

// Unwrap returns ErrChecksum.
func (e *ChecksumError) Unwrap() error { return ErrChecksum }

// TruncatedError reports input that ended too early. It wraps ErrTruncated
// and io.ErrUnexpectedEOF.
type TruncatedError struct {
	// Index is the index of the record being read, or of the record that
	// was expected next.
	Index int64
	// Offset is the number of bytes read in total.
	Offset int64
	// Type is the type of the incomplete record, if its header was read.
	Type RecordType
	// Want is what was missing: "header", "payload" or "END record".
	Want string
	// Missing is how many bytes of the header or payload were missing (0
	// when a whole record was).
	Missing int64
}

// Error formats the error with its location and cause.
func (e *TruncatedError) Error() string {
	if e.Missing > 0 {
		return fmt.Sprintf("sendstream: truncated stream: %d bytes of record %d %s missing at offset %d", e.Missing, e.Index, e.Want, e.Offset)
	}
	return fmt.Sprintf("sendstream: truncated stream: %s missing at offset %d (record %d)", e.Want, e.Offset, e.Index)
}

// Unwrap returns ErrTruncated and io.ErrUnexpectedEOF.
func (e *TruncatedError) Unwrap() []error { return []error{ErrTruncated, io.ErrUnexpectedEOF} }

// RecordError reports any other problem with a record. Err is one of the
// sentinel errors; Cause, if set, is the underlying error (for example a
// *nvlist.DecodeError).
type RecordError struct {
	Index  int64
	Offset int64
	Type   RecordType
	Reason string
	Err    error
	Cause  error
}

// Error formats the error with its location and cause.
func (e *RecordError) Error() string {
	msg := fmt.Sprintf("%v: record %d (%v) at offset %d: %s", e.Err, e.Index, e.Type, e.Offset, e.Reason)
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Unwrap returns Err and Cause.
func (e *RecordError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}
