package errors

import (
	"context"
	"io/fs"
	"os/exec"
	"path"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/command"
)

// Error describes a failed zfs or zpool operation, or an operation rejected
// before anything ran (an invalid name or argument).
//
// Error matches, with Is, the sentinel of its Kind (see Kind), and the standard
// library sentinel that fits it: fs.ErrNotExist for NotExist, fs.ErrExist for
// Exist, fs.ErrPermission for Permission and errors.ErrUnsupported for
// NotSupported. Its cause Err is reachable with Unwrap, so when the context
// ended the command, errors.Is(err, context.Canceled) (or
// context.DeadlineExceeded) holds too.
type Error struct {
	// Op is the operation, usually the subcommand: "destroy", "list",
	// "receive". It may name the program too ("zpool create").
	Op string
	// Name is the dataset, snapshot, bookmark or pool concerned, if any.
	Name string
	// Kind classifies the failure.
	Kind Kind
	// Argv is the command that ran, program name first; nil if nothing ran.
	Argv []string
	// ExitCode is the command's exit status, or -1 if it was killed by a
	// signal or never ran.
	ExitCode int
	// Stderr is the command's standard error, as captured (and bounded) by the
	// runner.
	Stderr string
	// Err is the underlying cause, such as the *command.ExitError the runner
	// returned, or nil.
	Err error
}

// Error returns a message naming the program, operation and object, then the
// meaningful part of the command's standard error, for example
// "zfs destroy tank/a@x: dataset is busy". Without standard error it falls back
// to the Kind and the cause.
func (e *Error) Error() string {
	var b strings.Builder
	prog := e.program()
	b.WriteString(prog)
	if e.Op != "" {
		if prog != "" {
			b.WriteByte(' ')
		}
		b.WriteString(e.Op)
	}
	if e.Name != "" {
		b.WriteByte(' ')
		b.WriteString(displayName(e.Name))
	}
	b.WriteString(": ")
	b.WriteString(e.detail())
	return b.String()
}

// program returns the program name that starts the message: the base of
// Argv[0], or "zfs" when nothing ran, or nothing when Op already names it.
func (e *Error) program() string {
	prog := "zfs"
	if len(e.Argv) > 0 && e.Argv[0] != "" {
		prog = path.Base(e.Argv[0])
	}
	if e.Op == prog || strings.HasPrefix(e.Op, prog+" ") ||
		strings.HasPrefix(e.Op, "zfs ") || strings.HasPrefix(e.Op, "zpool ") {
		return ""
	}
	return prog
}

// detail returns the part of the message after the colon.
func (e *Error) detail() string {
	if s := summarize(e.Stderr, e.Name); s != "" {
		return s
	}
	cause := causeText(e.Err)
	switch {
	case cause == "":
		return e.Kind.String()
	case e.Kind == Other || e.Kind == Canceled:
		return cause
	}
	return e.Kind.String() + ": " + cause
}

// causeText describes err for a message without repeating the command line
// that a *command.ExitError puts in its own message.
func causeText(err error) string {
	if err == nil {
		return ""
	}
	if xe, ok := err.(*command.ExitError); ok {
		switch {
		case xe.Err != nil && xe.Code < 0:
			return xe.Err.Error()
		case xe.Code >= 0:
			return "exit status " + strconv.Itoa(xe.Code)
		default:
			return "killed"
		}
	}
	return err.Error()
}

// displayName quotes a name that contains anything but the characters of a
// well-formed name, so that odd input stays visible in messages.
func displayName(name string) string {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("_-.:/@#%", c) >= 0) {
			return strconv.Quote(name)
		}
	}
	return name
}

// Unwrap returns the cause, e.Err.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether e matches target: the sentinel of e.Kind, the sentinel of
// the coarser kind e.Kind refines, or the standard library sentinel that
// corresponds to e.Kind (fs.ErrNotExist, fs.ErrExist, fs.ErrPermission,
// errors.ErrUnsupported). The cause is matched separately, through Unwrap.
func (e *Error) Is(target error) bool { return e.Kind.matches(target) }

// ResumableError reports a receive that left resumable state on its
// destination: either the receive stopped part-way (Kind Interrupted) or the
// destination already held partially received state (Kind
// ResumableStatePresent). Err describes the failure; errors.As finds both the
// *ResumableError and, through Unwrap, the *Error.
//
// Token is the destination's receive_resume_token, which "zfs send -t" takes to
// resume the stream. FromCommand fills it when zfs printed it on standard error
// (an interrupted "zfs receive -s" prints it); otherwise it is empty and the
// caller may read the receive_resume_token property of the destination and set
// the field, or use Resumable.
type ResumableError struct {
	// Token is the receive resume token, or "" if not known yet.
	Token string
	// Err is the failure; it is never nil in errors this package returns.
	Err *Error
}

// Error returns the message of Err.
func (e *ResumableError) Error() string {
	if e.Err == nil {
		return "zfs receive: resumable state present"
	}
	return e.Err.Error()
}

// Unwrap returns Err, so errors.As can find the *Error and errors.Is its Kind.
func (e *ResumableError) Unwrap() error {
	if e.Err == nil {
		return nil
	}
	return e.Err
}

// FromCommand turns the error a command.Runner returned for operation op on
// name into an *Error:
//
//   - nil gives nil;
//   - an *Error or *ResumableError is returned unchanged;
//   - a *command.ExitError gives an *Error classified from its standard error
//     (see Classify), with its Argv, exit code and standard error, and the
//     ExitError as cause. If the context ended the command the Kind is
//     Canceled, and context errors still match through the cause;
//   - a failure to start the program (not found, not executable) gives Kind
//     CommandNotFound or Permission, and a context error gives Canceled;
//   - any other error gives Kind Other, wrapping it.
//
// When the standard error shows the receive left resumable state (Kind
// Interrupted or ResumableStatePresent), the result is a *ResumableError whose
// Token is set if zfs printed one.
func FromCommand(op, name string, err error) error {
	if err == nil {
		return nil
	}
	switch err.(type) {
	case *Error, *ResumableError:
		return err
	}
	e := &Error{Op: op, Name: name, ExitCode: -1, Err: err}
	var xe *command.ExitError
	if As(err, &xe) {
		e.Argv = xe.Argv
		e.ExitCode = xe.Code
		e.Stderr = xe.Stderr
		e.Kind = Classify(xe.Stderr)
	}
	if e.Kind != Interrupted && e.Kind != ResumableStatePresent {
		if k := startFailure(err); k != Other && e.Stderr == "" {
			e.Kind = k
		} else if Is(err, context.Canceled) || Is(err, context.DeadlineExceeded) {
			e.Kind = Canceled
		} else if e.Kind == Other && Is(err, exec.ErrNotFound) {
			// A runner that starts the program elsewhere (over ssh, say)
			// reports a missing program as a failed command whose cause
			// matches exec.ErrNotFound, with the remote shell's message.
			e.Kind = CommandNotFound
		}
	}
	if e.Kind == Interrupted || e.Kind == ResumableStatePresent {
		token, _ := resumeToken(e.Stderr)
		return &ResumableError{Token: token, Err: e}
	}
	return e
}

// startFailure classifies an error from starting the program.
func startFailure(err error) Kind {
	var ee *exec.Error
	if As(err, &ee) {
		if Is(ee.Err, fs.ErrPermission) {
			return Permission
		}
		return CommandNotFound
	}
	var pe *fs.PathError
	if As(err, &pe) && pe.Op == "fork/exec" {
		if Is(pe.Err, fs.ErrPermission) {
			return Permission
		}
		return CommandNotFound
	}
	return Other
}
