// Package retention decides which snapshots to keep and which to destroy,
// and carries the decision out. Deciding is pure: [Policy.Evaluate] reads a
// list of snapshots and returns a [Plan], a verdict with its reason for
// every snapshot, that can be printed as a report and tested without ZFS.
// [Prune] lists, evaluates and destroys (see Applying a policy).
//
//	policy := retention.Policy{
//		Filter: retention.Filter{Prefix: "autosnap_"}, // leave hand-made snapshots alone
//		Rules:  []retention.Rule{retention.KeepPeriods{Hourly: 36, Daily: 30, Monthly: 6}},
//	}
//	res, err := retention.Prune(ctx, c, "tank/home", policy, retention.PruneOptions{
//		Recursive: true,
//		DryRun:    true, // report only
//	})
//	if err != nil {
//		return err
//	}
//	fmt.Print(res.Plan) // keep or destroy, and why, per snapshot
//
// # Policies
//
// A [Policy] owns the snapshots its [Filter] matches (by a prefix of the
// short name, a regular expression, or both) and never touches the others,
// so a policy for automatic snapshots leaves hand-made ones alone. It keeps
// what any of its rules keeps, and destroys the rest of what it owns:
//
//   - [KeepLast]: the N most recently created snapshots;
//   - [KeepNewerThan]: those younger than a duration;
//   - [KeepPeriods]: one snapshot for each of the most recent frequent,
//     hourly, daily, weekly, monthly and yearly periods that have one, as
//     sanoid, zfs-auto-snapshot and pyzfsautosnap keep theirs (sanoid keeps
//     the last snapshot of a day and the first of other periods, and so does
//     the zero Pick);
//   - [KeepGrid]: a zrepl-style retention grid, parsed by [ParseGrid] from
//     zrepl's syntax, "1x1h(keep=all) | 24x1h | 14x1d | 12x30d".
//
// Each rule has a Filter of its own, so one policy can keep 24 of its
// "hourly" snapshots and 7 of its "daily" ones.
//
// # What is never destroyed
//
// Whatever the rules say, a plan never destroys:
//
//   - a snapshot with user holds ([Snapshot].Holds > 0);
//   - a snapshot the caller marks as needed through
//     [EvaluateOptions].Needed, such as the base of the next incremental
//     replication ([NeededGUIDs] marks snapshots by GUID);
//   - the newest snapshot of each dataset;
//   - a snapshot the policy's Filter does not match;
//   - a snapshot dated after the evaluation time: the clock that dated it,
//     or the one evaluating, is wrong. It is kept, reported ([Plan.Future]
//     and a warning in the report), and left out of the rules so that it
//     cannot make the others look old.
//
// The decision records the reason: a rule (with the period or grid bucket
// for which it keeps the snapshot), one of the protections above when it
// saved a snapshot no rule keeps, or [NoRule] for a snapshot to destroy.
//
// # Order and time
//
// Each dataset (the part of a name before '@') is evaluated on its own;
// pass every snapshot of the datasets concerned, one listing of a tree
// will do. "Newest" and KeepLast follow the creation TXG, which orders a
// dataset's snapshots as they were really taken even when the clock
// jumped; where a dataset has snapshots without a TXG, creation time
// orders them. Periods and grids use creation time.
//
// Creation times are instants; periods are computed in [Policy].Location
// (UTC when nil). A day is a local calendar day, from one local midnight to
// the next, so 23 or 25 hours long when clocks change; hours count from
// local midnight, so the repeated hour of an autumn night is two hourly
// periods; weeks begin on Monday; months and years have their calendar
// lengths, February 29th included.
//
// # Guarantees
//
// The property tests check, for random policies, snapshot lists, time
// zones and clock jumps, that evaluation agrees with a reference written
// from these definitions and that:
//
//   - it is idempotent: evaluating the policy on what it kept destroys
//     nothing more;
//   - it is monotone: adding a newer snapshot (and evaluating later) never
//     keeps a snapshot an earlier evaluation destroyed, so successive runs
//     do not leave holes. zrepl's sliding grid buckets lack this; here grid
//     buckets are fixed calendar periods (see [Grid]);
//   - nothing listed above as never destroyed is destroyed;
//   - the verdicts do not depend on the order of the input.
//
// Evaluation takes time linear in the number of snapshots (plus sorting a
// dataset's snapshots when they do not come sorted by creation): about a
// microsecond of CPU per snapshot for a policy with every kind of rule, a
// million snapshots in about a second.
//
// # Applying a policy
//
// Prune applies a policy to a dataset or a tree with one `zfs list` (name,
// creation, createtxg, guid, userrefs and any properties a Needed hook
// reads), then destroys what the plan destroys through
// [zfs.Client.DestroySnapshots]: as few `zfs destroy ds@a,b,c` commands as
// the argument limit allows, one per dataset for up to a few thousand
// snapshots (10,000 snapshots of a dataset take 4), never `zfs destroy -r`.
// With [PruneOptions].DryRun it runs the same batches as
// `zfs destroy -nvp` and reports what zfs says would go and the space it
// would free. The result names every snapshot destroyed and every failure:
// a snapshot held (or cloned) between the listing and the destroy is
// reported, with zfs's error, and the others are still destroyed. [Apply]
// carries out a plan evaluated on a listing of your own, [FromDataset]
// converts the rows of a zfs listing, and [ListSnapshots] lists.
//
// # Errors
//
// A policy or snapshot list that cannot be used gives an [*Error] (and no
// plan): a rule with a zero count, a grid specification that does not
// parse (the error names the entry and byte offset), a snapshot with an
// invalid name, no creation time, or listed twice.
// errors.Is(err, [errors.ErrInvalidArgument]) holds for them, with package
// [github.com/gozfs/gozfs/errors].
package retention
