// Command zpoolstatus is a pool health check built on the zpool package: it
// prints every pool's health, capacity, scan and vdev tree, and exits with
// status 1 when a pool or device has a problem (2 on failure to ask).
//
//	zpoolstatus [-scrub] [pool...]
//
// With -scrub it also starts a scrub of each pool and waits for it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/gozfs/gozfs/zfs"
	"github.com/gozfs/gozfs/zpool"
)

func main() {
	scrub := flag.Bool("scrub", false, "scrub each pool and wait for the scrub")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	c := zpool.New(zfs.New(zfs.ClientOptions{}))
	pools, err := c.Pools(ctx, flag.Args()...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "zpoolstatus:", err)
		os.Exit(2)
	}
	unhealthy := false
	for _, p := range pools {
		if *scrub {
			if err := c.Scrub(ctx, p.Name, zpool.ScrubOptions{Wait: true}); err != nil {
				fmt.Fprintln(os.Stderr, "zpoolstatus:", err)
				os.Exit(2)
			}
		}
		st, err := c.Status(ctx, p.Name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "zpoolstatus:", err)
			os.Exit(2)
		}
		if report(p, st) {
			unhealthy = true
		}
	}
	if unhealthy {
		os.Exit(1)
	}
}

// report prints one pool and tells whether it has a problem.
func report(p *zpool.Pool, st *zpool.Status) (problem bool) {
	fmt.Printf("%s: %s, %d%% used of %s, fragmentation %d%%\n",
		p.Name, st.State, p.Capacity, size(p.Size), p.Fragmentation)
	if st.Status != "" {
		fmt.Printf("  status: %s\n  action: %s\n", st.Status, st.Action)
	}
	if s := st.Scan; s != nil {
		switch s.State {
		case zpool.ScanScanning:
			fmt.Printf("  %s in progress, %.1f%% done\n", s.Function, s.Percent)
		default:
			fmt.Printf("  last %s %s at %s with %d errors\n", s.Function, s.State, s.End.Format("2006-01-02 15:04"), s.Errors)
		}
	}
	problem = !st.State.Healthy() || st.ErrorCount > 0
	var walk func(v *zpool.Vdev, depth int)
	walk = func(v *zpool.Vdev, depth int) {
		errs := v.ReadErrors + v.WriteErrors + v.ChecksumErrors
		mark := ""
		if !v.State.Healthy() || errs > 0 {
			mark, problem = "  <--", true
		}
		fmt.Printf("  %s%-*s %-9s %-8s %d/%d/%d%s\n", strings.Repeat("  ", depth), 40-2*depth, v.Name, v.Type, v.State,
			v.ReadErrors, v.WriteErrors, v.ChecksumErrors, mark)
		for _, c := range v.Children {
			walk(c, depth+1)
		}
	}
	if st.Root != nil {
		walk(st.Root, 0)
	}
	for _, class := range []struct {
		name  string
		vdevs []*zpool.Vdev
	}{{"logs", st.Logs}, {"special", st.Special}, {"dedup", st.Dedup}, {"cache", st.Cache}, {"spares", st.Spares}} {
		if len(class.vdevs) == 0 {
			continue
		}
		fmt.Printf("  %s\n", class.name)
		for _, v := range class.vdevs {
			walk(v, 1)
		}
	}
	for _, f := range st.Errors {
		fmt.Printf("  damaged: %s\n", f)
	}
	return problem
}

func size(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f%ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
