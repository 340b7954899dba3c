package ondisk

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

// Fuzz targets for every decoder: arbitrary input must give an error or a
// value, never a panic, and allocations stay within a small factor of the
// input (or of the caller's destination buffer).

func FuzzDecompress(f *testing.F) {
	f.Add(uint8(CompressLZ4), []byte{0, 0, 0, 2, 0x10, 'a'}, uint16(10))
	f.Add(uint8(CompressLZJB), []byte{0x00, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0x01, 0x00, 0x08}, uint16(11))
	f.Add(uint8(CompressZLE), []byte{2, 'a', 'b', 'c', 64 + 9}, uint16(13))
	f.Add(uint8(CompressZstd), []byte{0, 0, 0, 9, 0, 0, 0, 3, 0x20, 0x05, 0x29, 0, 0, 'h', 'e', 'l', 'l'}, uint16(5))
	f.Add(uint8(CompressGzip1), []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01}, uint16(4))
	var d Decompressor
	defer d.Close()
	f.Fuzz(func(t *testing.T, alg uint8, src []byte, n uint16) {
		dst := make([]byte, n)
		d.Decompress(Compression(alg), src, dst)
	})
}

func FuzzZAP(f *testing.F) {
	f.Add(microZAP(512, map[string]uint64{"a": 1, "bb": 2}))
	fat := make([]byte, 1024)
	binary.LittleEndian.PutUint64(fat, zbtHeader)
	binary.LittleEndian.PutUint64(fat[8:], zapMagic)
	binary.LittleEndian.PutUint64(fat[32:], 1)
	binary.LittleEndian.PutUint64(fat[512:], 1)
	binary.LittleEndian.PutUint64(fat[520:], 1)
	f.Add(fat)
	f.Fuzz(func(t *testing.T, data []byte) {
		// Block 0 is the input; further blocks are slices of it.
		read := func(blk uint64) ([]byte, error) {
			if blk > 8 || len(data) == 0 {
				return nil, ErrCorrupt
			}
			n := len(data)
			out := make([]byte, n)
			copy(out, data[int(blk)%n:])
			return out, nil
		}
		z, err := OpenZAP(read)
		if err != nil {
			return
		}
		z.Entries()
		z.Lookup("a")
		WalkZAPLeaf(data, func(ZAPEntry) error { return nil })
	})
}

func FuzzDnode(f *testing.F) {
	d := make([]byte, 1024)
	d[0], d[2], d[3], d[8] = byte(TypePlainFileContents), 1, 1, 1
	f.Add(d)
	f.Fuzz(func(t *testing.T, data []byte) {
		dn, err := DecodeDnode(data, binary.LittleEndian)
		if err == nil {
			_ = dn.DataBlockSize()
			for i := range dn.BlkPtr {
				_ = dn.BlkPtr[i].String()
				dn.BlkPtr[i].EmbeddedPayload()
			}
		}
		DecodeObjset(data, binary.BigEndian)
		DecodeDSLDir(data, binary.LittleEndian)
		DecodeDSLDataset(data, binary.LittleEndian)
		DecodeLegacyZnode(data, binary.LittleEndian)
		if len(data) >= BlockPointerSize {
			bp := DecodeBlockPointer(data, binary.LittleEndian)
			_ = bp.String()
			bp.EmbeddedPayload()
		}
		VerifyEmbedded(data, Checksum{1})
	})
}

func FuzzSA(f *testing.F) {
	reg := func(name string, num, length uint64) ZAPEntry {
		return ZAPEntry{Name: name, IntegerSize: 8, Value: binary.BigEndian.AppendUint64(nil, num|length<<24)}
	}
	tab, err := NewSATable(
		[]ZAPEntry{reg("ZPL_MODE", 5, 8), reg("ZPL_SIZE", 6, 8), reg("ZPL_SYMLINK", 17, 0), reg("ZPL_DXATTR", 20, 0)},
		[]ZAPEntry{{Name: "2", IntegerSize: 2, Value: []byte{0, 5, 0, 6, 0, 17, 0, 20}}})
	require.NoError(f, err)
	seed := make([]byte, 48)
	binary.LittleEndian.PutUint32(seed, saMagic)
	binary.LittleEndian.PutUint16(seed[4:], 2|2<<10)
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		attrs := map[string][]byte{}
		if tab.Decode(data, attrs) == nil {
			ZnodeFromSA(attrs, binary.LittleEndian)
		}
		tab.Znode(data, nil)
		tab.Znode(data, data)
	})
}
