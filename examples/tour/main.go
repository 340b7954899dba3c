// Command tour walks through gozfs on a throwaway pool: it creates a mirrored
// pool on two files, datasets with properties, snapshots and a bookmark, then
// sends a full and an incremental stream (compressed and encrypted in Go),
// inspects them without ZFS, receives them into another dataset and checks the
// data, shows typed errors, and destroys the pool.
//
// It needs root and OpenZFS; `make demo` runs it in the lab VM when this
// machine has no ZFS. Files go under $GOZFS_LAB_DIR when set (a tmpfs in the
// lab), else under a new temporary directory.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/format/sendstream"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/compress"
	"github.com/gozfs/gozfs/stream/encrypt"
	"github.com/gozfs/gozfs/zfs"
	"github.com/gozfs/gozfs/zpool"
)

func main() {
	log.SetFlags(0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if err := tour(ctx); err != nil {
		log.Fatalf("tour: %v", err)
	}
}

func step(format string, args ...any) { fmt.Printf("\n== "+format+"\n", args...) }

func tour(ctx context.Context) (err error) {
	c := zfs.New(zfs.ClientOptions{})
	pools := zpool.New(c)

	v, err := c.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("OpenZFS %s (%s), JSON output: %v\n", v, v.Kernel, v.SupportsJSON())

	// 1. A pool: a mirror of two 128 MiB files.
	base := os.Getenv("GOZFS_LAB_DIR")
	dir, err := os.MkdirTemp(base, "gozfs-tour")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var files []string
	for _, n := range []string{"a", "b"} {
		f := filepath.Join(dir, n)
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			return err
		}
		if err := os.Truncate(f, 128<<20); err != nil {
			return err
		}
		files = append(files, f)
	}
	name := fmt.Sprintf("tour%d", os.Getpid())
	step("zpool create %s mirror (two files), altroot %s", name, dir)
	err = pools.Create(ctx, name, zpool.Layout{Vdevs: []zpool.VdevSpec{zpool.Mirror(files...)}},
		zpool.CreateOptions{AltRoot: filepath.Join(dir, "mnt"), FSProperties: map[string]string{"compression": "lz4"}})
	if err != nil {
		return err
	}
	defer func() {
		step("zpool destroy %s", name)
		if derr := pools.Destroy(context.Background(), name, zpool.DestroyOptions{Force: true}); derr != nil {
			err = errors.Join(err, derr)
		}
	}()
	st, err := pools.Status(ctx, name)
	if err != nil {
		return err
	}
	fmt.Printf("pool %s is %s\n", st.Name, st.State)
	printVdevs(st.Root, "  ")

	// 2. Datasets with a user property, and some data.
	step("datasets, data and a user property")
	home, err := c.CreateFilesystem(ctx, name+"/home", zfs.CreateOptions{
		Properties: map[string]string{"com.example:owner": "alice\tand bob"},
	})
	if err != nil {
		return err
	}
	mnt, err := mountpoint(ctx, home)
	if err != nil {
		return err
	}
	data := make([]byte, 2<<20)
	rand.Read(data[:1<<20]) // half random, half zeros
	if err := os.WriteFile(filepath.Join(mnt, "data.bin"), data, 0o644); err != nil {
		return err
	}

	// 3. Snapshots, a bookmark, more data, another snapshot.
	step("snapshots and a bookmark")
	s1, err := home.CreateSnapshot(ctx, "one", zfs.SnapshotOptions{})
	if err != nil {
		return err
	}
	bm, err := s1.CreateBookmark(ctx, "one")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(mnt, "notes.txt"), []byte("written after @one\n"), 0o644); err != nil {
		return err
	}
	s2, err := home.CreateSnapshot(ctx, "two", zfs.SnapshotOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("created %s, %s and %s\n", s1, bm, s2)

	// One zfs command lists everything, with any properties, as it streams.
	for ds, err := range c.Datasets(ctx, zfs.ListOptions{
		Roots: []string{name}, Recursive: true,
		Types:      []zfs.Type{zfs.TypeFilesystem, zfs.TypeSnapshot, zfs.TypeBookmark},
		Properties: []string{"used", "com.example:owner"},
	}) {
		if err != nil {
			return err
		}
		used, _ := ds.Property("used").Bytes()
		owner := ds.Property("com.example:owner")
		fmt.Printf("  %-10s %-28s used=%-8d owner=%q (%s)\n", ds.Type(), ds.Name(), used, owner.Value, owner.Source)
	}

	// 4. Streams: full @one, then incremental from the bookmark to @two,
	// each compressed and encrypted in Go on its way out.
	step("send: full and incremental (from the bookmark), zstd + AES-256-GCM")
	key := make([]byte, 32)
	rand.Read(key)
	zstd, err := compress.New(compress.Zstd, compress.Options{})
	if err != nil {
		return err
	}
	enc, err := encrypt.New(encrypt.Options{Key: key})
	if err != nil {
		return err
	}
	var full, incr bytes.Buffer
	opts := send.Options{Transforms: stream.Writers(zstd, enc)}
	if err := send.To(ctx, c, &full, s1.Name(), opts); err != nil {
		return err
	}
	opts.From = bm.Name()
	if err := send.To(ctx, c, &incr, s2.Name(), opts); err != nil {
		return err
	}
	fmt.Printf("full stream: %d bytes sealed, incremental: %d bytes sealed\n", full.Len(), incr.Len())

	// 5. Inspect a stream without ZFS.
	step("inspect the incremental stream in pure Go")
	plain, err := stream.Decoder(bytes.NewReader(incr.Bytes()), zstd, enc)
	if err != nil {
		return err
	}
	sum, err := sendstream.Scan(plain, sendstream.Options{})
	plain.Close()
	if err != nil {
		return err
	}
	for _, ss := range sum.Substreams {
		fmt.Printf("  %s: from guid %#x to guid %#x, complete=%v\n", ss.Begin.ToName, ss.Begin.FromGUID, ss.Begin.ToGUID, sum.Complete)
	}
	fmt.Printf("  %d records, %d payload bytes; bookmark guid %#x\n", sum.TotalRecords, sum.TotalPayload, bm.GUID())

	// 6. Receive both into another dataset, decrypting and verifying on the way in.
	step("receive into %s/restore", name)
	in := recv.Options{Transforms: stream.Readers(zstd, enc), Verify: true} // the same order as the writers
	target := name + "/restore"
	if _, err := recv.Into(ctx, c, target, bytes.NewReader(full.Bytes()), in); err != nil {
		return err
	}
	res, err := recv.Into(ctx, c, target, bytes.NewReader(incr.Bytes()), in)
	if err != nil {
		return err
	}
	fmt.Printf("received %v\n", res.Snapshots)
	restored, err := c.Filesystem(ctx, name+"/restore")
	if err != nil {
		return err
	}
	rmnt, err := mountpoint(ctx, restored)
	if err != nil {
		return err
	}
	got, err := os.ReadFile(filepath.Join(rmnt, "data.bin"))
	if err != nil {
		return err
	}
	notes, err := os.ReadFile(filepath.Join(rmnt, "notes.txt"))
	if err != nil {
		return err
	}
	fmt.Printf("data identical: %v, notes: %q\n", bytes.Equal(got, data), strings.TrimSpace(string(notes)))

	// A tampered stream is refused before zfs receive can commit it.
	bad := append([]byte(nil), incr.Bytes()...)
	bad[len(bad)/2] ^= 1
	_, err = recv.Into(ctx, c, name+"/tampered", bytes.NewReader(bad), in)
	fmt.Printf("tampered stream: authentication error=%v\n", errors.Is(err, encrypt.ErrAuthentication))

	// 7. Typed errors from real zfs messages.
	step("typed errors")
	_, err = c.Filesystem(ctx, name+"/nope")
	fmt.Printf("missing dataset:  ErrNotExist=%v  (%v)\n", errors.Is(err, errors.ErrNotExist), err)
	_, err = home.CreateSnapshot(ctx, "one", zfs.SnapshotOptions{})
	fmt.Printf("snapshot again:   ErrExist=%v  (%v)\n", errors.Is(err, errors.ErrExist), err)
	err = s1.Rollback(ctx, zfs.RollbackOptions{})
	fmt.Printf("rollback to @one: ErrSnapshotNotLatest=%v  (%v)\n", errors.Is(err, errors.ErrSnapshotNotLatest), err)
	_, err = c.CreateFilesystem(ctx, name+"/bad name!", zfs.CreateOptions{})
	fmt.Printf("bad name:         ErrInvalidName=%v  (%v)\n", errors.Is(err, errors.ErrInvalidName), err)
	return nil
}

func mountpoint(ctx context.Context, fs *zfs.Filesystem) (string, error) {
	mounted, where, err := fs.Mounted(ctx)
	if err != nil {
		return "", err
	}
	if !mounted {
		return "", fmt.Errorf("%s is not mounted", fs)
	}
	return where, nil
}

func printVdevs(v *zpool.Vdev, indent string) {
	if v == nil {
		return
	}
	fmt.Printf("%s%-40s %-8s read=%d write=%d cksum=%d\n", indent, v.Name, v.State, v.ReadErrors, v.WriteErrors, v.ChecksumErrors)
	for _, ch := range v.Children {
		printVdevs(ch, indent+"  ")
	}
}
