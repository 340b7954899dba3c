package sendstream

import (
	"encoding/binary"
	"fmt"
)

// Checksum is a fletcher-4 checksum: the four running sums a, b, c, d
// (zio_cksum_t).
type Checksum [4]uint64

// IsZero reports whether all four words are zero. Records whose embedded
// checksum is zero are not verified, as in zfs receive.
func (c Checksum) IsZero() bool { return c == Checksum{} }

// String formats c as zstream does: four hex words separated by "/".
func (c Checksum) String() string {
	return fmt.Sprintf("%x/%x/%x/%x", c[0], c[1], c[2], c[3])
}

// Fletcher4 computes the fletcher-4 checksum that ZFS uses for send streams
// and resume tokens: the input is a sequence of 32-bit words, and for each
// word w the sums advance as a += w; b += a; c += b; d += c, wrapping at
// 2^64. The zero value reads little-endian words and starts from zero.
//
// Like ZFS's fletcher_4_incremental_* functions, each call to Update consumes
// only whole words and ignores a trailing len(p)%4 bytes; the send-stream code
// relies on this for payloads whose length is not a multiple of four.
type Fletcher4 struct {
	sum       Checksum
	bigEndian bool
}

// NewFletcher4 returns a Fletcher4 that reads words in the given byte order
// (nil means little endian). A stream that starts with a byte-swapped magic
// number uses the other byte order from the reader's host.
func NewFletcher4(order binary.ByteOrder) *Fletcher4 {
	return &Fletcher4{bigEndian: order == binary.BigEndian}
}

// Update adds the whole 32-bit words of p to the running sums.
func (f *Fletcher4) Update(p []byte) {
	if f.bigEndian {
		fletcher4BE(&f.sum, p)
	} else {
		fletcher4LE(&f.sum, p)
	}
}

// Sum returns the current sums.
func (f *Fletcher4) Sum() Checksum { return f.sum }

// Reset sets the sums to zero.
func (f *Fletcher4) Reset() { f.sum = Checksum{} }

// fletcher4LE adds the little-endian words of p to s. The loop handles eight
// words per iteration; the four sums form a dependency chain of one addition
// per word each, which the CPU pipelines, so unrolling mainly removes loop
// and bounds-check overhead.
func fletcher4LE(s *Checksum, p []byte) {
	a, b, c, d := s[0], s[1], s[2], s[3]
	le := binary.LittleEndian
	for len(p) >= 32 {
		q := p[:32:32]
		w0 := uint64(le.Uint32(q[0:]))
		w1 := uint64(le.Uint32(q[4:]))
		w2 := uint64(le.Uint32(q[8:]))
		w3 := uint64(le.Uint32(q[12:]))
		w4 := uint64(le.Uint32(q[16:]))
		w5 := uint64(le.Uint32(q[20:]))
		w6 := uint64(le.Uint32(q[24:]))
		w7 := uint64(le.Uint32(q[28:]))
		a += w0
		b += a
		c += b
		d += c
		a += w1
		b += a
		c += b
		d += c
		a += w2
		b += a
		c += b
		d += c
		a += w3
		b += a
		c += b
		d += c
		a += w4
		b += a
		c += b
		d += c
		a += w5
		b += a
		c += b
		d += c
		a += w6
		b += a
		c += b
		d += c
		a += w7
		b += a
		c += b
		d += c
		p = p[32:]
	}
	for len(p) >= 4 {
		a += uint64(le.Uint32(p))
		b += a
		c += b
		d += c
		p = p[4:]
	}
	s[0], s[1], s[2], s[3] = a, b, c, d
}

// fletcher4BE is fletcher4LE for big-endian words.
func fletcher4BE(s *Checksum, p []byte) {
	a, b, c, d := s[0], s[1], s[2], s[3]
	be := binary.BigEndian
	for len(p) >= 32 {
		q := p[:32:32]
		w0 := uint64(be.Uint32(q[0:]))
		w1 := uint64(be.Uint32(q[4:]))
		w2 := uint64(be.Uint32(q[8:]))
		w3 := uint64(be.Uint32(q[12:]))
		w4 := uint64(be.Uint32(q[16:]))
		w5 := uint64(be.Uint32(q[20:]))
		w6 := uint64(be.Uint32(q[24:]))
		w7 := uint64(be.Uint32(q[28:]))
		a += w0
		b += a
		c += b
		d += c
		a += w1
		b += a
		c += b
		d += c
		a += w2
		b += a
		c += b
		d += c
		a += w3
		b += a
		c += b
		d += c
		a += w4
		b += a
		c += b
		d += c
		a += w5
		b += a
		c += b
		d += c
		a += w6
		b += a
		c += b
		d += c
		a += w7
		b += a
		c += b
		d += c
		p = p[32:]
	}
	for len(p) >= 4 {
		a += uint64(be.Uint32(p))
		b += a
		c += b
		d += c
		p = p[4:]
	}
	s[0], s[1], s[2], s[3] = a, b, c, d
}

// update adds p's words in order o.
func (o byteOrder) update(s *Checksum, p []byte) {
	if o == bigEndian {
		fletcher4BE(s, p)
	} else {
		fletcher4LE(s, p)
	}
}
