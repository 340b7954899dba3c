package retention

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/names"
)

// EvaluateOptions are the per-run inputs of Policy.Evaluate. The zero value
// evaluates at the current time with no snapshot marked as needed.
type EvaluateOptions struct {
	// Now is the evaluation time: snapshots created after it are kept and
	// reported as dated in the future (the clock jumped), and KeepNewerThan
	// measures ages from it. Zero means time.Now().
	Now time.Time
	// Needed, if not nil, marks snapshots that must not be destroyed whatever
	// the rules say: the base of the next incremental replication, a
	// snapshot a clone or a running job uses. NeededGUIDs builds one from
	// GUIDs. It is called only for snapshots the rules would destroy.
	Needed func(Snapshot) bool
}

// Reason says why a snapshot is kept or destroyed.
type Reason uint8

// The reasons, in the order in which they are decided: a snapshot dated in
// the future is reported as such whether or not the policy owns it; one the
// policy does not own is left alone; a rule's keep comes before the
// protections, so protections are reported only where they saved a
// snapshot the rules would destroy.
const (
	// NoRule: the policy owns the snapshot, no rule keeps it and nothing
	// protects it, so it is destroyed. It is the only reason to destroy.
	NoRule Reason = iota
	// Future: the snapshot's creation time is after the evaluation time.
	// Its clock was ahead (or the evaluating one is behind); it is kept
	// and left out of the rules, so that it cannot make older snapshots
	// look older than they are.
	Future
	// NotMatched: the policy's Filter does not match the snapshot.
	NotMatched
	// ByRule: Policy.Rules[Decision.Rule] keeps the snapshot.
	ByRule
	// Held: no rule keeps the snapshot but it has user holds.
	Held
	// Needed: no rule keeps the snapshot but EvaluateOptions.Needed marks
	// it as needed.
	Needed
	// Newest: no rule keeps the snapshot but it is the newest of its
	// dataset (by creation TXG), which is never destroyed.
	Newest
)

// String returns a short description: "no rule keeps it", "held", ...
func (r Reason) String() string {
	switch r {
	case NoRule:
		return "no rule keeps it"
	case Future:
		return "dated in the future"
	case NotMatched:
		return "not owned by the policy"
	case ByRule:
		return "kept by a rule"
	case Held:
		return "held"
	case Needed:
		return "needed"
	case Newest:
		return "newest of its dataset"
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// Decision is the verdict on one snapshot.
type Decision struct {
	// Keep is false when the snapshot is to be destroyed (Reason NoRule).
	Keep bool
	// Reason says why.
	Reason Reason
	// Rule is the index in Policy.Rules of the first rule that keeps the
	// snapshot when Reason is ByRule, and -1 otherwise.
	Rule int
	// Label says which part of the rule keeps it: the period kind of
	// KeepPeriods ("hourly", "daily", ...) or the grid entry of KeepGrid
	// ("24x1h"); empty for other rules.
	Label string
	// Period is the start of the calendar period or grid bucket for which
	// the rule keeps the snapshot; zero for rules without periods (and for
	// keep=all grid entries).
	Period time.Time
}

// Plan is the result of evaluating a policy: a decision for every snapshot.
// Decisions[i] is the decision on Snapshots[i], which is the slice given
// to Evaluate (not a copy).
type Plan struct {
	// Policy is the policy evaluated.
	Policy Policy
	// Now is the evaluation time.
	Now time.Time
	// Snapshots is the input, in its order.
	Snapshots []Snapshot
	// Decisions are the decisions, one per snapshot.
	Decisions []Decision
}

// Destroy returns the snapshots to destroy, in input order: what to pass
// to a batched destroy.
func (p *Plan) Destroy() []Snapshot { return p.filter(func(d Decision) bool { return !d.Keep }) }

// Kept returns the snapshots kept, in input order.
func (p *Plan) Kept() []Snapshot { return p.filter(func(d Decision) bool { return d.Keep }) }

// Future returns the snapshots dated after the evaluation time, in input
// order. They are kept; a caller should warn about them, as the clock that
// dated them (or the one evaluating) is wrong.
func (p *Plan) Future() []Snapshot {
	return p.filter(func(d Decision) bool { return d.Reason == Future })
}

func (p *Plan) filter(f func(Decision) bool) []Snapshot {
	var out []Snapshot
	for i, d := range p.Decisions {
		if f(d) {
			out = append(out, p.Snapshots[i])
		}
	}
	return out
}

// Evaluate decides, for every snapshot in snaps, whether the policy keeps or
// destroys it, and why. snaps may hold the snapshots of many datasets (a
// listing of a tree), in any order; each dataset is evaluated on its own, so
// give every snapshot of each dataset concerned: the newest snapshot of a
// dataset is the newest among those given.
//
// Evaluate is a pure function of its arguments and runs in time linear in
// the number of snapshots (after sorting each dataset's snapshots, which is
// linear when they come sorted by creation, as "zfs list -s createtxg"
// gives them). It returns an *Error, and no plan, when the policy is
// invalid (see Validate) or a snapshot is: its name is not a valid snapshot
// name, it appears twice, or its creation time is zero.
func (p Policy) Evaluate(snaps []Snapshot, opts EvaluateOptions) (*Plan, error) {
	return p.evaluate(snaps, opts, nil)
}

// evaluate is Evaluate with the rules applied by keep, if not nil (tests
// use it to measure other algorithms).
func (p Policy) evaluate(snaps []Snapshot, opts EvaluateOptions, keep func(r Rule, e *evaluation, rule int, cands []int32)) (*Plan, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	groups, err := groupDatasets(snaps)
	if err != nil {
		return nil, err
	}
	e := &evaluation{
		policy: p,
		snaps:  snaps,
		dec:    make([]Decision, len(snaps)),
		now:    now,
		loc:    p.location(),
		needed: opts.Needed,
		keep:   keep,
	}
	for _, g := range groups {
		e.dataset(g)
	}
	return &Plan{Policy: p, Now: now, Snapshots: snaps, Decisions: e.dec}, nil
}

// groupDatasets checks the snapshots and returns the indices of each
// dataset's snapshots, in input order.
func groupDatasets(snaps []Snapshot) ([][]int32, error) {
	if len(snaps) > 1<<31-1 {
		return nil, invalid("snapshots", "too many snapshots")
	}
	seen := make(map[string]struct{}, len(snaps))
	index := map[string]int{}
	var groups [][]int32
	last, lastGroup := "", -1
	for i := range snaps {
		s := &snaps[i]
		if err := names.Snapshot(s.Name); err != nil {
			reason := err.Error()
			var ze *errors.Error
			if errors.As(err, &ze) && ze.Err != nil {
				reason = "invalid name: " + ze.Err.Error()
			}
			return nil, invalid("snapshot "+quote(s.Name), reason)
		}
		if s.Creation.IsZero() {
			return nil, invalid("snapshot "+quote(s.Name), "no creation time")
		}
		if _, dup := seen[s.Name]; dup {
			return nil, invalid("snapshot "+quote(s.Name), "listed twice")
		}
		seen[s.Name] = struct{}{}
		ds := s.Name[:strings.IndexByte(s.Name, '@')]
		if ds != last || lastGroup < 0 {
			g, ok := index[ds]
			if !ok {
				g = len(groups)
				index[ds] = g
				groups = append(groups, nil)
			}
			last, lastGroup = ds, g
		}
		groups[lastGroup] = append(groups[lastGroup], int32(i))
	}
	return groups, nil
}

// evaluation is the state of one Evaluate call.
type evaluation struct {
	policy Policy
	snaps  []Snapshot
	dec    []Decision
	now    time.Time
	loc    *time.Location
	needed func(Snapshot) bool
	// byTXG is set, for the dataset being evaluated, when every snapshot has
	// a creation TXG, which then orders them by creation.
	byTXG bool
	// scratch is reused for per-rule candidate lists.
	scratch []int32
	// keep, if not nil, applies the rules instead of their keep methods.
	keep func(r Rule, e *evaluation, rule int, cands []int32)
}

// timeCmp orders snapshots by creation time, then TXG, then name.
func (e *evaluation) timeCmp(a, b int32) int {
	sa, sb := &e.snaps[a], &e.snaps[b]
	if c := sa.Creation.Compare(sb.Creation); c != 0 {
		return c
	}
	if sa.CreateTXG != sb.CreateTXG {
		if sa.CreateTXG < sb.CreateTXG {
			return -1
		}
		return 1
	}
	return strings.Compare(sa.Name, sb.Name)
}

// createdCmp orders snapshots by creation: by TXG when the dataset's
// snapshots all have one, else by time.
func (e *evaluation) createdCmp(a, b int32) int {
	if e.byTXG {
		sa, sb := &e.snaps[a], &e.snaps[b]
		if sa.CreateTXG != sb.CreateTXG {
			if sa.CreateTXG < sb.CreateTXG {
				return -1
			}
			return 1
		}
	}
	return e.timeCmp(a, b)
}

// sorted sorts idx with cmp unless it is sorted already.
func sorted(idx []int32, cmp func(a, b int32) int) {
	for i := 1; i < len(idx); i++ {
		if cmp(idx[i-1], idx[i]) > 0 {
			slices.SortFunc(idx, cmp)
			return
		}
	}
}

// keepBy records that rule keeps snapshot i, unless an earlier rule does.
func (e *evaluation) keepBy(i int32, rule int, label string, period time.Time) {
	if d := &e.dec[i]; d.Rule < 0 {
		d.Rule, d.Label, d.Period = rule, label, period
	}
}

// dataset evaluates the snapshots of one dataset, idx in input order.
func (e *evaluation) dataset(idx []int32) {
	e.byTXG = true
	newest := idx[0]
	for _, i := range idx {
		if e.snaps[i].CreateTXG == 0 {
			e.byTXG = false
		}
	}
	cands := make([]int32, 0, len(idx))
	for _, i := range idx {
		s := &e.snaps[i]
		e.dec[i].Rule = -1
		if e.createdCmp(i, newest) > 0 {
			newest = i
		}
		switch {
		case s.Creation.After(e.now):
			e.dec[i] = Decision{Keep: true, Reason: Future, Rule: -1}
		case !e.policy.Filter.Match(s.Name[strings.IndexByte(s.Name, '@')+1:]):
			e.dec[i] = Decision{Keep: true, Reason: NotMatched, Rule: -1}
		default:
			cands = append(cands, i)
		}
	}
	sorted(cands, e.timeCmp)
	for r, rule := range e.policy.Rules {
		if e.keep != nil {
			e.keep(rule, e, r, e.filter(cands, ruleFilter(rule)))
		} else {
			rule.keep(e, r, e.filter(cands, ruleFilter(rule)))
		}
	}
	for _, i := range cands {
		d := &e.dec[i]
		switch {
		case d.Rule >= 0:
			d.Keep, d.Reason = true, ByRule
		case e.snaps[i].Holds > 0:
			d.Keep, d.Reason = true, Held
		case e.needed != nil && e.needed(e.snaps[i]):
			d.Keep, d.Reason = true, Needed
		case i == newest:
			d.Keep, d.Reason = true, Newest
		default:
			d.Keep, d.Reason = false, NoRule
		}
	}
}

// ruleFilter returns a rule's filter.
func ruleFilter(r Rule) Filter {
	switch r := r.(type) {
	case KeepLast:
		return r.Filter
	case KeepNewerThan:
		return r.Filter
	case KeepGrid:
		return r.Filter
	case KeepPeriods:
		return r.Filter
	}
	return Filter{}
}

// filter returns the candidates f matches, in order: cands itself for the
// zero filter, else a list in e.scratch, valid until the next call.
func (e *evaluation) filter(cands []int32, f Filter) []int32 {
	if f.IsZero() {
		return cands
	}
	out := e.scratch[:0]
	for _, i := range cands {
		n := e.snaps[i].Name
		if f.Match(n[strings.IndexByte(n, '@')+1:]) {
			out = append(out, i)
		}
	}
	e.scratch = out
	return out
}

func (k KeepLast) keep(e *evaluation, rule int, cands []int32) {
	order := cands
	if e.byTXG {
		for j := 1; j < len(cands); j++ {
			if e.createdCmp(cands[j-1], cands[j]) > 0 {
				order = slices.Clone(cands)
				slices.SortFunc(order, e.createdCmp)
				break
			}
		}
	}
	for _, i := range order[max(0, len(order)-k.N):] {
		e.keepBy(i, rule, "", time.Time{})
	}
}

func (k KeepNewerThan) keep(e *evaluation, rule int, cands []int32) {
	cutoff := e.now.Add(-k.Age)
	for j := len(cands) - 1; j >= 0 && e.snaps[cands[j]].Creation.After(cutoff); j-- {
		e.keepBy(cands[j], rule, "", time.Time{})
	}
}

func (k KeepPeriods) keep(e *evaluation, rule int, cands []int32) {
	frequent := k.frequent()
	for unit, count := range k.counts() {
		if count == 0 || len(cands) == 0 {
			continue
		}
		last := k.pickLast(unit)
		// From the newest down: the first snapshot met in a period is its
		// newest, the last one met its oldest.
		var cur span
		periods := 0
		pick := int32(-1)
		for j := len(cands) - 1; j >= 0; j-- {
			i := cands[j]
			t := e.snaps[i].Creation
			if periods > 0 && cur.contains(t) {
				if !last {
					pick = i
				}
				continue
			}
			if pick >= 0 {
				e.keepBy(pick, rule, unitNames[unit], cur.start)
			}
			periods++
			if periods > count {
				pick = -1
				break
			}
			cur = unitSpan(unit, t, frequent, e.loc)
			pick = i
		}
		if pick >= 0 {
			e.keepBy(pick, rule, unitNames[unit], cur.start)
		}
	}
}

func (k KeepGrid) keep(e *evaluation, rule int, cands []int32) {
	if len(cands) == 0 {
		return
	}
	ivs := k.Grid.Intervals
	m := len(ivs)
	// Levels of bucket sizes, one per thinned entry.
	level := make([]int, m)
	var lengths []time.Duration
	for j, iv := range ivs {
		level[j] = -1
		if iv.Keep != KeepAll {
			level[j] = len(lengths)
			lengths = append(lengths, iv.Length)
		}
	}
	levels := newGridLevels(lengths, e.loc)
	// edge[j] is the old end of entry j: a keep=all entry holds the times
	// after it, a thinned entry the times at or after it (a bucket start).
	edge := make([]time.Time, m)
	labels := make([]string, m)
	newer := e.snaps[cands[len(cands)-1]].Creation
	for j, iv := range ivs {
		nominal := newer.Add(-time.Duration(iv.Count) * iv.Length)
		if iv.Keep == KeepAll {
			edge[j] = nominal
		} else {
			edge[j] = levels.bucket(level[j], nominal).start
		}
		newer = edge[j]
		labels[j] = iv.String()
	}
	in := func(j int, t time.Time) bool {
		if ivs[j].Keep == KeepAll {
			return t.After(edge[j])
		}
		return !t.Before(edge[j])
	}
	// The oldest snapshot the grid covers, then upwards in time.
	lo, _ := slices.BinarySearchFunc(cands, true, func(i int32, _ bool) int {
		if in(m-1, e.snaps[i].Creation) {
			return 1
		}
		return -1
	})
	j := m - 1
	var bucket span
	bucketEntry, rank := -1, 0
	for _, i := range cands[lo:] {
		t := e.snaps[i].Creation
		for j > 0 && in(j-1, t) {
			j--
		}
		iv := ivs[j]
		if iv.Keep == KeepAll {
			e.keepBy(i, rule, labels[j], time.Time{})
			continue
		}
		if bucketEntry != j || !bucket.contains(t) {
			bucket = levels.bucket(level[j], t)
			bucketEntry, rank = j, 0
		}
		if rank < iv.Keep {
			e.keepBy(i, rule, labels[j], bucket.start)
		}
		rank++
	}
}
