package autosnap_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gozfs/gozfs/autosnap"
	"github.com/gozfs/gozfs/internal/zfssim"
	"github.com/gozfs/gozfs/retention"
)

// An hourly run from cron on a tree where one dataset opts out: one
// listing, one atomic snapshot command, then pruning to the 3 newest
// hourly snapshots of each dataset, in one destroy command per dataset.
func ExampleRun() {
	now := time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC)
	// A simulated zfs: tank/home with two children; tank/home/cache opts out.
	sim := zfssim.New()
	sim.SetClock(func() time.Time { return now })
	sim.AddFilesystem("tank", nil)
	sim.AddFilesystem("tank/home", nil)
	sim.AddFilesystem("tank/home/alice", nil)
	sim.AddFilesystem("tank/home/cache", map[string]string{"com.sun:auto-snapshot": "false"})
	for h := 1; h <= 4; h++ {
		at := now.Add(time.Duration(h-5) * time.Hour)
		sim.AddSnapshot("tank/home@"+autosnap.ZFSAutoSnapshot().Name("hourly", at), at)
		sim.AddSnapshot("tank/home/alice@"+autosnap.ZFSAutoSnapshot().Name("hourly", at), at)
	}
	c := sim.Client() // in production: zfs.New(zfs.ClientOptions{})

	res, err := autosnap.Run(context.Background(), c, autosnap.Options{
		Roots:     []string{"tank/home"},
		Recursive: true,
		Labels: []autosnap.Label{
			{Name: "hourly", Keep: []retention.Rule{retention.KeepLast{N: 3}}},
		},
		Now: now,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Plan.WriteTo(os.Stdout)
	for _, s := range res.Prune.Destroyed {
		fmt.Println("destroyed", s)
	}
	for _, argv := range sim.Calls() {
		fmt.Println(argv[:2])
	}
	// Output:
	// hourly: zfs snapshot tank/home@zfs-auto-snap_hourly-2026-12-03-0600 tank/home/alice@zfs-auto-snap_hourly-2026-12-03-0600 (2 datasets)
	//   skip tank/home/cache: opted out (com.sun:auto-snapshot=false)
	// destroyed tank/home@zfs-auto-snap_hourly-2026-12-03-0200
	// destroyed tank/home@zfs-auto-snap_hourly-2026-12-03-0300
	// destroyed tank/home/alice@zfs-auto-snap_hourly-2026-12-03-0200
	// destroyed tank/home/alice@zfs-auto-snap_hourly-2026-12-03-0300
	// [zfs list]
	// [zfs snapshot]
	// [zfs list]
	// [zfs destroy]
	// [zfs destroy]
}

// sanoid's naming and schedule: "hourly" and "daily" are due once per
// calendar hour and day of the given time zone, so a run at 06:20 after
// one at 06:05 takes nothing.
func ExampleDue() {
	loc := time.UTC
	hourly := autosnap.Every(retention.Hourly, 0, loc)
	last := time.Date(2026, 12, 3, 6, 5, 0, 0, loc)
	fmt.Println(autosnap.Due(hourly, last, last.Add(15*time.Minute)))
	fmt.Println(autosnap.Due(hourly, last, last.Add(time.Hour)))
	fmt.Println(autosnap.Due(hourly, last, last.Add(72*time.Hour)), "(once, however many runs were missed)")
	fmt.Println(autosnap.Sanoid().Name("hourly", last))
	// Output:
	// false
	// true
	// true (once, however many runs were missed)
	// autosnap_2026-12-03_06:05:00_hourly
}

// Cron expressions, parsed by github.com/robfig/cron/v3, in a time zone.
func ExampleCron() {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := autosnap.Cron("0 */4 * * 1-5", berlin) // every 4 hours on weekdays
	if err != nil {
		fmt.Println(err)
		return
	}
	t := time.Date(2026, 12, 4, 17, 0, 0, 0, berlin) // a Friday
	for range 3 {
		t = s.Next(t)
		fmt.Println(t.Format("Mon 15:04 MST"))
	}
	_, err = autosnap.Cron("0 25 * * *", berlin)
	fmt.Println(err)
	// Output:
	// Fri 20:00 CET
	// Mon 00:00 CET
	// Mon 04:00 CET
	// zfs snapshot: invalid argument: cron expression "0 25 * * *": end of range (25) above maximum (23): 25
}

// The names of zfs-auto-snapshot and sanoid, and the filters pruning uses.
func ExampleNaming() {
	at := time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC)
	fmt.Println(autosnap.ZFSAutoSnapshot().Name("hourly", at))
	fmt.Println(autosnap.Sanoid().Name("hourly", at))
	custom := autosnap.Naming{Format: "{label}.{time}", Layout: "20060102T150405Z"}
	fmt.Println(custom.Name("daily", at))
	fmt.Println(autosnap.Sanoid().Filter("hourly"))
	// Output:
	// zfs-auto-snap_hourly-2026-12-03-0600
	// autosnap_2026-12-03_06:00:00_hourly
	// daily.20261203T060000Z
	// regexp "^autosnap_[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{2}:[0-9]{2}:[0-9]{2}_(?:hourly)$"
}
