// Package errs holds the helpers gozfs's packages use to build the errors of
// package github.com/gozfs/gozfs/errors: rejecting a request before anything
// runs, naming the operation of a validation error, combining the failures of
// a batch and marking a receive as resumable. Users match and inspect those
// errors with the public package; only the packages of this module create them.
package errs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/errors"
	"github.com/hashicorp/go-multierror"
)

// Newf returns an *errors.Error of the given kind for op on name, with a cause
// whose message is formatted from format and args (a %w verb wraps as in
// fmt.Errorf). Nothing ran, so Argv is nil and ExitCode is -1.
func Newf(kind errors.Kind, op, name, format string, args ...any) error {
	return &errors.Error{Op: op, Name: name, Kind: kind, ExitCode: -1, Err: fmt.Errorf(format, args...)}
}

// InvalidNamef returns an *errors.Error of Kind InvalidName for op on name.
func InvalidNamef(op, name, format string, args ...any) error {
	return Newf(errors.InvalidName, op, name, format, args...)
}

// InvalidArgumentf returns an *errors.Error of Kind InvalidArgument for op on
// name.
func InvalidArgumentf(op, name, format string, args ...any) error {
	return Newf(errors.InvalidArgument, op, name, format, args...)
}

// WithOp returns err with its operation set to op, if err is an *errors.Error
// or *errors.ResumableError whose Op is empty (as the errors of name validation
// are); it returns a modified copy and leaves err itself alone. Any other err
// is returned unchanged.
func WithOp(err error, op string) error {
	switch e := err.(type) {
	case *errors.Error:
		if e.Op == "" {
			c := *e
			c.Op = op
			return &c
		}
	case *errors.ResumableError:
		if e.Err != nil && e.Err.Op == "" {
			c := *e.Err
			c.Op = op
			return &errors.ResumableError{Token: e.Token, Err: &c}
		}
	}
	return err
}

// Resumable returns an *errors.ResumableError carrying token and wrapping the
// *errors.Error in err's tree. If err holds no *errors.Error it returns err
// unchanged; if err already holds a *errors.ResumableError, that error is
// copied with its Token replaced. It is for resumable state discovered after
// the fact, such as a receive interrupted by its context whose destination
// now has a receive_resume_token.
func Resumable(err error, token string) error {
	var re *errors.ResumableError
	if errors.As(err, &re) {
		c := *re
		c.Token = token
		return &c
	}
	var e *errors.Error
	if !errors.As(err, &e) {
		return err
	}
	return &errors.ResumableError{Token: token, Err: e}
}

// Append adds the non-nil errors in errs to err and returns the combined
// error, or nil when err and every element of errs are nil. Batch operations
// use it to report every failure rather than the first. The result is a
// *multierror.Error when it holds more than one error, and the single error
// itself when it holds one; errors.Is and errors.As search every error it
// holds, and errors.Errors lists them. Append may reuse err's storage when err
// is a *multierror.Error, so keep using the returned value only.
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
