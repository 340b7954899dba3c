// Package autosnap takes automatic snapshots on a schedule and prunes them
// with a retention policy, as zfs-auto-snapshot, sanoid and pyzfsautosnap
// do, as library building blocks: [Run] is one run, for cron or a timer.
//
//	res, err := autosnap.Run(ctx, zfs.New(zfs.ClientOptions{}), autosnap.Options{
//		Roots:     []string{"tank"},
//		Recursive: true,
//		Naming:    autosnap.Sanoid(),
//		Labels: []autosnap.Label{
//			{Name: "hourly", Keep: []retention.Rule{retention.KeepLast{N: 24}}},
//			{Name: "daily", Keep: []retention.Rule{retention.KeepLast{N: 30}}},
//		},
//	})
//	if err != nil {
//		return err
//	}
//	fmt.Print(res.Plan) // per label: the snapshot command, each dataset skipped and why
//
// # A run
//
// Run lists the datasets under [Options.Roots] and their snapshots with one
// `zfs list`, decides for each [Label] which datasets to snapshot, takes each
// label's snapshots with one atomic `zfs snapshot`, and prunes with the
// labels' retention rules (package [github.com/gozfs/gozfs/retention]),
// destroying in batches. A [Plan], which prints as a report, says what was decided and why each
// skipped dataset was skipped; DryRun stops there and asks zfs what pruning
// would destroy and free.
//
// # Which datasets
//
// Datasets opt in or out with the user properties zfs-auto-snapshot reads:
// com.sun:auto-snapshot ("true" or "false"), and per label
// com.sun:auto-snapshot:<label>, which takes precedence. Values set on a
// dataset are inherited by its descendants, and the listing reports the
// effective value, so `zfs set com.sun:auto-snapshot=false tank/scratch`
// leaves out that whole subtree. A dataset with neither property set is
// snapshotted, unless [Options.DefaultExclude]. [Options.Exclude] leaves out
// subtrees whatever their properties.
//
// A label's snapshots are taken with one command, so they are atomic: all
// in one transaction group. In a recursive run where every dataset taken
// lies in a subtree that is taken whole, the command is
// `zfs snapshot -r` on the tops of those subtrees; otherwise it names
// every dataset. (A dataset created under such a top between the listing
// and the snapshot is snapshotted too, as it would be by zfs-auto-snapshot.)
//
// # Names
//
// [Naming] builds names from a format with {label} and {time} and a Go time
// layout: [ZFSAutoSnapshot] gives "zfs-auto-snap_hourly-2026-12-03-0600",
// [Sanoid] gives "autosnap_2026-12-03_06:00:00_hourly". Its Filter matches a
// label's names, so that pruning touches only the snapshots the run owns:
// hand-made snapshots and other tools' are left alone.
//
// # When
//
// A label is due on a dataset when its [Schedule] fired since the dataset's
// latest snapshot of the label (by creation TXG, dated by its creation
// time); see [Due]. The period labels "frequent", "hourly", "daily",
// "weekly", "monthly" and "yearly" default to the calendar periods of
// [Every]: run autosnap from cron every 15 minutes and each label is taken
// once in its period, whatever minute cron runs at, and a machine that
// was off for a week takes one daily snapshot when it comes back, not
// seven. [Cron] parses cron expressions ("0 */4 * * *") with
// github.com/robfig/cron/v3. [Options.Force] takes the snapshots anyway.
//
// # Pruning
//
// [Options.Policy] builds one [retention.Policy] from the labels' Keep rules,
// each rule applying to its label's snapshots. After the snapshots are
// taken it is evaluated on the listing plus the new snapshots, on the
// datasets the run considers and, on each, only the snapshots of the
// labels it is opted in for, and carried out with [retention.Apply]: held
// snapshots, the newest snapshot of a dataset and snapshots Options.Needed
// marks are never destroyed, and a snapshot held between the listing and
// the destroy is reported, not fatal.
//
// # Hooks
//
// [Options.Pre] runs before the snapshots (an error stops the run, to let a
// database refuse to be snapshotted while it cannot be flushed),
// Options.Post after them. Neither runs in a dry run.
package autosnap
