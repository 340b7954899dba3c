// Package zpool manages OpenZFS pools from Go, by running the zpool
// command: it lists pools with typed properties, reads `zpool status` as a
// typed vdev tree, creates, imports, exports and destroys pools, runs and
// waits for scrubs, resilvers and TRIMs, manages devices, checkpoints and
// feature flags, reads the pool history and samples I/O statistics.
//
//	pools := zpool.New(zfs.New(zfs.ClientOptions{}))
//	st, err := pools.Status(ctx, "tank")
//	if err != nil {
//		return err
//	}
//	for _, v := range st.Vdevs() {
//		if !v.State.Healthy() || v.ChecksumErrors > 0 {
//			fmt.Println(v.Name, v.State, v.ChecksumErrors)
//		}
//	}
//
// # Clients
//
// A [Client] is made by [New] from a [*zfs.Client], whose Runner and OpenZFS
// version probe it shares, so that one program drives zfs and zpool through
// the same runner (the default exec runner, sudo, ssh, a container, a
// replay in tests) and probes the version once. zpool.New(nil) uses
// zfs.New(zfs.ClientOptions{}). A Client is safe for concurrent use.
//
// # Pools and status
//
// [Client.Pools] and [Client.Pool] return [Pool] values: every property of
// a pool, typed, with the raw values as [zfs.Properties]. [Client.Status]
// returns a [Status]: the pool's state, zpool's explanation of a problem,
// the last or current scan ([Scan]) and the vdev tree ([Vdev], with error
// counters per vdev). [ParseStatus] and [ParseStatusJSON] parse `zpool
// status` output obtained some other way.
//
// On OpenZFS 2.3 and later the client reads zpool's JSON output, before
// that (or with zfs.ClientOptions.TextOutput) its text output; both give
// the same types, with the differences noted on their fields: the text
// output of `zpool status` rounds scan byte counts to three significant
// digits ([Scan.Exact] tells) and has no GUIDs, and times in text output
// are read in the local time zone.
//
// # Creating and changing pools
//
// [Client.Create] takes a [Layout] built from [VdevSpec] values ([Disk],
// [Mirror], [RAIDZ], [DRAID]) for the data vdevs and the log, special,
// dedup, cache and spare classes; [Client.CreateDryRun] shows what zpool
// would do. [Client.Import], [Client.ImportList] and [Client.Export] move
// pools between hosts; Attach, Detach, Replace, Online, Offline, Add and
// Remove manage devices.
//
// # Long-running operations
//
// Scrubs, resilvers, TRIMs and checkpoint discards run in the kernel after
// the command that started them returns. [Client.Wait] waits for them
// (`zpool wait`), [Client.Status] reports their progress, and the options
// of Scrub, Trim, Attach and Replace can wait for completion.
// [Client.IostatStream] samples I/O statistics as an iterator; breaking out
// of the loop stops the zpool process.
//
// # Errors
//
// Every method takes a context first; cancelling it stops the zpool
// process (SIGTERM, then SIGKILL after the runner's grace period) and the
// method returns an error matching context.Canceled. Failures are
// [*errors.Error] values from package [github.com/gozfs/gozfs/errors],
// whose Kind errors.Is matches against sentinels: a pool that does not
// exist gives [errors.ErrNotExist] (and fs.ErrNotExist), creating or
// importing over an existing name gives [errors.ErrExist]. Pool names,
// device operands, property names and options are checked before anything
// runs, giving [errors.ErrInvalidName] or [errors.ErrInvalidArgument].
package zpool
