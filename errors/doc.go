// Package errors defines the errors of gozfs, and tells them apart by
// meaning rather than by message. It is a drop-in superset of the standard
// library's errors package: it re-exports [Is], [As], [New], [Join],
// [Unwrap] and [ErrUnsupported], so code using gozfs imports this one
// package.
//
//	err := snap.Destroy(ctx, zfs.DestroyOptions{})
//	switch {
//	case errors.Is(err, errors.ErrNotExist): // or fs.ErrNotExist
//		// gone already
//	case errors.Is(err, errors.ErrBusy):
//		// held or in use: try again later
//	case err != nil:
//		var e *errors.Error
//		if errors.As(err, &e) {
//			log.Println(e.Op, e.Name, e.Kind, e.ExitCode, e.Stderr)
//		}
//	}
//
// # Conventions
//
// Every failed zfs or zpool command, and every request rejected before
// running one, is reported as an [*Error] (or a [*ResumableError] wrapping
// one). An *Error records the operation (Op), the dataset or pool concerned
// (Name), a [Kind], and, when a command ran, its argv, exit status and
// standard error. Its message names its origin and keeps the meaningful
// line of zfs's own message:
//
//	zfs destroy tank/a@x: dataset is busy
//
// Check errors by meaning, never by message text. For one kind, use [Is]
// with its sentinel ([ErrNotExist], [ErrBusy], ...); it also sees through
// wrapping, joined errors and the batches of operations over many objects.
// To branch on several kinds, or to log what went wrong, read the *Error,
// or its Kind with [KindOf]:
//
//	switch errors.KindOf(err) {
//	case errors.Busy, errors.Held:
//		// retry later
//	case errors.NotExist:
//		// nothing to do
//	}
//
// Prefer errors.Is for single checks: a finer kind matches its coarser
// sentinel (a Held error is Busy too), which a comparison of Kind values
// does not do.
//
// Each Kind has a sentinel (ErrBusy for Busy, and so on). An *Error also
// matches the standard library sentinel that fits its Kind: fs.ErrNotExist,
// fs.ErrExist, fs.ErrPermission and errors.ErrUnsupported. Some kinds refine
// others and match the coarser sentinel too: Held and ResumableStatePresent
// match ErrBusy; HasChildren and HasClones match [ErrHasDependents];
// Diverged matches [ErrStreamMismatch]. When the context ended a command the
// Kind is Canceled and the context's error is in the chain, so
// errors.Is(err, context.Canceled) and errors.Is(err,
// context.DeadlineExceeded) work. When the program could not be started at
// all the Kind is CommandNotFound; note that the cause in the chain may then
// itself match fs.ErrNotExist, so check the Kind (or [ErrCommandNotFound]
// first) when that difference matters.
//
// Operations over many objects (destroying many snapshots, say) report
// every failure in one error: errors.Is and errors.As search all of them,
// and [Errors] lists them.
//
// # Classification
//
// The Kind of a failed command comes from its standard error, matched
// against the messages of OpenZFS 2.1 to 2.3 in the C locale. Messages it
// does not know give Kind Other; the full standard error is always kept in
// the Stderr field. Code that runs zfs or zpool commands of its own through
// a [github.com/gozfs/gozfs/command.Runner] gets the same errors with
// [FromCommand], and [Classify] classifies a message alone.
//
// # Receive
//
// A receive whose standard error shows it left resumable state is reported as
// a *ResumableError: Kind Interrupted when a "zfs receive -s" stopped part-way
// (zfs then prints the resume token, which becomes Token), or Kind
// ResumableStatePresent when the destination already held partial state. A
// resumable receive that the context cancelled, or whose source failed, and
// that saved its state is a *ResumableError of Kind Canceled or
// InvalidStream; every *ResumableError of a receive that stopped part-way
// matches ErrInterrupted, so errors.Is(err, ErrInterrupted) asks "can this
// be resumed?" whatever stopped it. When
// zfs printed no token, the receiving packages read the destination's
// receive_resume_token property into Token where they can.
package errors
