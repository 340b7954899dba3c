package retention_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/gozfs/gozfs/internal/zfssim"
	"github.com/gozfs/gozfs/retention"
	"github.com/gozfs/gozfs/zfs"
)

var t0 = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

// hourlySim returns a simulator with tank/home and tank/home/a, each with n
// hourly snapshots autosnap_<n> up to t0, each holding 1 MiB.
func hourlySim(n int) *zfssim.Sim {
	sim := zfssim.New()
	sim.AddFilesystem("tank", nil)
	sim.AddFilesystem("tank/home", nil)
	sim.AddFilesystem("tank/home/a", nil)
	for i := range n {
		at := t0.Add(-time.Duration(n-1-i) * time.Hour)
		for _, ds := range []string{"tank/home", "tank/home/a"} {
			sim.Write(ds, 1<<20)
			sim.AddSnapshot(fmt.Sprintf("%s@autosnap_%03d", ds, i), at)
		}
	}
	return sim
}

var keep3 = retention.Policy{
	Filter: retention.Filter{Prefix: "autosnap_"},
	Rules:  []retention.Rule{retention.KeepLast{N: 3}},
}

func TestFromDataset(t *testing.T) {
	sim := hourlySim(2)
	sim.Hold("tank/home@autosnap_000", "keep")
	sim.SetProperty("tank/home", "com.example:note", "hello")
	c := sim.Client()
	ds, err := c.List(context.Background(), zfs.ListOptions{
		Roots: []string{"tank/home"}, Depth: 1, Types: []zfs.Type{zfs.TypeSnapshot},
		Properties: retention.ListProperties("com.example:note", "com.example:unset"),
	})
	require.NoError(t, err)
	require.Len(t, ds, 2)
	s, err := retention.FromDataset(ds[0])
	require.NoError(t, err)
	assert.Equal(t, "tank/home@autosnap_000", s.Name)
	assert.Equal(t, t0.Add(-time.Hour).Unix(), s.Creation.Unix())
	assert.Equal(t, ds[0].CreateTXG(), s.CreateTXG)
	assert.NotZero(t, s.CreateTXG)
	assert.Equal(t, ds[0].GUID(), s.GUID)
	assert.Equal(t, 1, s.Holds)
	assert.Equal(t, map[string]string{"com.example:note": "hello"}, s.Properties)

	// Without userrefs, holds are unknown: refused.
	ds, err = c.List(context.Background(), zfs.ListOptions{Roots: []string{"tank/home@autosnap_000"}})
	require.NoError(t, err)
	_, err = retention.FromDataset(ds[0])
	require.ErrorIs(t, err, errors.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "userrefs")

	// Not a snapshot.
	ds, err = c.List(context.Background(), zfs.ListOptions{Roots: []string{"tank/home"}, Types: []zfs.Type{zfs.TypeFilesystem}, Properties: []string{"userrefs"}})
	require.NoError(t, err)
	_, err = retention.FromDataset(ds[0])
	require.ErrorIs(t, err, errors.ErrInvalidArgument)
}

func TestPrune(t *testing.T) {
	sim := hourlySim(10)
	sim.AddSnapshot("tank/home@manual", t0.Add(-20*time.Hour)) // not owned
	c := sim.Client()
	res, err := retention.Prune(context.Background(), c, "tank/home", keep3, retention.PruneOptions{Now: t0})
	require.NoError(t, err)
	assert.False(t, res.DryRun)
	assert.Empty(t, res.Failed)
	var want []string
	for i := range 7 {
		want = append(want, fmt.Sprintf("tank/home@autosnap_%03d", i))
	}
	assert.Equal(t, want, res.Destroyed)
	assert.Equal(t, []string{"tank/home@autosnap_007", "tank/home@autosnap_008", "tank/home@autosnap_009", "tank/home@manual"}, sim.Snapshots("tank/home"))
	assert.Len(t, sim.Snapshots("tank/home/a"), 10, "not recursive")
	assert.Equal(t, 1, sim.Count("list"))
	assert.Equal(t, 1, sim.Count("destroy"))
	assert.Equal(t, 7, len(res.Plan.Destroy()))
}

func TestPruneRecursive(t *testing.T) {
	sim := hourlySim(5)
	c := sim.Client()
	res, err := retention.Prune(context.Background(), c, "tank", keep3, retention.PruneOptions{Now: t0, Recursive: true})
	require.NoError(t, err)
	assert.Len(t, res.Destroyed, 4)
	assert.Len(t, sim.Snapshots("tank/home"), 3)
	assert.Len(t, sim.Snapshots("tank/home/a"), 3)
	assert.Equal(t, 2, sim.Count("destroy"), "one command per dataset")
	for _, c := range sim.Calls() {
		if c[1] == "destroy" {
			assert.NotContains(t, c, "-r", "never a recursive destroy")
		}
	}
}

func TestPruneHeldAfterListing(t *testing.T) {
	sim := hourlySim(6)
	sim.Hold("tank/home@autosnap_000", "listed") // held at listing: kept by the plan
	sim.BeforeRun(func(argv []string) {
		if argv[1] == "destroy" {
			sim.Hold("tank/home@autosnap_001", "late") // held after the listing
		}
	})
	c := sim.Client()
	res, err := retention.Prune(context.Background(), c, "tank/home", keep3, retention.PruneOptions{Now: t0})
	require.Error(t, err)
	assert.True(t, errors.Is(err, errors.ErrBusy), "%v", err)
	require.Len(t, res.Failed, 1)
	assert.Equal(t, "tank/home@autosnap_001", res.Failed[0].Snapshot)
	assert.ErrorIs(t, res.Failed[0].Err, errors.ErrHeld)
	assert.Equal(t, []string{"tank/home@autosnap_002"}, res.Destroyed)
	assert.Equal(t, []string{"tank/home@autosnap_000", "tank/home@autosnap_001", "tank/home@autosnap_003", "tank/home@autosnap_004", "tank/home@autosnap_005"}, sim.Snapshots("tank/home"))
	assert.Equal(t, res.Plan.Decisions[0].Reason, retention.Held)
	assert.Len(t, errors.Errors(res.Err()), 1)
}

func TestPruneDryRun(t *testing.T) {
	sim := hourlySim(10)
	c := sim.Client()
	before := sim.Snapshots("tank/home")
	res, err := retention.Prune(context.Background(), c, "tank", keep3, retention.PruneOptions{Now: t0, Recursive: true, DryRun: true})
	require.NoError(t, err)
	assert.True(t, res.DryRun)
	assert.Equal(t, before, sim.Snapshots("tank/home"), "nothing destroyed")
	assert.Len(t, res.Destroyed, 14)
	assert.True(t, res.ReclaimExact)
	assert.Equal(t, uint64(14<<20), res.Reclaim, "1 MiB each")
	for _, c := range sim.Calls() {
		if c[1] == "destroy" {
			assert.Equal(t, []string{"zfs", "destroy", "-n", "-v", "-p"}, c[:5])
		}
	}
	assert.Equal(t, 2, sim.Count("destroy"))
}

func TestPruneNothingToDo(t *testing.T) {
	sim := hourlySim(2)
	res, err := retention.Prune(context.Background(), sim.Client(), "tank/home", keep3, retention.PruneOptions{Now: t0, DryRun: true})
	require.NoError(t, err)
	assert.Empty(t, res.Destroyed)
	assert.Equal(t, 0, sim.Count("destroy"))
}

func TestPruneInvalid(t *testing.T) {
	sim := hourlySim(2)
	_, err := retention.Prune(context.Background(), sim.Client(), "tank/home", retention.Policy{}, retention.PruneOptions{})
	require.ErrorIs(t, err, errors.ErrInvalidArgument)
	assert.Empty(t, sim.Calls(), "rejected before anything runs")
	_, err = retention.Prune(context.Background(), sim.Client(), "tank/nothere", keep3, retention.PruneOptions{})
	require.ErrorIs(t, err, errors.ErrNotExist)
}

func TestPruneNeeded(t *testing.T) {
	sim := hourlySim(6)
	sim.SetProperty("tank/home@autosnap_001", "com.example:base", "yes")
	res, err := retention.Prune(context.Background(), sim.Client(), "tank/home", keep3, retention.PruneOptions{
		Now:        t0,
		Properties: []string{"com.example:base"},
		Needed:     func(s retention.Snapshot) bool { return s.Properties["com.example:base"] == "yes" },
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"tank/home@autosnap_000", "tank/home@autosnap_002"}, res.Destroyed)
}

// A dataset whose snapshot list does not fit in one argument is destroyed
// with a few commands; a dry run sums their reclaims and says it is not
// exact.
func TestPruneManyBatches(t *testing.T) {
	sim := zfssim.New()
	sim.AddFilesystem("tank", nil)
	long := strings.Repeat("x", 200)
	for i := range 1200 {
		sim.AddSnapshot(fmt.Sprintf("tank@%s-%04d", long, i), t0.Add(time.Duration(i-1200)*time.Minute))
	}
	pol := retention.Policy{Rules: []retention.Rule{retention.KeepLast{N: 1}}}
	res, err := retention.Prune(context.Background(), sim.Client(), "tank", pol, retention.PruneOptions{Now: t0, DryRun: true})
	require.NoError(t, err)
	assert.False(t, res.ReclaimExact)
	assert.Len(t, res.Destroyed, 1199)
	dry := sim.Count("destroy")
	assert.Equal(t, 3, dry)
	res, err = retention.Prune(context.Background(), sim.Client(), "tank", pol, retention.PruneOptions{Now: t0})
	require.NoError(t, err)
	assert.Len(t, res.Destroyed, 1199)
	assert.Equal(t, dry, sim.Count("destroy")-dry, "dry run batches as DestroySnapshots does")
	assert.Len(t, sim.Snapshots("tank"), 1)
	assert.True(t, slices.ContainsFunc(sim.Calls(), func(c []string) bool { return len(c) == 3 && c[1] == "destroy" }))
}

// A dry run that zfs refuses for some snapshots (a clone) reports them and
// asks again without them.
func TestApplyDryRunRefused(t *testing.T) {
	f := commandtest.New(t).InOrder()
	f.Expect("zfs", "destroy", "-n", "-v", "-p", "tank/a@s1,s2,s3").
		Stdout("destroy\ttank/a@s1\ndestroy\ttank/a@s3\n").
		Stderr("cannot destroy 'tank/a@s2': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\ntank/clone\n").Exit(1)
	f.Expect("zfs", "destroy", "-n", "-v", "-p", "tank/a@s1,s3").
		Stdout("destroy\ttank/a@s1\ndestroy\ttank/a@s3\nreclaim\t8192\n")
	c := zfs.New(zfs.ClientOptions{Runner: f, TextOutput: true, Version: zfs.Version{Major: 2, Minor: 3, Patch: 2}})
	var snaps []retention.Snapshot
	for i := range 4 {
		snaps = append(snaps, retention.Snapshot{Name: fmt.Sprintf("tank/a@s%d", i+1), Creation: t0.Add(time.Duration(i) * time.Hour), CreateTXG: uint64(10 + i)})
	}
	plan, err := retention.Policy{Rules: []retention.Rule{retention.KeepLast{N: 1}}}.Evaluate(snaps, retention.EvaluateOptions{Now: t0.Add(5 * time.Hour)})
	require.NoError(t, err)
	res, err := retention.Apply(context.Background(), c, plan, retention.ApplyOptions{DryRun: true})
	require.Error(t, err)
	assert.ErrorIs(t, err, errors.ErrHasClones)
	require.Len(t, res.Failed, 1)
	assert.Equal(t, "tank/a@s2", res.Failed[0].Snapshot)
	assert.Equal(t, []string{"tank/a@s1", "tank/a@s3"}, res.Destroyed)
	assert.Equal(t, uint64(8192), res.Reclaim)
}
