// Package errors defines the errors of gozfs and is a drop-in superset of the
// standard library's errors package: it re-exports Is, As, New, Join, Unwrap
// and ErrUnsupported, so code using gozfs imports this one package.
//
// # Conventions
//
// Every failed zfs or zpool command, and every request rejected before running
// one, is reported as an *Error (or a *ResumableError wrapping one). An *Error
// records the operation (Op), the dataset or pool concerned (Name), a Kind,
// and, when a command ran, its argv, exit status and standard error. Its
// message names its origin and keeps the meaningful line of zfs's own message:
//
//	zfs destroy tank/a@x: dataset is busy
//
// Check errors by meaning, never by message text:
//
//	errors.Is(err, errors.ErrNotExist) // this package's sentinel for NotExist
//	errors.Is(err, fs.ErrNotExist)     // the standard one matches as well
//	var e *errors.Error
//	if errors.As(err, &e) { fmt.Println(e.Kind, e.Stderr) }
//
// Each Kind has a sentinel (ErrBusy for Busy, and so on). An *Error also
// matches the standard library sentinel that fits its Kind: fs.ErrNotExist,
// fs.ErrExist, fs.ErrPermission and errors.ErrUnsupported. Some kinds refine
// others and match the coarser sentinel too: Held and ResumableStatePresent
// match ErrBusy; HasChildren and HasClones match ErrHasDependents. When the
// context ended a command the Kind is Canceled and the context's error is in
// the chain, so errors.Is(err, context.Canceled) and
// errors.Is(err, context.DeadlineExceeded) work. When the program could not
// be started at all the Kind is CommandNotFound; note that the cause in the
// chain may then itself match fs.ErrNotExist, so check the Kind (or
// ErrCommandNotFound first) when that difference matters.
//
// # Classification
//
// FromCommand turns the error of a command.Runner into an *Error, deriving the
// Kind from standard error with Classify: a table of rules written against the
// actual messages of OpenZFS 2.1 to 2.3 in the C locale (libzfs and the zfs and
// zpool commands). Messages the table does not know give Kind Other; the full
// standard error is always kept in the Stderr field.
//
// # Receive
//
// A receive whose standard error shows it left resumable state is reported as
// a *ResumableError: Kind Interrupted when a "zfs receive -s" stopped part-way
// (zfs then prints the resume token, which FromCommand extracts into Token),
// or Kind ResumableStatePresent when the destination already held partial
// state. When no token was printed, Token is empty and the caller may read the
// destination's receive_resume_token property and use Resumable.
//
// # Validation and batches
//
// Packages reject bad input before running anything with Newf, InvalidNamef
// and InvalidArgumentf, which return an *Error of the corresponding Kind with
// ExitCode -1. Operations over many objects report every failure with Append,
// which returns nil when nothing failed and otherwise an error that errors.Is
// and errors.As search in full; Errors lists the individual failures.
package errors
