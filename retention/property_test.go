package retention

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the host has

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// Zones with DST (north and south), a half-hour DST shift, a half-hour
// offset, and midnight transitions.
var testZones = []string{"UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe",
	"Asia/Kolkata", "America/Santiago", "America/Havana", "Pacific/Chatham"}

func mustZone(t testing.TB, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// Starting points near calendar edges: a leap day, DST changes in the US,
// Europe and Chile, a new year.
var testBases = []time.Time{
	time.Date(2024, 2, 28, 20, 0, 0, 0, time.UTC),
	time.Date(2024, 3, 9, 18, 0, 0, 0, time.UTC),
	time.Date(2024, 10, 26, 20, 0, 0, 0, time.UTC),
	time.Date(2024, 11, 2, 20, 0, 0, 0, time.UTC),
	time.Date(2024, 4, 6, 12, 0, 0, 0, time.UTC),
	time.Date(2023, 12, 30, 22, 0, 0, 0, time.UTC),
}

var testSteps = []time.Duration{time.Minute, 7 * time.Minute, 15 * time.Minute, time.Hour,
	6 * time.Hour, 24 * time.Hour, 3 * 24 * time.Hour, 17 * 24 * time.Hour}

var testPrefixes = []string{"auto-", "auto-hourly-", "manual-", "daily-"}

var testFilters = []Filter{{}, {}, {Prefix: "auto-"}, {Regexp: regexp.MustCompile(`^(auto|daily)-`)},
	{Prefix: "auto-", Regexp: regexp.MustCompile(`hourly`)}}

// world is a random input: snapshots, evaluation time and needed set.
type world struct {
	snaps  []Snapshot
	now    time.Time
	needed map[uint64]bool
	step   time.Duration
}

func (w world) neededFunc() func(Snapshot) bool {
	return func(s Snapshot) bool { return w.needed[s.GUID] }
}

func drawWorld(t *rapid.T) world {
	base := rapid.SampledFrom(testBases).Draw(t, "base")
	step := rapid.SampledFrom(testSteps).Draw(t, "step")
	w := world{needed: map[uint64]bool{}, step: step}
	nds := rapid.IntRange(1, 3).Draw(t, "datasets")
	guid := uint64(0)
	var last time.Time
	for ds := 0; ds < nds; ds++ {
		n := rapid.IntRange(0, 30).Draw(t, "n")
		txgMode := rapid.IntRange(0, 5).Draw(t, "txgMode") // 0-2 in order, 3 shuffled, 4 zero, 5 some zero
		at := base
		var snaps []Snapshot
		for k := 0; k < n; k++ {
			at = at.Add(step*time.Duration(rapid.IntRange(0, 3).Draw(t, "gap")) +
				time.Duration(rapid.IntRange(0, 90).Draw(t, "jitter"))*time.Second)
			guid++
			s := Snapshot{
				Name:      fmt.Sprintf("pool/ds%d@%s%d", ds, rapid.SampledFrom(testPrefixes).Draw(t, "prefix"), k),
				Creation:  at,
				CreateTXG: uint64(100 + k),
				GUID:      guid,
			}
			if rapid.IntRange(0, 9).Draw(t, "hold") == 0 {
				s.Holds = rapid.IntRange(1, 3).Draw(t, "holds")
			}
			if rapid.IntRange(0, 9).Draw(t, "needed") == 0 {
				w.needed[guid] = true
			}
			snaps = append(snaps, s)
		}
		switch txgMode {
		case 3:
			perm := rapid.Permutation(snaps).Draw(t, "perm")
			for k := range snaps {
				snaps[k].CreateTXG = perm[k].CreateTXG
			}
		case 4:
			for k := range snaps {
				snaps[k].CreateTXG = 0
			}
		case 5:
			for k := range snaps {
				if rapid.Bool().Draw(t, "zero") {
					snaps[k].CreateTXG = 0
				}
			}
		}
		if at.After(last) {
			last = at
		}
		w.snaps = append(w.snaps, snaps...)
	}
	w.snaps = rapid.Permutation(w.snaps).Draw(t, "order")
	w.now = last.Add(step * time.Duration(rapid.IntRange(-3, 3).Draw(t, "nowOffset")))
	return w
}

func drawGrid(t *rapid.T) Grid {
	lengths := []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute,
		time.Hour, 2 * time.Hour, 3 * time.Hour, 7 * time.Hour, 24 * time.Hour, 2 * 24 * time.Hour,
		7 * 24 * time.Hour, 30 * 24 * time.Hour}
	var g Grid
	if rapid.Bool().Draw(t, "keepAllFirst") {
		g.Intervals = append(g.Intervals, GridInterval{Count: rapid.IntRange(1, 3).Draw(t, "count"),
			Length: rapid.SampledFrom(lengths).Draw(t, "length"), Keep: KeepAll})
	}
	li := rapid.IntRange(0, len(lengths)-1).Draw(t, "li")
	keep := rapid.IntRange(1, 3).Draw(t, "keep")
	for e := rapid.IntRange(1, 3).Draw(t, "entries"); e > 0; e-- {
		g.Intervals = append(g.Intervals, GridInterval{Count: rapid.IntRange(1, 5).Draw(t, "count"),
			Length: lengths[li], Keep: keep})
		li = rapid.IntRange(li, len(lengths)-1).Draw(t, "li")
		keep = rapid.IntRange(1, keep).Draw(t, "keep")
	}
	return g
}

func drawRule(t *rapid.T) Rule {
	f := rapid.SampledFrom(testFilters).Draw(t, "ruleFilter")
	switch rapid.IntRange(0, 3).Draw(t, "ruleKind") {
	case 0:
		return KeepLast{N: rapid.IntRange(1, 5).Draw(t, "N"), Filter: f}
	case 1:
		return KeepNewerThan{Age: rapid.SampledFrom(testSteps).Draw(t, "age") *
			time.Duration(rapid.IntRange(1, 10).Draw(t, "ages")), Filter: f}
	case 2:
		return KeepGrid{Grid: drawGrid(t), Filter: f}
	}
	k := KeepPeriods{Filter: f,
		FrequentPeriod: rapid.SampledFrom([]time.Duration{0, 5 * time.Minute, 20 * time.Minute, 45 * time.Minute, time.Hour}).Draw(t, "fp"),
		Pick:           Pick(rapid.IntRange(0, 2).Draw(t, "pick"))}
	counts := []*int{&k.Frequently, &k.Hourly, &k.Daily, &k.Weekly, &k.Monthly, &k.Yearly}
	for _, c := range counts {
		if rapid.IntRange(0, 2).Draw(t, "use") == 0 {
			*c = rapid.IntRange(1, 4).Draw(t, "count")
		}
	}
	if k.counts() == [numUnits]int{} {
		*counts[rapid.IntRange(0, 5).Draw(t, "which")] = 1
	}
	return k
}

// zones are loaded once for the generators.
var zoneCache = map[string]*time.Location{}

func drawPolicy(t *rapid.T) Policy {
	p := Policy{Filter: rapid.SampledFrom(testFilters).Draw(t, "filter")}
	for r := rapid.IntRange(1, 3).Draw(t, "rules"); r > 0; r-- {
		p.Rules = append(p.Rules, drawRule(t))
	}
	name := rapid.SampledFrom(testZones).Draw(t, "zone")
	if zoneCache[name] == nil {
		loc, err := time.LoadLocation(name)
		require.NoError(t, err)
		zoneCache[name] = loc
	}
	p.Location = zoneCache[name]
	return p
}

func evaluate(t *rapid.T, p Policy, snaps []Snapshot, now time.Time, needed func(Snapshot) bool) *Plan {
	plan, err := p.Evaluate(snaps, EvaluateOptions{Now: now, Needed: needed})
	require.NoError(t, err, "evaluate")
	return plan
}

// TestPropertyMatchesNaive compares Evaluate with the reference
// implementation written from the definitions.
func TestPropertyMatchesNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawPolicy(t)
		w := drawWorld(t)
		plan := evaluate(t, p, w.snaps, w.now, w.neededFunc())
		want := naiveEvaluate(p, w.snaps, w.now, w.neededFunc())
		for i := range want {
			got := plan.Decisions[i]
			require.True(t, sameDecision(got, want[i]), "%s: got %+v, reference %+v\npolicy %s in %s\n%s", w.snaps[i].Name, got, want[i], p, p.location(), plan)
		}
	})
}

// TestPropertyNeverDestroy checks that held, needed, unowned, future and
// newest snapshots are never destroyed.
func TestPropertyNeverDestroy(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawPolicy(t)
		w := drawWorld(t)
		plan := evaluate(t, p, w.snaps, w.now, w.neededFunc())
		newest := map[string]int{}
		for i, s := range w.snaps {
			j, ok := newest[s.Dataset()]
			if !ok || newerByCreation(w.snaps, i, j) {
				newest[s.Dataset()] = i
			}
		}
		for i, s := range w.snaps {
			d := plan.Decisions[i]
			if d.Keep {
				continue
			}
			require.Zero(t, s.Holds, "destroys held %s", s.Name)
			require.False(t, w.needed[s.GUID], "destroys needed %s", s.Name)
			require.True(t, p.Filter.Match(s.ShortName()), "destroys %s outside the filter", s.Name)
			require.False(t, s.Creation.After(w.now), "destroys future %s", s.Name)
			require.NotEqual(t, i, newest[s.Dataset()], "destroys newest %s", s.Name)
			require.Equal(t, NoRule, d.Reason, "destroys %s with reason %v", s.Name, d.Reason)
		}
		require.Len(t, plan.Destroy(), count(plan.Decisions, func(d Decision) bool { return !d.Keep }))
	})
}

// newerByCreation reports whether snapshot i was created after j: by TXG
// when the dataset's snapshots all have one, else by time.
func newerByCreation(snaps []Snapshot, i, j int) bool {
	all := true
	for _, s := range snaps {
		if s.Dataset() == snaps[i].Dataset() && s.CreateTXG == 0 {
			all = false
		}
	}
	a, b := snaps[i], snaps[j]
	if all && a.CreateTXG != b.CreateTXG {
		return a.CreateTXG > b.CreateTXG
	}
	if !a.Creation.Equal(b.Creation) {
		return a.Creation.After(b.Creation)
	}
	if a.CreateTXG != b.CreateTXG {
		return a.CreateTXG > b.CreateTXG
	}
	return a.Name > b.Name
}

func count[T any](s []T, f func(T) bool) int {
	n := 0
	for _, v := range s {
		if f(v) {
			n++
		}
	}
	return n
}

// TestPropertyIdempotent: evaluating the policy again on what it kept
// destroys nothing more.
func TestPropertyIdempotent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawPolicy(t)
		w := drawWorld(t)
		plan := evaluate(t, p, w.snaps, w.now, w.neededFunc())
		kept := plan.Kept()
		again := evaluate(t, p, kept, w.now, w.neededFunc())
		d := again.Destroy()
		require.Empty(t, d, "second run destroys %v\npolicy %s in %s\nfirst:\n%s\nsecond:\n%s", snapNames(d), p, p.location(), plan, again)
	})
}

// sameDecision reports whether a and b decide alike, periods compared as
// instants.
func sameDecision(a, b Decision) bool {
	return a.Keep == b.Keep && a.Reason == b.Reason && a.Rule == b.Rule && a.Label == b.Label && a.Period.Equal(b.Period)
}

func snapNames(snaps []Snapshot) []string {
	out := make([]string, len(snaps))
	for i, s := range snaps {
		out[i] = s.Name
	}
	return out
}

// TestPropertyMonotone: adding a newer snapshot (created later, taken at or
// before a later evaluation time or not) never brings back a snapshot an
// evaluation destroyed.
func TestPropertyMonotone(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawPolicy(t)
		w := drawWorld(t)
		if len(w.snaps) == 0 {
			return
		}
		plan := evaluate(t, p, w.snaps, w.now, w.neededFunc())
		// A new snapshot in one of the datasets: the highest TXG there (or
		// none if the dataset has snapshots without), any time around the
		// others.
		ds := rapid.SampledFrom(w.snaps).Draw(t, "dataset").Dataset()
		var maxTXG uint64
		zero := false
		var latest time.Time
		for _, s := range w.snaps {
			if s.Dataset() == ds {
				maxTXG = max(maxTXG, s.CreateTXG)
				zero = zero || s.CreateTXG == 0
			}
			if s.Creation.After(latest) {
				latest = s.Creation
			}
		}
		ns := Snapshot{
			Name:      ds + "@" + rapid.SampledFrom(testPrefixes).Draw(t, "prefix") + "new",
			Creation:  latest.Add(w.step * time.Duration(rapid.IntRange(-20, 3).Draw(t, "at"))),
			CreateTXG: maxTXG + 1,
			GUID:      1 << 40,
		}
		if zero {
			ns.CreateTXG = 0
		}
		later := w.now.Add(w.step * time.Duration(rapid.IntRange(0, 3).Draw(t, "later")))
		more := append(slices.Clone(w.snaps), ns)
		again := evaluate(t, p, more, later, w.neededFunc())
		for i, s := range w.snaps {
			if !plan.Decisions[i].Keep && s.Creation.Before(ns.Creation) {
				require.False(t, again.Decisions[i].Keep, "adding %s (%s) brings back %s: %s\npolicy %s in %s\nbefore:\n%s\nafter:\n%s",
					ns.Name, ns.Creation, s.Name, again.Explain(i), p, p.location(), plan, again)
			}
		}
	})
}

// TestPropertyOrderIndependent: the decisions do not depend on the order of
// the input.
func TestPropertyOrderIndependent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawPolicy(t)
		w := drawWorld(t)
		plan := evaluate(t, p, w.snaps, w.now, w.neededFunc())
		shuffled := rapid.Permutation(w.snaps).Draw(t, "shuffled")
		again := evaluate(t, p, shuffled, w.now, w.neededFunc())
		byName := map[string]Decision{}
		for i, s := range again.Snapshots {
			byName[s.Name] = again.Decisions[i]
		}
		for i, s := range w.snaps {
			a, b := plan.Decisions[i], byName[s.Name]
			require.True(t, sameDecision(a, b), "%s: %+v, shuffled %+v", s.Name, a, b)
		}
	})
}

// TestPropertyReport: every snapshot appears once in the report.
func TestPropertyReport(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawPolicy(t)
		w := drawWorld(t)
		plan := evaluate(t, p, w.snaps, w.now, w.neededFunc())
		report := plan.String()
		lines := strings.Split(strings.TrimSuffix(report, "\n"), "\n")
		require.GreaterOrEqual(t, len(lines), len(w.snaps)+1, "report has %d lines for %d snapshots:\n%s", len(lines), len(w.snaps), report)
		for _, s := range w.snaps {
			require.Contains(t, report, " "+s.Name+" ", "report lacks %s", s.Name)
		}
	})
}
