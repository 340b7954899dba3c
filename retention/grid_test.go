package retention

import (
	"fmt"
	"testing"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseGrid(t *testing.T) {
	for _, tc := range []struct {
		spec, canonical string
		want            []GridInterval
	}{
		{"1x1h(keep=all) | 24x1h | 14x1d | 12x30d", "1x1h(keep=all) | 24x1h | 14x1d | 12x30d", []GridInterval{
			{1, time.Hour, KeepAll}, {24, time.Hour, 1}, {14, 24 * time.Hour, 1}, {12, 30 * 24 * time.Hour, 1}}},
		{" 2 x 15m ( keep = 3 ) ", "2x15m(keep=3)", []GridInterval{{2, 15 * time.Minute, 3}}},
		{"1x1w|4x1w", "1x7d | 4x7d", []GridInterval{{1, 7 * 24 * time.Hour, 1}, {4, 7 * 24 * time.Hour, 1}}},
		{"6x60m", "6x1h", []GridInterval{{6, time.Hour, 1}}},
		{"10x30s(keep=all)|1x10s", "10x30s(keep=all) | 1x10s", []GridInterval{{10, 30 * time.Second, KeepAll}, {1, 10 * time.Second, 1}}},
		{"1x1h(keep=2)|3x1h(keep=2)|1x1d", "1x1h(keep=2) | 3x1h(keep=2) | 1x1d", []GridInterval{
			{1, time.Hour, 2}, {3, time.Hour, 2}, {1, 24 * time.Hour, 1}}},
	} {
		g, err := ParseGrid(tc.spec)
		require.NoError(t, err, tc.spec)
		assert.Equal(t, tc.want, g.Intervals, tc.spec)
		assert.Equal(t, tc.canonical, g.String())
		again, err := ParseGrid(g.String())
		require.NoError(t, err)
		assert.Equal(t, g, again)
	}
}

func TestParseGridErrors(t *testing.T) {
	for _, tc := range []struct{ spec, msg string }{
		{"", `retention: grid "", entry 1 at offset 0: expected repeat count (a positive integer), found end of grid`},
		{"24y1h", `retention: grid "24y1h", entry 1 at offset 2: expected "x" after the repeat count, as in "24x1h", found "y"`},
		{"24x1y", `retention: grid "24x1y", entry 1 at offset 4: expected a unit (s, m, h, d or w) after the bucket length, found "y"`},
		{"24x1", `retention: grid "24x1", entry 1 at offset 4: expected a unit (s, m, h, d or w) after the bucket length, found end of grid`},
		{"1x-1h", `retention: grid "1x-1h", entry 1 at offset 2: expected bucket length (a positive integer), found "-"`},
		{"0x1h", `retention: grid "0x1h", entry 1 at offset 0: repeat count must be at least 1`},
		{"1x0h", `retention: grid "1x0h", entry 1 at offset 2: bucket length must be at least 1`},
		{"1x1h |", `retention: grid "1x1h |", entry 2 at offset 6: expected repeat count (a positive integer), found end of grid`},
		{"1x1h | | 1x1d", `retention: grid "1x1h | | 1x1d", entry 2 at offset 7: expected repeat count (a positive integer), found "|"`},
		{"1x1h(keep=0)", `retention: grid "1x1h(keep=0)", entry 1 at offset 10: keep count (or "all") must be at least 1`},
		{"1x1h(keep=some)", `retention: grid "1x1h(keep=some)", entry 1 at offset 10: expected keep count (or "all") (a positive integer), found "s"`},
		{"1x1h(kept=1)", `retention: grid "1x1h(kept=1)", entry 1 at offset 5: expected "keep=" in parentheses, found "k"`},
		{"1x1h(keep 1)", `retention: grid "1x1h(keep 1)", entry 1 at offset 10: expected "=" after "keep", found "1"`},
		{"1x1h(keep=1", `retention: grid "1x1h(keep=1", entry 1 at offset 11: expected ")" after the keep count, found end of grid`},
		{"1x1h x", `retention: grid "1x1h x", entry 1 at offset 5: expected "|" or the end of the grid after the entry, found "x"`},
		{"1x1hé", `retention: grid "1x1hé", entry 1 at offset 4: expected "|" or the end of the grid after the entry, found "é"`},
		{"1x1234567890h", `retention: grid "1x1234567890h", entry 1 at offset 2: bucket length 1234567890 is too large`},
		{"1x99999999w", `retention: grid "1x99999999w", entry 1 at offset 10: bucket length is too long`},
		{"24x1h | 1x1h(keep=all)", `retention: grid "24x1h | 1x1h(keep=all)": entry 2 (1x1h(keep=all)): keep=all entries must come first: after a thinned entry, keeping all would bring back snapshots an earlier run destroyed`},
		{"24x1d | 24x1h", `retention: grid "24x1d | 24x1h": entry 2 (24x1h): bucket lengths must not shrink with age`},
		{"24x1h | 14x1d(keep=2)", `retention: grid "24x1h | 14x1d(keep=2)": entry 2 (14x1d(keep=2)): keep counts must not grow with age: a snapshot thinned out by entry 1 would be kept again later`},
		{"1x36h", `retention: grid "1x36h": entry 1 (1x36h): a bucket longer than a day must be a whole number of days`},
		{"9999x30d", `retention: grid "9999x30d": the grid spans 250 years or more`},
		{"1x1s|1x2s|1x3s|1x4s|1x5s|1x6s|1x7s|1x8s|1x9s|1x10s|1x11s|1x12s|1x13s|1x14s|1x15s|1x16s|1x17s",
			`retention: grid "1x1s|1x2s|1x3s|1x4s|1x5s|1x6s|1x7s|1x8s|1x9s|1x10s|1x11s|1x12s|1x13s|1x14s|1x15s|1x16s|1x17s": a grid has at most 16 entries`},
	} {
		_, err := ParseGrid(tc.spec)
		require.Error(t, err, tc.spec)
		assert.Equal(t, tc.msg, err.Error(), tc.spec)
		assert.ErrorIs(t, err, errors.ErrInvalidArgument)
		var re *Error
		require.ErrorAs(t, err, &re)
	}
	assert.Panics(t, func() { MustParseGrid("1y") })
	assert.EqualError(t, Grid{}.Validate(), "retention: grid: a grid needs at least one entry")
	assert.EqualError(t, Grid{Intervals: []GridInterval{{1, 1500 * time.Millisecond, 1}}}.Validate(),
		`retention: grid "1x1.5s": entry 1 (1x1.5s): the bucket length must be a positive whole number of seconds`)
	assert.EqualError(t, Grid{Intervals: []GridInterval{{0, time.Hour, 1}}}.Validate(),
		`retention: grid "0x1h": entry 1 (0x1h): the repeat count must be at least 1`)
	assert.EqualError(t, Grid{Intervals: []GridInterval{{1, time.Hour, 0}}}.Validate(),
		`retention: grid "1x1h(keep=0)": entry 1 (1x1h(keep=0)): the keep count must be at least 1, or all`)
}

// every returns snapshots of tank/a named s<i> every step from first to
// last inclusive, with increasing TXGs.
func every(first, last time.Time, step time.Duration) []Snapshot {
	var snaps []Snapshot
	for t := first; !t.After(last); t = t.Add(step) {
		snaps = append(snaps, Snapshot{Name: fmt.Sprintf("tank/a@s%d", len(snaps)), Creation: t, CreateTXG: uint64(len(snaps) + 1)})
	}
	return snaps
}

// keptTimes returns the creation times, formatted in loc, of the snapshots
// a plan keeps.
func keptTimes(p *Plan, loc *time.Location, layout string) []string {
	var out []string
	for _, s := range p.Kept() {
		out = append(out, s.Creation.In(loc).Format(layout))
	}
	return out
}

func TestGridHourly(t *testing.T) {
	// Every 15 minutes for two days up to 10:30: everything after 09:30,
	// then the first snapshot of each hour back to the hour holding 09:30
	// the day before (the entry goes back at least 24 hours and ends on a
	// bucket boundary).
	last := time.Date(2026, 12, 3, 10, 30, 0, 0, time.UTC)
	snaps := every(last.Add(-48*time.Hour), last, 15*time.Minute)
	p := Policy{Rules: []Rule{KeepGrid{Grid: MustParseGrid("1x1h(keep=all) | 24x1h")}}}
	plan, err := p.Evaluate(snaps, EvaluateOptions{Now: last.Add(time.Minute)})
	require.NoError(t, err)
	var want []string
	for h := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC); h.Before(last.Add(-time.Hour)); h = h.Add(time.Hour) {
		want = append(want, h.Format("02 15:04"))
	}
	want = append(want, "03 09:45", "03 10:00", "03 10:15", "03 10:30")
	assert.Equal(t, want, keptTimes(plan, time.UTC, "02 15:04"))
	i := len(snaps) - 7 // 09:00
	assert.Equal(t, "grid 1x1h(keep=all) | 24x1h: 24x1h bucket from 2026-12-03 09:00 UTC", plan.Explain(i))
	assert.Equal(t, "grid 1x1h(keep=all) | 24x1h: 1x1h(keep=all)", plan.Explain(len(snaps)-1))
	assert.Equal(t, "no rule keeps it", plan.Explain(i+1))
}

func TestGridDaysInZone(t *testing.T) {
	// Buckets of a day are local days, 25 hours long when clocks go back:
	// hourly snapshots across the end of DST in New York keep the first of
	// each local day.
	ny := mustZone(t, "America/New_York")
	first := time.Date(2024, 11, 1, 0, 0, 0, 0, ny)
	last := time.Date(2024, 11, 5, 12, 0, 0, 0, ny)
	snaps := every(first, last, time.Hour)
	p := Policy{Location: ny, Rules: []Rule{KeepGrid{Grid: MustParseGrid("10x1d")}}}
	plan, err := p.Evaluate(snaps, EvaluateOptions{Now: last})
	require.NoError(t, err)
	assert.Equal(t, []string{"11-01 00:00 EDT", "11-02 00:00 EDT", "11-03 00:00 EDT", "11-04 00:00 EST", "11-05 00:00 EST", "11-05 12:00 EST"},
		keptTimes(plan, ny, "01-02 15:04 MST"))
	// 11-03 has 25 snapshots.
	n := 0
	for i, d := range plan.Decisions {
		if d.Period.Equal(time.Date(2024, 11, 3, 0, 0, 0, 0, ny)) || plan.Snapshots[i].Creation.In(ny).Day() == 3 {
			n++
		}
	}
	assert.Equal(t, 25, n)
	assert.Equal(t, "newest snapshot of tank/a; no rule keeps it", plan.Explain(len(snaps)-1))
	assert.Equal(t, "grid 10x1d: 10x1d bucket from 2024-11-03", plan.Explain(48))
}

func TestGridNestedBuckets(t *testing.T) {
	// 2-hour buckets followed by 3-hour ones, which do not line up: a
	// 3-hour bucket is made of the 2-hour buckets that start in it, so a
	// snapshot thinned out of its 2-hour bucket (x, second in [02:00,
	// 04:00)) does not come back when it moves into the older entry as the
	// grid advances; with plain 3-hour buckets it would be alone in [03:00,
	// 06:00) and kept.
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	snaps := []Snapshot{
		{Name: "tank/a@y", Creation: at(2, 30), CreateTXG: 1},
		{Name: "tank/a@x", Creation: at(3, 30), CreateTXG: 2},
		{Name: "tank/a@n1", Creation: at(5, 0), CreateTXG: 3},
	}
	p := Policy{Rules: []Rule{KeepGrid{Grid: MustParseGrid("1x2h | 3x3h")}}}
	plan, err := p.Evaluate(snaps, EvaluateOptions{Now: at(5, 0)})
	require.NoError(t, err)
	assert.Equal(t, []bool{true, false, true}, keeps(plan))
	snaps = append(snaps, Snapshot{Name: "tank/a@n2", Creation: at(7, 0), CreateTXG: 4})
	plan, err = p.Evaluate(snaps, EvaluateOptions{Now: at(7, 0)})
	require.NoError(t, err)
	assert.Equal(t, []bool{true, false, true, true}, keeps(plan))
	assert.Equal(t, "grid 1x2h | 3x3h: 3x3h bucket from 2026-01-05 00:00 UTC", plan.Explain(0))
}

func keeps(p *Plan) []bool {
	out := make([]bool, len(p.Decisions))
	for i, d := range p.Decisions {
		out[i] = d.Keep
	}
	return out
}

func TestGridKeepCountsAndEdges(t *testing.T) {
	// keep=2 keeps the two oldest of a bucket; a snapshot exactly on the
	// old edge of a keep=all entry belongs to the next entry, as in zrepl.
	base := time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)
	snaps := every(base, base.Add(3*time.Hour), 10*time.Minute)
	p := Policy{Rules: []Rule{KeepGrid{Grid: MustParseGrid("1x1h(keep=all) | 2x1h(keep=2)")}}}
	plan, err := p.Evaluate(snaps, EvaluateOptions{Now: base.Add(3 * time.Hour)})
	require.NoError(t, err)
	// The thinned entry goes back two hours from 14:00.
	assert.Equal(t, []string{"12:00", "12:10", "13:00", "13:10", "14:00", "14:10", "14:20", "14:30", "14:40", "14:50", "15:00"},
		keptTimes(plan, time.UTC, "15:04"))
	assert.Equal(t, "grid 1x1h(keep=all) | 2x1h(keep=2): 2x1h(keep=2) bucket from 2026-01-05 14:00 UTC",
		plan.Explain(12)) // 14:00 is on the keep=all entry's edge
}

func TestGridIgnoresFuture(t *testing.T) {
	// A snapshot dated a year ahead does not become the grid's "now".
	base := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	snaps := every(base, base.Add(23*time.Hour), time.Hour)
	snaps = append(snaps, Snapshot{Name: "tank/a@jump", Creation: base.AddDate(1, 0, 0), CreateTXG: 99})
	p := Policy{Rules: []Rule{KeepGrid{Grid: MustParseGrid("1x1h(keep=all) | 6x1h | 1x1d")}}}
	plan, err := p.Evaluate(snaps, EvaluateOptions{Now: base.Add(23*time.Hour + 30*time.Minute)})
	require.NoError(t, err)
	// Anchored at 23:00: 23:00, 16:00 to 22:00, and the first of the day.
	assert.Equal(t, []string{"05 00:00", "05 16:00", "05 17:00", "05 18:00", "05 19:00", "05 20:00", "05 21:00", "05 22:00", "05 23:00", "05 00:00"},
		keptTimes(plan, time.UTC, "02 15:04"))
	assert.Equal(t, []Snapshot{snaps[24]}, plan.Future())
	assert.Equal(t, "created 2027-01-05 00:00:00 UTC, after the evaluation time 2026-01-05 23:30:00 UTC: kept; check the clocks", plan.Explain(24))
}
