package retention_test

import (
	"fmt"
	"os"
	"time"

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
