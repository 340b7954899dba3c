// Package stream is byte-stream plumbing with no ZFS knowledge: chainable
// transforms (compression, encryption and checksums from its subpackages),
// an in-process buffer, rate limiting, progress reporting and per-stage
// pipeline metrics. Packages send and recv take its transforms and
// progress, and stream/transport carries streams over the network, but
// everything here works on any [io.Reader] or [io.Writer].
//
//	zstd, err := compress.New(compress.Zstd, compress.Options{})
//	enc, err := encrypt.New(encrypt.Options{Passphrase: pass})
//	w, err := stream.ChainWriter(file, zstd.NewWriter, enc.NewWriter) // compress, then encrypt
//	if err != nil {
//		return err
//	}
//	if _, err := io.Copy(w, src); err != nil {
//		return err
//	}
//	return w.Close() // flushes every stage; file stays open
//
// Subpackages provide the transforms themselves:
//
//	stream/compress     zstd, lz4 and gzip
//	stream/encrypt      encryption in the age format (passphrases, X25519
//	                    and ssh keys; readable by the age tool) or in
//	                    gozfs's own chunked AES-256-GCM/ChaCha20-Poly1305
//	                    format, which its documentation specifies
//	stream/checksum     SHA-256, BLAKE3 and xxHash64 taps and an
//	                    end-to-end digest trailer
//	stream/progressbar  a terminal progress bar for Progress (kept apart so
//	                    this package has no terminal dependency)
//
// # Transforms
//
// A WriteTransform wraps an io.Writer (func(io.Writer) (io.WriteCloser,
// error), the shape of gzip.NewWriter) and a ReadTransform wraps an
// io.Reader. ChainWriter(dst, t1, t2) sends written data through t1, then
// t2, then into dst; closing the chain closes t1 first so its final flush
// reaches t2 before t2 closes, and joins every stage's error. ChainReader
// does the same for reads. Neither closes dst or src: the caller owns them.
// WriterFunc, WriterFuncErr, ReaderFunc and ReaderFuncErr adapt standard
// constructors.
//
// A Transform pairs both directions with a Spec: a name and non-secret
// parameters, such as "zstd(level=3)" or "encrypt(algorithm=aes-256-gcm,
// ...)". A sender announces Specs(ts...) to the receiver (for example in
// a hello message); the receiver rebuilds the transforms with a Registry,
// whose factories close over its own secrets (keys), and undoes them with
// Decoder, which applies the read sides in reverse order:
//
//	w, _ := stream.Encoder(conn, zstd, enc)   // compress, then encrypt
//	...
//	ts, _ := registry.Build(specs...)          // on the receiver
//	r, _ := stream.Decoder(conn, ts...)        // decrypt, then decompress
//
// Compress before encrypting: ciphertext does not compress.
//
// # Flow control and observation
//
// Buffer is a bounded ring-buffer pipe, an in-process mbuffer: the writer
// blocks only when the buffer is full and the reader only when it is empty,
// with optional high and low watermarks, and BufferStats report fill level
// and how often and how long each side stalled. BufferWriter and
// BufferReader put a Buffer into a chain; their goroutines end with the
// stream.
//
// Limiter caps throughput in bytes per second with a token bucket shared by
// all streams made from it; the rate can change while streams run and waits
// honour a context.
//
// Progress counts bytes through counting adapters and reports totals,
// windowed and average rates and an ETA to a throttled callback.
// CountingWriter and CountingReader are plain counters.
//
// Pipeline wraps each stage of a chain (source, transforms, buffers, sink)
// with timers and reports, per stage, how long it was busy with its own
// work and how long it was blocked on its neighbour, and names the
// bottleneck.
//
// # Errors and concurrency
//
// Errors are wrapped with %w; match them with errors.Is and errors.As.
// ErrClosed reports use of a closed chain or Buffer end. Each subpackage
// documents its own sentinels (encrypt.ErrAuthentication,
// checksum.ErrMismatch, ...).
//
// Transforms, Registries (once filled), Limiters, Progress and Pipelines are
// safe for concurrent use. The readers and writers they produce are not,
// except Buffer, whose two ends may be used from two goroutines.
package stream
