package replication

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/format/resumetoken"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/zfs"
)

// Endpoint is one side of a replication: a dataset and the client that runs
// commands where it lives (this host, another host over ssh, a container).
type Endpoint struct {
	// Client runs the zfs commands of this side.
	Client *zfs.Client
	// Dataset is the filesystem or volume: on the source side the one to
	// replicate (the root of the tree with PlanOptions.Recursive), on the
	// target side the one it is received into, which need not exist yet.
	Dataset string
}

// StepMode says how the snapshots to send are grouped into steps.
type StepMode uint8

const (
	// StepRuns sends each run of consecutive snapshots as one stream with
	// its intermediate snapshots (zfs send -I): the fewest commands and
	// the least per-snapshot overhead. An interrupted run resumes from the
	// snapshot it was receiving; the snapshots before it have landed.
	StepRuns StepMode = iota
	// StepEach sends every snapshot as a step of its own (zfs send -i):
	// a cursor bookmark after each, at the cost of a few commands per
	// snapshot.
	StepEach
	// StepLatest sends only the most recent snapshot (zfs send -i from the
	// base, skipping the snapshots in between); a new target gets a full
	// stream of it alone.
	StepLatest
)

// String returns "runs", "each" or "latest".
func (m StepMode) String() string {
	switch m {
	case StepRuns:
		return "runs"
	case StepEach:
		return "each"
	case StepLatest:
		return "latest"
	}
	return fmt.Sprintf("StepMode(%d)", m)
}

// PlanOptions shape a plan. The zero value plans the source dataset alone,
// sending every snapshot after the common base in runs (zfs send -I).
type PlanOptions struct {
	// Recursive includes the source's descendants: each is replicated to
	// the dataset of the same relative name under the target.
	Recursive bool
	// Name distinguishes replications of one source to several targets:
	// each keeps its own hold tag and cursor bookmarks (HoldTag, CursorName).
	// Letters, digits and "_-.:", at most 64 bytes; empty is a name too.
	Name string
	// Steps groups the snapshots to send into steps.
	Steps StepMode
	// Snapshots, if set, selects the snapshots to replicate by their short
	// name (after '@'). Unselected snapshots are never sent: runs are cut
	// around them, since zfs send -I would include them.
	Snapshots func(name string) bool
	// Exclude leaves these source datasets, and their descendants, out of a
	// recursive plan.
	Exclude []string
}

// Action is what a plan does with one dataset.
type Action uint8

const (
	// UpToDate: the target has the source's most recent snapshot; nothing
	// to send.
	UpToDate Action = iota + 1
	// Create: the target does not exist (or is a placeholder, or holds
	// the partial state of a first receive); a full stream starts it.
	Create
	// Update: incremental streams from the common base.
	Update
	// Skip: the source has no snapshot to send. A placeholder is created on
	// the target when datasets below need a parent (DatasetPlan.Placeholder).
	Skip
	// Blocked: a Conflict stops the dataset unless RunOptions.Force resolves
	// it; Steps are what a forced run sends.
	Blocked
)

// String returns "up to date", "create", "update", "skip" or "blocked".
func (a Action) String() string {
	switch a {
	case UpToDate:
		return "up to date"
	case Create:
		return "create"
	case Update:
		return "update"
	case Skip:
		return "skip"
	case Blocked:
		return "blocked"
	}
	return fmt.Sprintf("Action(%d)", a)
}

// Version is a snapshot or bookmark: its full name and identity.
type Version struct {
	// Name is the full name, "pool/fs@snap" or "pool/fs#mark".
	Name string
	// GUID identifies the snapshot across pools: a received snapshot and the
	// bookmarks of a snapshot have the GUID of the original.
	GUID uint64
	// CreateTXG orders versions within their own pool.
	CreateTXG uint64
}

// IsBookmark reports whether v is a bookmark.
func (v Version) IsBookmark() bool { return strings.IndexByte(v.Name, '#') >= 0 }

// ShortName returns the part after '@' or '#', with that character:
// "@snap" or "#mark".
func (v Version) ShortName() string {
	if i := strings.IndexAny(v.Name, "@#"); i >= 0 {
		return v.Name[i:]
	}
	return v.Name
}

// Step is one stream: zfs send of To, from From (incremental) or full,
// received into the target.
type Step struct {
	// From is the incremental source, a snapshot or bookmark of the source
	// dataset; empty for a full stream.
	From string
	// To is the snapshot sent.
	To string
	// Intermediates sends every snapshot between From and To as well
	// (zfs send -I); From is then a snapshot.
	Intermediates bool
	// ResumeToken, if set, resumes the interrupted receive of To (zfs send
	// -t); the token is the target's receive_resume_token.
	ResumeToken string
	// Snapshots are the snapshots this step creates on the target, in
	// order, as source versions: To alone, or every snapshot of a run.
	Snapshots []Version
	// Size is the estimated stream size in bytes, once Plan.Estimate has
	// run; zero when unknown.
	Size int64
}

// Kind describes the step's stream: "full", "incremental", "run" (-I) or
// "resume".
func (s *Step) Kind() string {
	switch {
	case s.ResumeToken != "":
		return "resume"
	case s.From == "":
		return "full"
	case s.Intermediates:
		return "run"
	}
	return "incremental"
}

// DatasetPlan is the plan for one source dataset.
type DatasetPlan struct {
	// Source and Target are the dataset on each side.
	Source, Target string
	// Type is the source's type: filesystem or volume.
	Type zfs.Type
	// Action is what a run does.
	Action Action
	// Reason says why, in words, for Skip, UpToDate and Blocked.
	Reason string
	// Base is the most recent common base on the source side, a snapshot or
	// a bookmark (a cursor), and TargetBase the target's snapshot with the
	// same GUID; both nil without a common base.
	Base, TargetBase *Version
	// Steps are the streams to send, in order. For a Blocked dataset they
	// are what a forced run sends.
	Steps []Step
	// Conflict is set when Action is Blocked.
	Conflict *Conflict
	// Placeholder says the target does not exist and a run creates it as
	// an empty filesystem, because datasets below it are replicated.
	Placeholder bool
	// OverPlaceholder says the target is a placeholder a run replaces with
	// the first full stream (zfs receive -F).
	OverPlaceholder bool
	// Rollback is the target snapshot a forced run rolls back to (zfs
	// rollback -r), destroying Conflict.Snapshots; empty if none.
	Rollback string
	// AbortPartial says a forced run discards the target's partial receive
	// state (zfs receive -A) because it cannot be resumed.
	AbortPartial bool
	// ForceReceive says a forced run receives the full stream over the
	// existing target (zfs receive -F).
	ForceReceive bool
	// Cursors are this replication's cursor bookmarks on the source.
	Cursors []Version
	// Held are the source snapshots with user holds (userrefs > 0), some
	// possibly this replication's from an interrupted run.
	Held []string

	// pending are the selected source snapshots not yet on the target, the
	// ones retention must keep (see Plan.Protected).
	pending []string
	// noTarget says the target dataset does not exist.
	noTarget bool
}

// Plan is what a replication would do: per source dataset, the common base,
// the streams to send and any conflict. It is made by NewPlan,
// printed with String or fmt's %v and %+v, inspected, and carried out by Run.
// A plan reflects the two sides when it was made; Run checks nothing again
// beyond what zfs itself refuses, so plan shortly before running.
type Plan struct {
	// Source and Target are the endpoints planned for.
	Source, Target Endpoint
	// Options are the options the plan was made with.
	Options PlanOptions
	// Datasets are the source datasets, parents before children.
	Datasets []*DatasetPlan
	// TargetOnly are datasets below the target with no counterpart on the
	// source. Replication leaves them alone.
	TargetOnly []string
}

// validate checks the endpoints and options before anything runs.
func validate(source, target Endpoint, opts PlanOptions) error {
	const op = conflictOp
	switch {
	case source.Client == nil:
		return errs.InvalidArgumentf(op, source.Dataset, "source has no client")
	case target.Client == nil:
		return errs.InvalidArgumentf(op, target.Dataset, "target has no client")
	}
	if err := names.Dataset(source.Dataset); err != nil {
		return errs.WithOp(err, op)
	}
	if err := names.Dataset(target.Dataset); err != nil {
		return errs.WithOp(err, op)
	}
	if err := checkJobName(op, opts.Name); err != nil {
		return err
	}
	if opts.Steps > StepLatest {
		return errs.InvalidArgumentf(op, source.Dataset, "invalid step mode %d", opts.Steps)
	}
	for _, x := range opts.Exclude {
		if err := names.Dataset(x); err != nil {
			return errs.WithOp(err, op)
		}
	}
	if source.Client == target.Client {
		s, t := source.Dataset, target.Dataset
		if s == t || (opts.Recursive && within(t, s)) || within(s, t) {
			return errs.InvalidArgumentf(op, t, "target %s overlaps source %s on the same client", t, s)
		}
	}
	return nil
}

// within reports whether name is a strict descendant of root.
func within(name, root string) bool {
	return len(name) > len(root) && strings.HasPrefix(name, root) && name[len(root)] == '/'
}

// NewPlan reads the source and the target, one listing each (run concurrently),
// and plans the replication of source to target: see the package
// documentation. The target dataset need not exist; its parent must, for a
// run to succeed. The source must exist.
//
// Conflicts do not fail planning: they are reported per dataset
// (DatasetPlan.Conflict) and together by Plan.Err. NewPlan fails only when a
// listing fails or the request is invalid.
func NewPlan(ctx context.Context, source, target Endpoint, opts PlanOptions) (*Plan, error) {
	if err := validate(source, target, opts); err != nil {
		return nil, err
	}
	var (
		wg             sync.WaitGroup
		sinv, tinv     *inventory
		serr, terr     error
		sprops, tprops = sourceProps, targetProps
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		tinv, terr = listSide(ctx, target.Client, target.Dataset, opts.Recursive, tprops)
	}()
	sinv, serr = listSide(ctx, source.Client, source.Dataset, opts.Recursive, sprops)
	wg.Wait()
	if serr != nil {
		return nil, serr
	}
	if terr != nil {
		return nil, terr
	}
	if sinv.missing {
		return nil, errs.Newf(errors.NotExist, conflictOp, source.Dataset, "source dataset %s does not exist", source.Dataset)
	}
	return build(source, target, opts, sinv, tinv), nil
}

// build plans from the two listings.
func build(source, target Endpoint, opts PlanOptions, sinv, tinv *inventory) *Plan {
	p := &Plan{Source: source, Target: target, Options: opts}
	mapped := make(map[string]bool, len(sinv.order))
	for _, name := range sinv.order {
		src := sinv.datasets[name]
		if !src.exists || excluded(name, opts.Exclude) {
			continue
		}
		tname := target.Dataset + name[len(source.Dataset):]
		mapped[tname] = true
		dst := tinv.datasets[tname]
		if dst != nil && !dst.exists {
			dst = nil
		}
		p.Datasets = append(p.Datasets, planDataset(src, dst, tname, opts))
	}
	for _, name := range tinv.order {
		if !mapped[name] && tinv.datasets[name].exists && (name == target.Dataset || within(name, target.Dataset)) {
			p.TargetOnly = append(p.TargetOnly, name)
		}
	}
	placeholders(p)
	return p
}

// excluded reports whether name is one of xs or below one of them.
func excluded(name string, xs []string) bool {
	for _, x := range xs {
		if name == x || within(name, x) {
			return true
		}
	}
	return false
}

// placeholders marks the missing targets of datasets with nothing to send
// that have replicated datasets below them.
func placeholders(p *Plan) {
	byTarget := make(map[string]*DatasetPlan, len(p.Datasets))
	for _, dp := range p.Datasets {
		byTarget[dp.Target] = dp
	}
	for i := len(p.Datasets) - 1; i >= 0; i-- {
		dp := p.Datasets[i]
		if !(dp.Action == Create || dp.Placeholder) {
			continue
		}
		parent, ok := names.Parent(dp.Target)
		if !ok {
			continue
		}
		if pp := byTarget[parent]; pp != nil && pp.Action == Skip && pp.noTarget {
			pp.Placeholder = true
			pp.Reason = "no snapshot to send; an empty placeholder is created for the datasets below"
		}
	}
}

const (
	reasonNoSnapshotsNew = "no snapshot to send; the target does not exist"
	reasonNoSnapshots    = "no snapshot to send"
)

// sourceView is a source dataset's versions prepared for planning.
type sourceView struct {
	fi      *fsInfo
	byGUID  map[uint64]int // index in fi.versions; snapshots win over bookmarks
	ord     []int          // per version: number of snapshots before it
	sel     []int          // selected snapshots, indices in fi.versions
	dataset string
}

func newSourceView(src *fsInfo, opts PlanOptions) *sourceView {
	sv := &sourceView{fi: src, dataset: src.name, byGUID: make(map[uint64]int, len(src.versions)), ord: make([]int, len(src.versions))}
	n := 0
	for i, v := range src.versions {
		sv.ord[i] = n
		if j, ok := sv.byGUID[v.guid]; !ok || (src.versions[j].bookmark && !v.bookmark) {
			sv.byGUID[v.guid] = i
		}
		if v.bookmark {
			continue
		}
		n++
		if opts.Snapshots == nil || opts.Snapshots(v.short) {
			sv.sel = append(sv.sel, i)
		}
	}
	return sv
}

// version returns the public Version of fi.versions[i].
func (sv *sourceView) version(i int) Version {
	v := sv.fi.versions[i]
	sep := "@"
	if v.bookmark {
		sep = "#"
	}
	return Version{Name: sv.dataset + sep + strings.Clone(v.short), GUID: v.guid, CreateTXG: v.txg}
}

// after returns the selected snapshots created after version i (all of them
// for i < 0).
func (sv *sourceView) after(i int) []int {
	if i < 0 {
		return sv.sel
	}
	txg := sv.fi.versions[i].txg
	for k, j := range sv.sel {
		if sv.fi.versions[j].txg > txg {
			return sv.sel[k:]
		}
	}
	return nil
}

// steps builds the steps from version base (-1: none, a full stream first)
// through the snapshots pending, per mode.
func (sv *sourceView) steps(base int, pending []int, mode StepMode) []Step {
	if len(pending) == 0 {
		return nil
	}
	if mode == StepLatest {
		pending = pending[len(pending)-1:]
	}
	var out []Step
	// extendable says the last step may grow into a -I run: its From is a
	// snapshot and every snapshot between From and To is in the step.
	extendable := false
	cur := base
	for _, p := range pending {
		if mode == StepRuns && extendable && sv.ord[p] == sv.ord[cur]+1 {
			last := &out[len(out)-1]
			last.To = sv.version(p).Name
			last.Intermediates = true
			last.Snapshots = append(last.Snapshots, sv.version(p))
			cur = p
			continue
		}
		st := Step{To: sv.version(p).Name, Snapshots: []Version{sv.version(p)}}
		extendable = false
		if cur >= 0 {
			st.From = sv.version(cur).Name
			extendable = !sv.fi.versions[cur].bookmark && sv.ord[p] == sv.ord[cur]+1
		}
		out = append(out, st)
		cur = p
	}
	return out
}

// planDataset plans one source dataset against its target (nil if the target
// does not exist).
func planDataset(src, dst *fsInfo, target string, opts PlanOptions) *DatasetPlan {
	sv := newSourceView(src, opts)
	dp := &DatasetPlan{Source: src.name, Target: target, Type: src.typ}
	for i, v := range src.versions {
		if v.bookmark {
			if _, ok := parseCursor(opts.Name, v.short); ok {
				dp.Cursors = append(dp.Cursors, sv.version(i))
			}
		} else if v.userrefs > 0 {
			dp.Held = append(dp.Held, sv.version(i).Name)
		}
	}
	defer func() {
		// A base snapshot needs protection while a step of this plan
		// sends from it, and until a run has made its cursor bookmark;
		// a later plan sends from the cursor if it is gone.
		if b := dp.Base; b != nil && !b.IsBookmark() &&
			(!slices.ContainsFunc(dp.Cursors, func(c Version) bool { return c.GUID == b.GUID }) ||
				slices.ContainsFunc(dp.Steps, func(st Step) bool { return st.From == b.Name })) {
			dp.pending = append(dp.pending, b.Name)
		}
		for _, st := range dp.Steps {
			for _, s := range st.Snapshots {
				dp.pending = append(dp.pending, s.Name)
			}
		}
	}()

	if dst == nil {
		dp.noTarget = true
		if len(sv.sel) == 0 {
			dp.Action, dp.Reason = Skip, reasonNoSnapshotsNew
			return dp
		}
		dp.Action = Create
		dp.Steps = sv.fullSteps(opts.Steps)
		return dp
	}

	// Target snapshots, oldest first.
	var tsnaps []version
	for _, v := range dst.versions {
		if !v.bookmark {
			tsnaps = append(tsnaps, v)
		}
	}
	tver := func(v version) *Version {
		return &Version{Name: target + "@" + strings.Clone(v.short), GUID: v.guid, CreateTXG: v.txg}
	}

	// A partial receive: resume it if the source still has its snapshot
	// and its base.
	resume, resumeErr := -1, ""
	var tok *resumetoken.Token
	if dst.token != "" {
		t, err := resumetoken.Decode(dst.token)
		switch {
		case err != nil:
			resumeErr = "the target's resume token cannot be read: " + err.Error()
		default:
			tok = t
			i, ok := sv.byGUID[t.ToGUID]
			wantFrom := uint64(0)
			if len(tsnaps) > 0 {
				wantFrom = tsnaps[len(tsnaps)-1].guid
			}
			switch {
			case !ok || src.versions[i].bookmark:
				resumeErr = fmt.Sprintf("the source no longer has %s (GUID %d), which the target's partial receive is of", t.ToName, t.ToGUID)
			case t.FromGUID != wantFrom:
				resumeErr = fmt.Sprintf("the partial receive of %s does not start from the target's most recent snapshot", t.ToName)
			default:
				resume = i
			}
		}
	}
	resumeSteps := func() []Step {
		st := Step{To: sv.version(resume).Name, ResumeToken: dst.token, Snapshots: []Version{sv.version(resume)}}
		if tok.FromGUID != 0 {
			if j, ok := sv.byGUID[tok.FromGUID]; ok {
				st.From = sv.version(j).Name
			}
		}
		return append([]Step{st}, sv.steps(resume, sv.after(resume), opts.Steps)...)
	}
	staleConflict := func(base string) *Conflict {
		return &Conflict{Kind: errors.ResumableStatePresent, Source: src.name, Target: target, Base: base,
			Reason: resumeErr, Forcible: true, Remedy: "discards the partial receive"}
	}

	if len(tsnaps) == 0 {
		switch {
		case resume >= 0:
			dp.Action = Create
			dp.OverPlaceholder = dst.placeholder
			dp.Steps = resumeSteps()
			return dp
		case len(sv.sel) == 0:
			dp.Action, dp.Reason = Skip, reasonNoSnapshots
			if resumeErr != "" {
				dp.AbortPartial = true
				dp.Action, dp.Conflict = Blocked, staleConflict("")
			}
			return dp
		case dst.placeholder:
			dp.Action = Create
			dp.OverPlaceholder = true
			dp.Steps = sv.fullSteps(opts.Steps)
			if resumeErr != "" {
				dp.AbortPartial = true
				dp.Action, dp.Conflict = Blocked, staleConflict("")
			}
			return dp
		}
		dp.Action = Blocked
		dp.Steps = sv.fullSteps(opts.Steps)
		dp.ForceReceive = true
		dp.AbortPartial = resumeErr != ""
		dp.Conflict = &Conflict{Kind: errors.NoCommonBase, Source: src.name, Target: target,
			Reason: "the target exists and has no snapshots", Forcible: true,
			Remedy: "receives a full stream over it, replacing its contents"}
		return dp
	}

	// The most recent common base: the newest target snapshot whose GUID
	// the source has, as a snapshot or a bookmark.
	bt, bs := -1, -1
	for k := len(tsnaps) - 1; k >= 0; k-- {
		if i, ok := sv.byGUID[tsnaps[k].guid]; ok {
			bt, bs = k, i
			break
		}
	}
	if bt < 0 {
		if len(sv.sel) == 0 {
			dp.Action, dp.Reason = Skip, reasonNoSnapshots
			return dp
		}
		dp.Action = Blocked
		dp.Conflict = &Conflict{Kind: errors.NoCommonBase, Source: src.name, Target: target,
			Reason: fmt.Sprintf("the source has none of the target's %d snapshots (newest %s) and no bookmark of one",
				len(tsnaps), tver(tsnaps[len(tsnaps)-1]).Name)}
		return dp
	}
	base := sv.version(bs)
	dp.Base, dp.TargetBase = &base, tver(tsnaps[bt])
	pending := sv.after(bs)

	if newer := tsnaps[bt+1:]; len(newer) > 0 {
		c := &Conflict{Kind: errors.Diverged, Source: src.name, Target: target, Base: dp.TargetBase.Name,
			Forcible: true, Remedy: "rolls the target back to " + dp.TargetBase.ShortName() + ", destroying them"}
		for _, v := range newer {
			c.Snapshots = append(c.Snapshots, tver(v).Name)
		}
		c.Reason = fmt.Sprintf("%s not on the source (common base %s)", shortList(c.Snapshots, 3), dp.TargetBase.ShortName())
		dp.Action, dp.Conflict = Blocked, c
		dp.Rollback = dp.TargetBase.Name
		dp.AbortPartial = dst.token != ""
		dp.Steps = sv.steps(bs, pending, opts.Steps)
		return dp
	}
	if resume >= 0 {
		dp.Action = Update
		dp.Steps = resumeSteps()
		return dp
	}
	dp.Steps = sv.steps(bs, pending, opts.Steps)
	switch {
	case resumeErr != "":
		dp.Action, dp.Conflict = Blocked, staleConflict(dp.TargetBase.Name)
		dp.AbortPartial = true
	case len(dp.Steps) == 0:
		dp.Action, dp.Reason = UpToDate, "the target has "+base.ShortName()
		if len(sv.sel) == 0 {
			dp.Reason = reasonNoSnapshots
		}
	case dst.written > 0:
		dp.Action = Blocked
		dp.Rollback = dp.TargetBase.Name
		dp.Conflict = &Conflict{Kind: errors.DestinationModified, Source: src.name, Target: target,
			Base: dp.TargetBase.Name, Written: dst.written,
			Reason:   fmt.Sprintf("%d bytes written since %s", dst.written, dp.TargetBase.ShortName()),
			Forcible: true, Remedy: "rolls the target back to " + dp.TargetBase.ShortName()}
	default:
		dp.Action = Update
	}
	return dp
}

// fullSteps are the steps of a first replication: a full stream of the
// first selected snapshot (the last with StepLatest), then the rest.
func (sv *sourceView) fullSteps(mode StepMode) []Step {
	first := sv.sel[0]
	if mode == StepLatest {
		first = sv.sel[len(sv.sel)-1]
	}
	out := []Step{{To: sv.version(first).Name, Snapshots: []Version{sv.version(first)}}}
	return append(out, sv.steps(first, sv.after(first), mode)...)
}

// Err returns the conflicts of the plan joined (nil when there is none):
// errors.Is(plan.Err(), errors.ErrDiverged) and the like tell what kind
// there are.
func (p *Plan) Err() error {
	var all []error
	for _, dp := range p.Datasets {
		if dp.Conflict != nil {
			all = append(all, dp.Conflict)
		}
	}
	return errors.Join(all...)
}

// Protected returns the source snapshots that a retention policy must not
// destroy for this plan to run as planned: the snapshots it still has to
// send, and each common base that is a snapshot, since the plan sends from
// it (or, when nothing is to be sent, makes its cursor bookmark from it).
// A base that has a cursor bookmark may go once no plan sends from it: the
// function Protected, which reads the source itself, leaves such bases out,
// and a plan made after they were pruned sends from the cursor instead.
// Needed turns the list into a hook for package retention.
func (p *Plan) Protected() []string {
	var out []string
	for _, dp := range p.Datasets {
		out = append(out, dp.pending...)
	}
	return out
}
