// Package zfs drives the OpenZFS zfs command: typed handles for filesystems,
// volumes, snapshots and bookmarks, whose methods run `zfs` subprocesses and
// parse their machine-readable output (`-j` JSON on OpenZFS 2.3 and later,
// `-H -p` text before that).
//
// # Clients and handles
//
// A [Client] runs the commands, through the [command.Runner] of its
// [ClientOptions] (the default runs zfs from $PATH; a runner of your own can
// add sudo, a container, ssh, logging or a test script), and detects the
// OpenZFS version on first use. It is safe for concurrent use. Every method
// that runs a command takes a context first: cancelling it stops the command
// (SIGTERM, then SIGKILL after a grace period) and the method returns an error
// matching context.Canceled.
//
// [Filesystem], [Volume], [Snapshot] and [Bookmark] are handles: cheap
// references holding the client, the full name and the identity read when the
// handle was made (type, GUID, creation TXG and creation time). Look one up
// with [Client.Filesystem], [Client.Snapshot] and so on, or get it from the
// methods that create datasets, whose names say so: [Client.CreateFilesystem],
// [Client.CreateVolume], [Client.CreateSnapshots], [Filesystem.CreateSnapshot],
// [Snapshot.CreateBookmark]. A handle goes stale when its dataset is renamed
// or destroyed elsewhere; identity (the GUID) is what survives renames.
//
// Handles do not cache property values: Get runs `zfs get` and returns
// point-in-time [Property] values carrying the raw string, typed accessors
// (Bytes, Uint, Bool, Ratio, Time, Enum) and the source (local, default,
// inherited from a dataset, received, temporary, none); Set and Inherit change
// them. A [Dataset] is a row of a listing — data, like an fs.FileInfo: its
// Properties and Property methods read what the listing returned and run
// nothing, and AsFilesystem, AsSnapshot and so on turn it into a handle.
// Names are plain strings everywhere ("tank/home", "tank/home@monday",
// "tank/home#monday"), checked against zfs's rules before anything runs.
//
//	c := zfs.New(zfs.ClientOptions{})
//	fs, err := c.Filesystem(ctx, "tank/home")
//	snap, err := fs.CreateSnapshot(ctx, "monday", zfs.SnapshotOptions{})
//	bm, err := snap.CreateBookmark(ctx, "monday")
//	ps, err := fs.Get(ctx, "used", "compression")
//	used, err := ps.Property("used").Bytes()
//
// # Listing
//
// List and Datasets run exactly one command per call, whatever the number of
// datasets and properties, with recursion, depth, type filters, sorting and
// any properties (native, user "module:name", written@snap, or "all").
// Datasets is an iterator over the listing as zfs prints it: each Dataset
// reaches the loop as soon as its row is complete, memory stays flat however
// long the listing (unless the caller keeps the Datasets), and breaking out
// of the loop stops and reaps the command. List collects the same Datasets
// into a slice. A Dataset holds only its own values, so keeping a few of a
// big listing keeps nothing else alive.
//
// Parsing costs little next to what zfs itself spends producing a listing:
// listing snapshots through Datasets costs this process 1 to 2% of the CPU
// time of the zfs command it runs, on either output format (measured on
// OpenZFS 2.3.2 by make bench-lab).
//
// Both output formats are tested against captures of real zfs output:
// OpenZFS 2.3.2 (JSON and text) and 2.1.11 (text, and its error messages),
// see testdata/capture.sh. Where 2.1 lacks an option (`zfs holds -p`), the
// client uses what that version has.
//
//	for d, err := range c.Datasets(ctx, zfs.ListOptions{
//		Roots: []string{"tank"}, Recursive: true,
//		Types:      []zfs.Type{zfs.TypeSnapshot},
//		Properties: []string{"used", "com.example:keep"},
//	}) {
//		if err != nil {
//			return err
//		}
//		used, _ := d.Property("used").Bytes()
//		fmt.Println(d.Name(), used, d.Property("com.example:keep").Source)
//	}
//
// The JSON output is read with `-j -p`, not `--json-int`: OpenZFS 2.3 prints
// integers above 2^63-1 (half of all GUIDs) as 9223372036854775807 under
// --json-int. On the text path, a listing with properties uses `zfs get -H -p
// -o name,property,value,source` so that sources are reported; a sorted text
// listing uses `zfs list -H -p`, which has no sources. User property values
// holding tabs or newlines are exact on the JSON path and recovered on the
// text path where the output allows (see ListOptions).
//
// # Operations
//
// CreateFilesystem and CreateVolume (with parents, properties and
// encryption, the key passed on standard input, never on the command line);
// Destroy for any target zfs destroy accepts, including snapshot ranges and
// lists, with DestroyDryRun reporting what would go and the space it frees;
// DestroySnapshots for batches, one atomic command per dataset, retrying
// around snapshots zfs refuses and reporting every failure; Rename, Clone,
// Promote, Rollback (to a snapshot, or to the latest), Mount, Unmount, Share;
// atomic multi-dataset CreateSnapshots; Hold, Release and Holds; bookmarks
// (idempotent creation, copies of bookmarks); Get, Set and Inherit of many
// properties at once; LoadKey, UnloadKey, ChangeKey (which can load the
// current key first, from its keylocation or a reader) and KeyStatus; Diff as
// a stream of typed changes with paths unescaped; and Program, which runs a
// Lua channel program and decodes its result.
//
// A volume's device node appears asynchronously after CreateVolume (and after
// its key is loaded or its pool imported). Volume.WaitDevice waits for it,
// honouring the context's deadline, and returns its path: the udev link
// /dev/zvol/<name> (Volume.DevicePath), or the kernel's /dev/zdN node where
// udev does not make the link. It reports volumes that will never get a node
// (volmode=none, key not loaded, destroyed) as errors instead of waiting.
//
//	vol, err := c.CreateVolume(ctx, "tank/disk0", zfs.VolumeOptions{Size: 1 << 30})
//	dev, err := vol.WaitDevice(ctx)
//
// # Errors
//
// Errors are *errors.Error values from [github.com/gozfs/gozfs/errors],
// carrying the operation, the dataset, the exit code and zfs's standard
// error, with a Kind that errors.Is matches against sentinels such as
// errors.ErrNotExist (and fs.ErrNotExist), errors.ErrExist, errors.ErrBusy,
// errors.ErrHeld, errors.ErrHasChildren, errors.ErrHasClones and
// errors.ErrSnapshotNotLatest. Bad names and options are rejected before
// anything runs, with Kind InvalidName or InvalidArgument. Operations on many
// objects report every failure; errors.Errors lists them. Property accessors
// return a *ValueError, which matches ErrNoValue when zfs printed "-".
package zfs
