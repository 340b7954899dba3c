package retention

import (
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/errors"
)

// Error reports a policy, grid specification or snapshot list that cannot be
// used. It is returned before anything is evaluated, so a plan is never built
// from bad input.
//
// errors.Is(err, errors.ErrInvalidArgument) holds for every *Error (with
// package [github.com/gozfs/gozfs/errors]), and errors.As finds the *Error
// with its details.
type Error struct {
	// Subject names what is wrong, for example `grid "1x1h | 24y1h"`,
	// "rule 2 (last 0)" or `snapshot "tank/a"`.
	Subject string
	// Offset is the byte offset in a grid specification where the problem
	// was found, or -1 when the error is not about a specification's text.
	Offset int
	// Reason says what is wrong.
	Reason string
}

// Error returns "retention: <subject>: <reason>", with the offset in a grid
// specification when there is one.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("retention: ")
	b.WriteString(e.Subject)
	if e.Offset >= 0 {
		b.WriteString(" at offset ")
		b.WriteString(strconv.Itoa(e.Offset))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Is reports whether target is errors.ErrInvalidArgument.
func (e *Error) Is(target error) bool { return target == errors.ErrInvalidArgument }

// invalid returns an *Error with no offset.
func invalid(subject, reason string) *Error {
	return &Error{Subject: subject, Offset: -1, Reason: reason}
}
