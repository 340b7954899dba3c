package retention

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// quadraticKeep applies a rule the way a straightforward implementation
// would: for each snapshot, look at every other one. The calendar work is
// the same as Evaluate's (each snapshot's period or bucket is computed once,
// with the same caches), so the comparison measures the algorithm alone.
func quadraticKeep(r Rule, e *evaluation, rule int, cands []int32) {
	n := len(cands)
	switch r := r.(type) {
	case KeepLast:
		for _, x := range cands {
			newer := 0
			for _, y := range cands {
				if e.createdCmp(y, x) > 0 {
					newer++
				}
			}
			if newer < r.N {
				e.keepBy(x, rule, "", time.Time{})
			}
		}
	case KeepNewerThan:
		r.keep(e, rule, cands)
	case KeepPeriods:
		start := make([]int64, n)
		first := make([]bool, n)
		for unit, count := range r.counts() {
			if count == 0 {
				continue
			}
			var cur span
			for k, i := range cands {
				t := e.snaps[i].Creation
				if !cur.contains(t) {
					cur = unitSpan(unit, t, r.frequent(), e.loc)
				}
				start[k] = cur.start.UnixNano()
			}
			last := r.pickLast(unit)
			// first[k]: cands[k] is the snapshot its period keeps.
			for k := range cands {
				first[k] = true
				for l := range cands {
					if start[l] == start[k] && (!last && l < k || last && l > k) {
						first[k] = false
						break
					}
				}
			}
			for k, x := range cands {
				if !first[k] {
					continue
				}
				newer := 0
				for l := range cands {
					if first[l] && start[l] > start[k] {
						newer++
					}
				}
				if newer < count {
					e.keepBy(x, rule, unitNames[unit], time.Unix(0, start[k]).In(e.loc))
				}
			}
		}
	case KeepGrid:
		if n == 0 {
			return
		}
		ivs := r.Grid.Intervals
		level := make([]int, len(ivs))
		var lengths []time.Duration
		for j, iv := range ivs {
			level[j] = -1
			if iv.Keep != KeepAll {
				level[j] = len(lengths)
				lengths = append(lengths, iv.Length)
			}
		}
		levels := newGridLevels(lengths, e.loc)
		var anchor time.Time
		var edge []time.Time
		entry := make([]int, n)
		bucket := make([]int64, n)
		for k, x := range cands {
			// The grid's now: the newest candidate, found by looking at all.
			a := e.snaps[x].Creation
			for _, y := range cands {
				if e.snaps[y].Creation.After(a) {
					a = e.snaps[y].Creation
				}
			}
			if edge == nil || !a.Equal(anchor) {
				anchor, edge = a, make([]time.Time, len(ivs))
				newer := a
				for j, iv := range ivs {
					edge[j] = newer.Add(-time.Duration(iv.Count) * iv.Length)
					if iv.Keep != KeepAll {
						edge[j] = levels.bucket(level[j], edge[j]).start
					}
					newer = edge[j]
				}
			}
			t := e.snaps[x].Creation
			entry[k] = -1
			for j, iv := range ivs {
				if iv.Keep == KeepAll && t.After(edge[j]) || iv.Keep != KeepAll && !t.Before(edge[j]) {
					entry[k] = j
					if iv.Keep != KeepAll {
						bucket[k] = levels.bucket(level[j], t).start.UnixNano()
					}
					break
				}
			}
		}
		for k, x := range cands {
			j := entry[k]
			switch {
			case j < 0:
			case ivs[j].Keep == KeepAll:
				e.keepBy(x, rule, ivs[j].String(), time.Time{})
			default:
				older := 0
				for l, y := range cands {
					if entry[l] == j && bucket[l] == bucket[k] && e.timeCmp(y, x) < 0 {
						older++
					}
				}
				if older < ivs[j].Keep {
					e.keepBy(x, rule, ivs[j].String(), time.Unix(0, bucket[k]).In(e.loc))
				}
			}
		}
	}
}

// TestQuadraticMatches checks the benchmark's baseline against Evaluate.
func TestQuadraticMatches(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawPolicy(t)
		w := drawWorld(t)
		plan := evaluate(t, p, w.snaps, w.now, w.neededFunc())
		quad, err := p.evaluate(w.snaps, EvaluateOptions{Now: w.now, Needed: w.neededFunc()}, quadraticKeep)
		require.NoError(t, err)
		for i, d := range plan.Decisions {
			q := quad.Decisions[i]
			require.True(t, sameDecision(d, q), "%s: %+v, quadratic %+v", w.snaps[i].Name, d, q)
		}
	})
}

// benchPolicy is a typical policy for automatic snapshots.
func benchPolicy(b *testing.B) Policy {
	return Policy{
		Filter:   Filter{Prefix: "autosnap_"},
		Location: mustZone(b, "Europe/Berlin"),
		Rules: []Rule{
			KeepLast{N: 10},
			KeepNewerThan{Age: 24 * time.Hour},
			KeepPeriods{Hourly: 48, Daily: 90, Weekly: 12, Monthly: 24, Yearly: 10},
			KeepGrid{Grid: MustParseGrid("1x1h(keep=all) | 24x1h | 14x1d | 12x30d")},
		},
	}
}

// benchSnapshots returns datasets × perDataset snapshots, one every 15
// minutes in each dataset, with a manual snapshot every 1000, and the time
// of the last.
func benchSnapshots(datasets, perDataset int) ([]Snapshot, time.Time) {
	base := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	snaps := make([]Snapshot, 0, datasets*perDataset)
	var last time.Time
	for d := 0; d < datasets; d++ {
		for i := 0; i < perDataset; i++ {
			at := base.Add(time.Duration(i) * 15 * time.Minute)
			name := fmt.Sprintf("tank/ds%d@autosnap_%d", d, i)
			if i%1000 == 999 {
				name = fmt.Sprintf("tank/ds%d@manual_%d", d, i)
			}
			snaps = append(snaps, Snapshot{Name: name, Creation: at, CreateTXG: uint64(i + 1), GUID: uint64(d*perDataset + i + 1)})
			last = at
		}
	}
	return snaps, last
}

// measure is the cost of one evaluation: wall and process CPU time.
type measure struct{ wall, cpu time.Duration }

// timeEval measures one evaluation: the best of runs that together last at
// least 200ms (wall time and CPU time are minimised separately, as other
// work on the machine inflates either).
func timeEval(b *testing.B, p Policy, snaps []Snapshot, now time.Time, keep func(Rule, *evaluation, int, []int32)) measure {
	best := measure{1<<63 - 1, 1<<63 - 1}
	var total time.Duration
	for runs := 0; runs < 1 || total < 200*time.Millisecond; runs++ {
		start, cpu := time.Now(), processCPU()
		_, err := p.evaluate(snaps, EvaluateOptions{Now: now}, keep)
		require.NoError(b, err)
		d, c := time.Since(start), processCPU()-cpu
		total += d
		best.wall, best.cpu = min(best.wall, d), min(best.cpu, c)
	}
	return best
}

// BenchmarkEvaluate measures Evaluate on one dataset of up to a million
// snapshots (15-minute snapshots over 28 years) with a policy of every
// kind of rule. cpu-ns/snapshot (and ns/snapshot on an idle machine) stays
// flat as the count grows 1000-fold: evaluation is linear.
func BenchmarkEvaluate(b *testing.B) {
	p := benchPolicy(b)
	for _, n := range []int{1000, 10000, 100000, 1000000} {
		snaps, last := benchSnapshots(1, n)
		b.Run(fmt.Sprintf("snapshots=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				_, err := p.Evaluate(snaps, EvaluateOptions{Now: last})
				require.NoError(b, err)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/snapshot")
			b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/snapshot")
		})
	}
}

// BenchmarkEvaluateVsQuadratic compares Evaluate with a quadratic
// implementation of the same rules (each snapshot compared with every other
// of its dataset; same calendar code) in the same run; ratio is the
// quadratic implementation's wall time over Evaluate's, cpu-ratio the same
// for CPU time. For one dataset the ratio grows with the
// dataset's size; "1000x1000" is a million snapshots in 1000 datasets,
// which the quadratic implementation can still do in seconds.
func BenchmarkEvaluateVsQuadratic(b *testing.B) {
	p := benchPolicy(b)
	for _, c := range []struct{ datasets, per int }{{1, 1000}, {1, 4000}, {1, 16000}, {1000, 1000}} {
		snaps, last := benchSnapshots(c.datasets, c.per)
		b.Run(fmt.Sprintf("datasets=%dx%d", c.datasets, c.per), func(b *testing.B) {
			var ours, quad measure
			for b.Loop() {
				ours = timeEval(b, p, snaps, last, nil)
				quad = timeEval(b, p, snaps, last, quadraticKeep)
			}
			n := float64(len(snaps))
			b.ReportMetric(float64(ours.cpu.Nanoseconds())/n, "cpu-ns/snapshot")
			b.ReportMetric(float64(quad.cpu.Nanoseconds())/n, "quadratic-cpu-ns/snapshot")
			b.ReportMetric(float64(quad.wall)/float64(ours.wall), "ratio")
			b.ReportMetric(float64(quad.cpu)/float64(ours.cpu), "cpu-ratio")
		})
	}
}
