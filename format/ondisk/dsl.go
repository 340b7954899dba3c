package ondisk

import (
	"encoding/binary"
	"time"
)

// DSLDir is a decoded dsl_dir_phys_t, the bonus of a DSL directory object:
// one node of the pool's dataset tree.
type DSLDir struct {
	CreationTime      uint64
	HeadDatasetObj    uint64
	ParentObj         uint64
	OriginObj         uint64
	ChildDirZAPObj    uint64
	UsedBytes         uint64
	CompressedBytes   uint64
	UncompressedBytes uint64
	Quota             uint64
	Reserved          uint64
	PropsZAPObj       uint64
	DelegZAPObj       uint64
	Flags             uint64
	UsedBreakdown     [5]uint64 // head, snap, child, child reserve, refreserve
	ClonesObj         uint64
}

// DSL dir flags.
const (
	DSLDirFlagUsedBreakdown = 1 << 0
)

// DecodeDSLDir decodes a dsl_dir_phys_t (at least 152 bytes; older pools
// wrote shorter ones, whose missing fields read as zero).
func DecodeDSLDir(b []byte, order binary.ByteOrder) (DSLDir, error) {
	if len(b) < 13*8 {
		return DSLDir{}, corruptf("DSL directory of %d bytes", len(b))
	}
	var w [19]uint64
	n := min(len(b)/8, len(w))
	for i := range n {
		w[i] = order.Uint64(b[8*i:])
	}
	return DSLDir{
		CreationTime: w[0], HeadDatasetObj: w[1], ParentObj: w[2], OriginObj: w[3],
		ChildDirZAPObj: w[4], UsedBytes: w[5], CompressedBytes: w[6], UncompressedBytes: w[7],
		Quota: w[8], Reserved: w[9], PropsZAPObj: w[10], DelegZAPObj: w[11], Flags: w[12],
		UsedBreakdown: [5]uint64{w[13], w[14], w[15], w[16], w[17]}, ClonesObj: w[18],
	}, nil
}

// DSLDataset is a decoded dsl_dataset_phys_t, the bonus of a DSL dataset
// object: a file system's or volume's head, or one of its snapshots.
type DSLDataset struct {
	DirObj            uint64
	PrevSnapObj       uint64
	PrevSnapTxg       uint64
	NextSnapObj       uint64
	SnapNamesZAPObj   uint64
	NumChildren       uint64
	CreationTime      uint64
	CreationTxg       uint64
	DeadlistObj       uint64
	ReferencedBytes   uint64
	CompressedBytes   uint64
	UncompressedBytes uint64
	UniqueBytes       uint64
	FSIDGUID          uint64
	GUID              uint64
	Flags             uint64
	BP                BlockPointer
	NextClonesObj     uint64
	PropsObj          uint64
	UserRefsObj       uint64
}

// DSL dataset flags (DS_FLAG_*).
const (
	DSFlagInconsistent   = 1 << 0
	DSFlagNoPromote      = 1 << 1
	DSFlagUniqueAccurate = 1 << 2
	DSFlagDefer          = 1 << 3
	DSFlagCIDataset      = 1 << 16
)

// Created returns CreationTime as a time.
func (d *DSLDataset) Created() time.Time { return time.Unix(int64(d.CreationTime), 0) }

// DecodeDSLDataset decodes a dsl_dataset_phys_t (at least 280 bytes).
func DecodeDSLDataset(b []byte, order binary.ByteOrder) (DSLDataset, error) {
	if len(b) < 16*8+BlockPointerSize+3*8 {
		return DSLDataset{}, corruptf("DSL dataset of %d bytes", len(b))
	}
	u := func(i int) uint64 { return order.Uint64(b[8*i:]) }
	d := DSLDataset{
		DirObj: u(0), PrevSnapObj: u(1), PrevSnapTxg: u(2), NextSnapObj: u(3),
		SnapNamesZAPObj: u(4), NumChildren: u(5), CreationTime: u(6), CreationTxg: u(7),
		DeadlistObj: u(8), ReferencedBytes: u(9), CompressedBytes: u(10), UncompressedBytes: u(11),
		UniqueBytes: u(12), FSIDGUID: u(13), GUID: u(14), Flags: u(15),
	}
	d.BP = DecodeBlockPointer(b[128:], order)
	d.NextClonesObj = order.Uint64(b[256:])
	d.PropsObj = order.Uint64(b[264:])
	d.UserRefsObj = order.Uint64(b[272:])
	return d, nil
}
