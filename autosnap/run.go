package autosnap

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/retention"
	"github.com/gozfs/gozfs/zfs"
)

// DefaultProperty is the user property that opts datasets in or out of
// automatic snapshots, as zfs-auto-snapshot reads it: "true" or "false",
// set on a dataset or inherited from its parent. The property with the
// label appended ("com.sun:auto-snapshot:hourly") decides for that label
// and takes precedence.
const DefaultProperty = "com.sun:auto-snapshot"

// Label is one kind of automatic snapshot: its name (in the snapshot
// names), when it is due, and how many of its snapshots to keep.
type Label struct {
	// Name is the label, such as "hourly"; it appears in snapshot names and
	// in the per-label property. It must be a valid part of a snapshot name
	// and may not hold ':' (it is part of a property name).
	Name string
	// Schedule says when the label is due on a dataset (see Due). When nil,
	// a Name that retention.ParsePeriod knows ("frequent", "frequently",
	// "hourly", "daily", "weekly", "monthly", "yearly") is scheduled with
	// Every for that period, in Options.Location, and any other name is due
	// at every run.
	Schedule Schedule
	// Keep are the rules that keep the label's snapshots when the run
	// prunes, such as retention.KeepLast{N: 24}; their filters are replaced
	// by the label's (see Options.Policy). With no rule, the label's
	// snapshots are never destroyed.
	Keep []retention.Rule
}

// Options configure a run of the snapshotter. Roots and Labels are
// required; the zero value of every other field is the default.
type Options struct {
	// Roots are the datasets to snapshot (filesystems or volumes).
	Roots []string
	// Recursive includes every descendant of the roots, each opted in or
	// out by its properties.
	Recursive bool
	// Exclude lists datasets left out of the run, with their descendants,
	// whatever their properties say (for example a subtree another
	// configuration handles).
	Exclude []string
	// Labels are the labels to take and prune. Each due label is one
	// snapshot command, all its datasets snapshotted atomically.
	Labels []Label
	// Naming names the snapshots; the zero value is ZFSAutoSnapshot().
	Naming Naming
	// Location is the time zone of snapshot names, of the period
	// schedules and of retention periods. Nil means UTC; time.Local is the
	// machine's zone.
	Location *time.Location
	// FrequentPeriod is the length of the "frequent" period; zero means 15
	// minutes.
	FrequentPeriod time.Duration
	// Property is the opt-in property; empty means DefaultProperty.
	Property string
	// DefaultExclude leaves out datasets on which neither property is set;
	// by default they are snapshotted, as zfs-auto-snapshot does.
	DefaultExclude bool
	// SkipUnchanged skips a dataset whose written property is 0: nothing
	// was written since its latest snapshot (of any name). A dataset with no
	// snapshot is never skipped.
	SkipUnchanged bool
	// Force takes the labels' snapshots whether or not they are due.
	Force bool
	// NoPrune takes snapshots but destroys none.
	NoPrune bool
	// NoSnapshot takes no snapshot: the run only prunes (as sanoid does
	// for a dataset with autosnap off and autoprune on). Hooks do not run.
	NoSnapshot bool
	// DryRun changes nothing and runs no hook: it lists, plans, and asks zfs
	// what pruning would destroy (`zfs destroy -nvp`).
	DryRun bool
	// Now is the time of the run, in snapshot names and schedules; zero
	// means time.Now().
	Now time.Time
	// Needed marks snapshots that pruning must keep, such as the base of
	// the next replication (see retention.NeededGUIDs).
	Needed func(retention.Snapshot) bool
	// Pre, if set, runs before any snapshot is taken; an error from it
	// stops the run: nothing is snapshotted or pruned.
	Pre func(ctx context.Context, plan *Plan) error
	// Post, if set, runs after the snapshots are taken, before pruning,
	// with what was created so far (also when a snapshot command failed). An
	// error from it is reported; pruning still runs.
	Post func(ctx context.Context, res *Result) error
}

func (o Options) property() string {
	if o.Property == "" {
		return DefaultProperty
	}
	return o.Property
}

// schedule returns the label's schedule, or nil when it is always due.
func (o Options) schedule(l Label) Schedule {
	if l.Schedule != nil {
		return l.Schedule
	}
	if p, ok := retention.ParsePeriod(l.Name); ok {
		return Every(p, o.FrequentPeriod, o.Location)
	}
	return nil
}

// Policy returns the retention policy a run prunes with: it owns the
// snapshots Naming gives the labels that have Keep rules, and keeps each
// label's snapshots by that label's rules (each rule's Filter set to the
// label's filter). It returns false when no label has rules.
func (o Options) Policy() (retention.Policy, bool) {
	n := o.Naming.orDefault()
	var owned []string
	var rules []retention.Rule
	for _, l := range o.Labels {
		if len(l.Keep) == 0 {
			continue
		}
		owned = append(owned, l.Name)
		f := n.Filter(l.Name)
		for _, r := range l.Keep {
			rules = append(rules, withFilter(r, f))
		}
	}
	if len(owned) == 0 {
		return retention.Policy{}, false
	}
	return retention.Policy{Filter: n.Filter(owned...), Rules: rules, Location: o.Location}, true
}

// withFilter returns the rule with its filter replaced.
func withFilter(r retention.Rule, f retention.Filter) retention.Rule {
	switch r := r.(type) {
	case retention.KeepLast:
		r.Filter = f
		return r
	case retention.KeepNewerThan:
		r.Filter = f
		return r
	case retention.KeepGrid:
		r.Filter = f
		return r
	case retention.KeepPeriods:
		r.Filter = f
		return r
	}
	return r
}

// validate checks the options before anything runs.
func (o Options) validate() error {
	const op = "snapshot"
	if len(o.Roots) == 0 {
		return errs.InvalidArgumentf(op, "", "no dataset given")
	}
	for _, r := range append(slices.Clone(o.Roots), o.Exclude...) {
		if err := names.Dataset(r); err != nil {
			return errs.WithOp(err, op)
		}
	}
	if len(o.Labels) == 0 {
		return errs.InvalidArgumentf(op, "", "no label given")
	}
	if err := o.Naming.Validate(); err != nil {
		return err
	}
	if err := names.Component("x" + strings.TrimPrefix(o.property(), "com.sun")); err != nil || !strings.Contains(o.property(), ":") {
		return errs.InvalidArgumentf(op, "", "%q is not a user property name", o.property())
	}
	seen := map[string]bool{}
	for _, l := range o.Labels {
		if l.Name == "" || strings.ContainsAny(l.Name, ":@#%,/ ") || names.Component(l.Name) != nil {
			return errs.InvalidArgumentf(op, "", "invalid label %q", l.Name)
		}
		if seen[l.Name] {
			return errs.InvalidArgumentf(op, "", "label %q given twice", l.Name)
		}
		seen[l.Name] = true
	}
	if !strings.Contains(o.Naming.orDefault().Format, "{label}") && len(o.Labels) > 1 {
		return errs.InvalidArgumentf(op, "", "naming %q has no {label}: one label only", o.Naming.Format)
	}
	if p, ok := o.Policy(); ok {
		if err := p.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// SkipReason says why a label's snapshot is not taken on a dataset.
type SkipReason uint8

// The reasons to skip a dataset.
const (
	// OptedOut: the dataset's properties (or DefaultExclude) leave it out.
	OptedOut SkipReason = iota + 1
	// NotDue: the dataset has a snapshot of the label from the schedule's
	// current period.
	NotDue
	// Unchanged: nothing was written since the latest snapshot
	// (SkipUnchanged).
	Unchanged
	// Exists: a snapshot of that name exists already.
	Exists
)

// String returns "opted out", "not due", "unchanged" or "exists".
func (r SkipReason) String() string {
	switch r {
	case OptedOut:
		return "opted out"
	case NotDue:
		return "not due"
	case Unchanged:
		return "unchanged"
	case Exists:
		return "exists"
	}
	return "SkipReason(" + strconv.Itoa(int(r)) + ")"
}

// Skip is a dataset a label's snapshot is not taken of, and why.
type Skip struct {
	Dataset string
	Reason  SkipReason
	// Detail explains: the property that opted the dataset out, or the
	// time of the last snapshot and when the next is due.
	Detail string
}

// LabelPlan is what a run does for one label.
type LabelPlan struct {
	// Label is the label's name.
	Label string
	// Snapshot is the short name of the label's new snapshots.
	Snapshot string
	// Datasets are the datasets to snapshot, in listing order.
	Datasets []string
	// Args are the snapshots named on the command line: with Recursive,
	// the tops of the subtrees whose every dataset is in Datasets
	// (`zfs snapshot -r a@x b@x`), else every dataset.
	Args      []string
	Recursive bool
	// Skipped are the datasets considered but not snapshotted.
	Skipped []Skip
}

// Plan is what a run decided after its listing: the snapshots to take for
// each label, and the datasets skipped with the reason.
type Plan struct {
	// Now is the time of the run.
	Now time.Time
	// Labels holds one entry per label, in the order of Options.Labels.
	Labels []LabelPlan
	// Warnings are problems found that did not stop the run, such as an
	// opt-in property with a value that is neither true nor false.
	Warnings []string
}

// Result is what a run did.
type Result struct {
	// Plan is the run's plan.
	Plan *Plan
	// Created lists the snapshots created (none in a dry run).
	Created []string
	// Prune is the result of pruning; nil when no label has rules, with
	// NoPrune, or when the run stopped before pruning.
	Prune *retention.PruneResult
}

// dataset is what the listing says about a filesystem or volume.
type dataset struct {
	name    string
	props   zfs.Properties
	written uint64
	snaps   []retention.Snapshot
	// in is set for the datasets the run considers.
	in bool
}

// Run takes the due snapshots of every label and prunes, with one listing
// of the datasets and snapshots under Options.Roots:
//
//  1. list the datasets and their snapshots, with the opt-in properties and
//     written, in one `zfs list`;
//  2. plan each label: opted-in datasets where the label is due (and,
//     with SkipUnchanged, something was written), as one
//     `zfs snapshot [-r] a@x b@x ...` command;
//  3. run Pre, take each label's snapshots (one atomic command per label),
//     run Post;
//  4. prune with Options.Policy: on each dataset the run considers, the
//     snapshots of the labels it is opted in for, with the new snapshots
//     added to the listing.
//
// Options are checked before anything runs. A failed listing or Pre hook
// stops the run with an error; a failed snapshot command does not stop the
// other labels or pruning. The error returned combines every failure
// (errors.Errors lists them); the result says what was done even then.
func Run(ctx context.Context, c *zfs.Client, opts Options) (*Result, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	now = now.In(loc)
	ds, err := list(ctx, c, opts)
	if err != nil {
		return nil, err
	}
	plan := makePlan(opts, ds, now)
	res := &Result{Plan: plan}
	var failed error
	if opts.NoSnapshot {
		for i := range plan.Labels {
			plan.Labels[i].Args, plan.Labels[i].Datasets, plan.Labels[i].Recursive = nil, nil, false
		}
	}
	hooks := !opts.DryRun && !opts.NoSnapshot
	if hooks && opts.Pre != nil {
		if err := opts.Pre(ctx, plan); err != nil {
			return res, errs.Newf(errors.Other, "snapshot", "", "pre-snapshot hook: %w", err)
		}
	}
	created := map[string]*zfs.Snapshot{} // per created dataset: the handle of its command's first root
	for _, lp := range plan.Labels {
		if len(lp.Args) == 0 || opts.DryRun {
			continue
		}
		args := make([]string, len(lp.Args))
		for i, d := range lp.Args {
			args[i] = d + "@" + lp.Snapshot
		}
		snaps, err := c.CreateSnapshots(ctx, args, zfs.SnapshotOptions{Recursive: lp.Recursive})
		if err != nil {
			failed = errs.Append(failed, err)
			if len(snaps) == 0 {
				continue
			}
		}
		for _, d := range lp.Datasets {
			res.Created = append(res.Created, d+"@"+lp.Snapshot)
			if len(snaps) > 0 {
				created[d+"@"+lp.Snapshot] = snaps[0]
			}
		}
	}
	if hooks && opts.Post != nil {
		if err := opts.Post(ctx, res); err != nil {
			failed = errs.Append(failed, errs.Newf(errors.Other, "snapshot", "", "post-snapshot hook: %w", err))
		}
	}
	policy, prune := opts.Policy()
	if !prune || opts.NoPrune {
		return res, failed
	}
	snaps, evalNow := pruneInput(opts, ds, plan, created, now)
	rp, err := policy.Evaluate(snaps, retention.EvaluateOptions{Now: evalNow, Needed: opts.Needed})
	if err != nil {
		return res, errs.Append(failed, err)
	}
	res.Prune, err = retention.Apply(ctx, c, rp, retention.ApplyOptions{DryRun: opts.DryRun})
	return res, errs.Append(failed, err)
}

// list reads the datasets under the roots and their snapshots with one
// listing: filesystems, volumes and snapshots with userrefs, written and
// the opt-in properties. Without Recursive, the roots' children are listed
// (Depth 1 reaches the roots' snapshots) but not considered.
func list(ctx context.Context, c *zfs.Client, opts Options) ([]*dataset, error) {
	props := retention.ListProperties("written", opts.property())
	for _, l := range opts.Labels {
		props = append(props, opts.property()+":"+l.Name)
	}
	lo := zfs.ListOptions{
		Roots:      opts.Roots,
		Types:      []zfs.Type{zfs.TypeFilesystem, zfs.TypeVolume, zfs.TypeSnapshot},
		Properties: props,
		NoSources:  true,
	}
	if opts.Recursive {
		lo.Recursive = true
	} else {
		lo.Depth = 1
	}
	var out []*dataset
	byName := map[string]*dataset{}
	seenSnap := map[string]bool{}
	for d, err := range c.Datasets(ctx, lo) {
		if err != nil {
			return nil, err
		}
		if d.Type() == zfs.TypeSnapshot {
			dsName, _, _ := strings.Cut(d.Name(), "@")
			parent := byName[dsName]
			if parent == nil || seenSnap[d.Name()] {
				continue // not a dataset of the run, or listed under two roots
			}
			seenSnap[d.Name()] = true
			s, err := retention.FromDataset(d)
			if err != nil {
				return nil, err
			}
			s.Properties = nil // the dataset's opt-in properties, inherited
			parent.snaps = append(parent.snaps, s)
			continue
		}
		if byName[d.Name()] != nil {
			continue // a root listed twice, or under another root
		}
		w, _ := d.Property("written").Bytes()
		x := &dataset{name: d.Name(), props: slices.Clone(d.Properties()), written: w}
		x.in = opts.Recursive && underAny(d.Name(), opts.Roots) || slices.Contains(opts.Roots, d.Name())
		if underAny(d.Name(), opts.Exclude) {
			x.in = false
		}
		byName[d.Name()] = x
		out = append(out, x)
	}
	return out, nil
}

// underAny reports whether name is one of roots or below one of them.
func underAny(name string, roots []string) bool {
	for _, r := range roots {
		if name == r || strings.HasPrefix(name, r+"/") {
			return true
		}
	}
	return false
}

// optIn decides whether a dataset is opted in for a label, and explains.
func optIn(opts Options, d *dataset, label string, warn func(string)) (bool, string) {
	for _, p := range []string{opts.property() + ":" + label, opts.property()} {
		v := d.props.Property(p)
		if !v.IsSet() || v.Value == "" {
			continue
		}
		switch strings.ToLower(v.Value) {
		case "true", "on", "yes":
			return true, p + "=" + v.Value
		case "false", "off", "no":
			return false, p + "=" + v.Value
		}
		warn(d.name + ": " + p + "=" + strconv.Quote(v.Value) + " is neither true nor false; ignored")
	}
	if opts.DefaultExclude {
		return false, opts.property() + " not set (default exclude)"
	}
	return true, opts.property() + " not set"
}

// makePlan decides, for each label, which datasets to snapshot.
func makePlan(opts Options, ds []*dataset, now time.Time) *Plan {
	n := opts.Naming.orDefault()
	plan := &Plan{Now: now}
	warned := map[string]bool{}
	warn := func(s string) {
		if !warned[s] {
			warned[s] = true
			plan.Warnings = append(plan.Warnings, s)
		}
	}
	loc := now.Location()
	for _, l := range opts.Labels {
		lp := LabelPlan{Label: l.Name, Snapshot: n.name(l.Name, now)}
		sched := opts.schedule(l)
		filter := n.Filter(l.Name)
		take := map[string]bool{}
		for _, d := range ds {
			if !d.in {
				continue
			}
			in, why := optIn(opts, d, l.Name, warn)
			if !in {
				lp.Skipped = append(lp.Skipped, Skip{Dataset: d.name, Reason: OptedOut, Detail: why})
				continue
			}
			var last *retention.Snapshot
			exists := false
			for i := range d.snaps {
				s := &d.snaps[i]
				if s.ShortName() == lp.Snapshot {
					exists = true
				}
				if filter.Match(s.ShortName()) && (last == nil || s.CreateTXG > last.CreateTXG) {
					last = s
				}
			}
			switch {
			case exists:
				lp.Skipped = append(lp.Skipped, Skip{Dataset: d.name, Reason: Exists, Detail: d.name + "@" + lp.Snapshot + " exists"})
				continue
			case !opts.Force && sched != nil && last != nil && !Due(sched, last.Creation, now):
				lp.Skipped = append(lp.Skipped, Skip{Dataset: d.name, Reason: NotDue, Detail: "last " + last.ShortName() +
					" at " + last.Creation.In(loc).Format(timeLayout) + ", next due " + sched.Next(last.Creation).In(loc).Format(timeLayout)})
				continue
			case opts.SkipUnchanged && len(d.snaps) > 0 && d.written == 0:
				lp.Skipped = append(lp.Skipped, Skip{Dataset: d.name, Reason: Unchanged, Detail: "nothing written since " + d.snaps[len(d.snaps)-1].ShortName()})
				continue
			}
			if last != nil && last.Creation.After(now) {
				warn(last.Name + " is dated after the run's time " + now.Format(timeLayout) + "; check the clock")
			}
			take[d.name] = true
			lp.Datasets = append(lp.Datasets, d.name)
		}
		lp.Args, lp.Recursive = commandArgs(opts, ds, lp.Datasets, take)
		plan.Labels = append(plan.Labels, lp)
	}
	return plan
}

// timeLayout is how plans print times.
const timeLayout = "2006-01-02 15:04:05 MST"

// commandArgs returns the datasets to name on the snapshot command line
// and whether it is recursive. In a recursive run where every taken
// dataset is inside a fully taken subtree (the dataset and all its listed
// descendants taken; a leaf is one), the command names the tops of those
// subtrees with -r. Otherwise, as -r applies to every name of a command,
// it names every dataset, without -r. Either way it is one atomic command.
func commandArgs(opts Options, ds []*dataset, taken []string, take map[string]bool) ([]string, bool) {
	if !opts.Recursive || len(taken) == 0 {
		return taken, false
	}
	// full[d]: d and all its listed descendants are taken. The listing
	// gives parents before children, so walk it backwards.
	full := map[string]bool{}
	hasChild := map[string]bool{}
	for _, d := range ds {
		full[d.name] = take[d.name]
	}
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i].name
		if p, ok := names.Parent(d); ok {
			if _, listed := full[p]; listed {
				hasChild[p] = true
				if !full[d] {
					full[p] = false
				}
			}
		}
	}
	var tops []string
	recursive := false
	for _, d := range taken {
		if p, ok := names.Parent(d); ok && full[p] {
			continue // inside a fully taken subtree
		}
		if !full[d] {
			return taken, false
		}
		tops = append(tops, d)
		recursive = recursive || hasChild[d]
	}
	if !recursive {
		return taken, false
	}
	return tops, true
}

// pruneInput returns the snapshots to evaluate: on each dataset the run
// considers, the snapshots of the labels the dataset is opted in for, and
// the snapshots just created (or, in a dry run, that would have been);
// and the evaluation time, late enough for the new snapshots.
func pruneInput(opts Options, ds []*dataset, plan *Plan, created map[string]*zfs.Snapshot, now time.Time) ([]retention.Snapshot, time.Time) {
	n := opts.Naming.orDefault()
	filters := make([]retention.Filter, len(opts.Labels))
	for i, l := range opts.Labels {
		filters[i] = n.Filter(l.Name)
	}
	newSnaps := map[string][]retention.Snapshot{}
	evalNow := now
	for _, lp := range plan.Labels {
		for _, d := range lp.Datasets {
			name := d + "@" + lp.Snapshot
			s := retention.Snapshot{Name: name, Creation: now}
			if h, ok := created[name]; ok {
				s.Creation, s.CreateTXG = h.Creation(), h.CreateTXG()
				if h.Name() == name {
					s.GUID = h.GUID()
				}
			} else if !opts.DryRun {
				continue // not created
			}
			if s.Creation.After(evalNow) {
				evalNow = s.Creation
			}
			newSnaps[d] = append(newSnaps[d], s)
		}
	}
	var out []retention.Snapshot
	for _, d := range ds {
		if !d.in {
			continue
		}
		var maxTXG uint64
		for _, s := range d.snaps {
			maxTXG = max(maxTXG, s.CreateTXG)
			keep := true
			for i, l := range opts.Labels {
				if filters[i].Match(s.ShortName()) {
					in, _ := optIn(opts, d, l.Name, func(string) {})
					keep = in
					break
				}
			}
			if keep {
				out = append(out, s)
			}
		}
		for _, s := range newSnaps[d.name] {
			if s.CreateTXG == 0 {
				s.CreateTXG = maxTXG + 1 // a dry run: newer than every listed one
			}
			out = append(out, s)
		}
	}
	return out, evalNow
}
