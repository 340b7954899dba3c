package zfs_test

import (
	"context"
	"fmt"
	"log"
	"path"
	"strings"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/zfs"
)

// The examples run on replays of real zfs (see ExampleClientOptions): each
// names the transcript it replays, recorded by running the example on
// OpenZFS 2.1.11 with a pool tank imported under the altroot /mnt.

// Look up snapshots and bookmarks by name. A handle holds the identity read
// when it was made; a bookmark has the GUID of the snapshot it marks.
func ExampleClient_Snapshot() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedLookups)})

	snap, err := c.Snapshot(ctx, "tank/home@monday")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(snap.Dataset(), snap.ShortName(), snap.GUID(), snap.CreateTXG())
	bm, err := c.Bookmark(ctx, "tank/home#monday")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bm.Name(), bm.GUID() == snap.GUID())

	_, err = c.Snapshot(ctx, "tank/home@sunday")
	fmt.Println(errors.Is(err, errors.ErrNotExist))
	_, err = c.Snapshot(ctx, "tank/home") // rejected before anything runs
	fmt.Println(errors.Is(err, errors.ErrInvalidName))
	// Output:
	// tank/home monday 4008165788670637862 16
	// tank/home#monday true
	// true
	// true
}

// List snapshots with two properties and where their values come from, in
// one command, streaming the rows as zfs prints them.
func ExampleClient_Datasets() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedDatasets)})

	for d, err := range c.Datasets(ctx, zfs.ListOptions{
		Roots:      []string{"tank/home"},
		Depth:      1,
		Types:      []zfs.Type{zfs.TypeSnapshot},
		Properties: []string{"used", "com.example:keep"},
	}) {
		if err != nil {
			log.Fatal(err)
		}
		used, err := d.Property("used").Bytes()
		if err != nil {
			log.Fatal(err)
		}
		keep := d.Property("com.example:keep")
		fmt.Printf("%s used=%d keep=%s (%s)\n", d.Name(), used, keep, keep.Source)
	}
	// Output:
	// tank/home@monday used=15360 keep=forever (local)
	// tank/home@tuesday used=0 keep=7d (inherited from tank/home)
}

// List the filesystems at the top of a pool, largest first.
func ExampleClient_List() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedList)})

	ds, err := c.List(ctx, zfs.ListOptions{
		Roots:      []string{"tank"},
		Depth:      1,
		Types:      []zfs.Type{zfs.TypeFilesystem},
		Properties: []string{"used", "compression"},
		Sort:       []zfs.SortKey{{Property: "used", Descending: true}},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range ds {
		fmt.Println(d.Name(), d.Property("used"), d.Property("compression"))
	}
	// Output:
	// tank 1125376 lz4
	// tank/home 870400 lz4
	// tank/db 24576 lz4
	// tank/logs 24576 lz4
}

// Read properties with one zfs get: each carries its raw value, typed
// accessors and its source.
func ExampleFilesystem_Get() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedGet)})

	fs, err := c.Filesystem(ctx, "tank/home/alice")
	if err != nil {
		log.Fatal(err)
	}
	ps, err := fs.Get(ctx, "used", "quota", "compressratio", "atime", "compression", "com.example:keep")
	if err != nil {
		log.Fatal(err)
	}
	used, _ := ps.Property("used").Bytes()
	quota, _ := ps.Property("quota").Bytes()
	ratio, _ := ps.Property("compressratio").Ratio()
	atime, _ := ps.Property("atime").Bool()
	fmt.Printf("used %d of %d bytes, compressratio %.2f, atime %t\n", used, quota, ratio, atime)
	for _, p := range ps {
		fmt.Printf("%s=%s (%s)\n", p.Name, p, p.Source)
	}
	// Output:
	// used 829440 of 1073741824 bytes, compressratio 1.00, atime false
	// used=829440 (-)
	// quota=1073741824 (local)
	// compressratio=1.00 (-)
	// atime=off (inherited from tank/home)
	// compression=lz4 (inherited from tank)
	// com.example:keep=7d (inherited from tank/home)
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

// Create an encrypted filesystem: the passphrase goes to zfs on its standard
// input, never on its command line.
func ExampleClient_CreateFilesystem() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedCreate)})

	fs, err := c.CreateFilesystem(ctx, "tank/secret", zfs.CreateOptions{
		Properties: map[string]string{"compression": "zstd"},
		Encryption: &zfs.Encryption{Format: zfs.KeyPassphrase, Key: strings.NewReader("correct horse battery staple")},
	})
	if err != nil {
		log.Fatal(err)
	}
	st, err := fs.KeyStatus(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fs.Name(), "key", st)

	_, err = c.CreateFilesystem(ctx, "tank/home", zfs.CreateOptions{})
	fmt.Println(errors.Is(err, errors.ErrExist), err)
	// Output:
	// tank/secret key available
	// true zfs create tank/home: dataset already exists
}

// Create a volume. Its device node appears shortly after: WaitDevice waits
// for it.
func ExampleClient_CreateVolume() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedCreateVolume)})

	vol, err := c.CreateVolume(ctx, "tank/disk0", zfs.VolumeOptions{Size: 1 << 30, Sparse: true, BlockSize: 16 << 10})
	if err != nil {
		log.Fatal(err)
	}
	ps, err := vol.Get(ctx, "volsize", "volblocksize", "refreservation")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(vol.Name(), vol.Type(), vol.DevicePath())
	for _, p := range ps {
		fmt.Println(p.Name, p)
	}
	// Output:
	// tank/disk0 volume /dev/zvol/tank/disk0
	// volsize 1073741824
	// volblocksize 16384
	// refreservation 0
}

// Snapshot a filesystem and its descendants, then list its snapshots oldest
// first. A snapshot that exists already is reported as ErrExist.
func ExampleFilesystem_CreateSnapshot() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedSnapshot)})

	fs, err := c.Filesystem(ctx, "tank/home")
	if err != nil {
		log.Fatal(err)
	}
	_, err = fs.CreateSnapshot(ctx, "monday", zfs.SnapshotOptions{Recursive: true})
	fmt.Println(errors.Is(err, errors.ErrExist), err)

	snap, err := fs.CreateSnapshot(ctx, "wednesday", zfs.SnapshotOptions{
		Recursive:  true,
		Properties: map[string]string{"com.example:keep": "30d"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", snap.Name())
	snaps, err := fs.Snapshots(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range snaps {
		fmt.Println(s.ShortName(), s.CreateTXG())
	}
	// Output:
	// true zfs snapshot tank/home@monday: dataset already exists
	// created tank/home@wednesday
	// monday 16
	// tuesday 19
	// wednesday 25
}

// Snapshot several datasets in one transaction group: either all snapshots
// are created or none is.
func ExampleClient_CreateSnapshots() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedSnapshots)})

	snaps, err := c.CreateSnapshots(ctx, []string{"tank/db@backup", "tank/logs@backup"}, zfs.SnapshotOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range snaps {
		fmt.Println(s.Name(), s.CreateTXG())
	}
	fmt.Println(snaps[0].CreateTXG() == snaps[1].CreateTXG())
	// Output:
	// tank/db@backup 25
	// tank/logs@backup 25
	// true
}

// Keep a bookmark of a snapshot as the base of future incremental sends,
// then destroy the snapshot. Creating the same bookmark again is harmless;
// a bookmark of that name for another snapshot is ErrExist.
func ExampleSnapshot_CreateBookmark() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedBookmark)})

	snap, err := c.Snapshot(ctx, "tank/home@tuesday")
	if err != nil {
		log.Fatal(err)
	}
	bm, err := snap.CreateBookmark(ctx, "tuesday")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bm.Name(), bm.GUID() == snap.GUID())
	if _, err := snap.CreateBookmark(ctx, "tuesday"); err != nil {
		log.Fatal(err)
	}
	_, err = snap.CreateBookmark(ctx, "monday")
	fmt.Println(errors.Is(err, errors.ErrExist))

	if err := snap.Destroy(ctx, zfs.DestroyOptions{}); err != nil {
		log.Fatal(err)
	}
	bms, err := c.List(ctx, zfs.ListOptions{Roots: []string{"tank/home"}, Depth: 1, Types: []zfs.Type{zfs.TypeBookmark}})
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range bms {
		fmt.Println(b.Name(), b.CreateTXG())
	}
	// Output:
	// tank/home#tuesday true
	// true
	// tank/home#monday 16
	// tank/home#tuesday 21
}

// Protect a snapshot from destruction with a hold, list the holds, and
// release it. zfs reports a held snapshot as busy.
func ExampleSnapshot_Hold() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedHold)})

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
		fmt.Println(h.Snapshot, h.Tag)
	}
	err = snap.Destroy(ctx, zfs.DestroyOptions{})
	fmt.Println(errors.Is(err, errors.ErrBusy), err)

	if err := snap.Release(ctx, "backup-in-progress", zfs.HoldOptions{Recursive: true}); err != nil {
		log.Fatal(err)
	}
	err = snap.Release(ctx, "backup-in-progress", zfs.HoldOptions{})
	fmt.Println(errors.Is(err, errors.ErrNotExist))
	// Output:
	// tank/home@monday backup-in-progress
	// tank/home/alice@monday backup-in-progress
	// true zfs destroy tank/home@monday: dataset is busy
	// true
}

// Find out what destroying a range of snapshots would free, then destroy
// them in one batch. zfs refuses the held one; the others go, and every
// failure is reported.
func ExampleClient_DestroySnapshots() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedDestroySnapshots)})

	plan, err := c.DestroyDryRun(ctx, "tank/home@monday%wednesday", zfs.DestroyOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plan.Destroy, plan.Reclaim)

	err = c.DestroySnapshots(ctx, plan.Destroy, zfs.DestroyOptions{})
	for _, e := range errors.Errors(err) {
		fmt.Println("kept:", e)
	}
	fmt.Println(errors.Is(err, errors.ErrBusy))
	// Output:
	// [tank/home@monday tank/home@tuesday tank/home@wednesday] 28672
	// kept: zfs destroy tank/home@tuesday: dataset is busy
	// true
}

// Destroy a filesystem with its snapshots and children, after a dry run.
func ExampleFilesystem_Destroy() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedDestroy)})

	fs, err := c.Filesystem(ctx, "tank/home")
	if err != nil {
		log.Fatal(err)
	}
	err = fs.Destroy(ctx, zfs.DestroyOptions{})
	fmt.Println(errors.Is(err, errors.ErrHasChildren), err)

	plan, err := c.DestroyDryRun(ctx, fs.Name(), zfs.DestroyOptions{Recursive: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range plan.Destroy {
		fmt.Println("destroy", name)
	}
	if err := fs.Destroy(ctx, zfs.DestroyOptions{Recursive: true}); err != nil {
		log.Fatal(err)
	}
	_, err = c.Filesystem(ctx, "tank/home")
	fmt.Println(errors.Is(err, errors.ErrNotExist))
	// Output:
	// true zfs destroy tank/home: filesystem has children
	// destroy tank/home/alice@monday
	// destroy tank/home/alice@tuesday
	// destroy tank/home/alice
	// destroy tank/home@monday
	// destroy tank/home@tuesday
	// destroy tank/home
	// true
}

// Rename a filesystem, creating the new parent. The handle it returns has
// the same identity (GUID) under the new name.
func ExampleFilesystem_Rename() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedRename)})

	fs, err := c.Filesystem(ctx, "tank/home/alice")
	if err != nil {
		log.Fatal(err)
	}
	moved, err := fs.Rename(ctx, "tank/users/alice", zfs.RenameOptions{Parents: true})
	if err != nil {
		log.Fatal(err)
	}
	again, err := c.Filesystem(ctx, "tank/users/alice")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(moved.Name(), again.GUID() == fs.GUID())

	err = c.Rename(ctx, "tank/db", "tank/logs", zfs.RenameOptions{})
	fmt.Println(errors.Is(err, errors.ErrExist))
	// Output:
	// tank/users/alice true
	// true
}

// Rename a snapshot, and the snapshots of the same name below, in one
// command.
func ExampleSnapshot_Rename() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedRenameSnapshot)})

	snap, err := c.Snapshot(ctx, "tank/home@monday")
	if err != nil {
		log.Fatal(err)
	}
	renamed, err := snap.Rename(ctx, "2026-11-23", zfs.RenameOptions{Recursive: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(renamed.Name())
	ds, err := c.List(ctx, zfs.ListOptions{Roots: []string{"tank/home"}, Recursive: true, Types: []zfs.Type{zfs.TypeSnapshot}})
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range ds {
		fmt.Println(d.Name())
	}
	// Output:
	// tank/home@2026-11-23
	// tank/home@2026-11-23
	// tank/home@tuesday
	// tank/home/alice@2026-11-23
	// tank/home/alice@tuesday
}

// Roll a filesystem back to an older snapshot. zfs refuses while later
// snapshots exist; DestroyLater destroys them.
func ExampleSnapshot_Rollback() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedRollback)})

	snap, err := c.Snapshot(ctx, "tank/home@monday")
	if err != nil {
		log.Fatal(err)
	}
	err = snap.Rollback(ctx, zfs.RollbackOptions{})
	fmt.Println(errors.Is(err, errors.ErrSnapshotNotLatest), err)

	if err := snap.Rollback(ctx, zfs.RollbackOptions{DestroyLater: true}); err != nil {
		log.Fatal(err)
	}
	fs, err := c.Filesystem(ctx, "tank/home")
	if err != nil {
		log.Fatal(err)
	}
	snaps, err := fs.Snapshots(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range snaps {
		fmt.Println(s.Name())
	}
	// Output:
	// true zfs rollback tank/home@monday: more recent snapshots or bookmarks exist
	// tank/home@monday
}

// List what changed between two snapshots, as zfs diff prints it, one change
// at a time.
func ExampleClient_Diff() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedDiff)})

	for ch, err := range c.Diff(ctx, "tank/home@monday", "tank/home@tuesday") {
		if err != nil {
			log.Fatal(err)
		}
		switch ch.Type {
		case zfs.Renamed:
			fmt.Println(ch.Type, path.Base(ch.Path), "->", path.Base(ch.NewPath))
		default:
			fmt.Println(ch.Type, string(ch.FileType), path.Base(ch.Path))
		}
	}
	// Output:
	// modified F notes.txt
	// removed F old.txt
	// renamed draft.txt -> final.txt
	// modified / home
	// created F todo.txt
}

// Run a read-only channel program that counts a filesystem's snapshots in
// the kernel.
func ExampleClient_Program() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedProgram)})

	v, err := c.Program(ctx, "tank", strings.NewReader(`
		local n = 0
		for s in zfs.list.snapshots((...)["argv"][1]) do n = n + 1 end
		return n
	`), zfs.ProgramOptions{NoSync: true, Args: []string{"tank/home"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.(int64), "snapshots")
	// Output:
	// 2 snapshots
}

// Load the key of an encrypted filesystem from a reader, and mount it. A
// wrong passphrase is refused.
func ExampleFilesystem_LoadKey() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedLoadKey)})

	fs, err := c.Filesystem(ctx, "tank/secret")
	if err != nil {
		log.Fatal(err)
	}
	st, err := fs.KeyStatus(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("key", st)

	err = fs.LoadKey(ctx, strings.NewReader("wrong horse battery staple"), zfs.LoadKeyOptions{})
	fmt.Println(err)
	if err := fs.LoadKey(ctx, strings.NewReader("correct horse battery staple"), zfs.LoadKeyOptions{}); err != nil {
		log.Fatal(err)
	}
	if err := fs.Mount(ctx, zfs.MountOptions{}); err != nil {
		log.Fatal(err)
	}
	mounted, _, err := fs.Mounted(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("mounted:", mounted)
	// Output:
	// key unavailable
	// zfs load-key tank/secret: Key load error: Incorrect key provided for 'tank/secret'
	// mounted: true
}

// Change the key of an encryption root whose key is not loaded: the current
// key is loaded first, then replaced. Both travel on standard input.
func ExampleFilesystem_ChangeKey() {
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: replay(recordedChangeKey)})

	fs, err := c.Filesystem(ctx, "tank/secret")
	if err != nil {
		log.Fatal(err)
	}
	err = fs.ChangeKey(ctx, zfs.ChangeKeyOptions{
		Load:       true,
		CurrentKey: strings.NewReader("correct horse battery staple"),
		Key:        strings.NewReader("a new and longer passphrase"),
	})
	if err != nil {
		log.Fatal(err)
	}
	st, err := fs.KeyStatus(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("key changed;", st)
	// Output:
	// key changed; available
}
