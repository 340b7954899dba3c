package nvlist

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by *DecodeError and *EncodeError.
var (
	// ErrTruncated means the input ended before the list did.
	ErrTruncated = errors.New("nvlist: truncated")
	// ErrMalformed means the input violates the packed format: bad sizes,
	// unterminated names, invalid boolean values, inconsistent counts.
	ErrMalformed = errors.New("nvlist: malformed")
	// ErrUnsupported means an unknown encoding, list version or pair type.
	ErrUnsupported = errors.New("nvlist: unsupported")
	// ErrTooDeep means lists nest more than MaxDepth levels.
	ErrTooDeep = errors.New("nvlist: nested too deeply")
	// ErrInvalidValue means a Pair's Value does not match its Type, or a
	// value cannot be represented in the packed format.
	ErrInvalidValue = errors.New("nvlist: invalid value")
)

// DecodeError describes where decoding failed. Err is one of ErrTruncated,
// ErrMalformed, ErrUnsupported or ErrTooDeep.
type DecodeError struct {
	// Offset is the byte offset in the packed input where the problem was
	// found.
	Offset int
	// Path names the pair being decoded, with nested list names joined by
	// "/" and array elements as "name[i]"; it is empty at list level.
	Path string
	// Reason says what is wrong, e.g. "pair size exceeds input".
	Reason string
	// Err is the sentinel error classifying the problem.
	Err error
}

// Error formats the error with its location and cause.
func (e *DecodeError) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("%v at offset %d (pair %q): %s", e.Err, e.Offset, e.Path, e.Reason)
	}
	return fmt.Sprintf("%v at offset %d: %s", e.Err, e.Offset, e.Reason)
}

// Unwrap returns e.Err.
func (e *DecodeError) Unwrap() error { return e.Err }

// EncodeError describes a pair that could not be encoded. Err is
// ErrInvalidValue or ErrTooDeep.
type EncodeError struct {
	// Path names the offending pair like DecodeError.Path.
	Path string
	// Reason says what is wrong.
	Reason string
	// Err is the sentinel error classifying the problem.
	Err error
}

// Error formats the error with its location and cause.
func (e *EncodeError) Error() string {
	return fmt.Sprintf("%v (pair %q): %s", e.Err, e.Path, e.Reason)
}

// Unwrap returns e.Err.
func (e *EncodeError) Unwrap() error { return e.Err }
