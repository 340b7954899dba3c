// Package transport delivers byte streams, such as `zfs send` output, to a
// remote receiver over TCP with TLS, acknowledgements, an end-to-end checksum
// and transparent resumption after dropped connections. It moves opaque
// bytes and knows nothing about ZFS; the sender's metadata (dataset name,
// expected size, the transforms it applied, arbitrary strings) travels with
// the stream for the receiving program to act on.
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
// The end frame carries the byte count and the XXH3-64 hash (seed 0) of the
// payload. TLS already authenticates every record, so the checksum does not
// need to resist an attacker; it guards what TLS cannot see: the
// reassembly of the stream across reconnects and buffer replays, and plain
// TCP transfers. XXH3 was chosen over SHA-256 and XXH64 for speed: with its
// SIMD code it hashes over 15 GB/s per core here, against about 9 GB/s for
// XXH64 and under 2 GB/s for SHA-256, and both ends hash every byte on the
// data path. A mismatch makes the handler's Read return a *ChecksumError
// instead of io.EOF, and the sender gets one too. After Sender.Resume, the
// checksum covers the bytes from the resume offset on (the end frame says
// where it starts).
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
// Memory is bounded: the sender holds at most Window bytes of frame buffers
// (allocated as needed, reused most-recently-freed first so a fast receiver
// keeps the working set small and in cache) plus one 256 KiB batching
// buffer; the receiver holds one read buffer per connection and TLS's
// record buffers, and hands data frames straight from the connection into
// the handler's buffer. Below TLS both ends batch records into 256 KiB
// system calls. The sender reads its source in a goroutine of its own, so
// reading (and hashing) overlaps with encryption and sending. Both ends honour context
// cancellation: a cancelled Send tells the receiver the transfer is
// aborted, and a cancelled Serve closes every connection, cancels every
// handler's context and returns once all of them have returned. No call
// leaves goroutines behind.
//
// # Wire format, protocol version 1
//
// Each direction of a connection (after the TLS handshake, if any) is a
// sequence of frames. A frame is an 8-byte header followed by its payload:
//
//	offset  size  field
//	0       1     magic, 0x7a ('z')
//	1       1     frame type
//	2       1     flags, defined per type, otherwise 0
//	3       1     reserved, 0
//	4       4     payload length, big-endian
//
// A data frame's payload is 1 to MaxFrameSize (1 MiB) bytes; any other
// frame's is at most MaxControlSize (64 KiB). Control payloads are built
// from: u8, u32 and u64 (big-endian), varint (signed, zig-zag, as
// encoding/binary.AppendVarint), str (uvarint length, then bytes) and map
// (uvarint count, then key and value strs, keys sorted and unique). A
// payload with bytes left over, an unknown type or flag, or a non-zero
// reserved byte is a protocol violation.
//
//	type  name    direction  payload
//	1     hello   S→R        u8 version, u8 flags, u32 window, u32 frame size,
//	                         u32 idle timeout (ms, 0 unspecified),
//	                         str transfer ID (1..128 bytes), str dataset,
//	                         varint expected size (-1 unknown),
//	                         uvarint n, n × (str name, map params) transforms,
//	                         map metadata
//	                         flags: 1 resume an existing transfer,
//	                         2 new sender process (with 1): restart checksum
//	2     accept  R→S        u8 version, u8 flags, u64 offset, map reply
//	                         flags: 1 end frame already verified
//	3     data    S→R        payload bytes
//	4     end     S→R        u64 byte count (end offset), u64 checksum start
//	                         offset, u8 algorithm (1 = XXH3-64), u64 checksum
//	5     ack     R→S        u64 bytes handed to the handler
//	6     result  R→S        u8 status, u64 byte count, u64 checksum,
//	                         str message
//	7     ping    both       empty
//	8     abort   S→R        str reason
//
// Result statuses: 0 ok, 1 rejected by the handler, 2 checksum mismatch, 3
// protocol violation, 4 unknown transfer, 5 timeout, 6 unsupported version,
// 7 busy (receiver at its transfer limit).
//
// A connection goes: the sender sends hello; the receiver answers accept
// (possibly after pings, while its handler decides) or result (rejected,
// busy, unknown transfer, or the outcome of a transfer that already
// finished); after accept at offset k the sender sends data frames carrying
// the bytes from offset k on, then end; the receiver sends acks while data
// flows and, once its handler returned, the result; the sender then closes
// the connection. The sender sends a ping when it has written nothing for a
// third of its idle timeout; the receiver sends an ack (a ping before the
// accept) when it has written nothing for a third of the shorter of the two
// idle timeouts, and waits for the longer one; so a silent connection is a
// dead one. Data frame boundaries carry no meaning; after a
// reconnect the first data frame may start inside an earlier frame's
// bytes.
//
// Versioning: the hello and accept carry the protocol version. A receiver
// answers a hello of a version it does not speak with status 6 and closes.
// Any change to the frame layout or to the meaning of a field is a new
// version; the magic byte and the strict decoders make a peer speaking
// something else fail fast with a protocol violation.
package transport
