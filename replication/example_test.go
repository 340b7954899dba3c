package replication_test

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/replication"
	"github.com/gozfs/gozfs/retention"
	"github.com/gozfs/gozfs/zfs"
)

// exampleHost is a scripted stand-in for a host's zfs, so that the examples
// run without ZFS: listings come from canned output, zfs send writes a few
// bytes, zfs receive reads them and reports the snapshots of the stream,
// and anything else succeeds (and is printed, to show what a run does).
type exampleHost struct {
	name     string
	listings map[string]string // dataset → `zfs list -H -p` output
}

func (h *exampleHost) Run(ctx context.Context, c *command.Cmd) error {
	args := c.Args
	switch args[0] {
	case "list":
		root := args[len(args)-1]
		if strings.ContainsAny(root, "@#") { // a handle's identity
			fmt.Fprintf(c.Stdout, "%s\tsnapshot\t3\t300\t1700000000\n", root)
			return nil
		}
		out, ok := h.listings[root]
		if !ok {
			return &command.ExitError{Argv: c.Argv(), Code: 1, Stderr: "cannot open '" + root + "': dataset does not exist\n"}
		}
		if i := slices.Index(args, "-t"); i >= 0 && args[i+1] == "snapshot" { // a retention listing
			var rows []string
			for _, row := range strings.SplitAfter(out, "\n") {
				if strings.Contains(row, "\tsnapshot\t") {
					rows = append(rows, row)
				}
			}
			out = strings.Join(rows, "")
		}
		if i := slices.Index(args, "-o"); i >= 0 { // the columns asked for
			n := strings.Count(args[i+1], ",") + 1
			var rows []string
			for _, row := range strings.SplitAfter(out, "\n") {
				if f := strings.Split(strings.TrimSuffix(row, "\n"), "\t"); len(f) > n {
					row = strings.Join(f[:n], "\t") + "\n"
				}
				rows = append(rows, row)
			}
			out = strings.Join(rows, "")
		}
		_, err := io.WriteString(c.Stdout, out)
		return err
	case "send":
		_, err := io.WriteString(c.Stdout, "stream of "+args[len(args)-1])
		return err
	case "receive":
		b, err := io.ReadAll(c.Stdin)
		if err != nil {
			return err
		}
		sent := strings.TrimPrefix(string(b), "stream of ")
		fmt.Fprintf(c.Stdout, "receiving incremental stream of %s into %s%s\n", sent, args[len(args)-1], sent[strings.IndexByte(sent, '@'):])
	}
	fmt.Printf("%s: zfs %s\n", h.name, strings.Join(args, " "))
	return nil
}

// exampleClients returns a source with tank/home (three snapshots, a user
// hold on none) and a target whose backup/home has the first of them.
func exampleClients() (src, dst *zfs.Client) {
	v := zfs.Version{Major: 2, Minor: 3, Patch: 2}
	srcHost := &exampleHost{name: "source", listings: map[string]string{"tank/home": "" +
		"tank/home\tfilesystem\t10\t5\t1700000000\t-\n" +
		"tank/home@mon\tsnapshot\t1\t100\t1700000000\t0\n" +
		"tank/home@tue\tsnapshot\t2\t200\t1700086400\t0\n" +
		"tank/home@wed\tsnapshot\t3\t300\t1700172800\t0\n" +
		"tank/home/docs\tfilesystem\t11\t6\t1700000000\t-\n" +
		"tank/home/docs@wed\tsnapshot\t4\t300\t1700172800\t0\n"}}
	dstHost := &exampleHost{name: "target", listings: map[string]string{"backup/home": "" +
		"backup/home\tfilesystem\t20\t50\t1700000500\t-\t0\t-\n" +
		"backup/home@mon\tsnapshot\t1\t60\t1700000000\t-\t0\t-\n"}}
	src = zfs.New(zfs.ClientOptions{Runner: srcHost, Version: v, TextOutput: true})
	dst = zfs.New(zfs.ClientOptions{Runner: dstHost, Version: v, TextOutput: true})
	return src, dst
}

func ExampleNewPlan() {
	ctx := context.Background()
	src, dst := exampleClients()
	p, err := replication.NewPlan(ctx,
		replication.Endpoint{Client: src, Dataset: "tank/home"},
		replication.Endpoint{Client: dst, Dataset: "backup/home"},
		replication.PlanOptions{Recursive: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v", p)
	// Output:
	// replicate tank/home to backup/home (recursive, steps: runs)
	//   ~ backup/home       update from @mon: 2 snapshots in 1 step (@mon..@wed)
	//       run          tank/home@mon .. @wed (-I, 2 snapshots)
	//   + backup/home/docs  create: 1 snapshot in 1 step (full @wed)
	//       full         tank/home/docs@wed
	// 2 to send (3 snapshots in 2 steps)
}

func ExampleRun() {
	ctx := context.Background()
	src, dst := exampleClients()
	p, err := replication.NewPlan(ctx,
		replication.Endpoint{Client: src, Dataset: "tank/home"},
		replication.Endpoint{Client: dst, Dataset: "backup/home"},
		replication.PlanOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := replication.Run(ctx, p, replication.RunOptions{
		Receive: recv.Options{NoMount: true, SetProperties: map[string]string{"canmount": "off"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(res)
	// Output:
	// source: zfs bookmark tank/home@mon tank/home#gozfs-replication_0000000000000001
	// source: zfs hold gozfs-replication tank/home@mon tank/home@wed
	// target: zfs receive -s -u -v -o canmount=off backup/home
	// source: zfs bookmark tank/home@wed tank/home#gozfs-replication_0000000000000003
	// source: zfs destroy tank/home#gozfs-replication_0000000000000001
	// source: zfs release gozfs-replication tank/home@mon tank/home@wed
	// backup/home: received 1 snapshot in 1 step (@wed)
}

func ExampleConflict() {
	ctx := context.Background()
	src, _ := exampleClients()
	// The target made a snapshot of its own after the common base.
	dst := zfs.New(zfs.ClientOptions{Version: zfs.Version{Major: 2, Minor: 3}, TextOutput: true,
		Runner: &exampleHost{name: "target", listings: map[string]string{"backup/home": "" +
			"backup/home\tfilesystem\t20\t50\t1700000500\t-\t0\t-\n" +
			"backup/home@mon\tsnapshot\t1\t60\t1700000000\t-\t0\t-\n" +
			"backup/home@mine\tsnapshot\t99\t70\t1700000900\t-\t0\t-\n"}}})
	p, err := replication.NewPlan(ctx,
		replication.Endpoint{Client: src, Dataset: "tank/home"},
		replication.Endpoint{Client: dst, Dataset: "backup/home"},
		replication.PlanOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = p.Err()
	fmt.Println(errors.Is(err, errors.ErrDiverged), errors.KindOf(err))
	var c *replication.Conflict
	if errors.As(err, &c) {
		fmt.Println(c.Snapshots, c.Forcible)
	}
	fmt.Println(p.Datasets[0].Action)
	// Output:
	// true target has snapshots after the common base
	// [backup/home@mine] true
	// blocked
}

func ExamplePlan_Protected() {
	ctx := context.Background()
	src, dst := exampleClients()
	p, err := replication.NewPlan(ctx,
		replication.Endpoint{Client: src, Dataset: "tank/home"},
		replication.Endpoint{Client: dst, Dataset: "backup/home"},
		replication.PlanOptions{Recursive: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	// What a retention policy on the source must keep: the snapshots to
	// send, and @mon, the common base, until a run has made its cursor
	// bookmark.
	fmt.Println(p.Protected())
	// Output:
	// [tank/home@mon tank/home@tue tank/home@wed tank/home/docs@wed]
}

func ExampleNeeded() {
	ctx := context.Background()
	v := zfs.Version{Major: 2, Minor: 3, Patch: 2}
	// The source has four snapshots and the cursor bookmark of @tue, which
	// an earlier run replicated; @wed and @thu are not on the target yet.
	src := zfs.New(zfs.ClientOptions{Version: v, TextOutput: true, Runner: &exampleHost{name: "source",
		listings: map[string]string{"tank/home": "" +
			"tank/home\tfilesystem\t10\t5\t1700000000\t-\n" +
			"tank/home@mon\tsnapshot\t1\t100\t1700000000\t0\n" +
			"tank/home#gozfs-replication_0000000000000002\tbookmark\t2\t200\t1700086400\t-\n" +
			"tank/home@tue\tsnapshot\t2\t200\t1700086400\t0\n" +
			"tank/home@wed\tsnapshot\t3\t300\t1700172800\t0\n" +
			"tank/home@thu\tsnapshot\t4\t400\t1700259200\t0\n"}}})
	dst := zfs.New(zfs.ClientOptions{Version: v, TextOutput: true, Runner: &exampleHost{name: "target",
		listings: map[string]string{"backup/home": "" +
			"backup/home\tfilesystem\t20\t50\t1700000500\t-\t0\t-\n" +
			"backup/home@mon\tsnapshot\t1\t60\t1700000000\t-\t0\t-\n" +
			"backup/home@tue\tsnapshot\t2\t70\t1700086400\t-\t0\t-\n"}}})
	p, err := replication.NewPlan(ctx,
		replication.Endpoint{Client: src, Dataset: "tank/home"},
		replication.Endpoint{Client: dst, Dataset: "backup/home"},
		replication.PlanOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The plan sends from @tue, so it protects it along with what it sends.
	fmt.Println("the plan needs:", p.Protected())

	// Between runs, Protected reads the source and leaves out @tue: a
	// plan made after @tue is gone sends from its cursor bookmark. A policy
	// that keeps only the newest snapshot would destroy @mon, @tue and
	// @wed; @wed has not been replicated yet, so it stays.
	keep, err := replication.Protected(ctx, src, "tank/home", replication.ProtectOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("between runs:", keep)
	policy := retention.Policy{Rules: []retention.Rule{retention.KeepLast{N: 1}}}
	res, err := retention.Prune(ctx, src, "tank/home", policy,
		retention.PruneOptions{Needed: replication.Needed(keep), Now: time.Unix(1700300000, 0)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("destroyed:", res.Destroyed)
	// Output:
	// the plan needs: [tank/home@tue tank/home@wed tank/home@thu]
	// between runs: [tank/home@wed tank/home@thu]
	// source: zfs destroy tank/home@mon,tue
	// destroyed: [tank/home@mon tank/home@tue]
}
