package zpool_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/zfs"
	"github.com/gozfs/gozfs/zpool"
)

// One zfs.Client shared by zfs and zpool: one runner, one version probe.
func ExampleNew() {
	zc := zfs.New(zfs.ClientOptions{})
	pools := zpool.New(zc)
	_ = pools
}

func ExampleClient_Pools() {
	ctx := context.Background()
	c := zpool.New(nil)
	pools, err := c.Pools(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range pools {
		fmt.Printf("%s %s %d%% full, %d bytes free, fragmentation %d%%\n",
			p.Name, p.Health, p.Capacity, p.Free, p.Fragmentation)
		if p.Features["zstd_compress"] == zpool.FeatureDisabled {
			fmt.Println("  zstd is not enabled")
		}
	}
}

func ExampleClient_Status() {
	ctx := context.Background()
	c := zpool.New(nil)
	st, err := c.Status(ctx, "tank")
	if errors.Is(err, errors.ErrNotExist) {
		log.Fatal("no pool named tank")
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Name, st.State, st.Status)
	for _, v := range st.Vdevs() {
		if !v.State.Healthy() || v.ReadErrors+v.WriteErrors+v.ChecksumErrors > 0 {
			fmt.Printf("%s (%s): %s, %d/%d/%d errors\n", v.Name, v.Type, v.State,
				v.ReadErrors, v.WriteErrors, v.ChecksumErrors)
		}
	}
	for _, file := range st.Errors {
		fmt.Println("damaged:", file)
	}
}

// Start a scrub, wait for it with a deadline, and report how it went.
func ExampleClient_Scrub() {
	ctx := context.Background()
	c := zpool.New(nil)
	if err := c.Scrub(ctx, "tank", zpool.ScrubOptions{}); err != nil {
		log.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	if err := c.Wait(wctx, "tank", zpool.ActivityScrub); errors.Is(err, context.DeadlineExceeded) {
		// Still running: pause it until the next maintenance window.
		if err := c.PauseScrub(ctx, "tank"); err != nil {
			log.Fatal(err)
		}
		return
	} else if err != nil {
		log.Fatal(err)
	}
	st, err := c.Status(ctx, "tank")
	if err != nil {
		log.Fatal(err)
	}
	if s := st.Scan; s != nil {
		fmt.Printf("%s %s: %d bytes repaired, %d errors\n", s.Function, s.State, s.Processed, s.Errors)
	}
}

func ExampleClient_Create() {
	ctx := context.Background()
	c := zpool.New(nil)
	err := c.Create(ctx, "tank", zpool.Layout{
		Vdevs:  []zpool.VdevSpec{zpool.RAIDZ(2, "sda", "sdb", "sdc", "sdd", "sde", "sdf")},
		Logs:   []zpool.VdevSpec{zpool.Mirror("nvme0n1p1", "nvme1n1p1")},
		Cache:  []string{"nvme2n1"},
		Spares: []string{"sdg"},
	}, zpool.CreateOptions{
		Properties:   map[string]string{"ashift": "12"},
		FSProperties: map[string]string{"compression": "zstd"},
	})
	if errors.Is(err, errors.ErrExist) {
		log.Fatal("tank exists already")
	} else if err != nil {
		log.Fatal(err)
	}
}

func ExampleClient_IostatStream() {
	ctx := context.Background()
	c := zpool.New(nil)
	n := 0
	for s, err := range c.IostatStream(ctx, 5*time.Second, 0, zpool.IostatOptions{Pools: []string{"tank"}}) {
		if err != nil {
			log.Fatal(err)
		}
		p := s.Pool("tank")
		fmt.Printf("%s read %d B/s, write %d B/s\n", s.Time.Format(time.TimeOnly), p.ReadBytes, p.WriteBytes)
		if n++; n == 12 {
			break // stops zpool iostat
		}
	}
}

func ExampleParseStatus() {
	out := `  pool: tank
 state: DEGRADED
status: One or more devices has been taken offline by the administrator.
	Sufficient replicas exist for the pool to continue functioning in a
	degraded state.
action: Online the device using 'zpool online' or replace the device with
	'zpool replace'.
  scan: scrub repaired 0B in 00:00:05 with 0 errors on Sun Nov 22 05:11:41 2026
config:

	NAME        STATE     READ WRITE CKSUM
	tank        DEGRADED     0     0     0
	  mirror-0  DEGRADED     0     0     0
	    sda     OFFLINE      0     0     0
	    sdb     ONLINE       0     0     0

errors: No known data errors
`
	all, err := zpool.ParseStatus([]byte(out))
	if err != nil {
		log.Fatal(err)
	}
	st := all[0]
	fmt.Println(st.Name, st.State)
	fmt.Println(st.Scan.Function, st.Scan.State, st.Scan.End.Format(time.DateTime))
	var walk func(v *zpool.Vdev, indent string)
	walk = func(v *zpool.Vdev, indent string) {
		fmt.Println(indent+v.Name, v.Type, v.State)
		for _, c := range v.Children {
			walk(c, indent+"  ")
		}
	}
	walk(st.Root, "")
	fmt.Println(strings.HasPrefix(st.Status, "One or more devices"))
	// Output:
	// tank DEGRADED
	// scrub finished 2026-11-22 05:11:41
	// tank root DEGRADED
	//   mirror-0 mirror DEGRADED
	//     sda disk OFFLINE
	//     sdb disk ONLINE
	// true
}

func ExampleDRAIDConfig() {
	spec := zpool.DRAID(zpool.DRAIDConfig{Parity: 2, Data: 4, Children: 11, Spares: 1},
		"d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10")
	fmt.Println(spec.Type, len(spec.Devices))
	// Output: draid2:4d:11c:1s 11
}
