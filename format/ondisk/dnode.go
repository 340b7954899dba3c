package ondisk

import (
	"encoding/binary"
)

// Dnode sizes.
const (
	DnodeShift     = 9 // a dnode slot is 512 bytes
	DnodeSize      = 1 << DnodeShift
	DnodeCoreSize  = 64
	MaxDnodeSlots  = 32 // 16 KiB dnodes
	dnodeBlockSize = 16 << 10
	// MaxObject is one past the largest object number (DN_MAX_OBJECT).
	MaxObject = 1 << 48
)

// Dnode flags (DNODE_FLAG_*).
const (
	DnodeFlagUsedBytes   = 1 << 0
	DnodeFlagSpillBlkptr = 1 << 2
)

// Dnode is a decoded dnode_phys_t: an object's type, block layout, block
// pointers and bonus buffer.
type Dnode struct {
	Type        ObjectType
	IndBlkShift uint8 // log2 of the indirect block size
	NLevels     uint8 // 1: the block pointers point at data blocks
	NBlkPtr     uint8
	BonusType   ObjectType
	Checksum    ChecksumType
	Compress    Compression
	Flags       uint8
	// DataBlkSzSec is the data block size in 512-byte sectors.
	DataBlkSzSec uint16
	BonusLen     uint16
	// ExtraSlots is the number of 512-byte slots after the first that a
	// large dnode occupies.
	ExtraSlots uint8
	MaxBlkID   uint64
	Used       uint64
	BlkPtr     []BlockPointer
	// Bonus is the bonus buffer, BonusLen bytes (nil if none).
	Bonus []byte
	// Spill is the spill block pointer, if Flags has DnodeFlagSpillBlkptr.
	Spill *BlockPointer
	// Order is the byte order of the dnode block.
	Order binary.ByteOrder
}

// DataBlockSize returns the size of the object's data blocks in bytes.
func (d *Dnode) DataBlockSize() uint64 { return uint64(d.DataBlkSzSec) << MinBlockShift }

// Slots returns the number of 512-byte slots the dnode occupies.
func (d *Dnode) Slots() int { return int(d.ExtraSlots) + 1 }

// UsedBytes returns the space the object uses.
func (d *Dnode) UsedBytes() uint64 {
	if d.Flags&DnodeFlagUsedBytes != 0 {
		return d.Used
	}
	return d.Used << MinBlockShift
}

// DecodeDnode decodes the dnode at the start of b, which holds at least
// its 512-byte slot and, for a large dnode, the slots after it (only the
// slots present in b are used). order is the byte order of the block
// holding it. A free slot decodes to a Dnode with Type TypeNone.
func DecodeDnode(b []byte, order binary.ByteOrder) (Dnode, error) {
	if len(b) < DnodeSize {
		return Dnode{}, corruptf("dnode of %d bytes", len(b))
	}
	d := Dnode{
		Type:         ObjectType(b[0]),
		IndBlkShift:  b[1],
		NLevels:      b[2],
		NBlkPtr:      b[3],
		BonusType:    ObjectType(b[4]),
		Checksum:     ChecksumType(b[5]),
		Compress:     Compression(b[6]),
		Flags:        b[7],
		DataBlkSzSec: order.Uint16(b[8:]),
		BonusLen:     order.Uint16(b[10:]),
		ExtraSlots:   b[12],
		MaxBlkID:     order.Uint64(b[16:]),
		Used:         order.Uint64(b[24:]),
		Order:        order,
	}
	if d.Type == TypeNone {
		return d, nil
	}
	size := (int(d.ExtraSlots) + 1) * DnodeSize
	if d.ExtraSlots >= MaxDnodeSlots || size > len(b) {
		return d, corruptf("dnode of %d slots in %d bytes", int(d.ExtraSlots)+1, len(b))
	}
	b = b[:size]
	if d.NBlkPtr < 1 || d.NBlkPtr > 3 {
		return d, corruptf("dnode with %d block pointers", d.NBlkPtr)
	}
	if d.NLevels < 1 || d.NLevels > maxLevels {
		return d, corruptf("dnode with %d levels", d.NLevels)
	}
	if d.DataBlkSzSec == 0 || uint64(d.DataBlkSzSec)<<MinBlockShift > MaxBlockSize {
		return d, corruptf("dnode with data block size %d sectors", d.DataBlkSzSec)
	}
	if d.NLevels > 1 && (d.IndBlkShift < 10 || d.IndBlkShift > 17) {
		return d, corruptf("dnode with indirect block shift %d", d.IndBlkShift)
	}
	tail := b[DnodeCoreSize:]
	d.BlkPtr = make([]BlockPointer, d.NBlkPtr)
	for i := range d.BlkPtr {
		d.BlkPtr[i] = DecodeBlockPointer(tail[i*BlockPointerSize:], order)
	}
	bonusStart := int(d.NBlkPtr) * BlockPointerSize
	bonusEnd := len(tail)
	if d.Flags&DnodeFlagSpillBlkptr != 0 {
		bonusEnd -= BlockPointerSize
		if bonusEnd < bonusStart {
			return d, corruptf("dnode spill pointer overlaps block pointers")
		}
		sp := DecodeBlockPointer(tail[bonusEnd:], order)
		d.Spill = &sp
	}
	if d.BonusLen > 0 {
		if bonusStart+int(d.BonusLen) > bonusEnd {
			return d, corruptf("bonus of %d bytes does not fit the dnode", d.BonusLen)
		}
		d.Bonus = append([]byte(nil), tail[bonusStart:bonusStart+int(d.BonusLen)]...)
	}
	return d, nil
}

// maxLevels bounds dn_nlevels (DN_MAX_LEVELS for the smallest indirect
// blocks).
const maxLevels = 9

// Objset sizes and types.
const (
	ObjsetPhysSizeV1 = 1024
	ObjsetPhysSizeV2 = 2048
	ObjsetPhysSizeV3 = 4096

	ObjsetTypeNone = 0
	ObjsetTypeMeta = 1 // the MOS
	ObjsetTypeZFS  = 2 // a file system
	ObjsetTypeZvol = 3 // a volume
)

// Objset is a decoded objset_phys_t: the root of an object set.
type Objset struct {
	// MetaDnode describes the object holding every dnode of the set.
	MetaDnode Dnode
	// ZILHeader is the raw intent-log header (192 bytes).
	ZILHeader []byte
	Type      uint64
	Flags     uint64
	// PortableMAC and LocalMAC authenticate an encrypted object set.
	PortableMAC []byte
	LocalMAC    []byte
}

// DecodeObjset decodes an objset block (at least ObjsetPhysSizeV1 bytes).
func DecodeObjset(b []byte, order binary.ByteOrder) (Objset, error) {
	if len(b) < ObjsetPhysSizeV1 {
		return Objset{}, corruptf("objset block of %d bytes", len(b))
	}
	md, err := DecodeDnode(b[:DnodeSize], order)
	if err != nil {
		return Objset{}, err
	}
	os := Objset{
		MetaDnode:   md,
		ZILHeader:   b[512:704],
		Type:        order.Uint64(b[704:]),
		Flags:       order.Uint64(b[712:]),
		PortableMAC: b[720:752],
		LocalMAC:    b[752:784],
	}
	if md.Type != TypeDnode {
		return os, corruptf("objset meta-dnode of type %s", md.Type)
	}
	return os, nil
}
