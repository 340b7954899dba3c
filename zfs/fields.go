package zfs

import (
	"encoding/binary"
	"io"
	"math/bits"
	"unsafe"
)

// sepMasksGeneric is sepMasks in portable Go, eight bytes at a time.
func sepMasksGeneric(b []byte, masks []uint64) {
	const (
		ones  = 0x0101010101010101
		low7  = 0x7f7f7f7f7f7f7f7f
		highs = 0x8080808080808080
	)
	for i := range len(b) / 64 {
		c := b[64*i : 64*i+64]
		var m uint64
		for k := 0; k < 8; k++ {
			x := binary.LittleEndian.Uint64(c[8*k:])
			t, n := x^('\t'*ones), x^('\n'*ones)
			// The high bit of each byte of z is set exactly where that byte
			// of t (or n) is zero: adding 0x7f carries into the high bit
			// of every non-zero low-seven-bit value, and or-ing the byte
			// itself covers 0x80.
			z := ^(((t & low7) + low7) | t) | ^(((n & low7) + low7) | n)
			z &= highs
			// Gather the eight high bits into one byte, byte k to bit k.
			m |= ((z >> 7) * 0x0102040810204080 >> 56) << (8 * k)
		}
		masks[i] = m
	}
}

// blockMasks returns the separator bitmap of a whole block, one word per 64
// bytes, in scratch's memory when it is big enough.
func blockMasks(blk string, scratch []uint64) []uint64 {
	words := (len(blk) + 63) / 64
	if cap(scratch) < words {
		scratch = make([]uint64, words)
	}
	m := scratch[:words]
	full := len(blk) / 64
	sepMasks(unsafe.Slice(unsafe.StringData(blk), full*64), m[:full])
	if full < words {
		m[full] = sepMaskTail(blk[full*64:])
	}
	return m
}

// sepMaskTail returns the separator bitmap of the last, partial chunk of a
// block (fewer than 64 bytes).
func sepMaskTail(s string) uint64 {
	var m uint64
	for k := 0; k < len(s); k++ {
		if c := s[k]; c == '\t' || c == '\n' {
			m |= 1 << k
		}
	}
	return m
}

// fieldReader reads lines of tab-separated fields. Each block of complete
// lines read from r becomes one string (see lineReader) and gets, once, a
// bitmap of its tabs and newlines, computed 64 bytes at a time; cutting a
// line into fields then costs a few instructions per field instead of a
// comparison per byte. Fields are substrings of the block.
type fieldReader struct {
	lr    lineReader
	masks []uint64
	w     int    // the word of masks being consumed
	bits  uint64 // its separators not yet consumed
}

func newFieldReader(r io.Reader) *fieldReader {
	f := &fieldReader{}
	f.lr.init(r)
	return f
}

// lines returns how many lines have been read.
func (f *fieldReader) lines() int { return f.lr.lines }

// index computes the separator bitmap of a new block.
func (f *fieldReader) index() {
	f.masks = blockMasks(f.lr.blk, f.masks)
	f.w, f.bits = 0, 0
	if len(f.masks) > 0 {
		f.bits = f.masks[0]
	}
}

// next reads the next line, appends its fields to dst and returns them with
// the line (without its newline). At the end of input it returns io.EOF; a
// read error is returned as is.
func (f *fieldReader) next(dst []string) ([]string, string, error) {
	lr := &f.lr
	if lr.off >= len(lr.blk) {
		if err := lr.refill(); err != nil {
			return dst, "", err
		}
		f.index()
	}
	blk := lr.blk
	start, fs := lr.off, lr.off
	for {
		for f.bits == 0 {
			f.w++
			if f.w >= len(f.masks) {
				// The final line of the input has no newline.
				lr.off = len(blk)
				lr.lines++
				return append(dst, blk[fs:]), blk[start:], nil
			}
			f.bits = f.masks[f.w]
		}
		p := f.w*64 + bits.TrailingZeros64(f.bits)
		f.bits &= f.bits - 1
		dst = append(dst, blk[fs:p])
		fs = p + 1
		if blk[p] == '\n' {
			lr.off = fs
			lr.lines++
			return dst, blk[start:p], nil
		}
	}
}
