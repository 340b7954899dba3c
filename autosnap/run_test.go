package autosnap_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/autosnap"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/zfssim"
	"github.com/gozfs/gozfs/retention"
)

var t0 = time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC)

// tree returns a simulator with tank, tank/a, tank/a/x, tank/b, tank/v (a
// volume), whose clock is *now.
func tree(now *time.Time) *zfssim.Sim {
	sim := zfssim.New()
	sim.SetClock(func() time.Time { return *now })
	sim.AddFilesystem("tank", nil)
	sim.AddFilesystem("tank/a", nil)
	sim.AddFilesystem("tank/a/x", nil)
	sim.AddFilesystem("tank/b", nil)
	sim.AddVolume("tank/v", nil)
	return sim
}

func snapCalls(sim *zfssim.Sim) [][]string {
	var out [][]string
	for _, c := range sim.Calls() {
		if c[1] == "snapshot" {
			out = append(out, c)
		}
	}
	return out
}

func hourly(keep int) autosnap.Label {
	return autosnap.Label{Name: "hourly", Keep: []retention.Rule{retention.KeepLast{N: keep}}}
}

func TestRunRecursiveWholeTree(t *testing.T) {
	now := t0
	sim := tree(&now)
	res, err := autosnap.Run(context.Background(), sim.Client(), autosnap.Options{
		Roots: []string{"tank"}, Recursive: true, Labels: []autosnap.Label{hourly(2)}, Now: now,
	})
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"zfs", "snapshot", "-r", "tank@zfs-auto-snap_hourly-2026-12-03-0600"}}, snapCalls(sim))
	assert.ElementsMatch(t, []string{"tank@zfs-auto-snap_hourly-2026-12-03-0600", "tank/a@zfs-auto-snap_hourly-2026-12-03-0600",
		"tank/a/x@zfs-auto-snap_hourly-2026-12-03-0600", "tank/b@zfs-auto-snap_hourly-2026-12-03-0600", "tank/v@zfs-auto-snap_hourly-2026-12-03-0600"}, res.Created)
	assert.Equal(t, 2, sim.Count("list"), "one listing, and one that reads the new snapshot's identity")
	assert.Equal(t, 0, sim.Count("destroy"))
	require.NotNil(t, res.Prune)
	assert.Empty(t, res.Prune.Destroyed)
}

func TestRunOptInOut(t *testing.T) {
	now := t0
	sim := tree(&now)
	sim.SetProperty("tank/a", "com.sun:auto-snapshot", "false")         // tank/a and tank/a/x (inherited) out
	sim.SetProperty("tank/a/x", "com.sun:auto-snapshot:hourly", "true") // ... but tank/a/x in for hourly
	sim.SetProperty("tank/b", "com.sun:auto-snapshot:daily", "false")   // tank/b out for daily only
	res, err := autosnap.Run(context.Background(), sim.Client(), autosnap.Options{
		Roots: []string{"tank"}, Recursive: true, Now: now,
		Labels: []autosnap.Label{{Name: "hourly"}, {Name: "daily"}},
	})
	require.NoError(t, err)
	assert.Equal(t, [][]string{
		// tank is in but tank/a is not: no -r, every dataset named, one command.
		{"zfs", "snapshot", "tank@zfs-auto-snap_hourly-2026-12-03-0600", "tank/a/x@zfs-auto-snap_hourly-2026-12-03-0600",
			"tank/b@zfs-auto-snap_hourly-2026-12-03-0600", "tank/v@zfs-auto-snap_hourly-2026-12-03-0600"},
		{"zfs", "snapshot", "tank@zfs-auto-snap_daily-2026-12-03-0600", "tank/v@zfs-auto-snap_daily-2026-12-03-0600"},
	}, snapCalls(sim))
	assert.Len(t, res.Created, 6)
	assert.Equal(t, `hourly: zfs snapshot tank@zfs-auto-snap_hourly-2026-12-03-0600 tank/a/x@zfs-auto-snap_hourly-2026-12-03-0600 tank/b@zfs-auto-snap_hourly-2026-12-03-0600 tank/v@zfs-auto-snap_hourly-2026-12-03-0600 (4 datasets)
  skip tank/a: opted out (com.sun:auto-snapshot=false)
daily: zfs snapshot tank@zfs-auto-snap_daily-2026-12-03-0600 tank/v@zfs-auto-snap_daily-2026-12-03-0600 (2 datasets)
  skip tank/a: opted out (com.sun:auto-snapshot=false)
  skip tank/a/x: opted out (com.sun:auto-snapshot=false)
  skip tank/b: opted out (com.sun:auto-snapshot:daily=false)
`, res.Plan.String())
	assert.Nil(t, res.Prune, "no label has rules")
}

func TestRunRecursiveSubtrees(t *testing.T) {
	now := t0
	sim := tree(&now)
	sim.SetProperty("tank", "com.sun:auto-snapshot", "false")
	sim.SetProperty("tank/a", "com.sun:auto-snapshot", "true")
	sim.SetProperty("tank/b", "com.sun:auto-snapshot", "true")
	_, err := autosnap.Run(context.Background(), sim.Client(), autosnap.Options{
		Roots: []string{"tank"}, Recursive: true, Now: now, Labels: []autosnap.Label{{Name: "hourly"}},
	})
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"zfs", "snapshot", "-r", "tank/a@zfs-auto-snap_hourly-2026-12-03-0600", "tank/b@zfs-auto-snap_hourly-2026-12-03-0600"}}, snapCalls(sim))
	assert.True(t, sim.Exists("tank/a/x@zfs-auto-snap_hourly-2026-12-03-0600"))
	assert.False(t, sim.Exists("tank@zfs-auto-snap_hourly-2026-12-03-0600"))
	assert.False(t, sim.Exists("tank/v@zfs-auto-snap_hourly-2026-12-03-0600"))
}

func TestRunDefaultExcludeAndExclude(t *testing.T) {
	now := t0
	sim := tree(&now)
	sim.SetProperty("tank/a", "com.sun:auto-snapshot", "true")
	sim.SetProperty("tank/b", "com.sun:auto-snapshot", "maybe")
	res, err := autosnap.Run(context.Background(), sim.Client(), autosnap.Options{
		Roots: []string{"tank"}, Recursive: true, Now: now, DefaultExclude: true,
		Exclude: []string{"tank/a/x"}, Labels: []autosnap.Label{{Name: "hourly"}},
	})
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"zfs", "snapshot", "tank/a@zfs-auto-snap_hourly-2026-12-03-0600"}}, snapCalls(sim))
	assert.Equal(t, []string{`tank/b: com.sun:auto-snapshot="maybe" is neither true nor false; ignored`}, res.Plan.Warnings)
}

func TestRunNotRecursive(t *testing.T) {
	now := t0
	sim := tree(&now)
	_, err := autosnap.Run(context.Background(), sim.Client(), autosnap.Options{
		Roots: []string{"tank/a", "tank/b"}, Now: now, Labels: []autosnap.Label{{Name: "hourly"}},
	})
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"zfs", "snapshot", "tank/a@zfs-auto-snap_hourly-2026-12-03-0600", "tank/b@zfs-auto-snap_hourly-2026-12-03-0600"}}, snapCalls(sim))
}

// Run from cron every 15 minutes for a day, after missing three days: one
// hourly snapshot an hour, one daily a day, the daily catching up once.
func TestRunSchedules(t *testing.T) {
	now := t0
	sim := tree(&now)
	opts := autosnap.Options{
		Roots: []string{"tank/b"}, Naming: autosnap.Sanoid(),
		Labels: []autosnap.Label{hourly(24), {Name: "daily", Keep: []retention.Rule{retention.KeepLast{N: 7}}}},
	}
	run := func() *autosnap.Result {
		opts.Now = now
		res, err := autosnap.Run(context.Background(), sim.Client(), opts)
		require.NoError(t, err)
		return res
	}
	res := run()
	assert.Len(t, res.Created, 2)
	assert.Equal(t, []string{"tank/b@autosnap_2026-12-03_06:00:00_hourly", "tank/b@autosnap_2026-12-03_06:00:00_daily"}, res.Created)
	now = now.Add(3*24*time.Hour + 7*time.Minute) // missed three days
	res = run()
	assert.Equal(t, []string{"tank/b@autosnap_2026-12-06_06:07:00_hourly", "tank/b@autosnap_2026-12-06_06:07:00_daily"}, res.Created)
	for range 4 * 24 {
		now = now.Add(15 * time.Minute)
		run()
	}
	var hourlies, dailies int
	for _, s := range sim.Snapshots("tank/b") {
		if autosnap.Sanoid().Filter("hourly").Match(s[len("tank/b@"):]) {
			hourlies++
		}
		if autosnap.Sanoid().Filter("daily").Match(s[len("tank/b@"):]) {
			dailies++
		}
	}
	assert.Equal(t, 24, hourlies, "one an hour, pruned to 24")
	assert.Equal(t, 3, dailies, "12-03, 12-06 and 12-07")
	// A run within the hour takes nothing and explains.
	now = now.Add(time.Minute)
	res = run()
	assert.Empty(t, res.Created)
	assert.Contains(t, res.Plan.String(), "skip tank/b: not due (last autosnap_2026-12-07_06:07:00_hourly at 2026-12-07 06:07:00 UTC, next due 2026-12-07 07:00:00 UTC)")
}

func TestRunCronSchedule(t *testing.T) {
	now := t0
	sim := tree(&now)
	every4h, err := autosnap.Cron("0 */4 * * *", nil)
	require.NoError(t, err)
	opts := autosnap.Options{Roots: []string{"tank/b"}, Labels: []autosnap.Label{{Name: "4h", Schedule: every4h}}}
	taken := 0
	for range 48 { // every 15 minutes for 12 hours
		opts.Now = now
		res, err := autosnap.Run(context.Background(), sim.Client(), opts)
		require.NoError(t, err)
		taken += len(res.Created)
		now = now.Add(15 * time.Minute)
	}
	assert.Equal(t, 4, taken, "06:00 (the first), 08:00, 12:00 and 16:00")
}

func TestRunSkipUnchanged(t *testing.T) {
	now := t0
	sim := tree(&now)
	opts := autosnap.Options{Roots: []string{"tank"}, Recursive: true, SkipUnchanged: true, Labels: []autosnap.Label{{Name: "frequent"}}}
	opts.Now = now
	_, err := autosnap.Run(context.Background(), sim.Client(), opts)
	require.NoError(t, err)
	now = now.Add(15 * time.Minute)
	opts.Now = now
	sim.Write("tank/a/x", 4096)
	res, err := autosnap.Run(context.Background(), sim.Client(), opts)
	require.NoError(t, err)
	assert.Equal(t, []string{"tank/a/x@zfs-auto-snap_frequent-2026-12-03-0615"}, res.Created)
	assert.Contains(t, res.Plan.String(), "skip tank/b: unchanged (nothing written since zfs-auto-snap_frequent-2026-12-03-0600)")
}

func TestRunHooksAndDryRun(t *testing.T) {
	now := t0
	sim := tree(&now)
	for i := range 5 {
		sim.AddSnapshot(fmt.Sprintf("tank/b@zfs-auto-snap_hourly-2026-12-03-0%d00", i), t0.Add(time.Duration(i-6)*time.Hour))
	}
	var order []string
	opts := autosnap.Options{
		Roots: []string{"tank/b"}, Now: now, Labels: []autosnap.Label{hourly(2)},
		Pre: func(ctx context.Context, p *autosnap.Plan) error { order = append(order, "pre"); return nil },
		Post: func(ctx context.Context, r *autosnap.Result) error {
			order = append(order, fmt.Sprint("post ", r.Created))
			return nil
		},
	}
	opts.DryRun = true
	res, err := autosnap.Run(context.Background(), sim.Client(), opts)
	require.NoError(t, err)
	assert.Empty(t, order, "no hook in a dry run")
	assert.Empty(t, res.Created)
	assert.Len(t, sim.Snapshots("tank/b"), 5, "nothing changed")
	assert.Equal(t, [][]string(nil), snapCalls(sim))
	require.NotNil(t, res.Prune)
	assert.True(t, res.Prune.DryRun)
	assert.Len(t, res.Prune.Destroyed, 4, "the new one and the newest listed are kept")

	opts.DryRun = false
	res, err = autosnap.Run(context.Background(), sim.Client(), opts)
	require.NoError(t, err)
	assert.Equal(t, []string{"pre", "post [tank/b@zfs-auto-snap_hourly-2026-12-03-0600]"}, order)
	assert.Len(t, res.Prune.Destroyed, 4)
	assert.Equal(t, []string{"tank/b@zfs-auto-snap_hourly-2026-12-03-0400", "tank/b@zfs-auto-snap_hourly-2026-12-03-0600"}, sim.Snapshots("tank/b"))

	// A failing pre hook stops everything.
	now = now.Add(time.Hour)
	opts.Now = now
	opts.Pre = func(context.Context, *autosnap.Plan) error { return fmt.Errorf("database busy") }
	_, err = autosnap.Run(context.Background(), sim.Client(), opts)
	require.ErrorContains(t, err, "database busy")
	assert.Len(t, sim.Snapshots("tank/b"), 2)
}

func TestRunPrunesOnlyOptedInLabels(t *testing.T) {
	now := t0
	sim := tree(&now)
	sim.SetProperty("tank/a", "com.sun:auto-snapshot:hourly", "false")
	for i := range 5 {
		at := t0.Add(time.Duration(i-6) * time.Hour)
		sim.AddSnapshot(fmt.Sprintf("tank/a@zfs-auto-snap_hourly-2026-12-03-0%d00", i), at)
		sim.AddSnapshot(fmt.Sprintf("tank/b@zfs-auto-snap_hourly-2026-12-03-0%d00", i), at)
		sim.AddSnapshot(fmt.Sprintf("tank/b@zfs-auto-snap_weekly-2026-12-03-0%d00", i), at)
	}
	res, err := autosnap.Run(context.Background(), sim.Client(), autosnap.Options{
		Roots: []string{"tank/a", "tank/b"}, Now: now, Labels: []autosnap.Label{hourly(1)},
	})
	require.NoError(t, err)
	assert.Len(t, sim.Snapshots("tank/a"), 5, "tank/a is opted out of hourly: its hourlies are left alone")
	assert.Len(t, sim.Snapshots("tank/b"), 6, "weeklies are not the run's; one hourly kept")
	assert.Len(t, res.Prune.Destroyed, 5)
}

func TestRunInvalid(t *testing.T) {
	sim := zfssim.New()
	c := sim.Client()
	for _, o := range []autosnap.Options{
		{},
		{Roots: []string{"tank"}},
		{Roots: []string{"tank@x"}, Labels: []autosnap.Label{{Name: "hourly"}}},
		{Roots: []string{"tank"}, Labels: []autosnap.Label{{Name: "a:b"}}},
		{Roots: []string{"tank"}, Labels: []autosnap.Label{{Name: "hourly"}, {Name: "hourly"}}},
		{Roots: []string{"tank"}, Labels: []autosnap.Label{{Name: "hourly", Keep: []retention.Rule{retention.KeepLast{}}}}},
		{Roots: []string{"tank"}, Labels: []autosnap.Label{{Name: "hourly"}}, Naming: autosnap.Naming{Format: "x-{label}", Layout: "2006"}},
		{Roots: []string{"tank"}, Labels: []autosnap.Label{{Name: "hourly"}}, Naming: autosnap.Naming{Format: "x@{time}", Layout: "2006"}},
		{Roots: []string{"tank"}, Labels: []autosnap.Label{{Name: "a"}, {Name: "b"}}, Naming: autosnap.Naming{Format: "x{time}", Layout: "2006"}},
		{Roots: []string{"tank"}, Labels: []autosnap.Label{{Name: "a"}}, Property: "nocolon"},
	} {
		_, err := autosnap.Run(context.Background(), c, o)
		assert.True(t, errors.Is(err, errors.ErrInvalidArgument) || errors.Is(err, errors.ErrInvalidName), "%+v: %v", o, err)
	}
	assert.Empty(t, sim.Calls())
}

// Roots inside one another: each dataset and snapshot counts once.
func TestRunOverlappingRoots(t *testing.T) {
	now := t0
	sim := tree(&now)
	sim.AddSnapshot("tank/a/x@zfs-auto-snap_hourly-2026-12-03-0500", t0.Add(-time.Hour))
	for _, recursive := range []bool{true, false} {
		now = now.Add(time.Hour)
		res, err := autosnap.Run(context.Background(), sim.Client(), autosnap.Options{
			Roots: []string{"tank", "tank/a", "tank/a/x"}, Recursive: recursive, Now: now, Labels: []autosnap.Label{hourly(1)},
		})
		require.NoError(t, err, "recursive %v", recursive)
		assert.Len(t, res.Created, map[bool]int{true: 5, false: 3}[recursive])
	}
	assert.Len(t, sim.Snapshots("tank/a/x"), 1)
}
