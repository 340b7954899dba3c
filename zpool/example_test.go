package zpool_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"strings"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/zfs"
	"github.com/gozfs/gozfs/zpool"
)

// List the imported pools with their capacity and health, from one
// `zpool get all`.
func ExampleClient_Pools() {
	ctx := context.Background()
	c := zpool.New(zfs.New(zfs.ClientOptions{Runner: replay(recordedPools)}))

	pools, err := c.Pools(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range pools {
		fmt.Printf("%s %s: %d of %d bytes free (%d%% full, %d%% fragmented)\n",
			p.Name, p.Health, p.Free, p.Size, p.Capacity, p.Fragmentation)
		fmt.Println("  zstd_compress:", p.Features["zstd_compress"], "autotrim:", p.Autotrim)
	}
	// Output:
	// tank ONLINE: 209509888 of 251658240 bytes free (16% full, 8% fragmented)
	//   zstd_compress: enabled autotrim: false
}

// Read the status of a pool after a scrub found damage on one of its disks:
// its state, zpool's explanation and the vdevs that are not healthy or have
// errors. The mirror repaired the damage, so no data was lost.
func ExampleClient_Status() {
	ctx := context.Background()
	c := zpool.New(zfs.New(zfs.ClientOptions{Runner: replay(recordedStatus)}))

	st, err := c.Status(ctx, "tank")
	if errors.Is(err, errors.ErrNotExist) {
		log.Fatal("no pool named tank")
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Name, st.State)
	fmt.Println(st.Status)
	for _, v := range st.Vdevs() {
		if !v.State.Healthy() || v.ReadErrors+v.WriteErrors+v.ChecksumErrors > 0 {
			fmt.Printf("%s (%s): %s, %d/%d/%d errors\n", v.Name, v.Type, v.State,
				v.ReadErrors, v.WriteErrors, v.ChecksumErrors)
		}
	}
	fmt.Println(st.ErrorCount, "data errors")
	// Output:
	// tank ONLINE
	// One or more devices has experienced an unrecoverable error. An attempt was made to correct the error. Applications are unaffected.
	// /dev/sdb (disk): ONLINE, 0/0/343 errors
	// 0 data errors
}

// Create a pool from a layout: a RAID-Z vdev, a mirrored log, a cache device
// and a spare. A dry run shows the layout first; then the status shows the
// vdev tree of the new pool.
func ExampleClient_Create() {
	ctx := context.Background()
	c := zpool.New(zfs.New(zfs.ClientOptions{Runner: replay(recordedCreate)}))

	layout := zpool.Layout{
		Vdevs:  []zpool.VdevSpec{zpool.RAIDZ(1, "sdb", "sdc", "sdd")},
		Logs:   []zpool.VdevSpec{zpool.Mirror("sde", "sdf")},
		Cache:  []string{"sdg"},
		Spares: []string{"sdh"},
	}
	opts := zpool.CreateOptions{
		Properties:   map[string]string{"ashift": "12"},
		FSProperties: map[string]string{"compression": "zstd"},
		Mountpoint:   "/mnt/tank",
	}
	plan, err := c.CreateDryRun(ctx, "tank", layout, opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(plan)

	if err := c.Create(ctx, "tank", layout, opts); err != nil {
		log.Fatal(err)
	}
	st, err := c.Status(ctx, "tank")
	if err != nil {
		log.Fatal(err)
	}
	var walk func(v *zpool.Vdev, indent string)
	walk = func(v *zpool.Vdev, indent string) {
		fmt.Println(indent+v.Name, v.Type, v.State)
		for _, c := range v.Children {
			walk(c, indent+"  ")
		}
	}
	walk(st.Root, "")
	for _, v := range slices.Concat(st.Logs, st.Cache, st.Spares) {
		fmt.Print(v.Class, ": ")
		walk(v, "")
	}

	// zpool checks the devices first: they are in use.
	err = c.Create(ctx, "tank", layout, opts)
	fmt.Println(errors.KindOf(err), err)
	// Output:
	// would create 'tank' with the following layout:
	//
	// 	tank
	// 	  raidz1
	// 	    /dev/sdb
	// 	    /dev/sdc
	// 	    /dev/sdd
	// 	logs
	// 	  mirror
	// 	    /dev/sde
	// 	    /dev/sdf
	// 	cache
	// 	  /dev/sdg
	// 	spares
	// 	  /dev/sdh
	// tank root ONLINE
	//   raidz1-0 raidz ONLINE
	//     /dev/sdb disk ONLINE
	//     /dev/sdc disk ONLINE
	//     /dev/sdd disk ONLINE
	// log: mirror-1 mirror ONLINE
	//   /dev/sde disk ONLINE
	//   /dev/sdf disk ONLINE
	// cache: /dev/sdg disk ONLINE
	// spare: /dev/sdh disk AVAIL
	// busy zpool create tank: /dev/sdb is part of active pool 'tank'
}

// Start a scrub, wait for it with a deadline, and report how it went.
func ExampleClient_Scrub() {
	ctx := context.Background()
	c := zpool.New(zfs.New(zfs.ClientOptions{Runner: replay(recordedScrub)}))

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
		fmt.Printf("%s %s: %d bytes repaired, %d errors, %.0f%% done\n", s.Function, s.State, s.Processed, s.Errors, s.Percent)
	}
	// Output:
	// scrub finished: 0 bytes repaired, 0 errors, 100% done
}

// Move a pool: export it, see what `zpool import` finds on the disks, and
// import it again under another name.
func ExampleClient_Export() {
	ctx := context.Background()
	c := zpool.New(zfs.New(zfs.ClientOptions{Runner: replay(recordedExport)}))

	if err := c.Export(ctx, "tank", zpool.ExportOptions{}); err != nil {
		log.Fatal(err)
	}
	src := zpool.ImportSource{Dirs: []string{"/dev"}}
	found, err := c.ImportList(ctx, src)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range found {
		fmt.Println(p.Name, p.GUID, p.State, len(p.Root.Leaves()), "disks")
	}
	err = c.Import(ctx, "tank", zpool.ImportOptions{Source: src, NewName: "backup"})
	if err != nil {
		log.Fatal(err)
	}
	p, err := c.Pool(ctx, "backup")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Name, p.GUID == found[0].GUID, p.Health)
	// Output:
	// tank 1410652586924372549 ONLINE 2 disks
	// backup true ONLINE
}

// Sample a pool's I/O every second; the first sample is the average since
// the pool was imported. Breaking out of the loop stops zpool iostat.
func ExampleClient_IostatStream() {
	ctx := context.Background()
	c := zpool.New(zfs.New(zfs.ClientOptions{Runner: replay(recordedIostat)}))

	n := 0
	for s, err := range c.IostatStream(ctx, time.Second, 0, zpool.IostatOptions{Pools: []string{"tank"}}) {
		if err != nil {
			log.Fatal(err)
		}
		p := s.Pool("tank")
		fmt.Printf("%d bytes allocated; %d reads/s, %d writes/s\n", p.Alloc, p.ReadOps, p.WriteOps)
		if n++; n == 3 {
			break // stops zpool iostat
		}
	}
	// Output:
	// 42149376 bytes allocated; 0 reads/s, 19 writes/s
	// 42149376 bytes allocated; 0 reads/s, 0 writes/s
	// 42149376 bytes allocated; 0 reads/s, 0 writes/s
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
