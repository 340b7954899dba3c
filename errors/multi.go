package errors

import "github.com/hashicorp/go-multierror"

// Errors returns the errors that err combines: the errors held by a
// *multierror.Error or by an error with an Unwrap() []error method (such as the
// result of Join), or else err itself as a one-element slice. It returns nil for
// a nil err.
func Errors(err error) []error {
	switch e := err.(type) {
	case nil:
		return nil
	case *multierror.Error:
		if e == nil {
			return nil
		}
		return e.WrappedErrors()
	case interface{ Unwrap() []error }:
		return e.Unwrap()
	}
	return []error{err}
}
