package replication_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/replication"
	"github.com/gozfs/gozfs/zfs"
)

func plan(t *testing.T, src, dst *zfs.Client, opts replication.PlanOptions) *replication.Plan {
	t.Helper()
	p, err := replication.NewPlan(context.Background(),
		replication.Endpoint{Client: src, Dataset: "tank/a"},
		replication.Endpoint{Client: dst, Dataset: "backup/a"}, opts)
	require.NoError(t, err)
	return p
}

// steps describes the steps of the plan's first dataset briefly.
func steps(dp *replication.DatasetPlan) string {
	var s []string
	for _, st := range dp.Steps {
		from := st.From
		if i := strings.IndexAny(from, "@#"); i >= 0 {
			from = from[i:]
		}
		to := st.To[strings.IndexByte(st.To, '@'):]
		switch st.Kind() {
		case "full":
			s = append(s, "full "+to)
		case "resume":
			s = append(s, "resume "+to)
		case "run":
			s = append(s, fmt.Sprintf("%s..%s(%d)", from, to, len(st.Snapshots)))
		default:
			s = append(s, from+"→"+to)
		}
	}
	return strings.Join(s, " ")
}

func TestPlanStepModes(t *testing.T) {
	skip4 := func(n string) bool { return n != "s4" }
	for _, tc := range []struct {
		name   string
		opts   replication.PlanOptions
		target bool
		want   string
	}{
		{"runs", replication.PlanOptions{}, true, "@s1..@s6(5)"},
		{"runs filtered", replication.PlanOptions{Snapshots: skip4}, true, "@s1..@s3(2) @s3→@s5 @s5→@s6"},
		{"each", replication.PlanOptions{Steps: replication.StepEach}, true, "@s1→@s2 @s2→@s3 @s3→@s4 @s4→@s5 @s5→@s6"},
		{"latest", replication.PlanOptions{Steps: replication.StepLatest}, true, "@s1→@s6"},
		{"new runs", replication.PlanOptions{}, false, "full @s1 @s1..@s6(5)"},
		{"new filtered", replication.PlanOptions{Snapshots: func(n string) bool { return n != "s1" && n != "s4" }}, false, "full @s2 @s2→@s3 @s3→@s5 @s5→@s6"},
		{"new latest", replication.PlanOptions{Steps: replication.StepLatest}, false, "full @s6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := newSide(t, false).fs("tank/a").snaps("tank/a", 1, 2, 3, 4, 5, 6)
			var dst *zfs.Client
			if tc.target {
				dst = newSide(t, true).fs("backup/a").snaps("backup/a", 1).client("backup/a", false)
			} else {
				dst = missing(t, "backup/a", true, false)
			}
			p := plan(t, src.client("tank/a", false), dst, tc.opts)
			require.Len(t, p.Datasets, 1)
			assert.Equal(t, tc.want, steps(p.Datasets[0]))
			assert.NoError(t, p.Err())
		})
	}
}

func TestPlanBookmarkBase(t *testing.T) {
	// The source pruned @s1 and @s2 but kept a cursor of @s2.
	cursor := "tank/a#" + replication.CursorName("", 2)
	src := newSide(t, false).fs("tank/a").bm(cursor, 2).bm("tank/a#other", 1).snaps("tank/a", 3, 4, 5)
	dst := newSide(t, true).fs("backup/a").snaps("backup/a", 1, 2)
	p := plan(t, src.client("tank/a", false), dst.client("backup/a", false), replication.PlanOptions{})
	dp := p.Datasets[0]
	require.Equal(t, replication.Update, dp.Action, "%v", p)
	assert.Equal(t, cursor, dp.Base.Name)
	assert.Equal(t, "backup/a@s2", dp.TargetBase.Name)
	assert.Equal(t, "#"+replication.CursorName("", 2)+"→@s3 @s3..@s5(2)", steps(dp))
	assert.Equal(t, []replication.Version{{Name: cursor, GUID: 2, CreateTXG: 102}}, dp.Cursors)
	assert.Equal(t, []string{"tank/a@s3", "tank/a@s4", "tank/a@s5"}, p.Protected())
}

func TestPlanSnapshotPreferredOverBookmark(t *testing.T) {
	src := newSide(t, false).fs("tank/a").bm("tank/a#b2", 2).snaps("tank/a", 2, 3)
	dst := newSide(t, true).fs("backup/a").snaps("backup/a", 2)
	p := plan(t, src.client("tank/a", false), dst.client("backup/a", false), replication.PlanOptions{})
	assert.Equal(t, "tank/a@s2", p.Datasets[0].Base.Name)
}

func TestPlanConflicts(t *testing.T) {
	t.Run("no common base", func(t *testing.T) {
		src := newSide(t, false).fs("tank/a").snaps("tank/a", 8, 9)
		dst := newSide(t, true).fs("backup/a").snaps("backup/a", 1, 2)
		p := plan(t, src.client("tank/a", false), dst.client("backup/a", false), replication.PlanOptions{})
		dp := p.Datasets[0]
		require.Equal(t, replication.Blocked, dp.Action)
		assert.ErrorIs(t, dp.Conflict, errors.ErrNoCommonBase)
		assert.False(t, dp.Conflict.Forcible)
		assert.Equal(t, errors.NoCommonBase, errors.KindOf(p.Err()))
		assert.Contains(t, p.String(), "the source has none of the target's 2 snapshots")
	})
	t.Run("target without snapshots", func(t *testing.T) {
		src := newSide(t, false).fs("tank/a").snaps("tank/a", 1)
		dst := newSide(t, true).fs("backup/a", "-", "1048576")
		p := plan(t, src.client("tank/a", false), dst.client("backup/a", false), replication.PlanOptions{})
		dp := p.Datasets[0]
		require.Equal(t, replication.Blocked, dp.Action)
		assert.ErrorIs(t, dp.Conflict, errors.ErrNoCommonBase)
		assert.True(t, dp.Conflict.Forcible)
		assert.True(t, dp.ForceReceive)
		assert.Equal(t, "full @s1", steps(dp))
	})
	t.Run("over placeholder", func(t *testing.T) {
		src := newSide(t, false).fs("tank/a").snaps("tank/a", 1)
		dst := newSide(t, true).fs("backup/a", "-", "24576", "on")
		p := plan(t, src.client("tank/a", false), dst.client("backup/a", false), replication.PlanOptions{})
		dp := p.Datasets[0]
		require.Equal(t, replication.Create, dp.Action)
		assert.True(t, dp.OverPlaceholder)
		assert.Contains(t, p.String(), "create over a placeholder")
	})
	t.Run("diverged and up to date", func(t *testing.T) {
		src := newSide(t, false).fs("tank/a").snaps("tank/a", 1, 2)
		dst := newSide(t, true).fs("backup/a").snaps("backup/a", 1, 2).snap("backup/a@mine", 99)
		p := plan(t, src.client("tank/a", false), dst.client("backup/a", false), replication.PlanOptions{})
		dp := p.Datasets[0]
		require.Equal(t, replication.Blocked, dp.Action)
		assert.ErrorIs(t, dp.Conflict, errors.ErrDiverged)
		assert.Equal(t, "backup/a@s2", dp.Rollback)
		assert.Empty(t, dp.Steps)
	})
	t.Run("modified but up to date", func(t *testing.T) {
		src := newSide(t, false).fs("tank/a").snaps("tank/a", 1, 2)
		dst := newSide(t, true).fs("backup/a", "-", "5000").snaps("backup/a", 1, 2)
		p := plan(t, src.client("tank/a", false), dst.client("backup/a", false), replication.PlanOptions{})
		assert.Equal(t, replication.UpToDate, p.Datasets[0].Action)
	})
	t.Run("source without snapshots", func(t *testing.T) {
		src := newSide(t, false).fs("tank/a")
		dst := newSide(t, true).fs("backup/a").snaps("backup/a", 1, 2)
		p := plan(t, src.client("tank/a", false), dst.client("backup/a", false), replication.PlanOptions{})
		assert.Equal(t, replication.Skip, p.Datasets[0].Action)
		assert.NoError(t, p.Err())
	})
}

func TestPlanResume(t *testing.T) {
	t.Run("incremental", func(t *testing.T) {
		src := newSide(t, false).fs("tank/a").snaps("tank/a", 1, 2, 3, 4)
		dst := newSide(t, true).fs("backup/a", token(t, "tank/a@s2", 2, 1)).snaps("backup/a", 1)
		p := plan(t, src.client("tank/a", false), dst.client("backup/a", false), replication.PlanOptions{})
		dp := p.Datasets[0]
		require.Equal(t, replication.Update, dp.Action)
		assert.Equal(t, "resume @s2 @s2..@s4(2)", steps(dp))
		assert.Equal(t, "tank/a@s1", dp.Steps[0].From)
	})
	t.Run("full", func(t *testing.T) {
		src := newSide(t, false).fs("tank/a").snaps("tank/a", 1, 2)
		dst := newSide(t, true).fs("backup/a", token(t, "tank/a@s1", 1, 0), "13312")
		p := plan(t, src.client("tank/a", false), dst.client("backup/a", false), replication.PlanOptions{})
		dp := p.Datasets[0]
		require.Equal(t, replication.Create, dp.Action)
		assert.Equal(t, "resume @s1 @s1→@s2", steps(dp))
	})
	t.Run("renamed snapshot", func(t *testing.T) {
		// The token names the snapshot as it was; the GUID finds it.
		src := newSide(t, false).fs("tank/a").snaps("tank/a", 1).snap("tank/a@renamed", 2)
		dst := newSide(t, true).fs("backup/a", token(t, "tank/a@s2", 2, 1)).snaps("backup/a", 1)
		p := plan(t, src.client("tank/a", false), dst.client("backup/a", false), replication.PlanOptions{})
		assert.Equal(t, "tank/a@renamed", p.Datasets[0].Steps[0].To)
	})
	for _, tc := range []struct {
		name, tok string
	}{
		{"snapshot gone", token(t, "tank/a@s7", 7, 1)},
		{"other base", token(t, "tank/a@s3", 3, 2)},
		{"unreadable", "1-deadbeef-10-0011"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := newSide(t, false).fs("tank/a").snaps("tank/a", 1, 2, 3)
			dst := newSide(t, true).fs("backup/a", tc.tok).snaps("backup/a", 1)
			p := plan(t, src.client("tank/a", false), dst.client("backup/a", false), replication.PlanOptions{})
			dp := p.Datasets[0]
			require.Equal(t, replication.Blocked, dp.Action)
			assert.ErrorIs(t, dp.Conflict, errors.ErrResumableStatePresent)
			assert.ErrorIs(t, dp.Conflict, errors.ErrBusy)
			assert.True(t, dp.AbortPartial)
			assert.Equal(t, "@s1..@s3(2)", steps(dp))
		})
	}
}

func TestPlanTree(t *testing.T) {
	src := newSide(t, false).
		fs("tank/a").
		fs("tank/a/b").snaps("tank/a/b", 1, 2).
		fs("tank/a/b/c").snaps("tank/a/b/c", 3).
		fs("tank/a/skip").snaps("tank/a/skip", 4).
		fs("tank/a/skip/deep").snaps("tank/a/skip/deep", 5).
		vol("tank/a/vol").snaps("tank/a/vol", 6)
	dst := newSide(t, true).
		fs("backup/a", "-", "0", "on").
		fs("backup/a/old").snaps("backup/a/old", 9)
	p := plan(t, src.client("tank/a", true), dst.client("backup/a", true),
		replication.PlanOptions{Recursive: true, Exclude: []string{"tank/a/skip"}})
	var got []string
	for _, dp := range p.Datasets {
		got = append(got, fmt.Sprintf("%s %s %v", dp.Target, dp.Action, dp.Placeholder))
	}
	assert.Equal(t, []string{
		"backup/a skip false", // exists as a placeholder already
		"backup/a/b create false",
		"backup/a/b/c create false",
		"backup/a/vol create false",
	}, got)
	assert.Equal(t, zfs.TypeVolume, p.Datasets[3].Type)
	assert.Equal(t, []string{"backup/a/old"}, p.TargetOnly)

	// A missing root with nothing to send becomes a placeholder.
	src2 := newSide(t, false).fs("tank/a").fs("tank/a/b").snaps("tank/a/b", 1).fs("tank/a/e")
	p = plan(t, src2.client("tank/a", true), missing(t, "backup/a", true, true), replication.PlanOptions{Recursive: true})
	require.Len(t, p.Datasets, 3)
	assert.True(t, p.Datasets[0].Placeholder)
	assert.Equal(t, replication.Create, p.Datasets[1].Action)
	assert.False(t, p.Datasets[2].Placeholder)
	assert.Contains(t, p.String(), "creates an empty placeholder")
}

func TestPlanNotRecursiveIgnoresChildren(t *testing.T) {
	src := newSide(t, false).fs("tank/a").snaps("tank/a", 1).fs("tank/a/b")
	dst := newSide(t, true).fs("backup/a").snaps("backup/a", 1).fs("backup/a/x")
	p := plan(t, src.client("tank/a", false), dst.client("backup/a", false), replication.PlanOptions{})
	require.Len(t, p.Datasets, 1)
	assert.Empty(t, p.TargetOnly)
	assert.Equal(t, replication.UpToDate, p.Datasets[0].Action)
}

func TestPlanInvalid(t *testing.T) {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: nopRunner{}, Version: v232})
	for _, tc := range []struct {
		name     string
		src, dst replication.Endpoint
		opts     replication.PlanOptions
		kind     errors.Kind
	}{
		{"no client", replication.Endpoint{Dataset: "tank/a"}, replication.Endpoint{Client: c, Dataset: "b/a"}, replication.PlanOptions{}, errors.InvalidArgument},
		{"bad source", replication.Endpoint{Client: c, Dataset: "tank/a@s"}, replication.Endpoint{Client: c, Dataset: "b/a"}, replication.PlanOptions{}, errors.InvalidName},
		{"bad target", replication.Endpoint{Client: c, Dataset: "tank/a"}, replication.Endpoint{Client: c, Dataset: "-b"}, replication.PlanOptions{}, errors.InvalidName},
		{"overlap", replication.Endpoint{Client: c, Dataset: "tank/a"}, replication.Endpoint{Client: c, Dataset: "tank/a/b"}, replication.PlanOptions{Recursive: true}, errors.InvalidArgument},
		{"same", replication.Endpoint{Client: c, Dataset: "tank/a"}, replication.Endpoint{Client: c, Dataset: "tank/a"}, replication.PlanOptions{}, errors.InvalidArgument},
		{"job name", replication.Endpoint{Client: c, Dataset: "tank/a"}, replication.Endpoint{Client: c, Dataset: "b/a"}, replication.PlanOptions{Name: "a b"}, errors.InvalidArgument},
		{"long job name", replication.Endpoint{Client: c, Dataset: "tank/a"}, replication.Endpoint{Client: c, Dataset: "b/a"}, replication.PlanOptions{Name: strings.Repeat("x", 65)}, errors.InvalidArgument},
		{"step mode", replication.Endpoint{Client: c, Dataset: "tank/a"}, replication.Endpoint{Client: c, Dataset: "b/a"}, replication.PlanOptions{Steps: 9}, errors.InvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := replication.NewPlan(ctx, tc.src, tc.dst, tc.opts)
			require.Error(t, err)
			assert.Equal(t, tc.kind, errors.KindOf(err), "%v", err)
		})
	}
	t.Run("source missing", func(t *testing.T) {
		_, err := replication.NewPlan(ctx, replication.Endpoint{Client: missing(t, "tank/a", false, false), Dataset: "tank/a"},
			replication.Endpoint{Client: missing(t, "backup/a", true, false), Dataset: "backup/a"}, replication.PlanOptions{})
		assert.ErrorIs(t, err, errors.ErrNotExist)
	})
}

func TestCursorName(t *testing.T) {
	assert.Equal(t, "gozfs-replication_00000000000000ff", replication.CursorName("", 255))
	assert.Equal(t, "gozfs-replication:job_00000000000000ff", replication.CursorName("job", 255))
	assert.Equal(t, "gozfs-replication:job", replication.HoldTag("job"))
}
