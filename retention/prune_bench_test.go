package retention_test

import (
	"context"
	"testing"
	"time"

	"github.com/gozfs/gozfs/internal/zfssim"
	"github.com/gozfs/gozfs/retention"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/require"
)

// pruneSim returns a simulator with n hourly snapshots of tank/home named
// as sanoid names them.
func pruneSim(n int, now time.Time) *zfssim.Sim {
	sim := zfssim.New()
	sim.AddFilesystem("tank", nil)
	sim.AddFilesystem("tank/home", nil)
	for i := range n {
		at := now.Add(-time.Duration(n-i) * time.Hour)
		sim.AddSnapshot("tank/home@autosnap_"+at.Format("2006-01-02_15:04:05")+"_hourly", at)
	}
	return sim
}

// BenchmarkPrune10000 prunes 10,000 hourly snapshots of a dataset to a
// sanoid-style policy (36 hourly, 30 daily, 6 monthly) through the
// simulated zfs, and counts the zfs destroy commands: destroys/op for
// Prune, baseline-destroys/op for one `zfs destroy` per snapshot (as a
// script looping over the plan does), and ratio = baseline ÷ ours.
func BenchmarkPrune10000(b *testing.B) {
	const n = 10000
	now := time.Date(2026, 12, 3, 6, 30, 0, 0, time.UTC)
	policy := retention.Policy{
		Filter: retention.Filter{Prefix: "autosnap_"},
		Rules:  []retention.Rule{retention.KeepPeriods{Hourly: 36, Daily: 30, Monthly: 6}},
	}
	ctx := context.Background()
	var ours, baseline, destroyed int
	for b.Loop() {
		b.StopTimer()
		sim := pruneSim(n, now)
		b.StartTimer()
		res, err := retention.Prune(ctx, sim.Client(), "tank/home", policy, retention.PruneOptions{Now: now})
		require.NoError(b, err)
		b.StopTimer()
		ours += sim.Count("destroy")
		destroyed = len(res.Destroyed)
		require.Equal(b, n-destroyed, len(sim.Snapshots("tank/home")), "snapshots left")

		// Baseline: the same plan, one command per snapshot.
		sim = pruneSim(n, now)
		c := sim.Client()
		for _, s := range res.Plan.Destroy() {
			require.NoError(b, c.Destroy(ctx, s.Name, zfs.DestroyOptions{}))
		}
		baseline += sim.Count("destroy")
		b.StartTimer()
	}
	runs := float64(b.N)
	b.ReportMetric(float64(destroyed), "snapshots-destroyed")
	b.ReportMetric(float64(ours)/runs, "destroys/op")
	b.ReportMetric(float64(baseline)/runs, "baseline-destroys/op")
	b.ReportMetric(float64(baseline)/float64(ours), "ratio")
}
