package errors

import (
	"context"
	"io/fs"
	"strconv"
)

// Kind classifies an error by what went wrong, independently of the command and
// of the wording of its message. Each Kind except Other has a sentinel error
// (ErrNotExist for NotExist, and so on) that an *Error of that Kind matches with
// Is.
//
// A few kinds refine another: an error of the finer kind also matches the
// coarser kind's sentinel. Held and ResumableStatePresent refine Busy;
// HasChildren and HasClones refine HasDependents; Diverged refines
// StreamMismatch.
type Kind uint8

// The kinds of error. New kinds may be added in later versions; code that
// switches on a Kind should have a default case.
const (
	// Other is an error that fits no other kind.
	Other Kind = iota
	// NotExist: the dataset, snapshot, bookmark, pool or hold does not exist.
	NotExist
	// Exist: the dataset, pool or hold tag already exists, or a receive
	// destination exists and overwriting it was not requested.
	Exist
	// Busy: the dataset or pool is in use (mounted, open, or being changed).
	Busy
	// Held: a snapshot cannot be destroyed because it has user holds. It
	// refines Busy. OpenZFS reports it distinctly from 2.3.3 on; earlier
	// releases say "dataset is busy", which gives Busy.
	Held
	// Permission: the caller lacks the privilege or delegated permission.
	Permission
	// NoSpace: the pool is out of space or a quota was exceeded.
	NoSpace
	// HasDependents: the dataset has dependents (children, clones) that would
	// have to be destroyed too.
	HasDependents
	// HasChildren: the dataset has child datasets (destroy needs -r). It
	// refines HasDependents.
	HasChildren
	// HasClones: a snapshot of the dataset has dependent clones (destroy needs
	// -R). It refines HasDependents.
	HasClones
	// InvalidName: a dataset, snapshot, bookmark or pool name is malformed.
	InvalidName
	// InvalidArgument: an option, property or argument is not acceptable.
	InvalidArgument
	// NotSupported: the pool, kernel module or tools do not support the
	// operation or stream feature.
	NotSupported
	// SnapshotNotLatest: rollback target is not the most recent snapshot;
	// newer snapshots or bookmarks exist.
	SnapshotNotLatest
	// StreamMismatch: an incremental stream does not apply to the
	// destination, whose most recent snapshot is not the stream's source.
	StreamMismatch
	// DestinationModified: the receive destination was changed since its most
	// recent snapshot (receive needs -F).
	DestinationModified
	// NoCommonBase: the incremental source or clone origin a stream needs is
	// missing, so sender and receiver share no usable base.
	NoCommonBase
	// InvalidStream: the send stream is malformed, truncated or corrupt.
	InvalidStream
	// PoolUnavailable: the pool is unavailable, faulted or its I/O is
	// suspended.
	PoolUnavailable
	// KeyNotLoaded: the encryption key needed for the operation is not loaded.
	KeyNotLoaded
	// ResumableStatePresent: the receive destination holds partially received
	// state from "zfs receive -s"; resume it or abort it first. It refines
	// Busy.
	ResumableStatePresent
	// Interrupted: a resumable receive stopped part-way and saved its state;
	// "zfs send -t <token>" can resume it.
	Interrupted
	// ReadOnly: the dataset or pool is read-only.
	ReadOnly
	// NotMounted: the filesystem is not mounted.
	NotMounted
	// IO: the pool reported an I/O or checksum error.
	IO
	// Canceled: the context ended the command before it finished.
	Canceled
	// CommandNotFound: the zfs or zpool program could not be started.
	CommandNotFound
	// ModuleNotLoaded: the ZFS kernel module is not loaded or /dev/zfs is
	// missing, so the program ran but could not use ZFS.
	ModuleNotLoaded
	// WrongParent: the dataset cannot go where it was asked to: its parent
	// (for a create, rename, clone or receive) is a volume, which cannot
	// have children, or a received volume would replace the pool's root
	// dataset or a filesystem that has children. libzfs calls it
	// EZFS_WRONG_PARENT, pyzfs WrongParent.
	WrongParent
	// Diverged: the receiving side has snapshots after the most recent
	// snapshot it shares with the sending side (it was snapshotted or
	// received from elsewhere), so no incremental stream from the sender
	// applies until those snapshots are rolled back. It refines
	// StreamMismatch. Replication planning reports it
	// (github.com/gozfs/gozfs/replication); zfs itself reports the receive
	// failure as StreamMismatch.
	Diverged

	numKinds
)

var kindNames = [numKinds]string{
	Other:                 "other error",
	NotExist:              "does not exist",
	Exist:                 "already exists",
	Busy:                  "busy",
	Held:                  "snapshot has holds",
	Permission:            "permission denied",
	NoSpace:               "out of space",
	HasDependents:         "has dependents",
	HasChildren:           "has children",
	HasClones:             "has dependent clones",
	InvalidName:           "invalid name",
	InvalidArgument:       "invalid argument",
	NotSupported:          "not supported",
	SnapshotNotLatest:     "more recent snapshots exist",
	StreamMismatch:        "stream does not match destination",
	DestinationModified:   "destination modified since most recent snapshot",
	NoCommonBase:          "no common base snapshot",
	InvalidStream:         "invalid stream",
	PoolUnavailable:       "pool unavailable",
	KeyNotLoaded:          "encryption key not loaded",
	ResumableStatePresent: "partially received state present",
	Interrupted:           "receive interrupted",
	ReadOnly:              "read-only",
	NotMounted:            "not mounted",
	IO:                    "i/o error",
	Canceled:              "canceled",
	CommandNotFound:       "command not found",
	ModuleNotLoaded:       "zfs kernel module not loaded",
	WrongParent:           "parent cannot hold the dataset",
	Diverged:              "target has snapshots after the common base",
}

// String returns a short lowercase description of k, such as "does not exist".
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// parent returns the coarser kind that k refines, or Other.
func (k Kind) parent() Kind {
	switch k {
	case Held, ResumableStatePresent:
		return Busy
	case HasChildren, HasClones:
		return HasDependents
	case Diverged:
		return StreamMismatch
	}
	return Other
}

// matches reports whether an error of kind k matches target, which is either
// one of this package's sentinels or a standard library sentinel.
func (k Kind) matches(target error) bool {
	if s, ok := target.(*kindError); ok {
		return k != Other && (s.kind == k || s.kind == k.parent())
	}
	switch target {
	case fs.ErrNotExist:
		return k == NotExist
	case fs.ErrExist:
		return k == Exist
	case fs.ErrPermission:
		return k == Permission
	case ErrUnsupported:
		return k == NotSupported
	}
	return false
}

// Err returns the sentinel error for k: ErrNotExist for NotExist, and so on. It
// returns nil for Other and for unknown kinds.
func (k Kind) Err() error {
	if k == Other || k >= numKinds {
		return nil
	}
	return sentinels[k]
}

// kindError is the type of the sentinels.
type kindError struct{ kind Kind }

func (e *kindError) Error() string { return "zfs: " + e.kind.String() }

// Is lets a sentinel match the standard library sentinel it corresponds to and
// the sentinel of the coarser kind it refines, so errors.Is(ErrNotExist,
// fs.ErrNotExist) and errors.Is(ErrHeld, ErrBusy) hold.
func (e *kindError) Is(target error) bool { return e.kind.matches(target) }

// Sentinel errors, one per Kind. An *Error matches the sentinel of its Kind (and
// of the coarser kind it refines) with Is. Their messages are "zfs: " followed
// by the Kind's String.
var (
	ErrNotExist              error = &kindError{NotExist}
	ErrExist                 error = &kindError{Exist}
	ErrBusy                  error = &kindError{Busy}
	ErrHeld                  error = &kindError{Held}
	ErrPermission            error = &kindError{Permission}
	ErrNoSpace               error = &kindError{NoSpace}
	ErrHasDependents         error = &kindError{HasDependents}
	ErrHasChildren           error = &kindError{HasChildren}
	ErrHasClones             error = &kindError{HasClones}
	ErrInvalidName           error = &kindError{InvalidName}
	ErrInvalidArgument       error = &kindError{InvalidArgument}
	ErrNotSupported          error = &kindError{NotSupported}
	ErrSnapshotNotLatest     error = &kindError{SnapshotNotLatest}
	ErrStreamMismatch        error = &kindError{StreamMismatch}
	ErrDestinationModified   error = &kindError{DestinationModified}
	ErrNoCommonBase          error = &kindError{NoCommonBase}
	ErrInvalidStream         error = &kindError{InvalidStream}
	ErrPoolUnavailable       error = &kindError{PoolUnavailable}
	ErrKeyNotLoaded          error = &kindError{KeyNotLoaded}
	ErrResumableStatePresent error = &kindError{ResumableStatePresent}
	ErrInterrupted           error = &kindError{Interrupted}
	ErrReadOnly              error = &kindError{ReadOnly}
	ErrNotMounted            error = &kindError{NotMounted}
	ErrIO                    error = &kindError{IO}
	ErrCanceled              error = &kindError{Canceled}
	ErrCommandNotFound       error = &kindError{CommandNotFound}
	ErrModuleNotLoaded       error = &kindError{ModuleNotLoaded}
	ErrWrongParent           error = &kindError{WrongParent}
	ErrDiverged              error = &kindError{Diverged}
)

// sentinels maps each Kind to its sentinel; Other maps to nil.
var sentinels = [numKinds]error{
	NotExist:              ErrNotExist,
	Exist:                 ErrExist,
	Busy:                  ErrBusy,
	Held:                  ErrHeld,
	Permission:            ErrPermission,
	NoSpace:               ErrNoSpace,
	HasDependents:         ErrHasDependents,
	HasChildren:           ErrHasChildren,
	HasClones:             ErrHasClones,
	InvalidName:           ErrInvalidName,
	InvalidArgument:       ErrInvalidArgument,
	NotSupported:          ErrNotSupported,
	SnapshotNotLatest:     ErrSnapshotNotLatest,
	StreamMismatch:        ErrStreamMismatch,
	DestinationModified:   ErrDestinationModified,
	NoCommonBase:          ErrNoCommonBase,
	InvalidStream:         ErrInvalidStream,
	PoolUnavailable:       ErrPoolUnavailable,
	KeyNotLoaded:          ErrKeyNotLoaded,
	ResumableStatePresent: ErrResumableStatePresent,
	Interrupted:           ErrInterrupted,
	ReadOnly:              ErrReadOnly,
	NotMounted:            ErrNotMounted,
	IO:                    ErrIO,
	Canceled:              ErrCanceled,
	CommandNotFound:       ErrCommandNotFound,
	ModuleNotLoaded:       ErrModuleNotLoaded,
	WrongParent:           ErrWrongParent,
	Diverged:              ErrDiverged,
}

// KindOf returns the Kind of the first *Error in err's tree. If there is none it
// returns Canceled when err matches context.Canceled or
// context.DeadlineExceeded, the kind of a sentinel of this package that err
// matches directly, and Other otherwise (including for nil).
func KindOf(err error) Kind {
	if err == nil {
		return Other
	}
	var e *Error
	if As(err, &e) {
		return e.Kind
	}
	if Is(err, context.Canceled) || Is(err, context.DeadlineExceeded) {
		return Canceled
	}
	var s *kindError
	if As(err, &s) {
		return s.kind
	}
	return Other
}
