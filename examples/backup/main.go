// Command backup writes a ZFS snapshot to a file, compressed with zstd and
// encrypted with a passphrase, showing a progress bar against zfs send's
// estimate. With -from it writes an incremental stream, so a chain of files
// (one full, then incrementals) can be restored in order with the restore
// example.
//
//	backup -passphrase-file key.txt -o home-1.zfs.enc tank/home@1
//	backup -passphrase-file key.txt -from tank/home#1 -o home-2.zfs.enc tank/home@2
//
// The file is written under a temporary name and renamed when the stream is
// complete, so a failed backup never leaves a file that looks whole. It is an
// age file (stream/encrypt's default format), so it also restores without
// gozfs: age -d home-1.zfs.enc | zstd -d | zfs receive backup/home
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/compress"
	"github.com/gozfs/gozfs/stream/encrypt"
	"github.com/gozfs/gozfs/stream/progressbar"
	"github.com/gozfs/gozfs/zfs"
)

func main() {
	out := flag.String("o", "", "output file (required)")
	from := flag.String("from", "", "incremental source: a snapshot or bookmark")
	passFile := flag.String("passphrase-file", "", "file holding the passphrase (required)")
	raw := flag.Bool("raw", false, "raw send (zfs send -w): keep ZFS native encryption and compression")
	level := flag.Int("level", 3, "zstd level (0 disables compression)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s -o FILE -passphrase-file FILE [-from BASE] [-raw] [-level N] pool/fs@snap\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || *out == "" || *passFile == "" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, flag.Arg(0), *from, *out, *passFile, *raw, *level); err != nil {
		fmt.Fprintln(os.Stderr, "backup:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, snap, from, out, passFile string, raw bool, level int) error {
	pass, err := os.ReadFile(passFile)
	if err != nil {
		return err
	}
	pass = bytes.TrimRight(pass, "\r\n")

	c := zfs.New(zfs.ClientOptions{})
	opts := send.Options{Raw: raw}
	if from != "" {
		opts.From = from
	}
	size, err := send.Estimate(ctx, c, snap, opts)
	if err != nil {
		return err
	}

	// Compress, then encrypt: ciphertext does not compress.
	if level > 0 && !raw {
		z, err := compress.New(compress.Zstd, compress.Options{Level: level})
		if err != nil {
			return err
		}
		opts.Transforms = append(opts.Transforms, z.NewWriter)
	}
	enc, err := encrypt.New(encrypt.Options{Passphrase: pass})
	if err != nil {
		return err
	}
	opts.Transforms = append(opts.Transforms, enc.NewWriter)

	bar := progressbar.New(os.Stderr, size, progressbar.Options{Description: "backup " + snap})
	opts.Progress = stream.NewProgress(stream.ProgressOptions{Total: size, OnUpdate: bar.Update})

	tmp, err := os.CreateTemp(filepath.Dir(out), ".backup-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	err = send.To(ctx, c, tmp, snap, opts)
	final := opts.Progress.Finish()
	bar.Finish()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: %s of stream in %s, written as %s (%s)\n", snap,
		stream.FormatBytes(final.Bytes), final.Elapsed.Round(1e7), out, stream.FormatBytes(st.Size()))
	return nil
}
