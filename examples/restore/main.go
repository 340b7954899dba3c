// Command restore receives backup files written by the backup example: it
// decrypts, decompresses and verifies each stream on its way into zfs
// receive. Give a chain of files (a full stream, then incrementals) to apply
// them in order.
//
//	restore -passphrase-file key.txt -target backup/home home-1.zfs.enc home-2.zfs.enc
//
// A file that fails authentication or verification, even in its last bytes,
// is not committed: zfs receive is stopped before it sees the end of the
// stream. With -resumable the partial state of an interrupted file is kept;
// restore reports its resume token (use the replicate example, or zfs send
// -t on the source, to finish it) — or discard it with -abort.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/compress"
	"github.com/gozfs/gozfs/stream/encrypt"
	"github.com/gozfs/gozfs/stream/progressbar"
	"github.com/gozfs/gozfs/zfs"
)

func main() {
	target := flag.String("target", "", "filesystem to receive into (required)")
	passFile := flag.String("passphrase-file", "", "file holding the passphrase (required)")
	force := flag.Bool("force", false, "roll the target back first (zfs receive -F)")
	resumable := flag.Bool("resumable", false, "keep partial state if interrupted (zfs receive -s)")
	noMount := flag.Bool("nomount", false, "do not mount the received filesystem (zfs receive -u)")
	raw := flag.Bool("raw", false, "the backup was made with -raw (no zstd layer)")
	abort := flag.Bool("abort", false, "discard partial receive state of the target and exit")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s -target FS -passphrase-file FILE [flags] FILE...\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if *target == "" || (*passFile == "" || flag.NArg() == 0) && !*abort {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := zfs.New(zfs.ClientOptions{})
	if *abort {
		if err := recv.Abort(ctx, c, *target); err != nil {
			fmt.Fprintln(os.Stderr, "restore:", err)
			os.Exit(1)
		}
		return
	}
	pass, err := os.ReadFile(*passFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "restore:", err)
		os.Exit(1)
	}
	pass = bytes.TrimRight(pass, "\r\n")
	opts := recv.Options{Force: *force, Resumable: *resumable, NoMount: *noMount, Verify: true}
	for _, file := range flag.Args() {
		if err := restore(ctx, c, file, *target, pass, *raw, opts); err != nil {
			fmt.Fprintf(os.Stderr, "restore: %s: %v\n", file, err)
			var re *errors.ResumableError
			if errors.As(err, &re) && re.Token != "" {
				fmt.Fprintf(os.Stderr, "partial state kept; resume token:\n%s\n", re.Token)
			}
			os.Exit(1)
		}
	}
}

func restore(ctx context.Context, c *zfs.Client, file, target string, pass []byte, raw bool, opts recv.Options) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	dec, err := encrypt.New(encrypt.Options{Passphrase: pass})
	if err != nil {
		return err
	}
	opts.Transforms = []stream.ReadTransform{dec.NewReader}
	if !raw {
		z, err := compress.New(compress.Zstd, compress.Options{})
		if err != nil {
			return err
		}
		opts.Transforms = append(opts.Transforms, z.NewReader)
	}
	// Progress over the file's bytes, whose total is known.
	bar := progressbar.New(os.Stderr, st.Size(), progressbar.Options{Description: "restore " + file})
	p := stream.NewProgress(stream.ProgressOptions{Total: st.Size(), OnUpdate: bar.Update})
	res, err := recv.Into(ctx, c, target, p.Reader(f), opts)
	p.Finish()
	bar.Finish()
	if err != nil {
		if errors.Is(err, encrypt.ErrAuthentication) || errors.Is(err, encrypt.ErrWrongKey) {
			return fmt.Errorf("wrong passphrase, or the file is corrupt or was tampered with: %w", err)
		}
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: received %v\n", file, res.Snapshots)
	return nil
}
