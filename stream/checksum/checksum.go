package checksum

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/cespare/xxhash/v2"
	"github.com/zeebo/blake3"

	"github.com/gozfs/gozfs/stream"
)

// Algorithm is a hash algorithm. The values are the Spec parameter and the
// trailer's algorithm byte.
type Algorithm uint8

// The supported algorithms.
const (
	// SHA256 is SHA-256: a cryptographic digest, hardware-accelerated on
	// most CPUs.
	SHA256 Algorithm = 1
	// BLAKE3 is BLAKE3 with a 32-byte digest: cryptographic and faster than
	// SHA-256 in software (SIMD).
	BLAKE3 Algorithm = 2
	// XXH64 is xxHash64: not cryptographic, catches accidental corruption
	// at memory speed.
	XXH64 Algorithm = 3
)

// ErrUnknownAlgorithm is returned for an algorithm this package does not
// know.
var ErrUnknownAlgorithm = errors.New("checksum: unknown algorithm")

// String returns "sha256", "blake3" or "xxh64".
func (a Algorithm) String() string {
	switch a {
	case SHA256:
		return "sha256"
	case BLAKE3:
		return "blake3"
	case XXH64:
		return "xxh64"
	}
	return fmt.Sprintf("algorithm(%d)", uint8(a))
}

// ParseAlgorithm parses the names String returns.
func ParseAlgorithm(s string) (Algorithm, error) {
	for _, a := range []Algorithm{SHA256, BLAKE3, XXH64} {
		if a.String() == s {
			return a, nil
		}
	}
	return 0, fmt.Errorf("%w %q", ErrUnknownAlgorithm, s)
}

// New returns a fresh hash for a, or nil if a is unknown.
func (a Algorithm) New() hash.Hash {
	switch a {
	case SHA256:
		return sha256.New()
	case BLAKE3:
		return blake3.New()
	case XXH64:
		return xxhash.New()
	}
	return nil
}

// Size returns the digest size of a in bytes, or 0 if a is unknown.
func (a Algorithm) Size() int {
	switch a {
	case SHA256, BLAKE3:
		return 32
	case XXH64:
		return 8
	}
	return 0
}

// Writer is a hashing tap: it writes through to an underlying writer (if
// any) and hashes every byte that was written successfully.
type Writer struct {
	w io.Writer
	h hash.Hash
	n int64
}

// NewWriter returns a Writer hashing with a into w. A nil w only hashes.
// It panics if a is unknown.
func NewWriter(w io.Writer, a Algorithm) *Writer {
	h := a.New()
	if h == nil {
		panic("checksum: NewWriter: " + a.String())
	}
	return &Writer{w: w, h: h}
}

// Write writes p to the underlying writer and hashes the bytes written.
func (w *Writer) Write(p []byte) (int, error) {
	n := len(p)
	var err error
	if w.w != nil {
		n, err = w.w.Write(p)
	}
	w.h.Write(p[:n])
	w.n += int64(n)
	return n, err
}

// Sum returns the digest of everything written so far.
func (w *Writer) Sum() []byte { return w.h.Sum(nil) }

// N returns the number of bytes hashed.
func (w *Writer) N() int64 { return w.n }

// Reader is a hashing tap: it reads from an underlying reader and hashes
// every byte returned.
type Reader struct {
	r io.Reader
	h hash.Hash
	n int64
}

// NewReader returns a Reader hashing with a what it reads from r. It panics
// if a is unknown.
func NewReader(r io.Reader, a Algorithm) *Reader {
	h := a.New()
	if h == nil {
		panic("checksum: NewReader: " + a.String())
	}
	return &Reader{r: r, h: h}
}

// Read reads from the underlying reader and hashes what it returns.
func (r *Reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.h.Write(p[:n])
	r.n += int64(n)
	return n, err
}

// Sum returns the digest of everything read so far.
func (r *Reader) Sum() []byte { return r.h.Sum(nil) }

// N returns the number of bytes hashed.
func (r *Reader) N() int64 { return r.n }

// Sum hashes everything r yields with a and returns the digest and the
// number of bytes read.
func Sum(r io.Reader, a Algorithm) ([]byte, int64, error) {
	w := NewWriter(nil, a)
	n, err := io.Copy(w, r)
	return w.Sum(), n, err
}

// TrailerMagic starts every checksum trailer.
const TrailerMagic = "GOZFSSUM"

const trailerFixed = len(TrailerMagic) + 1 + 1 + 8

// TrailerSize returns the size in bytes of the trailer for a.
func TrailerSize(a Algorithm) int { return trailerFixed + a.Size() }

// Errors reported by trailer readers.
var (
	// ErrMismatch means the digest of the data differs from the trailer's:
	// the data was corrupted. The error is a *MismatchError.
	ErrMismatch = errors.New("checksum: digest mismatch")
	// ErrNoTrailer means the stream does not end with a valid trailer for
	// the expected algorithm: it was truncated, or written without a
	// trailer, or with another algorithm.
	ErrNoTrailer = errors.New("checksum: no valid trailer")
	// ErrLength means the trailer's byte count differs from the data read:
	// data was lost or added.
	ErrLength = errors.New("checksum: length mismatch")
)

// MismatchError reports a digest mismatch; it matches ErrMismatch.
type MismatchError struct {
	Algorithm Algorithm
	Want      []byte // digest from the trailer
	Got       []byte // digest of the data received
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("checksum: %v digest mismatch: trailer %s, data %s",
		e.Algorithm, hex.EncodeToString(e.Want), hex.EncodeToString(e.Got))
}

// Unwrap returns ErrMismatch.
func (e *MismatchError) Unwrap() error { return ErrMismatch }

// Transform appends a digest trailer on the write side and checks it on the
// read side. It implements stream.Transform.
//
// Trailer format (big-endian), appended after the data:
//
//	8 bytes  "GOZFSSUM"
//	1 byte   algorithm (1 sha256, 2 blake3, 3 xxh64)
//	1 byte   digest size D
//	8 bytes  number of data bytes
//	D bytes  digest of the data
//
// The reader releases data as it arrives, holding back only the last
// TrailerSize bytes, and verifies the trailer when the source reaches EOF:
// the final Read returns io.EOF only if the stream is intact, and otherwise
// a *MismatchError, ErrNoTrailer or ErrLength. Consumers must therefore treat
// everything read as provisional until io.EOF.
type Transform struct {
	alg Algorithm
}

var _ stream.Transform = (*Transform)(nil)

// Trailer returns a trailer Transform for a.
func Trailer(a Algorithm) (*Transform, error) {
	if a.Size() == 0 {
		return nil, fmt.Errorf("%w %v", ErrUnknownAlgorithm, a)
	}
	return &Transform{alg: a}, nil
}

// Spec returns {Name: "checksum", Params: {"algorithm": name}}.
func (t *Transform) Spec() stream.Spec {
	return stream.Spec{Name: "checksum", Params: map[string]string{"algorithm": t.alg.String()}}
}

// FromSpec builds a trailer Transform from its Spec.
func FromSpec(s stream.Spec) (*Transform, error) {
	a, err := ParseAlgorithm(s.Params["algorithm"])
	if err != nil {
		return nil, err
	}
	return Trailer(a)
}

// Register adds a factory for "checksum" to g.
func Register(g *stream.Registry) {
	g.Register("checksum", func(s stream.Spec) (stream.Transform, error) { return FromSpec(s) })
}

// NewWriter returns a writer that passes data to w and, on Close, appends
// the trailer. Close does not close w.
func (t *Transform) NewWriter(w io.Writer) (io.WriteCloser, error) {
	return &trailerWriter{tap: NewWriter(w, t.alg), w: w, alg: t.alg}, nil
}

type trailerWriter struct {
	tap    *Writer
	w      io.Writer
	alg    Algorithm
	closed bool
}

func (t *trailerWriter) Write(p []byte) (int, error) {
	if t.closed {
		return 0, stream.ErrClosed
	}
	return t.tap.Write(p)
}

func (t *trailerWriter) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	_, err := t.w.Write(appendTrailer(nil, t.alg, t.tap.N(), t.tap.Sum()))
	return err
}

func appendTrailer(b []byte, a Algorithm, n int64, sum []byte) []byte {
	b = append(b, TrailerMagic...)
	b = append(b, byte(a), byte(len(sum)))
	b = binary.BigEndian.AppendUint64(b, uint64(n))
	return append(b, sum...)
}

// NewReader returns a reader that yields the data without the trailer and
// verifies the trailer at EOF. Close does not close r.
func (t *Transform) NewReader(r io.Reader) (io.ReadCloser, error) {
	ts := TrailerSize(t.alg)
	return &trailerReader{
		r:   r,
		alg: t.alg,
		h:   t.alg.New(),
		ts:  ts,
		buf: make([]byte, 32<<10+ts),
	}, nil
}

type trailerReader struct {
	r      io.Reader
	alg    Algorithm
	h      hash.Hash
	n      int64 // data bytes released
	ts     int
	buf    []byte
	have   int // bytes in buf
	eof    bool
	err    error
	closed bool
}

func (t *trailerReader) Read(p []byte) (int, error) {
	if t.closed {
		return 0, stream.ErrClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	for t.err == nil && !t.eof && t.have <= t.ts {
		n, err := t.r.Read(t.buf[t.have:])
		t.have += n
		if err == io.EOF {
			t.eof = true
		} else if err != nil {
			t.err = err
		}
	}
	if t.have > t.ts {
		k := copy(p, t.buf[:t.have-t.ts])
		t.h.Write(p[:k])
		t.n += int64(k)
		t.have = copy(t.buf, t.buf[k:t.have])
		return k, nil
	}
	if t.err != nil {
		return 0, t.err
	}
	// EOF with at most the trailer left.
	t.err = t.verify(t.buf[:t.have])
	return 0, t.err
}

func (t *trailerReader) verify(tr []byte) error {
	if len(tr) < t.ts || !bytes.HasPrefix(tr, []byte(TrailerMagic)) ||
		tr[8] != byte(t.alg) || int(tr[9]) != t.alg.Size() {
		return ErrNoTrailer
	}
	if n := int64(binary.BigEndian.Uint64(tr[10:18])); n != t.n {
		return fmt.Errorf("%w: trailer says %d bytes, read %d", ErrLength, n, t.n)
	}
	want, got := tr[18:], t.h.Sum(nil)
	if !bytes.Equal(want, got) {
		return &MismatchError{Algorithm: t.alg, Want: bytes.Clone(want), Got: got}
	}
	return io.EOF
}

func (t *trailerReader) Close() error {
	t.closed = true
	return nil
}
