package zfs_test

import (
	"context"
	"fmt"
	"log"
	"os/exec"
	"strings"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/zfs"
)

// List every snapshot under a pool with two properties, in one command,
// streaming the rows as zfs prints them.
func ExampleClient_Datasets() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	for d, err := range c.Datasets(ctx, zfs.ListOptions{
		Roots:      []string{"tank"},
		Recursive:  true,
		Types:      []zfs.Type{zfs.TypeSnapshot},
		Properties: []string{"used", "com.example:keep"},
	}) {
		if err != nil {
			log.Fatal(err)
		}
		used, _ := d.Property("used").Bytes()
		fmt.Printf("%s\t%d bytes\tcreated %s\tkeep=%s (%s)\n", d.Name(), used,
			d.Creation().Format(time.DateTime), d.Property("com.example:keep"), d.Property("com.example:keep").Source)
	}
}

// List the filesystems directly below a pool, largest first.
func ExampleClient_List() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	ds, err := c.List(ctx, zfs.ListOptions{
		Roots:      []string{"tank"},
		Depth:      1,
		Types:      []zfs.Type{zfs.TypeFilesystem},
		Properties: []string{"used", "mountpoint"},
		Sort:       []zfs.SortKey{{Property: "used", Descending: true}},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range ds {
		fmt.Println(d.Name(), d.Property("used"), d.Property("mountpoint"))
	}
}

// Snapshot a filesystem, then list its snapshots oldest first.
func ExampleFilesystem_CreateSnapshot() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	fs, err := c.Filesystem(ctx, "tank/home")
	if err != nil {
		log.Fatal(err)
	}
	snap, err := fs.CreateSnapshot(ctx, "daily-"+time.Now().Format("2006-01-02"), zfs.SnapshotOptions{Recursive: true})
	if errors.Is(err, errors.ErrExist) {
		fmt.Println("already taken today")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", snap.Name(), snap.GUID())
	snaps, err := fs.Snapshots(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range snaps {
		fmt.Println(s.ShortName(), s.CreateTXG(), s.Creation())
	}
}

// Snapshot several datasets in one transaction group.
func ExampleClient_CreateSnapshots() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	snaps, err := c.CreateSnapshots(ctx, []string{"tank/db@backup", "tank/logs@backup"}, zfs.SnapshotOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(snaps[0].CreateTXG() == snaps[1].CreateTXG()) // true: atomic
}

// Keep a bookmark of a snapshot as the base of future incremental sends,
// then destroy the snapshot. Creating the bookmark again is harmless.
func ExampleSnapshot_CreateBookmark() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	snap, err := c.Snapshot(ctx, "tank/home@monday")
	if err != nil {
		log.Fatal(err)
	}
	bm, err := snap.CreateBookmark(ctx, "monday")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bm.Name(), bm.GUID() == snap.GUID())
	if err := snap.Destroy(ctx, zfs.DestroyOptions{}); err != nil {
		log.Fatal(err)
	}
}

// Protect a snapshot from destruction with a hold, list holds, release it.
func ExampleSnapshot_Hold() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	snap, err := c.Snapshot(ctx, "tank/home@monday")
	if err != nil {
		log.Fatal(err)
	}
	if err := snap.Hold(ctx, "backup-in-progress", zfs.HoldOptions{Recursive: true}); err != nil {
		log.Fatal(err)
	}
	holds, err := snap.Holds(ctx, zfs.HoldOptions{Recursive: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range holds {
		fmt.Println(h.Snapshot, h.Tag, h.Created)
	}
	err = snap.Destroy(ctx, zfs.DestroyOptions{})
	fmt.Println(errors.Is(err, errors.ErrHeld)) // true
	if err := snap.Release(ctx, "backup-in-progress", zfs.HoldOptions{Recursive: true}); err != nil {
		log.Fatal(err)
	}
}

// Find out what destroying a range of snapshots would free, then destroy a
// batch, reporting every snapshot that could not go.
func ExampleClient_DestroySnapshots() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	plan, err := c.DestroyDryRun(ctx, "tank/home@monday%friday", zfs.DestroyOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plan.Destroy, plan.Reclaim)
	err = c.DestroySnapshots(ctx, plan.Destroy, zfs.DestroyOptions{})
	for _, e := range errors.Errors(err) {
		fmt.Println("kept:", e)
	}
}

// Create an encrypted filesystem; the passphrase goes to zfs on standard
// input, never on its command line.
func ExampleClient_CreateFilesystem() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	fs, err := c.CreateFilesystem(ctx, "tank/secret", zfs.CreateOptions{
		Properties: map[string]string{"compression": "zstd"},
		Encryption: &zfs.Encryption{Format: zfs.KeyPassphrase, Key: strings.NewReader("correct horse battery staple")},
	})
	if err != nil {
		log.Fatal(err)
	}
	st, _ := fs.KeyStatus(ctx)
	fmt.Println(fs.Name(), st)
}

// Run a read-only channel program that counts a filesystem's snapshots.
func ExampleClient_Program() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	v, err := c.Program(ctx, "tank", strings.NewReader(`
		local n = 0
		for s in zfs.list.snapshots((...)["argv"][1]) do n = n + 1 end
		return n
	`), zfs.ProgramOptions{NoSync: true, Args: []string{"tank/home"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.(int64))
}

// Typed accessors read a property's raw parsable value.
func ExampleProperty() {
	used := zfs.Property{Name: "used", Value: "1536", Source: zfs.Source{Kind: zfs.SourceNone}}
	n, _ := used.Bytes()
	ratio, _ := zfs.Property{Name: "compressratio", Value: "1.52x"}.Ratio()
	on, _ := zfs.Property{Name: "atime", Value: "off"}.Bool()
	note := zfs.Property{Name: "com.example:note", Value: "-"}
	_, err := note.Uint()
	inherited := zfs.Source{Kind: zfs.SourceInherited, From: "tank"}
	fmt.Println(n, ratio, on, note.IsSet(), errors.Is(err, zfs.ErrNoValue), inherited)
	// Output: 1536 1.52 false false true inherited from tank
}

// Create a volume, wait for its device node, and format it.
func ExampleVolume_WaitDevice() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	vol, err := c.CreateVolume(ctx, "tank/disk0", zfs.VolumeOptions{Size: 1 << 30, Sparse: true})
	if err != nil {
		log.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	dev, err := vol.WaitDevice(wctx) // "/dev/zvol/tank/disk0", or "/dev/zd0" without udev
	if err != nil {
		log.Fatal(err)
	}
	if err := exec.CommandContext(ctx, "mkfs.ext4", "-q", dev).Run(); err != nil {
		log.Fatal(err)
	}
}

// Change the key of an encryption root whose key is not loaded: the current
// key is loaded first, then replaced. Both travel on standard input.
func ExampleFilesystem_ChangeKey() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	fs, err := c.Filesystem(ctx, "tank/secret")
	if err != nil {
		log.Fatal(err)
	}
	err = fs.ChangeKey(ctx, zfs.ChangeKeyOptions{
		Load:       true,
		CurrentKey: strings.NewReader("correct horse battery staple"),
		Key:        strings.NewReader("a new and longer passphrase"),
	})
	if errors.Is(err, errors.ErrPermission) {
		log.Fatal("wrong current key")
	}
	if err != nil {
		log.Fatal(err)
	}
}
