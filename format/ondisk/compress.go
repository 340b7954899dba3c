package ondisk

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// Compression is a compression algorithm (enum zio_compress).
type Compression uint8

// Compression algorithms. Gzip1 to Gzip9 are consecutive.
const (
	CompressInherit Compression = 0
	CompressOn      Compression = 1
	CompressOff     Compression = 2
	CompressLZJB    Compression = 3
	CompressEmpty   Compression = 4
	CompressGzip1   Compression = 5
	CompressGzip9   Compression = 13
	CompressZLE     Compression = 14
	CompressLZ4     Compression = 15
	CompressZstd    Compression = 16
	numCompressions Compression = 17
)

// String returns the algorithm's name as zfs(8) spells it.
func (c Compression) String() string {
	switch {
	case c >= CompressGzip1 && c <= CompressGzip9:
		return fmt.Sprintf("gzip-%d", c-CompressGzip1+1)
	case c < numCompressions:
		return [...]string{"inherit", "on", "off", "lzjb", "empty", "", "", "", "", "", "", "", "", "", "zle", "lz4", "zstd"}[c]
	}
	return fmt.Sprintf("compress(%d)", c)
}

// Decompressor decompresses ZFS blocks. Its zero value is ready to use; it
// keeps decoder state between calls, and is safe for concurrent use. Close
// releases that state.
type Decompressor struct {
	once sync.Once
	zstd *zstd.Decoder
	err  error
}

// Close releases the zstd decoder, if one was made.
func (d *Decompressor) Close() {
	d.once.Do(func() { d.err = io.ErrClosedPipe })
	if d.zstd != nil {
		d.zstd.Close()
	}
}

func (d *Decompressor) zstdDecoder() (*zstd.Decoder, error) {
	d.once.Do(func() {
		d.zstd, d.err = zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(0),
			zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxMemory(2*MaxBlockSize),
			zstd.WithDecoderMaxWindow(2*MaxBlockSize))
	})
	return d.zstd, d.err
}

// Decompress fills dst, whose length is the block's logical size, from
// src, the block's physical data compressed with algorithm c. CompressOff
// copies. It returns an error wrapping ErrCorrupt if src does not
// decompress to exactly len(dst) bytes (lz4, zstd, gzip and lzjb may stop
// short of dst only if the rest is zeros, as ZFS pads), and ErrUnsupported
// for algorithms it does not know.
func (d *Decompressor) Decompress(c Compression, src, dst []byte) error {
	switch {
	case c == CompressOff || c == CompressInherit || c == CompressOn:
		if len(src) < len(dst) {
			return corruptf("uncompressed block of %d bytes, want %d", len(src), len(dst))
		}
		copy(dst, src)
		return nil
	case c == CompressEmpty:
		clear(dst)
		return nil
	case c == CompressLZ4:
		return decompressLZ4(src, dst)
	case c == CompressLZJB:
		return decompressLZJB(src, dst)
	case c == CompressZLE:
		return decompressZLE(src, dst, 64)
	case c >= CompressGzip1 && c <= CompressGzip9:
		return decompressGzip(src, dst)
	case c == CompressZstd:
		return d.decompressZstd(src, dst)
	}
	return unsupportedf("compression %s", c)
}

// decompressLZ4 reads ZFS's lz4 block: a big-endian 32-bit length of the
// compressed stream, then a raw LZ4 block.
func decompressLZ4(src, dst []byte) error {
	if len(src) < 4 {
		return corruptf("lz4 block of %d bytes", len(src))
	}
	n := binary.BigEndian.Uint32(src)
	if uint64(n)+4 > uint64(len(src)) {
		return corruptf("lz4 length %d exceeds block of %d bytes", n, len(src))
	}
	got, err := lz4.UncompressBlock(src[4:4+n], dst)
	if err != nil {
		return corruptf("lz4: %v", err)
	}
	clear(dst[got:])
	return nil
}

// decompressZstd reads ZFS's zstd block: a big-endian 32-bit length of the
// compressed frame, a big-endian 32-bit version and level word, then a
// zstd frame written without its magic number.
func (d *Decompressor) decompressZstd(src, dst []byte) error {
	if len(src) < 8 {
		return corruptf("zstd block of %d bytes", len(src))
	}
	n := binary.BigEndian.Uint32(src)
	if uint64(n)+8 > uint64(len(src)) {
		return corruptf("zstd length %d exceeds block of %d bytes", n, len(src))
	}
	dec, err := d.zstdDecoder()
	if err != nil {
		return err
	}
	frame := make([]byte, 4+n)
	binary.LittleEndian.PutUint32(frame, 0xFD2FB528) // the magic ZFS leaves out
	copy(frame[4:], src[8:8+n])
	out, err := dec.DecodeAll(frame, dst[:0])
	if err != nil {
		return corruptf("zstd: %v", err)
	}
	if len(out) > len(dst) {
		return corruptf("zstd block decompresses to %d bytes, more than %d", len(out), len(dst))
	}
	clear(dst[len(out):])
	return nil
}

// decompressGzip reads a zlib stream (what ZFS's gzip-N writes).
func decompressGzip(src, dst []byte) error {
	zr, err := zlib.NewReader(bytes.NewReader(src))
	if err != nil {
		return corruptf("gzip: %v", err)
	}
	defer zr.Close()
	n, err := io.ReadFull(zr, dst)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return corruptf("gzip: %v", err)
	}
	clear(dst[n:])
	return nil
}

// decompressZLE reads zero-length encoding: a byte L, then either L+1
// literal bytes (L+1 <= n) or L+1-n zeros.
func decompressZLE(src, dst []byte, n int) error {
	s, o := 0, 0
	for s < len(src) && o < len(dst) {
		l := int(src[s]) + 1
		s++
		if l <= n {
			if s+l > len(src) || o+l > len(dst) {
				return corruptf("zle literal run overflows")
			}
			copy(dst[o:], src[s:s+l])
			s += l
			o += l
		} else {
			l -= n
			if o+l > len(dst) {
				return corruptf("zle zero run overflows")
			}
			clear(dst[o : o+l])
			o += l
		}
	}
	if o != len(dst) {
		return corruptf("zle block decompresses to %d bytes, want %d", o, len(dst))
	}
	return nil
}

// decompressLZJB reads Jeff Bonwick's LZ compression: a copy-map byte for
// every eight items; an item is a literal byte, or a two-byte match of 6
// bits length (+3) and 10 bits offset back into the output.
func decompressLZJB(src, dst []byte) error {
	const (
		matchBits  = 6
		matchMin   = 3
		offsetMask = 1<<(16-matchBits) - 1
	)
	s, o := 0, 0
	var copymap byte
	copymask := 1 << 7
	for o < len(dst) {
		copymask <<= 1
		if copymask == 1<<8 {
			copymask = 1
			if s >= len(src) {
				return corruptf("lzjb input ends early")
			}
			copymap = src[s]
			s++
		}
		if int(copymap)&copymask != 0 {
			if s+2 > len(src) {
				return corruptf("lzjb input ends early")
			}
			mlen := int(src[s]>>(8-matchBits)) + matchMin
			off := (int(src[s])<<8 | int(src[s+1])) & offsetMask
			s += 2
			c := o - off
			if c < 0 {
				return corruptf("lzjb match before start")
			}
			for ; mlen > 0 && o < len(dst); mlen-- {
				dst[o] = dst[c]
				o++
				c++
			}
		} else {
			if s >= len(src) {
				return corruptf("lzjb input ends early")
			}
			dst[o] = src[s]
			o++
			s++
		}
	}
	return nil
}
