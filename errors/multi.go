package errors

import (
	"strconv"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Append adds the non-nil errors in errs to err and returns the combined error,
// or nil when err and every element of errs are nil. Batch operations use it to
// report every failure rather than the first:
//
//	var err error
//	for _, s := range snaps {
//		err = errors.Append(err, destroy(ctx, s))
//	}
//	return err
//
// The result is a *multierror.Error (from github.com/hashicorp/go-multierror)
// when it holds more than one error, and the single error itself when it holds
// one. errors.Is and errors.As search every error it holds; Errors lists them.
// Like multierror.Append, Append may reuse err's storage when err is a
// *multierror.Error, so keep using the returned value only.
func Append(err error, errs ...error) error {
	if me, ok := err.(*multierror.Error); ok && me == nil {
		err = nil
	}
	n := 0
	for _, e := range errs {
		if e != nil && !isNilMulti(e) {
			n++
		}
	}
	if n == 0 {
		if me, ok := err.(*multierror.Error); ok {
			return me.ErrorOrNil()
		}
		return err
	}
	if err == nil && n == 1 {
		for _, e := range errs {
			if e != nil && !isNilMulti(e) {
				if me, ok := e.(*multierror.Error); ok {
					return withFormat(me).ErrorOrNil()
				}
				return e
			}
		}
	}
	return withFormat(multierror.Append(err, errs...)).ErrorOrNil()
}

// isNilMulti reports whether e is a nil or empty *multierror.Error.
func isNilMulti(e error) bool {
	me, ok := e.(*multierror.Error)
	return ok && (me == nil || len(me.Errors) == 0)
}

// withFormat sets the message format of me and returns it.
func withFormat(me *multierror.Error) *multierror.Error {
	me.ErrorFormat = formatList
	return me
}

// formatList formats the errors of a batch: "2 errors: first; second".
func formatList(errs []error) string {
	if len(errs) == 1 {
		return errs[0].Error()
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(errs)))
	b.WriteString(" errors: ")
	for i, e := range errs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

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
