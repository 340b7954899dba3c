// Command replicate copies a snapshot into another dataset on this host:
// zfs send piped into zfs receive, resuming automatically if the receive is
// interrupted.
//
//	replicate tank/home@2 backup/home                       # full
//	replicate -from tank/home#1 tank/home@2 backup/home      # incremental from a bookmark
//	replicate -R -from tank/home@1 tank/home@2 backup        # replication stream (-R), received with -d
//	replicate -progress -retries 3 tank/home@2 backup/home   # progress bar; resume up to 3 times
//
// Without -progress the two commands are joined by a pipe and the data never
// passes through this program.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/progressbar"
	"github.com/gozfs/gozfs/zfs"
)

func main() {
	from := flag.String("from", "", "incremental source: a snapshot or bookmark")
	intermediates := flag.Bool("I", false, "include intermediate snapshots (zfs send -I)")
	replicate := flag.Bool("R", false, "replication stream of the dataset and its descendants (zfs send -R; received with -d)")
	raw := flag.Bool("raw", false, "raw send (zfs send -w)")
	force := flag.Bool("F", false, "force rollback on the target (zfs receive -F)")
	retries := flag.Int("retries", 3, "times to resume an interrupted receive (0: no resumable receive)")
	progress := flag.Bool("progress", false, "show a progress bar (the stream then passes through this program)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [flags] pool/fs@snap target\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	snap := flag.Arg(0)
	opts := recv.ReplicateOptions{
		Send:    send.Options{Intermediates: *intermediates, Replicate: *replicate, Raw: *raw},
		Receive: recv.Options{Force: *force},
	}
	if *from != "" {
		opts.Send.From = *from
	}
	if *replicate {
		opts.Receive.Naming = recv.DiscardFirst
	}
	if *retries > 0 && !*replicate && !*intermediates {
		opts.Receive.Resumable = true
		opts.Retries = *retries
	}
	c := zfs.New(zfs.ClientOptions{})
	var bar *progressbar.Bar
	if *progress {
		size, err := send.Estimate(ctx, c, snap, opts.Send)
		if err != nil {
			fail(err)
		}
		bar = progressbar.New(os.Stderr, size, progressbar.Options{Description: string(snap)})
		opts.Send.Progress = stream.NewProgress(stream.ProgressOptions{Total: size, OnUpdate: bar.Update})
	}
	res, err := recv.Replicate(ctx, c, c, snap, flag.Arg(1), opts)
	if bar != nil {
		opts.Send.Progress.Finish()
		bar.Finish()
	}
	if err != nil {
		fail(err)
	}
	for _, s := range res.Snapshots {
		fmt.Println(s)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "replicate:", err)
	var re *errors.ResumableError
	if errors.As(err, &re) && re.Token != "" {
		fmt.Fprintf(os.Stderr, "partial state kept on the target; resume token:\n%s\n", re.Token)
	}
	os.Exit(1)
}
