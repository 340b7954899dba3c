package ondisk

import (
	"encoding/binary"
	"fmt"
)

// BlockPointerSize is the size of a block pointer (blkptr_t).
const BlockPointerSize = 128

// Sizes of the format.
const (
	MinBlockShift = 9 // SPA_MINBLOCKSHIFT: 512-byte sectors
	// MaxBlockSize is the largest logical block (SPA_MAXBLOCKSIZE, 16 MiB).
	MaxBlockSize = 16 << 20
)

// DVA is a data virtual address: where one copy of a block lives.
type DVA struct {
	Words [2]uint64
}

// Vdev returns the top-level vdev number.
func (d DVA) Vdev() uint64 { return d.Words[0] >> 32 & (1<<24 - 1) }

// Asize returns the allocated size in bytes (for gang blocks, of the whole
// gang tree).
func (d DVA) Asize() uint64 { return (d.Words[0] & (1<<24 - 1)) << MinBlockShift }

// Offset returns the byte offset in the top-level vdev's allocatable space
// (after the leading labels and boot area on each leaf).
func (d DVA) Offset() uint64 { return (d.Words[1] & (1<<63 - 1)) << MinBlockShift }

// Gang reports whether the DVA points to a gang block header.
func (d DVA) Gang() bool { return d.Words[1]>>63 != 0 }

// Empty reports whether both words are zero.
func (d DVA) Empty() bool { return d.Words[0] == 0 && d.Words[1] == 0 }

// Valid reports whether the DVA has a nonzero allocated size.
func (d DVA) Valid() bool { return d.Asize() != 0 }

// String formats the DVA as zdb does: vdev:offset:asize in hex.
func (d DVA) String() string {
	g := ""
	if d.Gang() {
		g = "G"
	}
	return fmt.Sprintf("%x:%x:%x%s", d.Vdev(), d.Offset(), d.Asize(), g)
}

// Embedded block pointer types (BP_EMBEDDED_TYPE_*).
const (
	EmbeddedData     = 0
	EmbeddedRedacted = 2
)

// BlockPointer is a decoded blkptr_t. Raw keeps its 128 bytes, which hold the
// payload of an embedded block pointer.
type BlockPointer struct {
	DVA          [3]DVA
	Prop         uint64
	PhysBirth    uint64
	LogicalBirth uint64
	Fill         uint64
	Checksum     Checksum
	Raw          [BlockPointerSize]byte
	// Order is the byte order the block pointer was decoded in: that of
	// the block that holds it.
	Order binary.ByteOrder
}

// DecodeBlockPointer decodes a block pointer from the first 128 bytes of b,
// read in the given byte order (that of the block containing it). It panics
// if b is shorter than BlockPointerSize; callers slice from checked buffers.
func DecodeBlockPointer(b []byte, order binary.ByteOrder) BlockPointer {
	var bp BlockPointer
	copy(bp.Raw[:], b[:BlockPointerSize])
	bp.Order = order
	for i := range 3 {
		bp.DVA[i].Words[0] = order.Uint64(b[i*16:])
		bp.DVA[i].Words[1] = order.Uint64(b[i*16+8:])
	}
	bp.Prop = order.Uint64(b[48:])
	bp.PhysBirth = order.Uint64(b[72:])
	bp.LogicalBirth = order.Uint64(b[80:])
	bp.Fill = order.Uint64(b[88:])
	for i := range 4 {
		bp.Checksum[i] = order.Uint64(b[96+8*i:])
	}
	return bp
}

// Embedded reports whether the block pointer carries its data (E bit).
func (bp *BlockPointer) Embedded() bool { return bp.Prop>>39&1 != 0 }

// EmbeddedType returns the embedded payload type (EmbeddedData, ...).
func (bp *BlockPointer) EmbeddedType() uint8 { return uint8(bp.Prop >> 40) }

// Hole reports whether the block pointer describes a hole: no data, read
// as zeros.
func (bp *BlockPointer) Hole() bool { return !bp.Embedded() && bp.DVA[0].Empty() }

// Redacted reports whether the block was redacted by a redacted send.
func (bp *BlockPointer) Redacted() bool {
	return bp.Embedded() && bp.EmbeddedType() == EmbeddedRedacted
}

// Level returns the indirection level (0 for data blocks).
func (bp *BlockPointer) Level() int { return int(bp.Prop >> 56 & 31) }

// Type returns the DMU object type of the block.
func (bp *BlockPointer) Type() ObjectType { return ObjectType(bp.Prop >> 48) }

// ChecksumType returns the checksum algorithm (ChecksumOff for embedded
// block pointers).
func (bp *BlockPointer) ChecksumType() ChecksumType {
	if bp.Embedded() {
		return ChecksumOff
	}
	return ChecksumType(bp.Prop >> 40)
}

// Compression returns the compression algorithm of the block's data.
func (bp *BlockPointer) Compression() Compression { return Compression(bp.Prop >> 32 & 127) }

// LSize returns the logical (uncompressed) size in bytes.
func (bp *BlockPointer) LSize() uint64 {
	if bp.Embedded() {
		if bp.EmbeddedType() != EmbeddedData {
			return 0
		}
		return (bp.Prop & (1<<25 - 1)) + 1
	}
	return ((bp.Prop & 0xffff) + 1) << MinBlockShift
}

// PSize returns the physical (compressed) size in bytes; for embedded block
// pointers, the size of the payload.
func (bp *BlockPointer) PSize() uint64 {
	if bp.Embedded() {
		return (bp.Prop >> 25 & 127) + 1
	}
	return ((bp.Prop >> 16 & 0xffff) + 1) << MinBlockShift
}

// BigEndian reports the byte order of the block's data (the B bit is 1
// for little endian).
func (bp *BlockPointer) BigEndian() bool { return bp.Prop>>63 == 0 }

// DataOrder returns the byte order of the block's data.
func (bp *BlockPointer) DataOrder() binary.ByteOrder {
	if bp.BigEndian() {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// Dedup reports the D bit.
func (bp *BlockPointer) Dedup() bool { return bp.Prop>>62&1 != 0 }

// Crypt reports the X bit: the block is encrypted or authenticated, or (at
// levels above 0) carries a checksum of MACs.
func (bp *BlockPointer) Crypt() bool { return bp.Prop>>61&1 != 0 }

// Encrypted reports whether the block's data is encrypted
// (BP_IS_ENCRYPTED).
func (bp *BlockPointer) Encrypted() bool {
	return bp.Crypt() && bp.Level() == 0 && bp.Type().Encrypted()
}

// Birth returns the physical birth txg (or the logical one if equal).
func (bp *BlockPointer) Birth() uint64 {
	if bp.Embedded() {
		return 0
	}
	if bp.PhysBirth != 0 {
		return bp.PhysBirth
	}
	return bp.LogicalBirth
}

// NDVAs returns the number of valid DVAs (copies).
func (bp *BlockPointer) NDVAs() int {
	if bp.Embedded() {
		return 0
	}
	n := 0
	for i := range 3 {
		if i == 2 && bp.Encrypted() {
			break
		}
		if bp.DVA[i].Valid() {
			n++
		}
	}
	return n
}

// EmbeddedPayload returns the (possibly compressed) payload of an embedded
// block pointer: PSize bytes taken from the words that are not blk_prop or
// the logical birth.
func (bp *BlockPointer) EmbeddedPayload() ([]byte, error) {
	if !bp.Embedded() {
		return nil, corruptf("block pointer is not embedded")
	}
	psize := int(bp.PSize())
	if psize > 112 {
		return nil, corruptf("embedded payload of %d bytes", psize)
	}
	out := make([]byte, 0, 112)
	out = append(out, bp.Raw[0:48]...)
	out = append(out, bp.Raw[56:80]...)
	out = append(out, bp.Raw[88:128]...)
	return out[:psize], nil
}

// String formats the block pointer briefly, in the spirit of zdb.
func (bp *BlockPointer) String() string {
	switch {
	case bp.Embedded():
		return fmt.Sprintf("EMBEDDED et=%d %s %s L%d size=%xL/%xP birth=%d",
			bp.EmbeddedType(), bp.Type(), bp.Compression(), bp.Level(), bp.LSize(), bp.PSize(), bp.LogicalBirth)
	case bp.Hole():
		return fmt.Sprintf("HOLE %s L%d size=%xL birth=%d", bp.Type(), bp.Level(), bp.LSize(), bp.LogicalBirth)
	}
	s := ""
	for i := range 3 {
		if bp.DVA[i].Valid() {
			s += "DVA[" + fmt.Sprint(i) + "]=<" + bp.DVA[i].String() + "> "
		}
	}
	return fmt.Sprintf("%s%s %s %s L%d size=%xL/%xP birth=%d fill=%d cksum=%s",
		s, bp.Type(), bp.ChecksumType(), bp.Compression(), bp.Level(), bp.LSize(), bp.PSize(), bp.Birth(), bp.Fill, bp.Checksum)
}
