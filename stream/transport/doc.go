// Package transport delivers byte streams, such as `zfs send` output, to a
// remote receiver over TCP with TLS, acknowledgements, an end-to-end
// checksum and transparent resumption after dropped connections. It moves
// opaque bytes and knows nothing about ZFS; the sender's metadata (dataset
// name, expected size, the transforms it applied, arbitrary strings) travels
// with the stream for the receiving program to act on.
//
// The receiving side runs a [Server] whose [Handler] gets each transfer as
// an io.Reader, here piped into `zfs receive`; the sending side gives a
// [Sender] the stream to deliver:
//
//	srv := &transport.Server{
//		TLSConfig: serverTLS,
//		Handler: transport.HandlerFunc(func(ctx context.Context, t *transport.Transfer, r io.Reader) error {
//			_, err := recv.Into(ctx, c, "backup/home", r, recv.Options{Resumable: true})
//			return err
//		}),
//	}
//	err := srv.ListenAndServe(ctx, ":7070")
//
//	s := &transport.Sender{Addr: "backup.example.com:7070", TLSConfig: clientTLS}
//	stream, err := send.Reader(ctx, c, "tank/home@today", send.Options{From: "tank/home@yesterday"})
//	if err != nil {
//		return err
//	}
//	defer stream.Close()
//	res, err := s.SendReader(ctx, stream, transport.Header{Dataset: "tank/home"})
//
// # Sending and receiving
//
// A Sender delivers one stream per call: Send reads a Source, SendReader an
// io.Reader, and NewWriter returns an io.WriteCloser to write into. Each call
// returns only when the receiver's handler has consumed and accepted the
// data (its final acknowledgement), with a *Result carrying the handler's
// message, or with an error.
//
// A Server accepts connections and runs its Handler once per transfer, with
// the metadata in a *Transfer and the bytes as an io.Reader, e.g. to feed
// `zfs receive`. The handler rejects a transfer at hello time by returning
// an error before its first Read (the sender then sends nothing), or later
// by returning an error at any point; either way the sender gets a
// *RejectedError with the error's text.
//
// # Security
//
// With a tls.Config on both ends, connections use TLS 1.3 (required unless
// the config sets MinVersion), which on CPUs with AES instructions
// negotiates AES-128-GCM. Mutual TLS is the Server's ClientAuth and
// ClientCAs plus the Sender's Certificates; Transfer.TLS shows the handler
// the verified client chain. A resumed transfer must come from the same
// client certificate as its first connection. Without a tls.Config the
// stream is plain TCP, for trusted networks and tests only.
//
// # Delivery guarantees and resumption
//
// The handler's reader yields the sender's bytes exactly once and in order,
// and returns io.EOF only after the end frame's byte count and checksum
// matched what it delivered. The receiver acknowledges, periodically, how
// many bytes it has handed to the handler. The sender keeps every byte it
// has sent but that is not yet acknowledged, at most Sender.Window bytes, in
// fixed-size frame buffers. When a connection drops (reset, idle timeout,
// TLS record failure) the sender reconnects with the transfer ID, the
// receiver answers with the offset it has handed to the handler so far, and
// the sender continues from there out of its buffers. Meanwhile the
// receiver keeps the transfer, with the handler blocked in Read, for
// Server.ResumeTimeout. The handler sees one seamless stream, so any
// io.Reader source, including a `zfs send` pipe, survives connection drops
// for as long as the sending process lives.
//
// If the sending process itself dies, a new one can continue the transfer
// while the receiver still holds it: Sender.Resume asks for the receiver's
// offset and opens the Source there (Source.Open(ctx, offset)). Files
// (FileSource) and seekable readers (SeekerSource) reopen at any offset; a
// `zfs send` pipe cannot.
//
// For ZFS, the durable form of resumption is ZFS's own: run `zfs receive -s`
// in the handler, and have the handler, at hello time, look up the target's
// receive_resume_token property and put it in Transfer.Reply (e.g. under
// "zfs.receive_resume_token"). A Source that implements ReplySource sees the
// reply before it is opened, and starts `zfs send -t <token>` instead of a
// full send. That new stream is a new transfer from offset 0, which works
// even after both ends restarted.
//
// # Checksum
//
// The end frame carries the byte count and the XXH3-64 hash of the
// payload, checked by the receiver: it guards what TLS cannot see, the
// reassembly of the stream across reconnects and buffer replays, and plain
// TCP transfers. A mismatch makes the handler's Read return a
// [*ChecksumError] instead of io.EOF, and the sender gets one too. After
// [Sender.Resume], the checksum covers the bytes from the resume offset on.
//
// # Errors
//
// Errors match sentinels with errors.Is: ErrRefused (nothing listening),
// ErrTLS (handshake, certificate or record failure), ErrTimeout,
// ErrConnLost (reconnects exhausted), ErrProtocol (*ProtocolError),
// ErrRejected (*RejectedError), ErrChecksum (*ChecksumError), ErrAborted (the
// handler's view of a sender that gave up) and ErrUnknownTransfer (a resume
// the receiver cannot serve). Network failures come as *OpError, whose Kind
// is the sentinel and whose Err is the underlying error. A cancelled
// context is reported as the context's error.
//
// # Resources
//
// Memory is bounded: the sender holds at most Sender.Window bytes of
// buffered frames plus a fixed batching buffer, the receiver a read buffer
// per connection and TLS's record buffers. Both ends honour context
// cancellation: a cancelled Send tells the receiver the transfer is
// aborted, and a cancelled Serve closes every connection, cancels every
// handler's context and returns once all of them have returned. No call
// leaves goroutines behind.
//
// # Versions
//
// Sender and receiver speak protocol version [ProtocolVersion], announced in
// the first frame of every connection. A receiver refuses a sender of a
// version it does not speak, and the sender gets a [*ProtocolError] naming
// both versions, so upgrade both ends together.
package transport
