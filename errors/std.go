package errors

import stderrors "errors"

// ErrUnsupported is the standard library's errors.ErrUnsupported. An *Error of
// Kind NotSupported matches it.
var ErrUnsupported = stderrors.ErrUnsupported

// New returns an error whose message is text. It is the standard library's
// errors.New, re-exported so that callers need only this package.
func New(text string) error { return stderrors.New(text) }

// Is reports whether any error in err's tree matches target. It is the standard
// library's errors.Is.
func Is(err, target error) bool { return stderrors.Is(err, target) }

// As finds the first error in err's tree that matches target, and if one is
// found, sets target to that error value and returns true. It is the standard
// library's errors.As.
func As(err error, target any) bool { return stderrors.As(err, target) }

// Unwrap returns the result of calling the Unwrap method on err, if err's type
// has one returning error; otherwise nil. It is the standard library's
// errors.Unwrap.
func Unwrap(err error) error { return stderrors.Unwrap(err) }

// Join returns an error that wraps the given errors, discarding nil values; it
// returns nil if every value is nil. It is the standard library's errors.Join.
func Join(errs ...error) error { return stderrors.Join(errs...) }
