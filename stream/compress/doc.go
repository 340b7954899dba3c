// Package compress provides stream.Transform implementations for zstd, lz4
// and gzip compression.
//
// Zstd (github.com/klauspost/compress/zstd) is the recommended default: at
// level 3 it compresses nearly as well as gzip -6 at several times the speed,
// and Options.Concurrency lets the encoder compress blocks in parallel while
// the decoder decodes ahead. LZ4 (github.com/pierrec/lz4/v4) is for links
// faster than one core can compress zstd. Gzip uses klauspost's faster,
// format-compatible implementation.
//
// The Spec of a Transform carries the algorithm name and level, and FromSpec
// or Register rebuild it on the receiving side. Every writer must be closed
// to flush its last frame, and every reader closed to stop its decoder
// goroutines; neither closes the stream it wraps.
package compress
