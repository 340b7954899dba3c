package replication

import (
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/errors"
)

// Conflict explains why a dataset cannot be replicated as it stands. It is
// an error that matches the sentinel of its Kind with errors.Is:
//
//   - errors.ErrDiverged: the target has snapshots after the most recent
//     snapshot it shares with the source (Snapshots lists them);
//   - errors.ErrDestinationModified: the target was written to after its most
//     recent snapshot, the common base (Written bytes). The written property
//     counts data once it reaches a transaction group, seconds after the
//     write; a receive refused for a later write fails with the same kind;
//   - errors.ErrNoCommonBase: source and target share no snapshot (the
//     source lost every common snapshot and has no cursor bookmark of one),
//     or the target exists with no snapshots and is not a placeholder;
//   - errors.ErrResumableStatePresent: the target holds a partial receive
//     that cannot be resumed from this source (its snapshot is gone, or the
//     token is unreadable).
//
// errors.KindOf returns Kind. Forcible conflicts are resolved by
// RunOptions.Force, which rolls the target back to the base (destroying
// Snapshots), discards the partial receive, or receives a full stream over a
// target with no snapshots; Run reports what it did in the dataset's Result.
type Conflict struct {
	// Kind classifies the conflict.
	Kind errors.Kind
	// Source and Target are the datasets concerned.
	Source, Target string
	// Reason says what was found, for people.
	Reason string
	// Base is the target's snapshot that is the common base, if there is one.
	Base string
	// Snapshots are the target's snapshots after the base (Kind Diverged),
	// oldest first: a forced run destroys them.
	Snapshots []string
	// Written is the space written to the target since its most recent
	// snapshot (Kind DestinationModified).
	Written uint64
	// Forcible says whether RunOptions.Force resolves the conflict, and
	// Remedy what it would do.
	Forcible bool
	Remedy   string
}

// Error returns a message such as "replicate tank/a to backup/a: target has
// snapshots after the common base: ...".
func (c *Conflict) Error() string {
	return conflictOp + " " + c.Source + " to " + c.Target + ": " + c.describe()
}

// describe is the message without the datasets.
func (c *Conflict) describe() string {
	var b strings.Builder
	b.WriteString(c.Kind.String())
	if c.Reason != "" {
		b.WriteString(": " + c.Reason)
	}
	if c.Forcible && c.Remedy != "" {
		b.WriteString(" (Force " + c.Remedy + ")")
	}
	return b.String()
}

// Unwrap returns the sentinel of the conflict's Kind, so that errors.Is
// matches it (and the coarser kinds it refines) and errors.KindOf finds it.
func (c *Conflict) Unwrap() error { return c.Kind.Err() }

// shortList formats up to n names, then a count of the rest.
func shortList(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + " and " + strconv.Itoa(len(names)-n) + " more"
}
