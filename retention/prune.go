package retention

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/zfs"
)

// ListProperties returns the properties a snapshot listing needs for
// FromDataset: userrefs (the number of holds) and the given extra
// properties, such as user properties a Needed hook reads. The identity
// columns (name, creation, createtxg, guid) are always listed.
func ListProperties(extra ...string) []string {
	props := []string{"userrefs"}
	for _, p := range extra {
		if !slices.Contains(props, p) {
			props = append(props, p)
		}
	}
	return props
}

// FromDataset converts a row of a snapshot listing into a Snapshot: its
// name, creation time, creation TXG and GUID, its holds (the userrefs
// property) and its user properties ("module:name") that have a value. The
// listing must include userrefs (see ListProperties): without it a held
// snapshot would look unheld, so FromDataset returns an error instead, as
// it does for a row that is not a snapshot.
func FromDataset(d *zfs.Dataset) (Snapshot, error) {
	if d.Type() != zfs.TypeSnapshot {
		return Snapshot{}, invalid("dataset "+quote(d.Name()), "not a snapshot")
	}
	s := Snapshot{Name: d.Name(), Creation: d.Creation(), CreateTXG: d.CreateTXG(), GUID: d.GUID()}
	refs, ok := d.Properties().Lookup("userrefs")
	if !ok {
		return Snapshot{}, invalid("snapshot "+quote(d.Name()), "the listing has no userrefs property, so holds are unknown")
	}
	n, err := refs.Uint()
	if err != nil {
		return Snapshot{}, invalid("snapshot "+quote(d.Name()), "userrefs: "+err.Error())
	}
	s.Holds = int(min(n, 1<<31-1))
	for _, p := range d.Properties() {
		if strings.IndexByte(p.Name, ':') >= 0 && p.IsSet() {
			if s.Properties == nil {
				s.Properties = map[string]string{}
			}
			s.Properties[p.Name] = p.Value
		}
	}
	return s, nil
}

// ListOptions select the snapshots ListSnapshots reads.
type ListOptions struct {
	// Recursive lists the snapshots of the root's descendants too.
	Recursive bool
	// Properties are extra properties to read for each snapshot, such as
	// the user properties a Needed hook looks at.
	Properties []string
}

// ListSnapshots reads the snapshots of root (and, with Recursive, of its
// descendants) with one `zfs list`, as Snapshots ready for Evaluate.
func ListSnapshots(ctx context.Context, c *zfs.Client, root string, opts ListOptions) ([]Snapshot, error) {
	lo := zfs.ListOptions{
		Roots:      []string{root},
		Types:      []zfs.Type{zfs.TypeSnapshot},
		Properties: ListProperties(opts.Properties...),
		NoSources:  true,
	}
	if opts.Recursive {
		lo.Recursive = true
	} else {
		lo.Depth = 1
	}
	var snaps []Snapshot
	for d, err := range c.Datasets(ctx, lo) {
		if err != nil {
			return nil, err
		}
		s, err := FromDataset(d)
		if err != nil {
			return nil, err
		}
		snaps = append(snaps, s)
	}
	return snaps, nil
}

// PruneOptions are the options of Prune. The zero value prunes the root's
// own snapshots, for real, at the current time.
type PruneOptions struct {
	// Recursive prunes the snapshots of the root's descendants too, each
	// dataset evaluated on its own. The snapshots are destroyed by name,
	// never with `zfs destroy -r`.
	Recursive bool
	// DryRun destroys nothing: zfs is asked what would go and how much
	// space that would free (`zfs destroy -nvp`).
	DryRun bool
	// Needed marks snapshots that must be kept whatever the policy says,
	// such as the base of the next replication (see NeededGUIDs).
	Needed func(Snapshot) bool
	// Now is the evaluation time; zero means time.Now().
	Now time.Time
	// Properties are extra properties to list, for Needed to read in
	// Snapshot.Properties.
	Properties []string
}

// Prune applies a policy to the snapshots of root: one listing, Evaluate,
// then the destruction of what the plan destroys, batched into as few
// `zfs destroy ds@a,b,c` commands as the argument limit allows (see
// zfs.Client.DestroySnapshots), or with DryRun the same batches as
// `zfs destroy -nvp`.
//
// It returns an error and no result when the listing fails or the policy
// or a listed snapshot is invalid (an *Error); nothing is destroyed then.
// Otherwise the result names every snapshot destroyed and every one that
// could not be, such as a snapshot held after the listing, and the error
// combines those failures (errors.Errors lists them, errors.Is matches
// them, as errors.ErrBusy for a held snapshot). A failure does not stop the
// other destructions.
func Prune(ctx context.Context, c *zfs.Client, root string, policy Policy, opts PruneOptions) (*PruneResult, error) {
	if err := policy.Validate(); err != nil {
		return nil, err
	}
	snaps, err := ListSnapshots(ctx, c, root, ListOptions{Recursive: opts.Recursive, Properties: opts.Properties})
	if err != nil {
		return nil, err
	}
	plan, err := policy.Evaluate(snaps, EvaluateOptions{Now: opts.Now, Needed: opts.Needed})
	if err != nil {
		return nil, err
	}
	return Apply(ctx, c, plan, ApplyOptions{DryRun: opts.DryRun})
}

// ApplyOptions are the options of Apply.
type ApplyOptions struct {
	// DryRun destroys nothing; see PruneOptions.DryRun.
	DryRun bool
}

// PruneResult is what Prune or Apply did, or with DryRun would do.
type PruneResult struct {
	// Plan is the evaluated plan.
	Plan *Plan
	// DryRun is set when nothing was destroyed.
	DryRun bool
	// Destroyed lists the snapshots destroyed, in the plan's order; in a
	// dry run, the snapshots zfs reports it would destroy.
	Destroyed []string
	// Failed lists the snapshots the plan destroys that zfs did not (or, in
	// a dry run, would not) destroy, with the reason.
	Failed []Failure
	// Reclaim is, in a dry run, the space in bytes that destroying the
	// snapshots would free, as zfs reports it. When a dataset's snapshots
	// need more than one command it is the sum over the commands, which can
	// be less than what destroying them all frees (space shared only by
	// snapshots of different commands is not counted): ReclaimExact is
	// false then.
	Reclaim      uint64
	ReclaimExact bool
}

// Failure is a snapshot that could not be destroyed.
type Failure struct {
	// Snapshot is the snapshot's full name; empty when zfs's error could not
	// be tied to a snapshot.
	Snapshot string
	// Err is zfs's error, an *errors.Error (errors.Is(Err, errors.ErrBusy)
	// for a held snapshot).
	Err error
}

// Err returns the failures combined into one error (errors.Errors lists
// them), or nil.
func (r *PruneResult) Err() error {
	var all error
	seen := map[error]bool{}
	for _, f := range r.Failed {
		if !seen[f.Err] {
			seen[f.Err] = true
			all = errs.Append(all, f.Err)
		}
	}
	return all
}

// Apply destroys the snapshots plan destroys, or with DryRun asks zfs what
// would go; see Prune, which lists and evaluates first. It returns the
// result and, when some snapshots could not be destroyed, the combined
// failures.
func Apply(ctx context.Context, c *zfs.Client, plan *Plan, opts ApplyOptions) (*PruneResult, error) {
	res := &PruneResult{Plan: plan, DryRun: opts.DryRun}
	var doomed []string
	for _, s := range plan.Destroy() {
		doomed = append(doomed, s.Name)
	}
	if len(doomed) == 0 {
		res.ReclaimExact = opts.DryRun
		return res, nil
	}
	if opts.DryRun {
		dryRun(ctx, c, doomed, res)
		return res, res.Err()
	}
	err := c.DestroySnapshots(ctx, doomed, zfs.DestroyOptions{})
	failed := map[string]bool{}
	for _, e := range errors.Errors(err) {
		targets := failedTargets(e)
		if len(targets) == 0 {
			res.Failed = append(res.Failed, Failure{Err: e})
		}
		for _, t := range targets {
			if !failed[t] {
				failed[t] = true
				res.Failed = append(res.Failed, Failure{Snapshot: t, Err: e})
			}
		}
	}
	for _, s := range doomed {
		if !failed[s] {
			res.Destroyed = append(res.Destroyed, s)
		}
	}
	return res, err
}

// failedTargets returns the snapshots an error of a destroy names: the
// snapshot, or every snapshot of a comma list "ds@a,b".
func failedTargets(err error) []string {
	var e *errors.Error
	if !errors.As(err, &e) {
		return nil
	}
	ds, list, ok := strings.Cut(e.Name, "@")
	if !ok || ds == "" || list == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(list, ",") {
		out = append(out, ds+"@"+s)
	}
	return out
}

// groupByDataset returns the short names of snapshots by dataset, datasets
// in order of first appearance.
func groupByDataset(snaps []string) (order []string, groups map[string][]string) {
	groups = map[string][]string{}
	for _, s := range snaps {
		ds, short, _ := strings.Cut(s, "@")
		if _, ok := groups[ds]; !ok {
			order = append(order, ds)
		}
		groups[ds] = append(groups[ds], short)
	}
	return order, groups
}

// dryRun runs `zfs destroy -nvp` on the batches DestroySnapshots would
// run, retrying a batch once without the snapshots zfs refuses, as
// DestroySnapshots does.
func dryRun(ctx context.Context, c *zfs.Client, doomed []string, res *PruneResult) {
	res.ReclaimExact = true
	order, groups := groupByDataset(doomed)
	for _, ds := range order {
		batches := names.CommaBatches(ds, groups[ds])
		if len(batches) > 1 {
			res.ReclaimExact = false
		}
		for _, batch := range batches {
			plan, err := dryRunBatch(ctx, c, ds, batch, res)
			if err != nil {
				for _, s := range batch {
					res.Failed = append(res.Failed, Failure{Snapshot: ds + "@" + s, Err: err})
				}
				continue
			}
			res.Destroyed = append(res.Destroyed, plan.Destroy...)
			res.Reclaim += plan.Reclaim
		}
	}
}

// dryRunBatch asks zfs what destroying ds@batch would do. When zfs refuses
// some of the snapshots it records them as failures and asks again
// without them; it returns an error when the batch fails as a whole.
func dryRunBatch(ctx context.Context, c *zfs.Client, ds string, batch []string, res *PruneResult) (*zfs.DestroyPlan, error) {
	plan, err := c.DestroyDryRun(ctx, ds+"@"+strings.Join(batch, ","), zfs.DestroyOptions{})
	if err == nil {
		return plan, nil
	}
	var e *errors.Error
	if !errors.As(err, &e) {
		return nil, err
	}
	refused := refusedSnapshots(e.Stderr, ds, batch)
	if len(refused) == 0 {
		return nil, err
	}
	var rest []string
	for _, s := range batch {
		msg, ok := refused[s]
		if !ok {
			rest = append(rest, s)
			continue
		}
		fe := *e
		fe.Name, fe.Kind, fe.Stderr = ds+"@"+s, errors.Classify(msg), msg
		res.Failed = append(res.Failed, Failure{Snapshot: fe.Name, Err: &fe})
	}
	if len(rest) == 0 {
		return &zfs.DestroyPlan{}, nil
	}
	return c.DestroyDryRun(ctx, ds+"@"+strings.Join(rest, ","), zfs.DestroyOptions{})
}

// refusedSnapshots finds the lines of zfs's standard error that name a
// snapshot of the batch it refuses to destroy: "cannot destroy snapshot
// ds@s: reason" or "cannot destroy 'ds@s': reason".
func refusedSnapshots(stderr, ds string, batch []string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(stderr, "\n") {
		var rest string
		if r, ok := strings.CutPrefix(line, "cannot destroy snapshot "+ds+"@"); ok {
			rest = r
		} else if r, ok := strings.CutPrefix(line, "cannot destroy '"+ds+"@"); ok {
			rest = strings.Replace(r, "'", "", 1)
		} else {
			continue
		}
		for _, s := range batch {
			if strings.HasPrefix(rest, s+": ") {
				out[s] = line
			}
		}
	}
	return out
}
