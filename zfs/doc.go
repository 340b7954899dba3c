// Package zfs manages OpenZFS datasets from Go: it lists filesystems,
// volumes, snapshots and bookmarks with any properties, and creates,
// snapshots, bookmarks, holds, renames, rolls back and destroys them, by
// running the zfs command.
//
//	c := zfs.New(zfs.ClientOptions{})
//	fs, err := c.Filesystem(ctx, "tank/home")
//	if err != nil {
//		return err
//	}
//	snap, err := fs.CreateSnapshot(ctx, "monday", zfs.SnapshotOptions{Recursive: true})
//	if errors.Is(err, errors.ErrExist) {
//		// taken already
//	}
//	bm, err := snap.CreateBookmark(ctx, "monday") // the base of the next incremental send
//
// # Clients and handles
//
// A [Client] runs the commands. [New] makes one from [ClientOptions], whose
// zero value runs zfs from $PATH; its Runner (a [command.Runner]) can add
// sudo, a container, ssh, logging, or replay recorded output in tests, as
// the examples do. The client asks zfs for its version on first use
// (ClientOptions.Version skips that). It is safe for concurrent use. Every
// method that runs a command takes a context first: cancelling it stops the
// command (SIGTERM, then SIGKILL after a grace period) and the method
// returns an error matching [context.Canceled].
//
// [Filesystem], [Volume], [Snapshot] and [Bookmark] are handles: cheap
// references holding the client, the full name and the identity read when
// the handle was made (type, GUID, creation TXG and creation time). Look one
// up with [Client.Filesystem], [Client.Volume], [Client.Snapshot] and
// [Client.Bookmark], or get one from the methods that create datasets:
// [Client.CreateFilesystem], [Client.CreateVolume], [Client.CreateSnapshots],
// [Filesystem.CreateSnapshot], [Snapshot.CreateBookmark]. A handle goes stale
// when its dataset is renamed or destroyed elsewhere; its GUID is what
// survives a rename.
//
// Names are plain strings everywhere ("tank/home", "tank/home@monday",
// "tank/home#monday"), checked against zfs's rules before anything runs.
//
// # Listing
//
// [Client.Datasets] lists datasets with any properties (native, user
// "module:name", written@snap, or "all") in one zfs command, whatever their
// number, and yields each [Dataset] as soon as zfs has printed its row:
// memory stays flat however long the listing, and breaking out of the loop
// stops and reaps the command. [Client.List] collects the same rows into a
// slice. [ListOptions] choose the roots, recursion or depth, types, sorting
// and properties.
//
//	for d, err := range c.Datasets(ctx, zfs.ListOptions{
//		Roots:      []string{"tank"},
//		Recursive:  true,
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
// A Dataset is a row of a listing, data like an fs.FileInfo: its Properties
// and Property methods read what the listing returned and run nothing, and
// [Dataset.AsFilesystem], [Dataset.AsSnapshot] and the like turn it into a
// handle. A Dataset holds only its own values, so keeping a few rows of a
// big listing keeps nothing else alive. Parsing costs this process 1 to 2%
// of the CPU time zfs itself spends printing the listing.
//
// # Properties
//
// Handles do not cache property values. Get runs `zfs get` and returns
// [Properties], point-in-time [Property] values that carry the raw string,
// typed accessors ([Property.Bytes], [Property.Uint], [Property.Bool],
// [Property.Ratio], [Property.Time], [Property.Enum]) and their [Source]
// (local, default, inherited from a dataset, received, temporary, none). Set
// and Inherit change them.
//
//	ps, err := fs.Get(ctx, "used", "compression")
//	used, err := ps.Property("used").Bytes()
//
// # Operations
//
// Besides listing and properties, the client and handles cover the life of
// datasets:
//
//   - creation: [Client.CreateFilesystem] and [Client.CreateVolume] (with
//     parents, properties and encryption), [Client.CreateSnapshots]
//     (several datasets atomically), [Snapshot.Clone] and
//     [Filesystem.Promote];
//   - destruction: [Client.Destroy] for any target zfs destroy accepts,
//     snapshot ranges and lists included, [Client.DestroyDryRun] for what it
//     would destroy and free, and [Client.DestroySnapshots] for batches, one
//     atomic command per dataset, reporting every snapshot zfs refused;
//   - [Client.Rename], [Snapshot.Rollback], mounting and sharing;
//   - holds ([Client.Hold], [Client.Release], [Client.Holds]) and bookmarks
//     (creation is idempotent);
//   - encryption keys: [Filesystem.LoadKey], UnloadKey, [Filesystem.ChangeKey]
//     (which can load the current key first) and KeyStatus. Keys are read
//     from an io.Reader and passed to zfs on standard input, never on its
//     command line;
//   - [Client.Diff], the changes between snapshots as a stream of [Change]
//     values with paths unescaped, and [Client.Program], which runs a Lua
//     channel program and decodes its result.
//
// A volume's device node appears asynchronously after CreateVolume (and
// after its key is loaded or its pool imported): [Volume.WaitDevice] waits
// for it and returns its path.
//
// Every options struct has an ExtraArgs field ([ExtraArgs]) for a flag of
// zfs that this package does not model yet.
//
// # Errors
//
// Errors are [*errors.Error] values from package
// [github.com/gozfs/gozfs/errors], carrying the operation, the dataset, the
// exit code and zfs's standard error, with a Kind that errors.Is matches
// against sentinels such as [errors.ErrNotExist] (and fs.ErrNotExist),
// [errors.ErrExist], [errors.ErrBusy] (a held snapshot, for instance),
// [errors.ErrHasChildren], [errors.ErrHasClones] and
// [errors.ErrSnapshotNotLatest]. Bad names and options are rejected before
// anything runs, with Kind InvalidName or InvalidArgument. Operations on
// many objects report every failure; [errors.Errors] lists them. Property
// accessors return a [*ValueError], which matches [ErrNoValue] when zfs
// printed "-".
//
// # Versions
//
// The client adapts to the OpenZFS version it finds, and is tested against
// OpenZFS 2.1.11 and 2.3.2. On 2.3 and later it reads zfs's JSON output
// (-j); before, or with ClientOptions.TextOutput, its text output (-H -p).
// Both give the same results, except where the documentation of a method or
// option says otherwise. Where an older release lacks an option (`zfs holds
// -p` before 2.2), the client does without it; options a release cannot
// honour at all fail with Kind NotSupported before anything runs.
package zfs
