// Command snaprotate takes a snapshot named <prefix>-<UTC timestamp> of a
// dataset and destroys the oldest snapshots with that prefix beyond the
// newest N, in one batch (one zfs command per dataset, atomic, reporting
// every snapshot that could not be destroyed, such as held ones).
//
// Usage:
//
//	snaprotate [-prefix auto] [-keep 24] [-r] [-n] dataset
//
// With -n nothing changes: it prints the snapshot it would take and the ones
// it would destroy, with the space that would be freed. With -r the snapshot
// is recursive and so is the destruction of old ones.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/zfs"
)

func main() {
	os.Exit(run(context.Background(), zfs.New(zfs.ClientOptions{}), time.Now(), os.Args[1:], os.Stdout, os.Stderr))
}

// stampFormat sorts lexically in time order.
const stampFormat = "20060102-150405"

func run(ctx context.Context, c *zfs.Client, now time.Time, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("snaprotate", flag.ContinueOnError)
	fl.SetOutput(stderr)
	prefix := fl.String("prefix", "auto", "snapshot name prefix")
	keep := fl.Int("keep", 24, "number of snapshots with the prefix to keep (including the new one)")
	recursive := fl.Bool("r", false, "snapshot and destroy recursively")
	dryRun := fl.Bool("n", false, "dry run: change nothing, print what would be done")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() != 1 || *keep < 1 || *prefix == "" {
		fmt.Fprintln(stderr, "usage: snaprotate [-prefix p] [-keep n>=1] [-r] [-n] dataset")
		return 2
	}
	ds := fl.Arg(0)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	if err := rotate(ctx, c, ds, *prefix, *keep, *recursive, *dryRun, now, stdout); err != nil {
		for _, e := range errors.Errors(err) {
			fmt.Fprintln(stderr, "snaprotate:", e)
		}
		return 1
	}
	return 0
}

func rotate(ctx context.Context, c *zfs.Client, ds, prefix string, keep int, recursive, dryRun bool, now time.Time, out io.Writer) error {
	name := prefix + "-" + now.UTC().Format(stampFormat)
	// One listing: the dataset's snapshots, oldest first.
	existing, err := c.List(ctx, zfs.ListOptions{Roots: []string{ds}, Depth: 1, Types: []zfs.Type{zfs.TypeSnapshot}, Sort: []zfs.SortKey{{Property: "createtxg"}}})
	if err != nil {
		return err
	}
	var ours []string
	for _, d := range existing {
		s := d.AsSnapshot()
		if s != nil && strings.HasPrefix(s.ShortName(), prefix+"-") && s.ShortName() != name {
			ours = append(ours, s.Name())
		}
	}
	// The new snapshot counts towards keep.
	var old []string
	if n := len(ours) + 1 - keep; n > 0 {
		old = ours[:n]
	}
	if dryRun {
		fmt.Fprintf(out, "would create %s@%s\n", ds, name)
		if len(old) == 0 {
			return nil
		}
		shorts := make([]string, len(old))
		for i, s := range old {
			shorts[i] = s[len(ds)+1:]
		}
		plan, err := c.DestroyDryRun(ctx, ds+"@"+strings.Join(shorts, ","), zfs.DestroyOptions{Recursive: recursive})
		if err != nil {
			return err
		}
		for _, s := range plan.Destroy {
			fmt.Fprintf(out, "would destroy %s\n", s)
		}
		fmt.Fprintf(out, "would reclaim %d bytes\n", plan.Reclaim)
		return nil
	}
	snaps, err := c.CreateSnapshots(ctx, []string{ds + "@" + name}, zfs.SnapshotOptions{Recursive: recursive})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created %s\n", snaps[0].Name())
	if len(old) == 0 {
		return nil
	}
	err = c.DestroySnapshots(ctx, old, zfs.DestroyOptions{Recursive: recursive})
	failed := map[string]bool{}
	for _, e := range errors.Errors(err) {
		var ze *errors.Error
		if errors.As(e, &ze) {
			failed[ze.Name] = true
		}
	}
	for _, s := range old {
		if !failed[s] {
			fmt.Fprintf(out, "destroyed %s\n", s)
		}
	}
	return err
}
