// Package send runs `zfs send` and delivers its stream as Go I/O: into an
// io.Writer ([To]), or as an io.Reader to pull from ([Reader]), optionally
// through transforms (compression, encryption, checksums) and with
// progress.
//
//	f, err := os.Create("/backup/home-2.zfs")
//	if err != nil {
//		return err
//	}
//	defer f.Close()
//	err = send.To(ctx, c, f, "tank/home@2", send.Options{From: "tank/home#1"})
//
// # Shapes
//
// [To] pushes the stream into an [io.Writer] and returns when it is
// complete. [Reader] returns a [*Stream] to pull it from: an
// [io.ReadCloser] that is also an [io.WriterTo], so io.Copy(dst, s) works
// and is efficient. [Estimate] runs a dry run (`zfs send -nvP`) and returns
// the expected size, for progress and ETA with [stream.Progress].
// [Validate] checks a request without running anything.
//
// Snapshots, bookmarks and datasets are named by strings, as zfs names
// them; a handle's Name method gives one ([zfs.Snapshot.Name]). Receive a
// stream with package [github.com/gozfs/gozfs/recv].
//
// # Options
//
// [Options] maps to the zfs send flags: From (-i, a snapshot or a
// bookmark), Intermediates (-I), Replicate (-R) with ExcludeDatasets (-X)
// and SkipMissing (-s), Properties (-p), Holds (-h), Backup (-b), Raw (-w),
// Compressed (-c), LargeBlocks (-L), Embedded (-e), ResumeToken (-t) and
// Saved (-S). Combinations zfs rejects are rejected before anything runs,
// with an [*errors.Error] of Kind InvalidArgument (or InvalidName for bad
// names):
//
//   - Intermediates needs From, and neither Intermediates nor Replicate can
//     start from a bookmark;
//   - ExcludeDatasets and SkipMissing need Replicate;
//   - ResumeToken takes no snapshot and combines only with Raw, Compressed,
//     LargeBlocks and Embedded (which add to the token's own flags);
//   - Saved takes the filesystem with partial receive state and no other
//     stream option.
//
// Options that depend on the OpenZFS version (ExcludeDatasets needs 2.2,
// SkipMissing 2.1; Dedup was removed in 2.0) make the client detect the
// version, and are rejected with Kind NotSupported where the version lacks
// them. Deduplicated streams are not offered on 2.0 and later, where zfs
// send ignores -D.
//
// Options.Transforms (see package [github.com/gozfs/gozfs/stream]) process
// the stream on its way, in the order given: compress before encrypting.
//
// # Data path
//
// Without Transforms and Progress the stream does not pass through this
// process when it can be avoided: To hands an [*os.File] (file, pipe, a
// process's standard input) to zfs send as its standard output, and a
// Stream's WriteTo does the same for a regular file. To also hands over a
// [*net.TCPConn] or [*net.UnixConn], as a duplicate of its descriptor: zfs
// send then writes into the socket itself (OpenZFS 2.2 and later splice
// into it). Duplicating is safe — the duplicate is close-on-exec and closed
// when zfs send exits, and the connection stays open — with one visible
// effect: a socket given to another process must be in blocking mode, and
// that mode is shared by every descriptor of the socket. For the duration
// of the call the caller must not use the connection (its deadlines would
// not work); To puts it back into the non-blocking mode the Go runtime
// needs before it returns.
//
// Other writers, and the pull side of a Stream, get the stream through a
// pipe. With Transforms the stream is copied through them, and a Stream
// reads the transformed bytes from a bounded buffer
// (Options.BufferSize).
//
// # Errors
//
// A failed zfs send is an [*errors.Error] (Op "send") with zfs's standard
// error and exit status, classified by Kind (errors.Is(err,
// errors.ErrNotExist) and so on). A Stream's Read returns it after the last
// byte the command wrote, instead of [io.EOF]. Failures of the destination
// writer or of a transform are the error's cause, reachable with errors.Is
// and errors.As. Cancelling the context stops zfs send (SIGTERM, then
// SIGKILL after the runner's grace period) and the error matches
// [context.Canceled].
//
// # Lifetimes
//
// To, Estimate and Validate return only when everything they started has
// ended. A Stream starts zfs send on its first Read or WriteTo; the caller
// must Close it, which stops zfs send if it is still running and waits for
// it. Abandoning a stream early is not an error.
package send
