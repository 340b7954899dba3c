package replication

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/format/resumetoken"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/transport"
	"github.com/gozfs/gozfs/zfs"
)

// DefaultRetries is how many times a run resumes one interrupted step
// when RunOptions.Retries is zero.
const DefaultRetries = 3

// RunOptions control a run. The zero value runs one dataset at a time,
// streams each step from zfs send straight into zfs receive -s (resumable),
// resumes an interrupted step up to DefaultRetries times, and stops at
// conflicts.
type RunOptions struct {
	// Send is the template of every step's zfs send: set the kind of stream
	// here (Raw, Compressed, LargeBlocks, Embedded, Properties for -p
	// semantics, Holds, Backup, BufferSize). The fields a run sets itself
	// (From, Intermediates, ResumeToken) and those that do not fit a
	// per-dataset replication (Replicate, ExcludeDatasets, SkipMissing,
	// Saved) must be zero, as must Transforms and Progress: use Transforms
	// and Progress below.
	Send send.Options
	// Receive is the template of every step's zfs receive: NoMount,
	// SkipHolds, SetProperties (-o, e.g. canmount=off or readonly=on for
	// backup targets), ExcludeProperties (-x, e.g. mountpoint, so that
	// received filesystems inherit the target's), Verify. Receives are
	// always resumable (-s). Force, Naming, Origin, Corrective, DryRun,
	// Transforms and Progress must be zero.
	Receive recv.Options
	// Transforms are applied to every stream on its way from zfs send
	// (for example compression, then encryption) and undone before zfs
	// receive; with Transport, their Specs travel in the transfer's header
	// and the Receiver rebuilds them from its Registry.
	Transforms []stream.Transform
	// Transport, if set, delivers the streams over TCP (package
	// stream/transport) to a Receiver serving on the target host, instead
	// of through the target client's zfs receive. The target client still
	// runs everything else there: the listing, rollbacks, aborts, resume
	// tokens.
	Transport *transport.Sender
	// Force resolves the conflicts that can be resolved (Conflict.Forcible)
	// and only those: it rolls a diverged or modified target back to the
	// common base, destroying the target's later snapshots (zfs rollback
	// -r), discards partial receive state that cannot be resumed (zfs
	// receive -A), and receives a first full stream over a target that
	// has no snapshots (zfs receive -F). Without Force a run never rolls
	// back or destroys anything on the target. Each dataset's Result says
	// what Force did.
	Force bool
	// Parallel is how many datasets are replicated at once; a dataset
	// always waits for its parent. Zero means 1.
	Parallel int
	// Retries is how many times a step interrupted part-way is resumed,
	// from the target's resume token, before the dataset fails. Zero means
	// DefaultRetries; negative means never.
	Retries int
	// Progress, if set, is called as data flows with the progress of the
	// step and of the whole run (bytes, rates, ETA against the plan's size
	// estimates, which Run computes with Plan.Estimate when the plan has
	// none). Calls are serialized. Counting makes the streams pass through
	// this process.
	Progress func(Progress)
	// Logger, if set, receives one record per event: a step started,
	// landed, resumed, a conflict forced or skipped, a cursor moved.
	Logger *slog.Logger
}

// Progress is reported to RunOptions.Progress.
type Progress struct {
	// Source and Target are the dataset being sent.
	Source, Target string
	// Step is the step in flight, the StepIndex-th of Steps (from 0).
	Step             *Step
	StepIndex, Steps int
	// Current is the progress of the step (its Total is the step's size
	// estimate), Overall that of the run (against the sum of the
	// estimates). Current.Done is set once when the step ends.
	Current, Overall stream.ProgressSnapshot
}

// Result says what a run did, per dataset.
type Result struct {
	// Datasets are the plan's datasets, in the plan's order.
	Datasets []*DatasetResult
	// Bytes is the number of stream bytes sent (before transforms), when
	// progress was counted; zero otherwise.
	Bytes int64
	// Duration is how long the run took.
	Duration time.Duration
}

// DatasetResult is what a run did with one dataset.
type DatasetResult struct {
	// Source and Target are the datasets.
	Source, Target string
	// Action is the plan's action for the dataset.
	Action Action
	// Sent are the snapshots received on the target, in order (as zfs
	// receive named them).
	Sent []string
	// Resumed are the source snapshots whose interrupted receive was
	// resumed (zfs send -t).
	Resumed []string
	// Skipped says why nothing was sent, when nothing was: up to date, no
	// snapshots, a conflict, the parent dataset failed, the run was
	// cancelled.
	Skipped string
	// Forced lists what RunOptions.Force did, in words; RolledBack is the
	// target snapshot rolled back to and Destroyed the target snapshots
	// the rollback destroyed.
	Forced     []string
	RolledBack string
	Destroyed  []string
	// Placeholder says the run created the target as a placeholder.
	Placeholder bool
	// Cursor is the cursor bookmark on the source after the run: the
	// common base the next run starts from.
	Cursor string
	// Steps is the number of steps that landed.
	Steps int
	// Warnings are failures that did not stop the dataset: a cursor or
	// hold that could not be created or removed.
	Warnings []string
	// Err is the failure or unresolved conflict (a *Conflict), if any.
	Err error
}

// Err returns the failures of the run joined, or nil if every dataset
// succeeded (including those with nothing to send).
func (r *Result) Err() error {
	var all []error
	for _, d := range r.Datasets {
		if d.Err != nil {
			all = append(all, d.Err)
		}
	}
	return errors.Join(all...)
}

// String summarizes the run, one line per dataset.
func (r *Result) String() string {
	var b strings.Builder
	for _, d := range r.Datasets {
		fmt.Fprintf(&b, "%s: ", d.Target)
		var parts []string
		if len(d.Forced) > 0 {
			parts = append(parts, "forced: "+strings.Join(d.Forced, "; "))
		}
		if d.Placeholder {
			parts = append(parts, "created placeholder")
		}
		if len(d.Resumed) > 0 {
			parts = append(parts, "resumed "+shortList(d.Resumed, 3))
		}
		if len(d.Sent) > 0 {
			parts = append(parts, fmt.Sprintf("received %s in %s (%s)", plural(len(d.Sent), "snapshot"), plural(d.Steps, "step"), shortList(shortNames(d.Sent), 3)))
		}
		if d.Skipped != "" {
			parts = append(parts, "skipped: "+d.Skipped)
		}
		if d.Err != nil && !strings.Contains(d.Skipped, d.Err.Error()) {
			parts = append(parts, "error: "+d.Err.Error())
		}
		for _, w := range d.Warnings {
			parts = append(parts, "warning: "+w)
		}
		if len(parts) == 0 {
			parts = append(parts, "nothing to do")
		}
		b.WriteString(strings.Join(parts, "; "))
		b.WriteByte('\n')
	}
	return b.String()
}

func shortNames(ns []string) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = shortOf(n)
	}
	return out
}

// check validates the run options.
func (o *RunOptions) check() error {
	const op = conflictOp
	s, r := o.Send, o.Receive
	switch {
	case s.From != "", s.Intermediates, s.ResumeToken != "":
		return errs.InvalidArgumentf(op, "", "RunOptions.Send: From, Intermediates and ResumeToken are set by the run")
	case s.Replicate, len(s.ExcludeDatasets) > 0, s.SkipMissing, s.Saved:
		return errs.InvalidArgumentf(op, "", "RunOptions.Send: Replicate, ExcludeDatasets, SkipMissing and Saved do not apply to a per-dataset replication")
	case len(s.Transforms) > 0, s.Progress != nil:
		return errs.InvalidArgumentf(op, "", "RunOptions.Send: use RunOptions.Transforms and RunOptions.Progress")
	case r.Force:
		return errs.InvalidArgumentf(op, "", "RunOptions.Receive.Force: use RunOptions.Force, which is limited to the plan's conflicts")
	case r.Naming != recv.AsGiven, r.Origin != "", r.Corrective, r.DryRun:
		return errs.InvalidArgumentf(op, "", "RunOptions.Receive: Naming, Origin, Corrective and DryRun do not apply to a replication")
	case len(r.Transforms) > 0, r.Progress != nil:
		return errs.InvalidArgumentf(op, "", "RunOptions.Receive: use RunOptions.Transforms and RunOptions.Progress")
	case o.Parallel < 0:
		return errs.InvalidArgumentf(op, "", "negative Parallel")
	}
	return nil
}

func (o *RunOptions) retries() int {
	switch {
	case o.Retries < 0:
		return 0
	case o.Retries == 0:
		return DefaultRetries
	}
	return o.Retries
}

// Run carries out a plan: for each dataset, parents before children and up
// to RunOptions.Parallel at a time, it resolves conflicts if Force allows,
// creates placeholders, and sends the steps in order, each streamed from zfs
// send on the source client into a resumable zfs receive on the target
// client (or over RunOptions.Transport).
//
// Around each step: the step's snapshot is held on the source (hold tag
// HoldTag(name)) while it is sent, so that an interrupted receive stays
// resumable, and until the next step, sent from it, has landed (the first
// step also holds its incremental source if that is a snapshot); once a
// step has landed, a cursor bookmark of it is created (CursorName), the
// previous cursor is destroyed, and the previous hold released, in that
// order. The common base therefore survives the pruning of every source
// snapshot, and the next plan starts from the cursor.
//
// A step interrupted part-way (a connection dropped, zfs receive stopped)
// is resumed from the target's receive_resume_token, up to Retries times;
// a run interrupted altogether (the process killed, ctx cancelled) leaves
// partial state that the next plan resumes. Nothing that has landed is sent
// again. One interrupted state needs Force again: a forced run's full stream
// received over an existing target without snapshots, which zfs resumes
// only with -F; without Force the dataset fails with a *Conflict
// (errors.ErrNoCommonBase).
//
// Run returns the result of every dataset and an error joining the datasets'
// failures and unresolved conflicts (errors.Is finds each kind; Result.Err
// returns the same). It returns early only for invalid options.
func Run(ctx context.Context, plan *Plan, opts RunOptions) (*Result, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if plan == nil || plan.Source.Client == nil || plan.Target.Client == nil {
		return nil, errs.InvalidArgumentf(conflictOp, "", "a plan from NewPlan is required")
	}
	start := time.Now()
	r := &runner{plan: plan, opts: opts, src: plan.Source.Client, dst: plan.Target.Client,
		tag: HoldTag(plan.Options.Name), log: opts.Logger}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if opts.Progress != nil {
		if !plan.estimated() {
			// Sizes are for progress only: a failed estimate leaves them
			// unknown.
			_ = plan.Estimate(ctx, opts)
		}
		r.overall = stream.NewProgress(stream.ProgressOptions{Total: plan.totalSize()})
	}
	res := &Result{Datasets: make([]*DatasetResult, len(plan.Datasets))}
	done := make(map[string]chan struct{}, len(plan.Datasets))
	for _, dp := range plan.Datasets {
		done[dp.Target] = make(chan struct{})
	}
	byTarget := make(map[string]int, len(plan.Datasets))
	for i, dp := range plan.Datasets {
		byTarget[dp.Target] = i
	}
	sem := make(chan struct{}, max(opts.Parallel, 1))
	var wg sync.WaitGroup
	for i, dp := range plan.Datasets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[dp.Target])
			dr := &DatasetResult{Source: dp.Source, Target: dp.Target, Action: dp.Action}
			res.Datasets[i] = dr
			if parent, ok := names.Parent(dp.Target); ok {
				if ch, ok := done[parent]; ok {
					<-ch
					pr, pp := res.Datasets[byTarget[parent]], plan.Datasets[byTarget[parent]]
					if pr.Err != nil && (pp.noTarget || pp.Action == Create) && pr.Steps == 0 && !pr.Placeholder {
						dr.Skipped = "the parent dataset " + parent + " was not created"
						dr.Err = errs.Newf(errors.NotExist, conflictOp, dp.Target, "parent %s was not created: %w", parent, pr.Err)
						return
					}
				}
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				dr.Skipped, dr.Err = "the run was cancelled", ctx.Err()
				return
			}
			defer func() { <-sem }()
			r.dataset(ctx, dp, dr)
		}()
	}
	wg.Wait()
	if r.overall != nil {
		res.Bytes = r.overall.Finish().Bytes
	}
	res.Duration = time.Since(start)
	return res, res.Err()
}

// runner is one Run.
type runner struct {
	plan     *Plan
	opts     RunOptions
	src, dst *zfs.Client
	tag      string
	log      *slog.Logger
	overall  *stream.Progress
	progMu   sync.Mutex
}

// dataset replicates one dataset.
func (r *runner) dataset(ctx context.Context, dp *DatasetPlan, dr *DatasetResult) {
	log := r.log.With("source", dp.Source, "target", dp.Target)
	if err := ctx.Err(); err != nil {
		dr.Skipped, dr.Err = "the run was cancelled", err
		return
	}
	switch dp.Action {
	case UpToDate, Skip:
		dr.Skipped = dp.Reason
		if dp.Placeholder {
			dr.Skipped = ""
			if err := r.placeholder(ctx, dp); err != nil {
				dr.Err = err
				return
			}
			dr.Placeholder = true
			log.Info("created placeholder")
		}
		if dp.Base != nil {
			dr.Cursor = r.ensureCursor(ctx, dp, dr, *dp.Base, true)
		}
		r.releaseStale(ctx, dp, dr, nil)
		return
	}
	forceReceive := false
	if dp.Action == Blocked {
		if !r.opts.Force || !dp.Conflict.Forcible {
			dr.Err = dp.Conflict
			dr.Skipped = "conflict: " + dp.Conflict.Error()
			log.Warn("conflict", "err", dp.Conflict)
			return
		}
		if err := r.force(ctx, dp, dr); err != nil {
			dr.Err = err
			return
		}
		forceReceive = dp.ForceReceive
		log.Warn("forced", "what", strings.Join(dr.Forced, "; "))
	}
	if dp.Base != nil {
		r.ensureCursor(ctx, dp, dr, *dp.Base, false)
	}
	// Holds: a step's snapshot is held from before it is sent until the
	// next step has landed, since it is that step's incremental source (the
	// first step holds its source too when it is a snapshot); the last
	// step's holds go once its cursor exists.
	var prev, released []string
	for i := 0; i < len(dp.Steps); i++ { // the first step may split in two
		st := &dp.Steps[i]
		if err := ctx.Err(); err != nil {
			dr.Err = err
			return
		}
		hold := []string{st.To}
		if i == 0 && st.ResumeToken == "" && st.From != "" && !strings.Contains(st.From, "#") {
			hold = []string{st.From, st.To}
			prev = []string{st.From}
		}
		err := r.hold(ctx, hold)
		if err != nil && len(hold) == 2 && errors.Is(err, errors.ErrNotExist) {
			// The base snapshot was pruned since the plan was made:
			// send from its cursor bookmark instead, if there is one.
			if c := r.cursorOf(dp, *dp.Base); c != "" {
				steps := append(fromCursor(*st, c), dp.Steps[1:]...)
				if err = r.hold(ctx, []string{steps[0].To}); err == nil {
					dp.Steps, st, prev = steps, &steps[0], nil
					dr.Warnings = append(dr.Warnings, "the base "+dp.Base.Name+" is gone: sent from its cursor "+c)
					log.Warn("base gone", "base", dp.Base.Name, "cursor", c)
				}
			}
		}
		if err != nil {
			dr.Err = err
			return
		}
		// A first full stream over a placeholder, or over a target without
		// snapshots in a forced run, needs zfs receive -F, resumed or not.
		force := i == 0 && (forceReceive || dp.OverPlaceholder)
		if err := r.step(ctx, dp, dr, i, force); err != nil {
			dr.Err = err
			var c *Conflict
			if errors.As(err, &c) {
				dr.Skipped = "conflict: " + c.Error()
			}
			return
		}
		dr.Steps++
		last := st.Snapshots[len(st.Snapshots)-1]
		dr.Cursor = r.ensureCursor(ctx, dp, dr, last, true)
		rel := prev
		prev = []string{st.To}
		if i == len(dp.Steps)-1 {
			rel, prev = append(rel, st.To), nil
		}
		if len(rel) > 0 {
			if err := r.src.Release(ctx, r.tag, rel, zfs.HoldOptions{}); err != nil && !errors.Is(err, errors.ErrNotExist) {
				dr.Warnings = append(dr.Warnings, "release hold: "+err.Error())
			}
			released = append(released, rel...)
		}
		if i == 0 && dp.OverPlaceholder {
			// The dataset is a placeholder no more; the canmount=off
			// the placeholder had goes too, unless the receive sets it:
			// canmount reverts to the received value or the default.
			props := []string{PlaceholderProperty}
			if _, ok := r.opts.Receive.SetProperties["canmount"]; !ok {
				props = append(props, "canmount")
			}
			fs, err := r.dst.Filesystem(ctx, dp.Target)
			for _, prop := range props {
				if err != nil {
					break
				}
				// zfs inherit takes one property per command.
				err = fs.Inherit(ctx, zfs.InheritOptions{Received: true}, prop)
			}
			if err != nil {
				dr.Warnings = append(dr.Warnings, "clear placeholder property: "+err.Error())
			}
		}
	}
	r.releaseStale(ctx, dp, dr, released)
}

// cursorOf returns the name of this replication's cursor bookmark of v on
// the source, or "" if there is none.
func (r *runner) cursorOf(dp *DatasetPlan, v Version) string {
	for _, c := range dp.Cursors {
		if c.GUID == v.GUID {
			return c.Name
		}
	}
	return ""
}

// fromCursor replaces step st, sent from a snapshot, by steps sent from
// bookmark c: zfs send -I does not take a bookmark, so a run of snapshots
// becomes an incremental to its first snapshot, then a run to the rest.
func fromCursor(st Step, c string) []Step {
	first := Step{From: c, To: st.Snapshots[0].Name, Snapshots: st.Snapshots[:1:1]}
	if len(st.Snapshots) == 1 {
		return []Step{first}
	}
	rest := Step{From: first.To, To: st.To, Intermediates: len(st.Snapshots) > 2, Snapshots: st.Snapshots[1:]}
	return []Step{first, rest}
}

// force resolves a forcible conflict on the target.
func (r *runner) force(ctx context.Context, dp *DatasetPlan, dr *DatasetResult) error {
	if dp.AbortPartial {
		if err := recv.Abort(ctx, r.dst, dp.Target); err != nil {
			return err
		}
		dr.Forced = append(dr.Forced, "discarded the partial receive")
	}
	if dp.Rollback != "" {
		snap, err := r.dst.Snapshot(ctx, dp.Rollback)
		if err != nil {
			return err
		}
		if err := snap.Rollback(ctx, zfs.RollbackOptions{DestroyLater: true}); err != nil {
			return err
		}
		dr.RolledBack = dp.Rollback
		dr.Destroyed = slices.Clone(dp.Conflict.Snapshots)
		what := "rolled back to " + dp.Rollback
		if len(dr.Destroyed) > 0 {
			what += ", destroying " + shortList(dr.Destroyed, 5)
		}
		dr.Forced = append(dr.Forced, what)
	}
	if dp.ForceReceive {
		dr.Forced = append(dr.Forced, "received a full stream over the existing target")
	}
	return nil
}

// placeholder creates the target as an empty, unmountable filesystem.
func (r *runner) placeholder(ctx context.Context, dp *DatasetPlan) error {
	_, err := r.dst.CreateFilesystem(ctx, dp.Target, zfs.CreateOptions{
		NoMount:    true,
		Properties: map[string]string{"canmount": "off", PlaceholderProperty: "on"},
	})
	if errors.Is(err, errors.ErrExist) {
		return nil
	}
	return err
}

// ensureCursor makes sure the cursor bookmark of v exists (unless v is a
// bookmark already) and, with tidy, destroys this replication's other
// cursors on the dataset. It returns the cursor's full name, or v's if v is
// a bookmark that is not a cursor and could not be copied.
func (r *runner) ensureCursor(ctx context.Context, dp *DatasetPlan, dr *DatasetResult, v Version, tidy bool) string {
	name := dp.Source + "#" + CursorName(r.plan.Options.Name, v.GUID)
	have := slices.ContainsFunc(dp.Cursors, func(c Version) bool { return c.Name == name })
	switch {
	case have:
	case v.IsBookmark():
		// A bookmark that is not ours (a user's, or another
		// replication's) is base enough; keep it and our cursors.
		return v.Name
	default:
		snap, err := r.src.Snapshot(ctx, v.Name)
		if err == nil {
			_, err = snap.CreateBookmark(ctx, name)
		}
		if err != nil {
			dr.Warnings = append(dr.Warnings, "create cursor "+name+": "+err.Error())
			return ""
		}
		dp.Cursors = append(dp.Cursors, Version{Name: name, GUID: v.GUID, CreateTXG: v.CreateTXG})
		r.log.Debug("cursor", "bookmark", name)
	}
	if tidy {
		kept := dp.Cursors[:0]
		for _, c := range dp.Cursors {
			if c.Name == name {
				kept = append(kept, c)
				continue
			}
			if err := r.src.Destroy(ctx, c.Name, zfs.DestroyOptions{}); err != nil && !errors.Is(err, errors.ErrNotExist) {
				dr.Warnings = append(dr.Warnings, "destroy old cursor "+c.Name+": "+err.Error())
				kept = append(kept, c)
			}
		}
		dp.Cursors = kept
	}
	return name
}

// releaseStale releases this replication's holds left on the dataset's
// snapshots by interrupted runs: the plan saw them as held (userrefs), and
// `zfs holds` on those alone tells which holds are ours.
func (r *runner) releaseStale(ctx context.Context, dp *DatasetPlan, dr *DatasetResult, released []string) {
	var cand []string
	for _, h := range dp.Held {
		if !slices.Contains(released, h) {
			cand = append(cand, h)
		}
	}
	if len(cand) == 0 || ctx.Err() != nil {
		return
	}
	holds, err := r.src.Holds(ctx, cand, zfs.HoldOptions{})
	if err != nil {
		if !errors.Is(err, errors.ErrNotExist) {
			dr.Warnings = append(dr.Warnings, "list holds: "+err.Error())
		}
		return
	}
	var ours []string
	for _, h := range holds {
		if h.Tag == r.tag {
			ours = append(ours, h.Snapshot)
		}
	}
	if len(ours) == 0 {
		return
	}
	if err := r.src.Release(ctx, r.tag, ours, zfs.HoldOptions{}); err != nil && !errors.Is(err, errors.ErrNotExist) {
		dr.Warnings = append(dr.Warnings, "release stale holds: "+err.Error())
	}
}

// hold places this replication's hold on the snapshots. Holds left by an
// interrupted run are kept: zfs refuses a hold that exists, and then
// every other snapshot of the command too, so they are held one by one.
func (r *runner) hold(ctx context.Context, snaps []string) error {
	err := r.src.Hold(ctx, r.tag, snaps, zfs.HoldOptions{})
	if !errors.Is(err, errors.ErrExist) || len(snaps) == 1 {
		if errors.Is(err, errors.ErrExist) {
			err = nil
		}
		return err
	}
	for _, s := range snaps {
		if err := r.src.Hold(ctx, r.tag, []string{s}, zfs.HoldOptions{}); err != nil && !errors.Is(err, errors.ErrExist) {
			return err
		}
	}
	return nil
}

// step sends one step, resuming it when it is interrupted.
func (r *runner) step(ctx context.Context, dp *DatasetPlan, dr *DatasetResult, idx int, force bool) error {
	st := &dp.Steps[idx]
	log := r.log.With("target", dp.Target, "step", st.short())
	from, intermediates, token := st.From, st.Intermediates, st.ResumeToken
	resumed := ""
	if token != "" {
		resumed = st.To
	}
	retries := r.opts.retries()
	for attempt := 0; ; {
		sopts := r.opts.Send
		snap := st.To
		if token != "" {
			sopts = resumeSendOptions(sopts, token)
			snap = ""
		} else {
			sopts.From, sopts.Intermediates = from, intermediates
		}
		ropts := r.opts.Receive
		ropts.Resumable = true
		ropts.Force = force && from == ""
		log.Info("step", "attempt", attempt, "resume", token != "")
		got, err := r.transfer(ctx, dp, st, idx, snap, sopts, ropts)
		dr.Sent = append(dr.Sent, got...)
		if resumed != "" && err == nil {
			dr.Resumed = append(dr.Resumed, resumed)
		}
		if err != nil && token != "" && from == "" && !ropts.Force && !dp.noTarget && errors.Is(err, errors.ErrExist) {
			// zfs refuses to resume a full stream that was being
			// received over an existing target (an interrupted forced
			// run) without -F, which overwrites the target.
			if !r.opts.Force {
				return &Conflict{Kind: errors.NoCommonBase, Source: dp.Source, Target: dp.Target,
					Reason:   "the target has no snapshots and holds the partial state of a full stream received over it (an interrupted forced run)",
					Forcible: true, Remedy: "resumes it with zfs receive -F, replacing the target's contents"}
			}
			force = true
			dr.Forced = append(dr.Forced, "resumed the full stream received over the existing target")
			log.Warn("forced", "what", "resume with zfs receive -F")
			continue
		}
		if err == nil {
			if token == "" || resumed == st.To {
				return nil
			}
			// A run was interrupted inside an intermediate snapshot,
			// which has now landed; send the rest of the run.
			k := slices.IndexFunc(st.Snapshots, func(v Version) bool { return v.Name == resumed })
			from, token, resumed = resumed, "", ""
			intermediates = len(st.Snapshots)-k > 2
			continue
		}
		if ctx.Err() != nil || attempt >= retries {
			return err
		}
		// Resume if the target kept the partial state of a snapshot of
		// this step.
		tok := resumableToken(err)
		if tok == "" && (r.opts.Transport != nil || errors.KindOf(err) == errors.Other) {
			// The receive's own error did not say (a transport or a
			// runner failed): ask the target.
			if t, terr := recv.ResumeToken(ctx, r.dst, dp.Target); terr == nil {
				tok = t
			}
		}
		if tok == "" {
			return err
		}
		dec, derr := resumetoken.Decode(tok)
		if derr != nil {
			return err
		}
		k := slices.IndexFunc(st.Snapshots, func(v Version) bool { return v.GUID == dec.ToGUID })
		if k < 0 {
			return err
		}
		attempt++
		token, resumed = tok, st.Snapshots[k].Name
		log.Warn("resuming", "snapshot", resumed, "err", err)
	}
}

// resumableToken returns the token of a *errors.ResumableError in err.
func resumableToken(err error) string {
	var re *errors.ResumableError
	if errors.As(err, &re) {
		return re.Token
	}
	return ""
}

// transfer moves one stream and returns the snapshots received.
func (r *runner) transfer(ctx context.Context, dp *DatasetPlan, st *Step, idx int, snap string, sopts send.Options, ropts recv.Options) ([]string, error) {
	var prog *stream.Progress
	if r.opts.Progress != nil {
		total := st.Size
		if sopts.ResumeToken != "" {
			total = 0
			if n, err := send.Estimate(ctx, r.src, "", sopts); err == nil {
				total = n
			}
		}
		prog = stream.NewProgress(stream.ProgressOptions{Total: total, OnUpdate: func(s stream.ProgressSnapshot) {
			r.progMu.Lock()
			defer r.progMu.Unlock()
			r.opts.Progress(Progress{Source: dp.Source, Target: dp.Target, Step: st, StepIndex: idx, Steps: len(dp.Steps),
				Current: s, Overall: r.overall.Snapshot()})
		}})
		sopts.Transforms = append(sopts.Transforms, prog.WriteTransform(), r.overall.WriteTransform())
		defer prog.Finish()
	}
	sopts.Transforms = append(sopts.Transforms, stream.Writers(r.opts.Transforms...)...)
	if r.opts.Transport != nil {
		return r.overTransport(ctx, dp, st, snap, sopts, ropts)
	}
	ropts.Transforms = stream.Readers(r.opts.Transforms...)
	res, err := recv.Replicate(ctx, r.src, r.dst, snap, dp.Target, recv.ReplicateOptions{Send: sopts, Receive: ropts})
	if res == nil {
		return nil, err
	}
	// After a failure too, Snapshots are only those committed (the one
	// being received is res.Incomplete).
	return res.Snapshots, err
}
