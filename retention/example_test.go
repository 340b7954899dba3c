package retention_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gozfs/gozfs/internal/zfssim"
	"github.com/gozfs/gozfs/retention"
)

// hourly returns n snapshots of tank/home taken every hour up to last,
// named autosnap_<time>.
func hourly(n int, last time.Time) []retention.Snapshot {
	snaps := make([]retention.Snapshot, n)
	for i := range snaps {
		t := last.Add(-time.Duration(n-1-i) * time.Hour)
		snaps[i] = retention.Snapshot{
			Name:      "tank/home@autosnap_" + t.Format("2006-01-02_15:04"),
			Creation:  t,
			CreateTXG: uint64(1000 + 10*i),
			GUID:      uint64(1 + i),
		}
	}
	return snaps
}

func ExamplePolicy_Evaluate() {
	now := time.Date(2026, 12, 3, 6, 30, 0, 0, time.UTC)
	snaps := hourly(6, now.Add(-30*time.Minute))
	snaps[1].Holds = 1 // someone holds 02:00
	snaps = append(snaps, retention.Snapshot{
		Name: "tank/home@before-upgrade", Creation: now.Add(-3 * time.Hour), CreateTXG: 1025,
	})

	policy := retention.Policy{
		Filter: retention.Filter{Prefix: "autosnap_"},
		Rules:  []retention.Rule{retention.KeepLast{N: 3}},
	}
	plan, err := policy.Evaluate(snaps, retention.EvaluateOptions{Now: now})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range plan.Destroy() {
		fmt.Println("destroy", s.Name)
	}
	fmt.Println()
	plan.WriteTo(os.Stdout)
	// Output:
	// destroy tank/home@autosnap_2026-12-03_01:00
	// destroy tank/home@autosnap_2026-12-03_03:00
	//
	// destroy  tank/home@autosnap_2026-12-03_01:00  2026-12-03 01:00:00 UTC  no rule keeps it
	// keep     tank/home@autosnap_2026-12-03_02:00  2026-12-03 02:00:00 UTC  held (1 hold); no rule keeps it
	// destroy  tank/home@autosnap_2026-12-03_03:00  2026-12-03 03:00:00 UTC  no rule keeps it
	// keep     tank/home@before-upgrade             2026-12-03 03:30:00 UTC  not owned by the policy (it owns prefix "autosnap_")
	// keep     tank/home@autosnap_2026-12-03_04:00  2026-12-03 04:00:00 UTC  last 3
	// keep     tank/home@autosnap_2026-12-03_05:00  2026-12-03 05:00:00 UTC  last 3
	// keep     tank/home@autosnap_2026-12-03_06:00  2026-12-03 06:00:00 UTC  last 3
	// 7 snapshots: keep 5, destroy 2 (evaluated at 2026-12-03 06:30:00 UTC)
}

func ExampleParseGrid() {
	g, err := retention.ParseGrid("1x1h(keep=all) | 24x1h | 14x1d | 12x30d")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, iv := range g.Intervals {
		fmt.Println(iv.Count, iv.Length, iv.Keep)
	}
	_, err = retention.ParseGrid("1x1h(keep=all) | 24x1h | 14x1y")
	fmt.Println(err)
	// Output:
	// 1 1h0m0s -1
	// 24 1h0m0s 1
	// 14 24h0m0s 1
	// 12 720h0m0s 1
	// retention: grid "1x1h(keep=all) | 24x1h | 14x1y", entry 3 at offset 29: expected a unit (s, m, h, d or w) after the bucket length, found "y"
}

func ExampleKeepGrid() {
	// Snapshots every hour for three days; keep all of the last 3 hours,
	// one per 6 hours for a day, one per day for a week.
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	snaps := hourly(72, now)
	policy := retention.Policy{
		Rules: []retention.Rule{retention.KeepGrid{Grid: retention.MustParseGrid("1x3h(keep=all) | 4x6h | 7x1d")}},
	}
	plan, err := policy.Evaluate(snaps, retention.EvaluateOptions{Now: now})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, d := range plan.Decisions {
		if d.Keep {
			fmt.Println(snaps[i].Name, "-", plan.Explain(i))
		}
	}
	// Output:
	// tank/home@autosnap_2026-11-30_13:00 - grid 1x3h(keep=all) | 4x6h | 7x1d: 7x1d bucket from 2026-11-30
	// tank/home@autosnap_2026-12-01_00:00 - grid 1x3h(keep=all) | 4x6h | 7x1d: 7x1d bucket from 2026-12-01
	// tank/home@autosnap_2026-12-02_00:00 - grid 1x3h(keep=all) | 4x6h | 7x1d: 7x1d bucket from 2026-12-02
	// tank/home@autosnap_2026-12-02_06:00 - grid 1x3h(keep=all) | 4x6h | 7x1d: 4x6h bucket from 2026-12-02 06:00 UTC
	// tank/home@autosnap_2026-12-02_12:00 - grid 1x3h(keep=all) | 4x6h | 7x1d: 4x6h bucket from 2026-12-02 12:00 UTC
	// tank/home@autosnap_2026-12-02_18:00 - grid 1x3h(keep=all) | 4x6h | 7x1d: 4x6h bucket from 2026-12-02 18:00 UTC
	// tank/home@autosnap_2026-12-03_00:00 - grid 1x3h(keep=all) | 4x6h | 7x1d: 4x6h bucket from 2026-12-03 00:00 UTC
	// tank/home@autosnap_2026-12-03_06:00 - grid 1x3h(keep=all) | 4x6h | 7x1d: 4x6h bucket from 2026-12-03 06:00 UTC
	// tank/home@autosnap_2026-12-03_10:00 - grid 1x3h(keep=all) | 4x6h | 7x1d: 1x3h(keep=all)
	// tank/home@autosnap_2026-12-03_11:00 - grid 1x3h(keep=all) | 4x6h | 7x1d: 1x3h(keep=all)
	// tank/home@autosnap_2026-12-03_12:00 - grid 1x3h(keep=all) | 4x6h | 7x1d: 1x3h(keep=all)
}

func ExampleKeepPeriods() {
	// sanoid's "hourly = 6, daily = 3" in Berlin time, for snapshots taken
	// by sanoid (autosnap_...) only; a snapshot that replication still needs
	// (GUID 30) is kept too.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	snaps := hourly(72, now)
	policy := retention.Policy{
		Filter:   retention.Filter{Prefix: "autosnap_"},
		Location: berlin,
		Rules:    []retention.Rule{retention.KeepPeriods{Hourly: 6, Daily: 3}},
	}
	plan, err := policy.Evaluate(snaps, retention.EvaluateOptions{Now: now, Needed: retention.NeededGUIDs(30)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, d := range plan.Decisions {
		if d.Keep {
			fmt.Println(snaps[i].Creation.In(berlin).Format("Jan 2 15:04"), "-", plan.Explain(i))
		}
	}
	// Output:
	// Dec 1 19:00 - needed by the caller; no rule keeps it
	// Dec 1 23:00 - periods hourly=6 daily=3: daily 2026-12-01
	// Dec 2 23:00 - periods hourly=6 daily=3: daily 2026-12-02
	// Dec 3 08:00 - periods hourly=6 daily=3: hourly 2026-12-03 08:00 CET
	// Dec 3 09:00 - periods hourly=6 daily=3: hourly 2026-12-03 09:00 CET
	// Dec 3 10:00 - periods hourly=6 daily=3: hourly 2026-12-03 10:00 CET
	// Dec 3 11:00 - periods hourly=6 daily=3: hourly 2026-12-03 11:00 CET
	// Dec 3 12:00 - periods hourly=6 daily=3: hourly 2026-12-03 12:00 CET
	// Dec 3 13:00 - periods hourly=6 daily=3: hourly 2026-12-03 13:00 CET
}

// Prune a dataset: one listing, one batched destroy per dataset, every
// failure named. Here a simulated zfs stands in for the real one.
func ExamplePrune() {
	now := time.Date(2026, 12, 3, 6, 30, 0, 0, time.UTC)
	sim := zfssim.New()
	sim.AddFilesystem("tank", nil)
	sim.AddFilesystem("tank/home", nil)
	for _, s := range hourly(6, now.Add(-30*time.Minute)) {
		sim.Write("tank/home", 1<<20)
		sim.AddSnapshot(s.Name, s.Creation)
	}
	sim.Hold("tank/home@autosnap_2026-12-03_02:00", "backup")
	c := sim.Client() // in production: zfs.New(zfs.ClientOptions{})
	policy := retention.Policy{
		Filter: retention.Filter{Prefix: "autosnap_"},
		Rules:  []retention.Rule{retention.KeepLast{N: 2}},
	}
	ctx := context.Background()

	// What would go, and the space it would free.
	dry, err := retention.Prune(ctx, c, "tank/home", policy, retention.PruneOptions{Now: now, DryRun: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(dry.Destroyed, dry.Reclaim>>20, "MiB")

	res, err := retention.Prune(ctx, c, "tank/home", policy, retention.PruneOptions{Now: now})
	for _, f := range res.Failed {
		fmt.Println("failed:", f.Snapshot, f.Err)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("destroyed", len(res.Destroyed))
	fmt.Println(sim.Snapshots("tank/home"))
	for _, argv := range sim.Calls() {
		fmt.Println(argv[1:3])
	}
	// Output:
	// [tank/home@autosnap_2026-12-03_01:00 tank/home@autosnap_2026-12-03_03:00 tank/home@autosnap_2026-12-03_04:00] 3 MiB
	// destroyed 3
	// [tank/home@autosnap_2026-12-03_02:00 tank/home@autosnap_2026-12-03_05:00 tank/home@autosnap_2026-12-03_06:00]
	// [list -H]
	// [destroy -n]
	// [list -H]
	// [destroy tank/home@autosnap_2026-12-03_01:00,autosnap_2026-12-03_03:00,autosnap_2026-12-03_04:00]
}
