package retention

import (
	"strings"
	"time"
)

// naiveEvaluate is a reference implementation of Evaluate written straight
// from the definitions, one snapshot at a time, in quadratic time. Tests
// compare Evaluate with it, and the benchmark measures against it.
func naiveEvaluate(p Policy, snaps []Snapshot, now time.Time, needed func(Snapshot) bool) []Decision {
	loc := p.location()
	n := len(snaps)
	short := func(i int) string { return snaps[i].Name[strings.IndexByte(snaps[i].Name, '@')+1:] }
	sameDS := func(i, j int) bool { return snaps[i].Dataset() == snaps[j].Dataset() }
	// byTXG[i]: every snapshot of i's dataset has a TXG.
	byTXG := make([]bool, n)
	for i := range snaps {
		byTXG[i] = true
		for j := range snaps {
			if sameDS(i, j) && snaps[j].CreateTXG == 0 {
				byTXG[i] = false
			}
		}
	}
	timeLess := func(a, b int) bool {
		sa, sb := snaps[a], snaps[b]
		if !sa.Creation.Equal(sb.Creation) {
			return sa.Creation.Before(sb.Creation)
		}
		if sa.CreateTXG != sb.CreateTXG {
			return sa.CreateTXG < sb.CreateTXG
		}
		return sa.Name < sb.Name
	}
	createdLess := func(a, b int) bool {
		if byTXG[a] && snaps[a].CreateTXG != snaps[b].CreateTXG {
			return snaps[a].CreateTXG < snaps[b].CreateTXG
		}
		return timeLess(a, b)
	}
	future := func(i int) bool { return snaps[i].Creation.After(now) }
	owned := func(i int) bool { return p.Filter.Match(short(i)) }
	cand := func(r Rule, i int) bool { return !future(i) && owned(i) && ruleFilter(r).Match(short(i)) }

	// keeps returns whether rule r keeps snapshot i, with the label and
	// period.
	keeps := func(r Rule, i int) (bool, string, time.Time) {
		switch r := r.(type) {
		case KeepLast:
			newer := 0
			for j := range snaps {
				if sameDS(i, j) && cand(r, j) && createdLess(i, j) {
					newer++
				}
			}
			return newer < r.N, "", time.Time{}
		case KeepNewerThan:
			return snaps[i].Creation.After(now.Add(-r.Age)), "", time.Time{}
		case KeepPeriods:
			for unit, count := range r.counts() {
				if count == 0 {
					continue
				}
				sp := unitSpan(unit, snaps[i].Creation, r.frequent(), loc)
				picked := true
				newerPeriods := map[time.Time]bool{}
				for j := range snaps {
					if !sameDS(i, j) || !cand(r, j) || j == i {
						continue
					}
					spj := unitSpan(unit, snaps[j].Creation, r.frequent(), loc)
					if spj.start.Equal(sp.start) {
						if r.pickLast(unit) && timeLess(i, j) || !r.pickLast(unit) && timeLess(j, i) {
							picked = false
						}
					} else if spj.start.After(sp.start) {
						newerPeriods[spj.start.UTC()] = true
					}
				}
				if picked && len(newerPeriods) < count {
					return true, unitNames[unit], sp.start
				}
			}
			return false, "", time.Time{}
		case KeepGrid:
			ivs := r.Grid.Intervals
			var lengths []time.Duration
			level := make([]int, len(ivs))
			for j, iv := range ivs {
				level[j] = -1
				if iv.Keep != KeepAll {
					level[j] = len(lengths)
					lengths = append(lengths, iv.Length)
				}
			}
			var anchor time.Time
			for j := range snaps {
				if sameDS(i, j) && cand(r, j) && snaps[j].Creation.After(anchor) {
					anchor = snaps[j].Creation
				}
			}
			edge := make([]time.Time, len(ivs))
			newer := anchor
			for j, iv := range ivs {
				edge[j] = newer.Add(-time.Duration(iv.Count) * iv.Length)
				if iv.Keep != KeepAll {
					edge[j] = naiveBucket(lengths, level[j], edge[j], loc).start
				}
				newer = edge[j]
			}
			t := snaps[i].Creation
			for j, iv := range ivs {
				if iv.Keep == KeepAll {
					if t.After(edge[j]) {
						return true, iv.String(), time.Time{}
					}
					continue
				}
				if t.Before(edge[j]) {
					continue
				}
				b := naiveBucket(lengths, level[j], t, loc)
				older := 0
				for k := range snaps {
					if sameDS(i, k) && cand(r, k) && timeLess(k, i) && b.contains(snaps[k].Creation) {
						older++
					}
				}
				return older < iv.Keep, iv.String(), b.start
			}
			return false, "", time.Time{}
		}
		panic("unknown rule")
	}

	out := make([]Decision, n)
	for i := range snaps {
		d := Decision{Rule: -1, Keep: true}
		switch {
		case future(i):
			d.Reason = Future
		case !owned(i):
			d.Reason = NotMatched
		default:
			for r, rule := range p.Rules {
				if !ruleFilter(rule).Match(short(i)) {
					continue
				}
				if ok, label, period := keeps(rule, i); ok {
					d.Reason, d.Rule, d.Label, d.Period = ByRule, r, label, period
					break
				}
			}
			if d.Reason == ByRule {
				break
			}
			isNewest := true
			for j := range snaps {
				if sameDS(i, j) && createdLess(i, j) {
					isNewest = false
				}
			}
			switch {
			case snaps[i].Holds > 0:
				d.Reason = Held
			case needed != nil && needed(snaps[i]):
				d.Reason = Needed
			case isNewest:
				d.Reason = Newest
			default:
				d.Keep, d.Reason = false, NoRule
			}
		}
		out[i] = d
	}
	return out
}

// naiveBucket computes the level-j grid bucket of t from the definition,
// without caching.
func naiveBucket(lengths []time.Duration, j int, t time.Time, loc *time.Location) span {
	if j == 0 {
		return lengthSpan(t, lengths[0], loc)
	}
	p := naiveBucket(lengths, j-1, t, loc)
	raw := lengthSpan(p.start, lengths[j], loc)
	ceil := func(u time.Time) time.Time {
		b := naiveBucket(lengths, j-1, u, loc)
		if b.start.Equal(u) {
			return u
		}
		return b.end
	}
	return span{ceil(raw.start), ceil(raw.end)}
}
