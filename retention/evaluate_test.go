package retention

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEvaluateErrors(t *testing.T) {
	now := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	ok := Policy{Rules: []Rule{KeepLast{N: 1}}}
	good := Snapshot{Name: "tank/a@x", Creation: now}
	for _, tc := range []struct {
		p     Policy
		snaps []Snapshot
		msg   string
	}{
		{Policy{}, nil, "retention: policy: a policy needs at least one rule"},
		{Policy{Rules: []Rule{nil}}, nil, "retention: rule 1: nil rule"},
		{Policy{Rules: []Rule{KeepLast{N: 2}, KeepLast{}}}, nil, "retention: rule 2 (last 0): N must be at least 1"},
		{Policy{Rules: []Rule{KeepNewerThan{Age: -time.Hour}}}, nil, "retention: rule 1 (newer than -1h0m0s): Age must be positive"},
		{Policy{Rules: []Rule{KeepPeriods{}}}, nil, "retention: rule 1 (periods): at least one period count must be positive"},
		{Policy{Rules: []Rule{KeepPeriods{Daily: -1}}}, nil, "retention: rule 1 (periods daily=-1): daily must not be negative"},
		{Policy{Rules: []Rule{KeepPeriods{Frequently: 4, FrequentPeriod: 2 * time.Hour}}}, nil,
			"retention: rule 1 (periods frequently=4/2h0m0s): FrequentPeriod must be a whole number of seconds, at most an hour"},
		{Policy{Rules: []Rule{KeepPeriods{Daily: 1, Pick: 7}}}, nil, "retention: rule 1 (periods daily=1 pick=Pick(7)): unknown Pick Pick(7)"},
		{Policy{Rules: []Rule{KeepGrid{Grid: Grid{Intervals: []GridInterval{{2, time.Hour, 1}, {1, time.Minute, 1}}}}}}, nil,
			`retention: rule 1, grid "2x1h | 1x1m": entry 2 (1x1m): bucket lengths must not shrink with age`},
		{ok, []Snapshot{{Name: "tank/a", Creation: now}}, `retention: snapshot "tank/a": invalid name: missing '@' delimiter in snapshot name`},
		{ok, []Snapshot{{Name: "tank/a@", Creation: now}}, `retention: snapshot "tank/a@": invalid name: empty component or misplaced '@' or '#' delimiter in name`},
		{ok, []Snapshot{{Name: "tank/a@x"}}, `retention: snapshot "tank/a@x": no creation time`},
		{ok, []Snapshot{good, {Name: "tank/b@x", Creation: now}, good}, `retention: snapshot "tank/a@x": listed twice`},
	} {
		plan, err := tc.p.Evaluate(tc.snaps, EvaluateOptions{Now: now})
		assert.Nil(t, plan)
		if assert.Error(t, err) {
			assert.Equal(t, tc.msg, err.Error())
			assert.ErrorIs(t, err, errors.ErrInvalidArgument)
		}
	}
	plan, err := ok.Evaluate(nil, EvaluateOptions{})
	require.NoError(t, err)
	assert.Empty(t, plan.Decisions)
	assert.WithinDuration(t, time.Now(), plan.Now, time.Minute)
}

func TestNeverDestroyed(t *testing.T) {
	base := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	snaps := every(base, base.Add(9*time.Hour), time.Hour)
	snaps[2].Holds = 2
	snaps[3].GUID = 42
	snaps[4].Name = "tank/a@manual"
	// Nothing is kept by the rule (it only considers "keep-" snapshots).
	p := Policy{Rules: []Rule{KeepLast{N: 5, Filter: Filter{Prefix: "keep-"}}}, Filter: Filter{Regexp: regexp.MustCompile(`^s\d+$`)}}
	plan, err := p.Evaluate(snaps, EvaluateOptions{Now: base.Add(8 * time.Hour), Needed: NeededGUIDs(42, 7)})
	require.NoError(t, err)
	want := []Reason{NoRule, NoRule, Held, Needed, NotMatched, NoRule, NoRule, NoRule, NoRule, Future}
	for i, d := range plan.Decisions {
		assert.Equal(t, want[i], d.Reason, snaps[i].Name)
		assert.Equal(t, want[i] != NoRule, d.Keep)
	}
	// Without the future one, the newest is protected.
	plan, err = p.Evaluate(snaps[:9], EvaluateOptions{Now: base.Add(8 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, Newest, plan.Decisions[8].Reason)
	assert.Equal(t, NoRule, plan.Decisions[3].Reason) // not needed this time
	assert.Len(t, plan.Destroy(), 6)
}

func TestClockJumpedBack(t *testing.T) {
	// The clock went back an hour after @b: @c is the newest snapshot (its
	// TXG is the highest) although its time is older.
	base := time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)
	snaps := []Snapshot{
		{Name: "tank/a@a", Creation: base, CreateTXG: 10},
		{Name: "tank/a@b", Creation: base.Add(50 * time.Minute), CreateTXG: 20},
		{Name: "tank/a@c", Creation: base.Add(20 * time.Minute), CreateTXG: 30},
	}
	p := Policy{Rules: []Rule{KeepLast{N: 1}}}
	plan, err := p.Evaluate(snaps, EvaluateOptions{Now: base.Add(time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, []bool{false, false, true}, keeps(plan))
	// A rule that keeps nothing: the newest by TXG is still protected.
	p = Policy{Rules: []Rule{KeepNewerThan{Age: time.Minute}}}
	plan, err = p.Evaluate(snaps, EvaluateOptions{Now: base.Add(time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, []Reason{NoRule, NoRule, Newest}, []Reason{plan.Decisions[0].Reason, plan.Decisions[1].Reason, plan.Decisions[2].Reason})
	// Without TXGs, creation time decides.
	for i := range snaps {
		snaps[i].CreateTXG = 0
	}
	plan, err = p.Evaluate(snaps, EvaluateOptions{Now: base.Add(time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, []bool{false, true, false}, keeps(plan))
}

func TestDatasetsEvaluatedApart(t *testing.T) {
	base := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	var snaps []Snapshot
	for i, ds := range []string{"tank/a", "tank/a/b", "tank/c", "tank/a", "tank/a/b", "tank/c", "tank/a"} {
		snaps = append(snaps, Snapshot{Name: ds + "@s" + string(rune('0'+i)), Creation: base.Add(time.Duration(i) * time.Hour), CreateTXG: uint64(i + 1)})
	}
	p := Policy{Rules: []Rule{KeepLast{N: 1}}}
	plan, err := p.Evaluate(snaps, EvaluateOptions{Now: base.Add(24 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, []bool{false, false, false, false, true, true, true}, keeps(plan))
	assert.Equal(t, []string{"tank/a@s0", "tank/a/b@s1", "tank/c@s2", "tank/a@s3"}, snapNames(plan.Destroy()))
}

func TestReportGolden(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	base := time.Date(2026, 3, 27, 22, 0, 0, 0, time.UTC)
	var snaps []Snapshot
	for i := 0; i < 60; i++ {
		at := base.Add(time.Duration(i) * 90 * time.Minute)
		snaps = append(snaps, Snapshot{
			Name:      "tank/home@autosnap_" + at.In(berlin).Format("2006-01-02_15:04:05"),
			Creation:  at,
			CreateTXG: uint64(1000 + i),
			GUID:      uint64(5000 + i),
		})
	}
	snaps[3].Holds = 1
	snaps[4].GUID = 77
	snaps = append(snaps,
		Snapshot{Name: "tank/home@before-upgrade", Creation: base.Add(5 * time.Hour), CreateTXG: 1003},
		Snapshot{Name: "tank/home@autosnap_2027", Creation: base.AddDate(1, 0, 0), CreateTXG: 2000},
		Snapshot{Name: "tank/var@autosnap_2026-03-28_00:00:00", Creation: base.Add(time.Hour), CreateTXG: 1001},
	)
	p := Policy{
		Filter:   Filter{Prefix: "autosnap_"},
		Location: berlin,
		Rules: []Rule{
			KeepNewerThan{Age: 6 * time.Hour},
			KeepPeriods{Hourly: 6, Daily: 3},
			KeepGrid{Grid: MustParseGrid("4x12h | 2x1d")},
		},
	}
	plan, err := p.Evaluate(snaps, EvaluateOptions{Now: base.Add(90 * time.Hour), Needed: NeededGUIDs(77)})
	require.NoError(t, err)
	var b bytes.Buffer
	n, err := plan.WriteTo(&b)
	require.NoError(t, err)
	assert.Equal(t, int64(b.Len()), n)
	assert.Equal(t, b.String(), plan.String())
	golden.Equal(t, "report.golden", b.Bytes())
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestReportWriteError(t *testing.T) {
	p := Policy{Rules: []Rule{KeepLast{N: 1}}}
	plan, err := p.Evaluate([]Snapshot{{Name: "tank/a@x", Creation: time.Unix(1, 0)}}, EvaluateOptions{Now: time.Unix(2, 0)})
	require.NoError(t, err)
	_, err = plan.WriteTo(failWriter{})
	assert.EqualError(t, err, "disk full")
}
