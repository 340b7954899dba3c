// Package checksum computes running digests of byte streams: plain hashing
// taps (Writer, Reader, Sum) and an end-to-end trailer Transform that
// appends the digest to a stream and verifies it on the receiving side.
//
// Three algorithms are offered: SHA256 (crypto/sha256), BLAKE3
// (github.com/zeebo/blake3, SIMD accelerated) and XXH64
// (github.com/cespare/xxhash/v2, non-cryptographic, for speed). Use SHA256 or
// BLAKE3 when the digest must resist deliberate tampering, or better, the
// stream/encrypt transform, which authenticates every chunk before releasing
// it; the trailer only detects damage after the data has been delivered.
//
// A trailer reader reports a damaged stream at the end, instead of io.EOF,
// with an error matching ErrMismatch (a *MismatchError with both digests),
// ErrLength or ErrNoTrailer.
package checksum
