package send_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/compress"
	"github.com/gozfs/gozfs/zfs"
)

// Write an incremental stream from a bookmark to a file. Without transforms
// the file is handed to zfs send, so the data does not pass through Go.
func ExampleTo() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	f, err := os.Create("/backup/home-2.zfs")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	err = send.To(ctx, c, f, "tank/home@2", send.Options{
		From:       "tank/home#1",
		Compressed: true,
	})
	if errors.Is(err, errors.ErrNotExist) {
		log.Fatal("snapshot or bookmark missing: ", err)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// Read a stream, compressed with zstd on the way, with progress against the
// dry-run estimate.
func ExampleReader() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	snap := "tank/home@2"
	opts := send.Options{Raw: true}

	size, err := send.Estimate(ctx, c, snap, opts)
	if err != nil {
		log.Fatal(err)
	}
	z, err := compress.New(compress.Zstd, compress.Options{})
	if err != nil {
		log.Fatal(err)
	}
	opts.Transforms = []stream.WriteTransform{z.NewWriter}
	opts.Progress = stream.NewProgress(stream.ProgressOptions{
		Total:    size,
		OnUpdate: func(s stream.ProgressSnapshot) { log.Print(s) },
	})

	s, err := send.Reader(ctx, c, snap, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if _, err := io.Copy(os.Stdout, s); err != nil {
		log.Fatal(err) // an *errors.Error with zfs's standard error
	}
	opts.Progress.Finish()
}

// Invalid combinations are rejected before zfs runs.
func ExampleValidate() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	err := send.Validate(ctx, c, "tank/home@3", send.Options{
		From:          "tank/home#1",
		Intermediates: true,
	})
	fmt.Println(errors.Is(err, errors.ErrInvalidArgument))
	fmt.Println(err)
	// Output:
	// true
	// zfs send tank/home@3: invalid argument: Intermediates (-I) cannot start from a bookmark (tank/home#1): zfs sends intermediate snapshots only from a snapshot
}
