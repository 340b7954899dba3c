// Package recv runs `zfs receive` on streams from Go I/O, manages resumable
// receive state, and replicates locally (send into receive).
//
//	f, err := os.Open("/backup/home-2.zfs")
//	if err != nil {
//		return err
//	}
//	defer f.Close()
//	res, err := recv.Into(ctx, c, "backup/home", f, recv.Options{Resumable: true, NoMount: true})
//	var re *errors.ResumableError
//	if errors.As(err, &re) {
//		// resume later: send.Options{ResumeToken: re.Token}
//	}
//	fmt.Println("received", res.Snapshots)
//
// # Shapes
//
// [Into] receives a stream read from an [io.Reader] and returns when zfs
// receive has finished. [NewWriter] returns a [*Writer] to write the stream
// into; its Close waits for zfs receive and returns its error. Both return a
// [*Result] naming the snapshots received (from `zfs receive -v`).
//
// [Replicate] sends a snapshot from one client into a receive on another
// (or the same) in one call, with optional transforms in between, and can
// resume an interrupted transfer automatically
// ([ReplicateOptions.Retries]).
//
// # Options
//
// [Options] maps to the zfs receive flags: Force (-F), Resumable (-s),
// NoMount (-u), SkipHolds (-h), Naming (-d, -e), SetProperties (-o
// name=value), ExcludeProperties (-x), Origin (-o origin=), Corrective (-c,
// OpenZFS 2.2 and later) and DryRun (-n). Invalid requests are rejected
// before anything runs, with an [*errors.Error] of Kind InvalidArgument or
// InvalidName.
//
// An unencrypted stream can be received encrypted by setting the encryption
// properties as for zfs create, for example
//
//	SetProperties: map[string]string{
//		"encryption":  "on",
//		"keyformat":   "raw",
//		"keylocation": "file:///etc/zfs/keys/backup",
//	}
//
// The key is read from keylocation, which must therefore be a file:// (or,
// with OpenZFS 2.2 and later, https://) location: zfs receive reads the
// stream on standard input, so keylocation=prompt is rejected. Change
// keylocation after the receive if needed. A raw stream (send.Options.Raw)
// keeps the sender's encryption and needs no key.
//
// # Integrity: nothing is committed from a failed stream
//
// zfs receive commits each dataset's substream when it reads that
// substream's END record, whatever happens to the rest of its input. When
// the stream passes through this process (any reader that is not handed
// over directly, and always with Transforms, Verify or Progress), this
// package therefore keeps the END records back from zfs receive until the
// source has returned io.EOF and every transform has been closed without
// error. If anything fails first (the source, a decryption whose
// authentication fails, a decompressor, the send-stream verifier of Verify,
// or a transform's Close), zfs receive is stopped and never sees them, so it
// fails instead of committing; a resumable receive keeps its partial state
// and the error is an [*errors.ResumableError]. This holds even when the
// failure comes after the last byte of the ZFS stream, such as a bad
// authentication tag on the final chunk of an encrypted stream.
//
// Consequently Into reads its reader to the end: a source must return
// io.EOF after the stream (close the sending side of a connection, or use a
// self-delimiting transform such as stream/encrypt with StopAtFinal). The
// substreams of a compound stream (-R, -I) that precede a failure are
// committed as they complete, as with any zfs receive.
//
// With Verify, the stream's own structure and checksums are checked as it
// passes (package [github.com/gozfs/gozfs/format/sendstream]), so a corrupt
// record stops the receive at that record rather than when zfs receive
// notices.
//
// # Data path
//
// Without Transforms, Verify and Progress, an [*os.File] source (a file, a
// pipe, another process's output) is handed to zfs receive as its standard
// input, and so is a [*net.TCPConn] or [*net.UnixConn], as a duplicate of
// its descriptor. zfs receive then reads exactly the stream, and the
// integrity guarantee above rests on zfs receive's own checksums. A socket
// given to another process must be in blocking mode, a property shared by
// every descriptor of the socket: the caller must not use the connection
// during the call, and it is put back into non-blocking mode before the
// call returns. Other sources are copied into zfs receive through a pipe.
//
// # Errors and cancellation
//
// A failed zfs receive is an [*errors.Error] (Op "receive") with zfs's
// standard error, classified by Kind ([errors.ErrExist],
// [errors.ErrStreamMismatch], ...). A failure of the source or of a read
// transform is an *errors.Error of Kind InvalidStream whose cause is that
// failure, so errors.Is(err, encrypt.ErrAuthentication) or errors.Is(err,
// sendstream.ErrChecksum) work. When the receive left resumable state — it
// was interrupted with Resumable set, or the destination already held
// partial state — the error is an *errors.ResumableError whose Token is the
// destination's receive_resume_token (read with zfs get when zfs did not
// print it), ready for send.Options.ResumeToken. [ResumeToken] reads the
// token of a dataset, and [Abort] discards the state (`zfs receive -A`;
// idempotent).
//
// Cancelling the context interrupts zfs receive with SIGINT (then SIGKILL
// after the runner's grace period), so a resumable receive keeps its
// partial state; the error then matches context.Canceled and, with
// Resumable, carries the token.
//
// # Lifetimes
//
// Into and Replicate return when zfs receive (and, for Replicate, zfs send)
// has exited. If zfs receive fails while a Read of the caller's reader is
// blocked, Into waits for that Read only briefly (a second); the goroutine
// copying from the reader ends when the Read returns. A Writer must be
// closed.
package recv
