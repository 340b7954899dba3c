package sendstream

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
	"time"

	"github.com/gozfs/gozfs/format/nvlist"
)

// The send stream format.
//
// A stream is a sequence of records. Each starts with a 312-byte header
// (dmu_replay_record_t): a type, a payload length used only by BEGIN, a
// type-specific part, and, in every record but BEGIN, the running
// fletcher-4 checksum of the stream up to that point. A payload whose size
// follows from the header fields may follow. A substream runs from a BEGIN
// record to an END record whose own checksum covers everything before it.
// A compound stream (zfs send -R, -I, -p, -b or -h) wraps substreams: a
// BEGIN with header type Compound, usually carrying a packed nvlist that
// describes the datasets, an END checksumming that header, the substreams, and a
// final all-zero END. The byte order is the sending host's; it is detected
// from the BEGIN record's magic number, and big-endian streams are read
// and checksummed byte-swapped as zfs receive does.
//
// Sources for the format: include/sys/zfs_ioctl.h, module/zfs/dmu_send.c,
// module/zfs/dmu_recv.c, lib/libzfs/libzfs_sendrecv.c and
// cmd/zstream/zstream_dump.c in OpenZFS.

// Wire-format constants (include/sys/zfs_ioctl.h and include/sys/fs/zfs.h).
const (
	// HeaderSize is the size of every record header (dmu_replay_record_t).
	HeaderSize = 312
	// Magic is the BEGIN record's drr_magic (DMU_BACKUP_MAGIC).
	Magic uint64 = 0x2F5bacbac
	// MaxPayload is the largest payload a data record may carry
	// (SPA_MAXBLOCKSIZE); zfs receive rejects larger ones.
	MaxPayload = 16 << 20
	// DefaultMaxBeginPayload is the default limit on a BEGIN record's
	// packed nvlist, libzfs's default libzfs_max_nvlist.
	DefaultMaxBeginPayload = 64 << 20

	checksumOffset = HeaderSize - 32 // drr_u.drr_checksum.drr_checksum
	maxNameLen     = 256             // MAXNAMELEN, the size of drr_toname
)

// RecordType is a record's drr_type.
type RecordType uint32

// Record types, in the order of the drr_type enum.
const (
	TypeBegin RecordType = iota
	TypeObject
	TypeFreeObjects
	TypeWrite
	TypeFree
	TypeEnd
	TypeWriteByRef
	TypeSpill
	TypeWriteEmbedded
	TypeObjectRange
	TypeRedact
	// NumRecordTypes is the number of known record types; types at or
	// above it are invalid.
	NumRecordTypes
)

var recordTypeNames = [NumRecordTypes]string{
	"BEGIN", "OBJECT", "FREEOBJECTS", "WRITE", "FREE", "END",
	"WRITE_BYREF", "SPILL", "WRITE_EMBEDDED", "OBJECT_RANGE", "REDACT",
}

// String returns the name zstream uses without its DRR_ prefix, e.g.
// "WRITE", or "type(N)" for unknown types.
func (t RecordType) String() string {
	if t < NumRecordTypes {
		return recordTypeNames[t]
	}
	return "type(" + strconv.FormatUint(uint64(t), 10) + ")"
}

// HeaderType is the stream header type in the low two bits of a BEGIN
// record's drr_versioninfo.
type HeaderType uint8

// Header types (drr_headertype_t).
const (
	// Substream is a single dataset's stream: BEGIN, records, END.
	Substream HeaderType = 1
	// Compound wraps substreams: the header of a -R, -I, -p, -b or -h
	// stream, whose BEGIN payload lists the datasets and properties.
	Compound HeaderType = 2
)

// String returns "substream", "compound" or "headertype(N)".
func (h HeaderType) String() string {
	switch h {
	case Substream:
		return "substream"
	case Compound:
		return "compound"
	}
	return "headertype(" + strconv.Itoa(int(h)) + ")"
}

// SplitVersionInfo splits a BEGIN record's drr_versioninfo into the header
// type (bits 0-1) and the feature flags (bits 2-57).
func SplitVersionInfo(vi uint64) (HeaderType, Features) {
	return HeaderType(vi & 3), Features((vi >> 2) & (1<<56 - 1))
}

// VersionInfo is the inverse of SplitVersionInfo.
func VersionInfo(h HeaderType, f Features) uint64 {
	return uint64(h)&3 | (uint64(f)&(1<<56-1))<<2
}

// BEGIN record flags (drr_flags of BEGIN records).
const (
	BeginFlagClone       uint32 = 1 << 0 // DRR_FLAG_CLONE
	BeginFlagCIData      uint32 = 1 << 1 // DRR_FLAG_CI_DATA
	BeginFlagFreeRecords uint32 = 1 << 2 // DRR_FLAG_FREERECORDS
	BeginFlagSpillBlock  uint32 = 1 << 3 // DRR_FLAG_SPILL_BLOCK
)

// Data record flags (drr_flags of WRITE, SPILL, OBJECT, WRITE_BYREF and
// OBJECT_RANGE records).
const (
	RecordFlagChecksumDedup uint8 = 1 << 0 // DRR_CHECKSUM_DEDUP
	RecordFlagRawByteswap   uint8 = 1 << 1 // DRR_RAW_BYTESWAP
	RecordFlagObjectSpill   uint8 = 1 << 2 // DRR_OBJECT_SPILL (OBJECT)
	RecordFlagSpillUnmod    uint8 = 1 << 2 // DRR_SPILL_UNMODIFIED (SPILL)
)

// Objset types found in Begin.ObjsetType (dmu_objset_type_t).
const (
	ObjsetZFS  uint32 = 2 // DMU_OST_ZFS, a file system
	ObjsetZVOL uint32 = 3 // DMU_OST_ZVOL, a volume
)

// Begin is a BEGIN record's header, plus its decoded payload.
type Begin struct {
	Magic        uint64
	VersionInfo  uint64
	HeaderType   HeaderType // from VersionInfo
	Features     Features   // from VersionInfo
	CreationTime uint64     // seconds since the epoch
	ObjsetType   uint32     // ObjsetZFS or ObjsetZVOL
	Flags        uint32     // BeginFlag* bits
	ToGUID       uint64
	FromGUID     uint64 // 0 for a full stream
	ToName       string // "pool/fs@snap"
	// PayloadLen is drr_payloadlen, the size of the packed nvlist.
	PayloadLen uint32
	// NVList is the decoded payload, or nil if there is none. For a
	// compound header it holds "tosnap", "fromsnap", "fss" and so on; for
	// a substream it may hold "resume_object", "redact_snaps" or raw-send
	// "crypt_keydata".
	NVList *nvlist.List
	// BigEndian reports that the stream that this BEGIN starts is big
	// endian (byte-swapped relative to an x86 reader).
	BigEndian bool
}

// Dataset returns the part of ToName before the "@".
func (b *Begin) Dataset() string {
	ds, _, _ := strings.Cut(b.ToName, "@")
	return ds
}

// Snapshot returns the part of ToName after the "@".
func (b *Begin) Snapshot() string {
	_, snap, _ := strings.Cut(b.ToName, "@")
	return snap
}

// Incremental reports whether the stream is incremental (FromGUID != 0).
func (b *Begin) Incremental() bool { return b.FromGUID != 0 }

// Created returns CreationTime as a time.Time.
func (b *Begin) Created() time.Time { return time.Unix(int64(b.CreationTime), 0) }

// End is an END record's header.
type End struct {
	// Checksum is the fletcher-4 checksum of the substream up to (not
	// including) this record; the reader verifies it.
	Checksum Checksum
	ToGUID   uint64
}

// Object is an OBJECT record's header; its payload is the bonus buffer.
type Object struct {
	Object       uint64
	Type         uint32 // dmu_object_type_t
	BonusType    uint32
	BlockSize    uint32
	BonusLen     uint32
	ChecksumType uint8
	Compress     uint8
	DnodeSlots   uint8
	Flags        uint8
	RawBonusLen  uint32
	ToGUID       uint64
	IndBlkShift  uint8
	NLevels      uint8
	NBlkPtr      uint8
	MaxBlkID     uint64
}

// FreeObjects is a FREEOBJECTS record's header.
type FreeObjects struct {
	FirstObj uint64
	NumObjs  uint64
	ToGUID   uint64
}

// DedupKey is a data record's drr_key (ddt_key_t).
type DedupKey struct {
	Checksum Checksum
	Prop     uint64
}

// Write is a WRITE record's header; its payload is the block.
type Write struct {
	Object          uint64
	Type            uint32
	Offset          uint64
	LogicalSize     uint64
	ToGUID          uint64
	ChecksumType    uint8
	Flags           uint8
	CompressionType uint8
	Key             DedupKey
	CompressedSize  uint64 // nonzero only when CompressionType != 0
	Salt            [8]byte
	IV              [12]byte
	MAC             [16]byte
}

// Free is a FREE record's header. Length is ^uint64(0) for "to the end of
// the object".
type Free struct {
	Object uint64
	Offset uint64
	Length uint64
	ToGUID uint64
}

// WriteByRef is a WRITE_BYREF record's header (deduplicated streams only,
// which current OpenZFS no longer receives).
type WriteByRef struct {
	Object       uint64
	Offset       uint64
	Length       uint64
	ToGUID       uint64
	RefGUID      uint64
	RefObject    uint64
	RefOffset    uint64
	ChecksumType uint8
	Flags        uint8
	Key          DedupKey
}

// Spill is a SPILL record's header; its payload is the spill block.
type Spill struct {
	Object          uint64
	Length          uint64
	ToGUID          uint64
	Flags           uint8
	CompressionType uint8
	CompressedSize  uint64
	Salt            [8]byte
	IV              [12]byte
	MAC             [16]byte
	Type            uint32
}

// WriteEmbedded is a WRITE_EMBEDDED record's header; its payload is the
// (possibly compressed) data padded to 8 bytes.
type WriteEmbedded struct {
	Object      uint64
	Offset      uint64
	Length      uint64
	ToGUID      uint64
	Compression uint8
	EType       uint8
	LSize       uint32
	PSize       uint32
}

// ObjectRange is an OBJECT_RANGE record's header (raw sends only).
type ObjectRange struct {
	FirstObj uint64
	NumSlots uint64
	ToGUID   uint64
	Salt     [8]byte
	IV       [12]byte
	MAC      [16]byte
	Flags    uint8
}

// Redact is a REDACT record's header.
type Redact struct {
	Object uint64
	Offset uint64
	Length uint64
	ToGUID uint64
}

// Record is one decoded record. Only the header field named after Type
// (Begin for TypeBegin, Write for TypeWrite, ...) is meaningful; the others
// may hold values from earlier records. A Reader reuses one Record, so its
// contents, including Payload, are valid only until the next call to Next.
type Record struct {
	// Index is the record's 0-based position in the input.
	Index int64
	// Offset is the byte offset of the record's header in the input.
	Offset int64
	// Type is the record type.
	Type RecordType
	// PayloadLen is the number of payload bytes following the header,
	// computed from the header fields as zfs receive computes it.
	PayloadLen int64
	// Payload holds the payload bytes. It is set by Reader, not by the
	// verifying transforms.
	Payload []byte
	// Checksum is the header's embedded running checksum (zero for BEGIN,
	// and zero in records that are not checksummed).
	Checksum Checksum
	// Header is the raw 312-byte header as read, in stream byte order.
	Header [HeaderSize]byte
	// Substream is the substream the record belongs to, or nil for the
	// records that frame a compound stream (its BEGIN and END records and
	// the final END).
	Substream *SubstreamInfo

	Begin         Begin
	End           End
	Object        Object
	FreeObjects   FreeObjects
	Write         Write
	Free          Free
	WriteByRef    WriteByRef
	Spill         Spill
	WriteEmbedded WriteEmbedded
	ObjectRange   ObjectRange
	Redact        Redact
}

// ToGUID returns the record's drr_toguid, or 0 for types without one.
func (r *Record) ToGUID() uint64 {
	switch r.Type {
	case TypeBegin:
		return r.Begin.ToGUID
	case TypeEnd:
		return r.End.ToGUID
	case TypeObject:
		return r.Object.ToGUID
	case TypeFreeObjects:
		return r.FreeObjects.ToGUID
	case TypeWrite:
		return r.Write.ToGUID
	case TypeFree:
		return r.Free.ToGUID
	case TypeWriteByRef:
		return r.WriteByRef.ToGUID
	case TypeSpill:
		return r.Spill.ToGUID
	case TypeWriteEmbedded:
		return r.WriteEmbedded.ToGUID
	case TypeObjectRange:
		return r.ObjectRange.ToGUID
	case TypeRedact:
		return r.Redact.ToGUID
	}
	return 0
}

// byteOrder reads header fields in a stream's byte order. It is a bool rather
// than a binary.ByteOrder so that field reads inline.
type byteOrder bool

const (
	littleEndian byteOrder = false
	bigEndian    byteOrder = true
)

func (o byteOrder) u32(h []byte, off int) uint32 {
	if o == bigEndian {
		return binary.BigEndian.Uint32(h[off:])
	}
	return binary.LittleEndian.Uint32(h[off:])
}

func (o byteOrder) u64(h []byte, off int) uint64 {
	if o == bigEndian {
		return binary.BigEndian.Uint64(h[off:])
	}
	return binary.LittleEndian.Uint64(h[off:])
}

func (o byteOrder) checksum(h []byte, off int) Checksum {
	return Checksum{o.u64(h, off), o.u64(h, off+8), o.u64(h, off+16), o.u64(h, off+24)}
}

// decodeHeader fills the type-specific fields of r from its raw header and
// returns the payload length that follows it.
func (r *Record) decodeHeader(o byteOrder) int64 {
	h := r.Header[:]
	switch r.Type {
	case TypeBegin:
		b := &r.Begin
		*b = Begin{
			Magic:        o.u64(h, 8),
			VersionInfo:  o.u64(h, 16),
			CreationTime: o.u64(h, 24),
			ObjsetType:   o.u32(h, 32),
			Flags:        o.u32(h, 36),
			ToGUID:       o.u64(h, 40),
			FromGUID:     o.u64(h, 48),
			PayloadLen:   o.u32(h, 4),
			BigEndian:    o == bigEndian,
		}
		b.HeaderType, b.Features = SplitVersionInfo(b.VersionInfo)
		name := h[56 : 56+maxNameLen]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		b.ToName = string(name)
		return int64(b.PayloadLen)
	case TypeEnd:
		r.End = End{Checksum: o.checksum(h, 8), ToGUID: o.u64(h, 40)}
	case TypeObject:
		ob := &r.Object
		*ob = Object{
			Object:       o.u64(h, 8),
			Type:         o.u32(h, 16),
			BonusType:    o.u32(h, 20),
			BlockSize:    o.u32(h, 24),
			BonusLen:     o.u32(h, 28),
			ChecksumType: h[32],
			Compress:     h[33],
			DnodeSlots:   h[34],
			Flags:        h[35],
			RawBonusLen:  o.u32(h, 36),
			ToGUID:       o.u64(h, 40),
			IndBlkShift:  h[48],
			NLevels:      h[49],
			NBlkPtr:      h[50],
			MaxBlkID:     o.u64(h, 56),
		}
		if ob.RawBonusLen != 0 {
			return int64(ob.RawBonusLen)
		}
		return (int64(ob.BonusLen) + 7) &^ 7
	case TypeFreeObjects:
		r.FreeObjects = FreeObjects{FirstObj: o.u64(h, 8), NumObjs: o.u64(h, 16), ToGUID: o.u64(h, 24)}
	case TypeWrite:
		w := &r.Write
		*w = Write{
			Object:          o.u64(h, 8),
			Type:            o.u32(h, 16),
			Offset:          o.u64(h, 24),
			LogicalSize:     o.u64(h, 32),
			ToGUID:          o.u64(h, 40),
			ChecksumType:    h[48],
			Flags:           h[49],
			CompressionType: h[50],
			Key:             DedupKey{Checksum: o.checksum(h, 56), Prop: o.u64(h, 88)},
			CompressedSize:  o.u64(h, 96),
		}
		copy(w.Salt[:], h[104:])
		copy(w.IV[:], h[112:])
		copy(w.MAC[:], h[124:])
		if w.CompressionType != 0 {
			return clampLen(w.CompressedSize)
		}
		return clampLen(w.LogicalSize)
	case TypeFree:
		r.Free = Free{Object: o.u64(h, 8), Offset: o.u64(h, 16), Length: o.u64(h, 24), ToGUID: o.u64(h, 32)}
	case TypeRedact:
		r.Redact = Redact{Object: o.u64(h, 8), Offset: o.u64(h, 16), Length: o.u64(h, 24), ToGUID: o.u64(h, 32)}
	case TypeWriteByRef:
		r.WriteByRef = WriteByRef{
			Object:       o.u64(h, 8),
			Offset:       o.u64(h, 16),
			Length:       o.u64(h, 24),
			ToGUID:       o.u64(h, 32),
			RefGUID:      o.u64(h, 40),
			RefObject:    o.u64(h, 48),
			RefOffset:    o.u64(h, 56),
			ChecksumType: h[64],
			Flags:        h[65],
			Key:          DedupKey{Checksum: o.checksum(h, 72), Prop: o.u64(h, 104)},
		}
	case TypeSpill:
		s := &r.Spill
		*s = Spill{
			Object:          o.u64(h, 8),
			Length:          o.u64(h, 16),
			ToGUID:          o.u64(h, 24),
			Flags:           h[32],
			CompressionType: h[33],
			CompressedSize:  o.u64(h, 40),
			Type:            o.u32(h, 84),
		}
		copy(s.Salt[:], h[48:])
		copy(s.IV[:], h[56:])
		copy(s.MAC[:], h[68:])
		if s.CompressedSize != 0 {
			return clampLen(s.CompressedSize)
		}
		return clampLen(s.Length)
	case TypeWriteEmbedded:
		r.WriteEmbedded = WriteEmbedded{
			Object:      o.u64(h, 8),
			Offset:      o.u64(h, 16),
			Length:      o.u64(h, 24),
			ToGUID:      o.u64(h, 32),
			Compression: h[40],
			EType:       h[41],
			LSize:       o.u32(h, 48),
			PSize:       o.u32(h, 52),
		}
		return (int64(r.WriteEmbedded.PSize) + 7) &^ 7
	case TypeObjectRange:
		or := &r.ObjectRange
		*or = ObjectRange{FirstObj: o.u64(h, 8), NumSlots: o.u64(h, 16), ToGUID: o.u64(h, 24), Flags: h[68]}
		copy(or.Salt[:], h[32:])
		copy(or.IV[:], h[40:])
		copy(or.MAC[:], h[52:])
	}
	return 0
}

// clampLen converts a 64-bit length for comparison against limits without
// overflowing int64.
func clampLen(n uint64) int64 {
	if n > 1<<62 {
		return 1 << 62
	}
	return int64(n)
}
