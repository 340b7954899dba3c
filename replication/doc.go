// Package replication replicates ZFS filesystems and volumes, with their
// descendants, from one client to another (the same host, another host over
// ssh or any command.Runner, another pool): it works out what to send,
// keeps the common base alive on the source, and recovers from every
// half-done state. It is built from the zfs, send, recv and stream packages,
// as building blocks to embed in your own tools; examples/replicate is a
// complete program.
//
// # Plans
//
// NewPlan reads both sides and returns a *Plan: per source dataset, the most
// recent common base, the streams to send, and anything in the way. It is a
// value to print (String, or %+v for every step, like `terraform plan`),
// test and inspect before running it:
//
//	p, err := replication.NewPlan(ctx,
//		replication.Endpoint{Client: local, Dataset: "tank/home"},
//		replication.Endpoint{Client: remote, Dataset: "backup/home"},
//		replication.PlanOptions{Recursive: true})
//	fmt.Printf("%+v", p)
//
// The common base of a dataset is the newest target snapshot whose GUID the
// source has, as a snapshot or as a bookmark: GUIDs, not names, identify
// snapshots across pools. From it, the snapshots created since are sent in
// runs (zfs send -I, the default), one by one (StepEach) or only the newest
// (StepLatest); runs are cut around snapshots a Snapshots filter leaves out.
// A dataset missing on the target starts with a full stream. A target that
// holds the partial state of an interrupted receive is resumed from its
// receive_resume_token (zfs send -t), found by the token's snapshot GUID.
//
// Planning costs one zfs list per side however many datasets and snapshots
// there are, asking only for what it needs (name, type, guid, createtxg,
// creation; userrefs on the source, receive_resume_token, written and the
// placeholder property on the target): userrefs says which snapshots are
// held without a quadratic zfs holds. Planning 100,000 snapshots over 1,000
// datasets takes one subprocess per side and a fraction of a second of CPU
// (BenchmarkPlan).
//
// # Conflicts
//
// A dataset that cannot be replicated as it stands is Blocked, with a
// *Conflict that matches, with errors.Is, the sentinel of its kind from
// package github.com/gozfs/gozfs/errors:
//
//   - errors.ErrDiverged: the target has snapshots after the common base
//     (it refines errors.ErrStreamMismatch);
//   - errors.ErrDestinationModified: the target was written to since the
//     common base (its written property), so zfs receive would refuse;
//   - errors.ErrNoCommonBase: the source lost every snapshot the target has
//     and has no bookmark of one, or the target exists without snapshots;
//   - errors.ErrResumableStatePresent: the target holds partial receive
//     state this source cannot resume.
//
// Plan.Err joins them. A run never rolls back, destroys or overwrites
// anything on the target unless RunOptions.Force asks for it, and then only
// for the conflicts it can resolve (Conflict.Forcible): rolling back to the
// common base, discarding unresumable partial state, receiving over a target
// without snapshots. What was forced is in each dataset's result.
//
// # Runs
//
// Run carries a plan out, parents before children, several datasets at a
// time (RunOptions.Parallel). Each step is zfs send on the source client
// piped into a resumable zfs receive -s on the target client (through this
// process only when transforms or progress need it), or delivered over TCP
// with stream/transport to a Receiver on the target host.
//
// The source side is protected around every step. The snapshot being sent
// is held (hold tag HoldTag(name)), so an interrupted receive stays
// resumable even if retention runs meanwhile, and it stays held until the
// next step, which is sent from it, has landed (the first step holds its
// incremental source too). Once a step has landed, a cursor bookmark of it
// is created on the source (CursorName), then the previous cursor is
// destroyed and the previous hold released, in that order: at every moment
// a bookmark of the common base exists, so pruning every source snapshot
// does not break the next incremental, which starts from the bookmark.
// After the last step only its cursor remains. Several replications of one
// source (to several targets) keep apart with PlanOptions.Name.
//
// A step interrupted part-way (a dropped connection, a killed zfs send or
// zfs receive) is resumed within the run from the target's resume token, up
// to RunOptions.Retries times; a run interrupted altogether (the process
// killed, the context cancelled) leaves the partial state, the hold and the
// cursors in place, and the next run from a fresh NewPlan resumes where it
// stopped: nothing that landed is sent again.
//
// Properties follow zfs: RunOptions.Send.Properties (-p) replicates each
// dataset's properties, as zfs send -R does for a tree; Receive.SetProperties
// (-o) and Receive.ExcludeProperties (-x) override or drop some on the
// target, e.g. canmount=off and mountpoint for backups.
//
// Progress reports bytes, rates and ETAs per step and for the whole run,
// against size estimates from zfs send -nvP (Plan.Estimate).
//
// # Retention
//
// A retention policy on the source must keep the snapshots not yet
// replicated; the common bases it may prune between runs, since the cursors
// keep them and a plan made afterwards sends from the cursor. Protected (one
// listing) returns the snapshots to keep between runs; Plan.Protected (no
// listing) those a given plan needs, which include its base snapshot, as
// its first step sends from it. Needed turns either into the hook package
// retention takes (see the example of Needed):
//
//	keep, err := replication.Protected(ctx, c, "tank/home", replication.ProtectOptions{Recursive: true})
//	res, err := retention.Prune(ctx, c, "tank/home", policy,
//		retention.PruneOptions{Recursive: true, Needed: replication.Needed(keep)})
//
// # Placeholders
//
// When a source dataset has no snapshot but datasets below it are
// replicated, its target is created empty (canmount=off) and marked with
// the user property PlaceholderProperty; its first full stream, once the
// source has a snapshot, is received over the placeholder (zfs receive -F,
// also when that receive is resumed), which is the only overwrite a run does
// without Force.
package replication
