package recv_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/encrypt"
	"github.com/gozfs/gozfs/zfs"
)

// Restore an encrypted backup file. The stream is decrypted and verified on
// its way into zfs receive; if authentication fails anywhere, even at the
// very end, nothing is committed.
func ExampleInto() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	f, err := os.Open("/backup/home-1.zfs.enc")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	dec, err := encrypt.New(encrypt.Options{Passphrase: []byte("correct horse battery staple")})
	if err != nil {
		log.Fatal(err)
	}
	res, err := recv.Into(ctx, c, "restore/home", f, recv.Options{
		Resumable:  true,
		NoMount:    true,
		Transforms: []stream.ReadTransform{dec.NewReader},
		Verify:     true,
	})
	var re *errors.ResumableError
	switch {
	case errors.Is(err, encrypt.ErrAuthentication):
		log.Fatal("backup file is corrupt or was tampered with")
	case errors.As(err, &re):
		log.Fatalf("interrupted; resume with token %s", re.Token)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println("received", res.Snapshots)
}

// Replicate a snapshot into another pool on the same host, resuming
// automatically if the receive is interrupted.
func ExampleReplicate() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	res, err := recv.Replicate(ctx, c, c, "tank/home@today", "backup/home", recv.ReplicateOptions{
		Send:    send.Options{From: "tank/home#yesterday", Compressed: true},
		Receive: recv.Options{Resumable: true, NoMount: true},
		Retries: 3,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("replicated", res.Snapshots)
}

// Discard the partial state of an interrupted receive. Abort is idempotent.
func ExampleAbort() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	if tok, err := recv.ResumeToken(ctx, c, "backup/home"); err == nil && tok != "" {
		if err := recv.Abort(ctx, c, "backup/home"); err != nil {
			log.Fatal(err)
		}
	}
}

// Options are checked before zfs runs.
func ExampleOptions() {
	c := zfs.New(zfs.ClientOptions{})
	_, err := recv.Into(context.Background(), c, "backup/home", os.Stdin, recv.Options{
		SetProperties: map[string]string{"encryption": "on", "keyformat": "passphrase", "keylocation": "prompt"},
	})
	fmt.Println(errors.Is(err, errors.ErrInvalidArgument))
	// Output: true
}
