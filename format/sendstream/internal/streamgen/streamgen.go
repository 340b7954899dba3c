// Package streamgen writes synthetic but valid ZFS send streams for tests
// and benchmarks: records laid out as dmu_replay_record_t, in either byte
// order, with the running fletcher-4 checksums that zfs send embeds. It
// computes checksums with its own plain loop, independent of the
// optimized implementation it is used to test.
package streamgen

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
)

// Record types and constants, duplicated here so that the generator does
// not depend on the package it tests.
const (
	TypeBegin         = 0
	TypeObject        = 1
	TypeFreeObjects   = 2
	TypeWrite         = 3
	TypeFree          = 4
	TypeEnd           = 5
	TypeWriteByRef    = 6
	TypeSpill         = 7
	TypeWriteEmbedded = 8
	TypeObjectRange   = 9
	TypeRedact        = 10

	HeaderSize = 312
	Magic      = 0x2F5bacbac

	HeaderSubstream = 1
	HeaderCompound  = 2
)

// Writer writes records to an io.Writer. Errors from the writer are sticky
// and reported by Err.
type Writer struct {
	w     io.Writer
	order binary.ByteOrder
	sum   [4]uint64
	err   error
	// ToGUID is written into every record's drr_toguid; Begin sets it.
	ToGUID uint64
	// Unchecked leaves the embedded header checksums zero, as streams
	// that are not checksummed have them.
	Unchecked bool
}

// NewWriter returns a Writer producing a stream in the given byte order.
func NewWriter(w io.Writer, order binary.ByteOrder) *Writer {
	return &Writer{w: w, order: order}
}

// Err returns the first write error.
func (g *Writer) Err() error { return g.err }

// Checksum returns the running checksum.
func (g *Writer) Checksum() [4]uint64 { return g.sum }

// fletcher adds p's whole words to the running checksum.
func (g *Writer) fletcher(p []byte) {
	a, b, c, d := g.sum[0], g.sum[1], g.sum[2], g.sum[3]
	for i := 0; i+4 <= len(p); i += 4 {
		a += uint64(g.order.Uint32(p[i:]))
		b += a
		c += b
		d += c
	}
	g.sum = [4]uint64{a, b, c, d}
}

func (g *Writer) write(p []byte) {
	if g.err == nil {
		_, g.err = g.w.Write(p)
	}
}

// Header is a record header under construction.
type Header struct {
	b     [HeaderSize]byte
	order binary.ByteOrder
}

// Put32 stores v at byte offset off.
func (h *Header) Put32(off int, v uint32) { h.order.PutUint32(h.b[off:], v) }

// Put64 stores v at byte offset off.
func (h *Header) Put64(off int, v uint64) { h.order.PutUint64(h.b[off:], v) }

// Put8 stores v at byte offset off.
func (h *Header) Put8(off int, v uint8) { h.b[off] = v }

// Bytes returns the header bytes.
func (h *Header) Bytes() []byte { return h.b[:] }

// Record writes a record of type typ, as zfs send's dump_record does: the
// fields set by fill, the running checksum embedded in the last 32 bytes
// (except for BEGIN), then the payload.
func (g *Writer) Record(typ uint32, fill func(h *Header), payload []byte) {
	h := &Header{order: g.order}
	h.Put32(0, typ)
	if fill != nil {
		fill(h)
	}
	g.fletcher(h.b[:HeaderSize-32])
	if typ != TypeBegin && !g.Unchecked {
		for i, w := range g.sum {
			h.Put64(HeaderSize-32+8*i, w)
		}
	}
	g.fletcher(h.b[HeaderSize-32:])
	g.write(h.b[:])
	if len(payload) > 0 {
		g.fletcher(payload)
		g.write(payload)
	}
}

// Begin describes a BEGIN record.
type Begin struct {
	HeaderType   uint64 // HeaderSubstream or HeaderCompound
	Features     uint64 // feature flags, unshifted
	CreationTime uint64
	ObjsetType   uint32
	Flags        uint32
	ToGUID       uint64
	FromGUID     uint64
	ToName       string
	Payload      []byte // packed nvlist
}

// Begin starts a substream or compound header: it resets the checksum.
func (g *Writer) Begin(b Begin) {
	g.sum = [4]uint64{}
	g.ToGUID = b.ToGUID
	g.Record(TypeBegin, func(h *Header) {
		h.Put32(4, uint32(len(b.Payload)))
		h.Put64(8, Magic)
		h.Put64(16, b.HeaderType|b.Features<<2)
		h.Put64(24, b.CreationTime)
		h.Put32(32, b.ObjsetType)
		h.Put32(36, b.Flags)
		h.Put64(40, b.ToGUID)
		h.Put64(48, b.FromGUID)
		copy(h.b[56:56+255], b.ToName)
	}, b.Payload)
}

// End closes a substream: its checksum field holds the running checksum
// before the record. The checksum restarts afterwards.
func (g *Writer) End() {
	before := g.sum
	g.Record(TypeEnd, func(h *Header) {
		for i, w := range before {
			h.Put64(8+8*i, w)
		}
		h.Put64(40, g.ToGUID)
	}, nil)
	g.sum = [4]uint64{}
}

// CompoundEnd closes a compound header as libzfs does: the checksum field
// holds the running checksum, and the embedded header checksum is zero.
func (g *Writer) CompoundEnd() {
	h := &Header{order: g.order}
	h.Put32(0, TypeEnd)
	for i, w := range g.sum {
		h.Put64(8+8*i, w)
	}
	g.write(h.b[:])
	g.sum = [4]uint64{}
}

// FinalEnd writes the all-zero END record that ends a compound stream.
func (g *Writer) FinalEnd() {
	h := &Header{order: g.order}
	h.Put32(0, TypeEnd)
	g.write(h.b[:])
}

// Object writes an OBJECT record whose bonus buffer is bonus, padded to 8
// bytes as the payload.
func (g *Writer) Object(object uint64, blockSize uint32, bonus []byte) {
	payload := make([]byte, (len(bonus)+7)&^7)
	copy(payload, bonus)
	g.Record(TypeObject, func(h *Header) {
		h.Put64(8, object)
		h.Put32(16, 19) // DMU_OT_PLAIN_FILE_CONTENTS
		h.Put32(20, 44) // DMU_OT_SA
		h.Put32(24, blockSize)
		h.Put32(28, uint32(len(bonus)))
		h.Put8(32, 7) // checksum type
		h.Put8(34, 1) // dnode slots
		h.Put64(40, g.ToGUID)
	}, payload)
}

// Write writes an uncompressed WRITE record carrying data.
func (g *Writer) Write(object, offset uint64, data []byte) {
	g.Record(TypeWrite, func(h *Header) {
		h.Put64(8, object)
		h.Put32(16, 19)
		h.Put64(24, offset)
		h.Put64(32, uint64(len(data)))
		h.Put64(40, g.ToGUID)
		h.Put8(48, 7)
	}, data)
}

// WriteCompressed writes a WRITE record whose payload is compressed data of
// logical size lsize, as zfs send -c does.
func (g *Writer) WriteCompressed(object, offset, lsize uint64, compression uint8, data []byte) {
	g.Record(TypeWrite, func(h *Header) {
		h.Put64(8, object)
		h.Put32(16, 19)
		h.Put64(24, offset)
		h.Put64(32, lsize)
		h.Put64(40, g.ToGUID)
		h.Put8(48, 7)
		h.Put8(50, compression)
		h.Put64(96, uint64(len(data)))
	}, data)
}

// Free writes a FREE record.
func (g *Writer) Free(object, offset, length uint64) {
	g.Record(TypeFree, func(h *Header) {
		h.Put64(8, object)
		h.Put64(16, offset)
		h.Put64(24, length)
		h.Put64(32, g.ToGUID)
	}, nil)
}

// FreeObjects writes a FREEOBJECTS record.
func (g *Writer) FreeObjects(first, num uint64) {
	g.Record(TypeFreeObjects, func(h *Header) {
		h.Put64(8, first)
		h.Put64(16, num)
		h.Put64(24, g.ToGUID)
	}, nil)
}

// Spill writes an uncompressed SPILL record.
func (g *Writer) Spill(object uint64, data []byte) {
	g.Record(TypeSpill, func(h *Header) {
		h.Put64(8, object)
		h.Put64(16, uint64(len(data)))
		h.Put64(24, g.ToGUID)
		h.Put32(84, 45)
	}, data)
}

// WriteEmbedded writes a WRITE_EMBEDDED record; the payload is data padded
// to 8 bytes.
func (g *Writer) WriteEmbedded(object, offset uint64, lsize uint32, data []byte) {
	payload := make([]byte, (len(data)+7)&^7)
	copy(payload, data)
	g.Record(TypeWriteEmbedded, func(h *Header) {
		h.Put64(8, object)
		h.Put64(16, offset)
		h.Put64(24, uint64(lsize))
		h.Put64(32, g.ToGUID)
		h.Put8(40, 2)
		h.Put32(48, lsize)
		h.Put32(52, uint32(len(data)))
	}, payload)
}

// ObjectRange writes an OBJECT_RANGE record.
func (g *Writer) ObjectRange(first, num uint64) {
	g.Record(TypeObjectRange, func(h *Header) {
		h.Put64(8, first)
		h.Put64(16, num)
		h.Put64(24, g.ToGUID)
	}, nil)
}

// Redact writes a REDACT record.
func (g *Writer) Redact(object, offset, length uint64) {
	g.Record(TypeRedact, func(h *Header) {
		h.Put64(8, object)
		h.Put64(16, offset)
		h.Put64(24, length)
		h.Put64(32, g.ToGUID)
	}, nil)
}

// Config shapes a stream built by Stream.
type Config struct {
	// Order is the stream's byte order (nil: little endian).
	Order binary.ByteOrder
	// Objects is the number of file objects per substream.
	Objects int
	// Blocks is the number of WRITE records per object.
	Blocks int
	// BlockSize is the WRITE payload size.
	BlockSize int
	// Substreams > 0 wraps that many substreams in a compound stream
	// whose header carries HeaderNVList; 0 writes one plain substream.
	Substreams int
	// HeaderNVList is the compound header's packed nvlist.
	HeaderNVList []byte
	// Seed makes the data deterministic.
	Seed uint64
	// AllTypes adds one record of every type except WRITE_BYREF.
	AllTypes bool
}

// Stream returns a complete synthetic stream.
func Stream(cfg Config) []byte {
	if cfg.Order == nil {
		cfg.Order = binary.LittleEndian
	}
	var buf bytes.Buffer
	g := NewWriter(&buf, cfg.Order)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	block := make([]byte, cfg.BlockSize)
	substream := func(i int) {
		from := uint64(0)
		if i > 0 {
			from = 0x1000 + uint64(i)
		}
		g.Begin(Begin{
			HeaderType:   HeaderSubstream,
			Features:     1<<2 | 1<<16 | 1<<17, // SA_SPILL | EMBED_DATA | LZ4
			CreationTime: 1700000000 + uint64(i),
			ObjsetType:   2,
			Flags:        0xc,
			ToGUID:       0x2000 + uint64(i) + 1,
			FromGUID:     from,
			ToName:       "tank/fs@snap" + string(rune('a'+i%26)),
		})
		for o := 0; o < cfg.Objects; o++ {
			obj := uint64(128 + o)
			bonus := make([]byte, 168)
			fill(rng, bonus)
			g.Object(obj, uint32(cfg.BlockSize), bonus)
			for k := 0; k < cfg.Blocks; k++ {
				fill(rng, block)
				g.Write(obj, uint64(k*cfg.BlockSize), block)
			}
			g.Free(obj, uint64(cfg.Blocks*cfg.BlockSize), ^uint64(0))
		}
		if cfg.AllTypes {
			small := make([]byte, 100)
			fill(rng, small)
			g.WriteCompressed(128, 0, 4096, 15, small[:99]) // not a multiple of 4
			g.Spill(128, make([]byte, 512))
			g.WriteEmbedded(128, 8192, 4096, small[:37])
			g.ObjectRange(0, 32)
			g.Redact(129, 0, 4096)
		}
		g.FreeObjects(uint64(128+cfg.Objects), 1<<20)
		g.End()
	}
	if cfg.Substreams == 0 {
		substream(0)
		return buf.Bytes()
	}
	g.Begin(Begin{
		HeaderType: HeaderCompound,
		Features:   1<<2 | 1<<26, // SA_SPILL | HOLDS
		ToName:     "tank/fs@snap",
		Payload:    cfg.HeaderNVList,
	})
	g.CompoundEnd()
	for i := 0; i < cfg.Substreams; i++ {
		substream(i)
	}
	g.FinalEnd()
	return buf.Bytes()
}

func fill(rng *rand.Rand, p []byte) {
	for i := 0; i+8 <= len(p); i += 8 {
		binary.LittleEndian.PutUint64(p[i:], rng.Uint64())
	}
}
