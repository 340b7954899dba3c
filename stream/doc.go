// Package stream provides byte-stream plumbing with no ZFS knowledge:
// chainable transforms, an in-process buffer, rate limiting, progress
// reporting and per-stage pipeline metrics. Compression, authenticated
// encryption and integrity trailers live in the subpackages stream/compress,
// stream/encrypt and stream/checksum; they all implement Transform.
//
// # Transforms
//
// A WriteTransform wraps an io.Writer and a ReadTransform wraps an io.Reader.
// ChainWriter and ChainReader stack them; closing a chain closes every stage
// in data-flow order so buffered data is flushed all the way down, and joins
// any errors. A Transform pairs both directions with a Spec (a name plus
// non-secret parameters) that a sender can announce to a receiver; a receiver
// rebuilds the transforms from the specs with a Registry and undoes them with
// Decoder.
//
// Neither chain closes the underlying writer or reader: the caller owns them.
package stream
