package ondisk

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func naiveFletcher4(b []byte, order binary.ByteOrder) Checksum {
	var a, bb, c, d uint64
	for i := 0; i+4 <= len(b); i += 4 {
		a += uint64(order.Uint32(b[i:]))
		bb += a
		c += bb
		d += c
	}
	return Checksum{a, bb, c, d}
}

func TestFletcher4MatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 3, 4, 15, 16, 17, 64, 1000, 4096, 131073} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		assert.Equal(t, naiveFletcher4(b, binary.LittleEndian), Fletcher4(b, binary.LittleEndian), "n=%d", n)
		assert.Equal(t, naiveFletcher4(b, binary.BigEndian), Fletcher4(b, binary.BigEndian), "n=%d", n)
	}
}

func TestFletcher2(t *testing.T) {
	b := make([]byte, 32)
	binary.LittleEndian.PutUint64(b, 1)
	binary.LittleEndian.PutUint64(b[8:], 2)
	binary.LittleEndian.PutUint64(b[16:], 3)
	binary.LittleEndian.PutUint64(b[24:], 4)
	assert.Equal(t, Checksum{4, 6, 5, 8}, Fletcher2(b, binary.LittleEndian))
}

func TestComputeDigestWords(t *testing.T) {
	data := []byte("hello zfs")
	c, err := Compute(ChecksumSHA256, data, binary.LittleEndian, nil)
	require.NoError(t, err)
	d := sha256.Sum256(data)
	assert.Equal(t, binary.BigEndian.Uint64(d[:]), c[0])
	_, err = Compute(ChecksumSkein, data, nil, nil)
	assert.ErrorIs(t, err, ErrUnsupported, "skein needs the salt")
	_, err = Compute(ChecksumEdonR, data, nil, nil)
	assert.ErrorIs(t, err, ErrUnsupported)
	_, err = Compute(ChecksumBLAKE3, data, nil, nil)
	assert.ErrorIs(t, err, ErrUnsupported, "blake3 needs the salt")
	_, err = Compute(ChecksumBLAKE3, data, nil, make([]byte, 32))
	assert.NoError(t, err)
}

func TestVerifyEmbedded(t *testing.T) {
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		b := make([]byte, 1024)
		copy(b, "some label contents")
		tail := len(b) - EmbeddedChecksumSize
		order.PutUint64(b[tail:], eckMagic)
		order.PutUint64(b[tail+8:], 12345) // the verifier: the offset
		sum := sha256.Sum256(b)
		for i := range 4 {
			order.PutUint64(b[tail+8+8*i:], binary.BigEndian.Uint64(sum[8*i:]))
		}
		got, err := VerifyEmbedded(b, Checksum{12345})
		require.NoError(t, err)
		assert.Equal(t, order, got)
		_, err = VerifyEmbedded(b, Checksum{12346})
		assert.ErrorIs(t, err, ErrChecksum)
		b[0] ^= 1
		_, err = VerifyEmbedded(b, Checksum{12345})
		assert.ErrorIs(t, err, ErrChecksum)
	}
}

func sample(n int) []byte {
	var buf bytes.Buffer
	for buf.Len() < n {
		buf.WriteString("the quick brown fox jumps over the lazy dog 0123456789\n")
	}
	return buf.Bytes()[:n]
}

func TestDecompress(t *testing.T) {
	var d Decompressor
	defer d.Close()
	src := sample(100000)

	// lz4: a 4-byte big-endian length, then an LZ4 block.
	lz := make([]byte, lz4.CompressBlockBound(len(src)))
	n, err := lz4.CompressBlock(src, lz, nil)
	require.NoError(t, err)
	blk := binary.BigEndian.AppendUint32(nil, uint32(n))
	blk = append(blk, lz[:n]...)
	blk = append(blk, 0, 0, 0) // padding to the sector, as on disk
	out := make([]byte, len(src))
	require.NoError(t, d.Decompress(CompressLZ4, blk, out))
	assert.Equal(t, src, out)

	// zstd: length and level words, then a frame without its magic.
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	frame := enc.EncodeAll(src, nil)
	enc.Close()
	zb := binary.BigEndian.AppendUint32(nil, uint32(len(frame)-4))
	zb = binary.BigEndian.AppendUint32(zb, 3)
	zb = append(zb, frame[4:]...)
	out = make([]byte, len(src))
	require.NoError(t, d.Decompress(CompressZstd, zb, out))
	assert.Equal(t, src, out)

	// gzip: a zlib stream.
	var zbuf bytes.Buffer
	zw := zlib.NewWriter(&zbuf)
	zw.Write(src)
	zw.Close()
	out = make([]byte, len(src))
	require.NoError(t, d.Decompress(CompressGzip1+5, zbuf.Bytes(), out))
	assert.Equal(t, src, out)

	// zle: literal runs and zero runs.
	zle := []byte{2, 'a', 'b', 'c', 64 + 9, 0, 'x'}
	out = make([]byte, 14)
	require.NoError(t, d.Decompress(CompressZLE, zle, out))
	assert.Equal(t, append(append([]byte("abc"), make([]byte, 10)...), 'x'), out)

	// lzjb: eight literals, then a match of 3 at distance 8.
	lzjb := []byte{0x00, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0x01, 0x00, 0x08}
	out = make([]byte, 11)
	require.NoError(t, d.Decompress(CompressLZJB, lzjb, out))
	assert.Equal(t, []byte("abcdefghabc"), out)

	out = make([]byte, 10)
	assert.ErrorIs(t, d.Decompress(Compression(99), []byte{1}, out), ErrUnsupported)
	assert.ErrorIs(t, d.Decompress(CompressLZ4, []byte{0, 0, 1, 0, 1}, out), ErrCorrupt)
}

// microZAP builds a micro ZAP block.
func microZAP(size int, ents map[string]uint64) []byte {
	b := make([]byte, size)
	binary.LittleEndian.PutUint64(b, zbtMicro)
	binary.LittleEndian.PutUint64(b[8:], 0x1234)
	off := mzapEntLen
	for name, v := range ents {
		binary.LittleEndian.PutUint64(b[off:], v)
		copy(b[off+14:], name)
		off += mzapEntLen
	}
	return b
}

func TestMicroZAP(t *testing.T) {
	blk := microZAP(1536, map[string]uint64{"ROOT": 34, "VERSION": 5})
	z, err := OpenZAP(func(id uint64) ([]byte, error) {
		require.Zero(t, id)
		return blk, nil
	})
	require.NoError(t, err)
	assert.True(t, z.Micro())
	e, err := z.Lookup("ROOT")
	require.NoError(t, err)
	v, ok := e.Uint64()
	assert.True(t, ok)
	assert.EqualValues(t, 34, v)
	_, err = z.Lookup("nope")
	assert.True(t, errors.Is(err, ErrNotFound))
	ents, err := z.Entries()
	require.NoError(t, err)
	assert.Len(t, ents, 2)
}

func TestSATable(t *testing.T) {
	reg := func(name string, num, length uint64) ZAPEntry {
		v := binary.BigEndian.AppendUint64(nil, num|length<<24)
		return ZAPEntry{Name: name, IntegerSize: 8, Value: v}
	}
	registry := []ZAPEntry{reg("ZPL_MODE", 5, 8), reg("ZPL_SIZE", 6, 8), reg("ZPL_SYMLINK", 17, 0), reg("ZPL_MTIME", 1, 16)}
	layout := ZAPEntry{Name: "2", IntegerSize: 2, Value: []byte{0, 5, 0, 6, 0, 1, 0, 17}}
	tab, err := NewSATable(registry, []ZAPEntry{layout})
	require.NoError(t, err)
	buf := make([]byte, 8+8+8+16+8)
	binary.LittleEndian.PutUint32(buf, saMagic)
	binary.LittleEndian.PutUint16(buf[4:], 2|1<<10) // layout 2, 8-byte header
	binary.LittleEndian.PutUint16(buf[6:], 6)       // symlink length
	binary.LittleEndian.PutUint64(buf[8:], ModeSymlink|0o777)
	binary.LittleEndian.PutUint64(buf[16:], 6)
	binary.LittleEndian.PutUint64(buf[24:], 1000000000)
	binary.LittleEndian.PutUint64(buf[32:], 5)
	copy(buf[40:], "target")
	attrs := map[string][]byte{}
	require.NoError(t, tab.Decode(buf, attrs))
	z, err := ZnodeFromSA(attrs, binary.LittleEndian)
	require.NoError(t, err)
	assert.EqualValues(t, ModeSymlink|0o777, z.Mode)
	assert.Equal(t, "target", string(z.Symlink))
	assert.EqualValues(t, 1000000000, z.Mtime.Unix())
	assert.Equal(t, 5, z.Mtime.Nanosecond())

	zz, err := tab.Znode(buf, nil)
	require.NoError(t, err)
	assert.Equal(t, z, zz, "Znode agrees with Decode and ZnodeFromSA")
	assert.False(t, zz.HasSpill)

	// A spill block in the other byte order; its attributes win.
	spill := make([]byte, 8+8+8+16+8)
	binary.BigEndian.PutUint32(spill, saMagic)
	binary.BigEndian.PutUint16(spill[4:], 2|1<<10)
	binary.BigEndian.PutUint16(spill[6:], 5)
	binary.BigEndian.PutUint64(spill[8:], ModeSymlink|0o755)
	binary.BigEndian.PutUint64(spill[16:], 5)
	binary.BigEndian.PutUint64(spill[24:], 2000000000)
	binary.BigEndian.PutUint64(spill[32:], 7)
	copy(spill[40:], "other")
	zz, err = tab.Znode(buf, spill)
	require.NoError(t, err)
	assert.True(t, zz.HasSpill)
	assert.EqualValues(t, ModeSymlink|0o755, zz.Mode)
	assert.EqualValues(t, 5, zz.Size)
	assert.Equal(t, "other", string(zz.Symlink))
	assert.EqualValues(t, 2000000000, zz.Mtime.Unix())
	assert.Equal(t, 7, zz.Mtime.Nanosecond())

	// A layout without ZPL_MODE decodes, but is no file.
	tab2, err := NewSATable(registry, []ZAPEntry{{Name: "2", IntegerSize: 2, Value: []byte{0, 6}}})
	require.NoError(t, err)
	nomode := make([]byte, 16)
	binary.LittleEndian.PutUint32(nomode, saMagic)
	binary.LittleEndian.PutUint16(nomode[4:], 2|1<<10)
	require.NoError(t, tab2.Decode(nomode, map[string][]byte{}))
	_, err = tab2.Znode(nomode, nil)
	assert.ErrorIs(t, err, ErrCorrupt)

	// A layout naming an attribute the registry lacks is corrupt when used.
	tab3, err := NewSATable(registry, []ZAPEntry{{Name: "2", IntegerSize: 2, Value: []byte{0, 5, 0, 99}}})
	require.NoError(t, err)
	assert.ErrorIs(t, tab3.Decode(nomode, map[string][]byte{}), ErrCorrupt)
	_, err = tab3.Znode(nomode, nil)
	assert.ErrorIs(t, err, ErrCorrupt)

	buf[41] = 0xff // break nothing structural
	binary.LittleEndian.PutUint16(buf[6:], 600)
	assert.ErrorIs(t, tab.Decode(buf, map[string][]byte{}), ErrCorrupt)
	_, err = tab.Znode(buf, nil)
	assert.ErrorIs(t, err, ErrCorrupt)
}

func TestBlockPointerFields(t *testing.T) {
	b := make([]byte, BlockPointerSize)
	binary.LittleEndian.PutUint64(b[0:], 8)     // asize 8 sectors
	binary.LittleEndian.PutUint64(b[8:], 0x100) // offset 0x100 sectors
	prop := uint64(1)<<63 | uint64(TypePlainFileContents)<<48 | uint64(ChecksumFletcher4)<<40 |
		uint64(CompressLZ4)<<32 | 7<<16 | 255 // psize 4K, lsize 128K
	binary.LittleEndian.PutUint64(b[48:], prop)
	binary.LittleEndian.PutUint64(b[80:], 99)
	bp := DecodeBlockPointer(b, binary.LittleEndian)
	assert.False(t, bp.Embedded())
	assert.False(t, bp.Hole())
	assert.EqualValues(t, 4096, bp.PSize())
	assert.EqualValues(t, 128<<10, bp.LSize())
	assert.EqualValues(t, 4096, bp.DVA[0].Asize())
	assert.EqualValues(t, 0x20000, bp.DVA[0].Offset())
	assert.Equal(t, CompressLZ4, bp.Compression())
	assert.Equal(t, ChecksumFletcher4, bp.ChecksumType())
	assert.Equal(t, TypePlainFileContents, bp.Type())
	assert.False(t, bp.BigEndian())
	assert.EqualValues(t, 99, bp.Birth())
	assert.Equal(t, 1, bp.NDVAs())
	assert.Contains(t, bp.String(), "ZFS plain file")
}
