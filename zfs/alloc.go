package zfs

import (
	"bytes"
	"io"
	"strings"
)

// Sizes of the blocks a listing allocates from. Bigger blocks mean fewer
// allocations per row but more memory kept alive by one retained Dataset.
const (
	datasetBlock  = 128
	propertyBlock = 512
	stringBlock   = 32 << 10
	readBlock     = 64 << 10 // what a pipe holds
)

// alloc hands out Datasets, Property slices and strings from blocks, so that a
// listing of n rows makes O(n/block) allocations rather than several per row.
// Nothing handed out is ever written again, so the pieces are independent
// values; they only share the lifetime of their blocks.
type alloc struct {
	ds    []Dataset
	props []Property
	sb    strings.Builder
}

func (a *alloc) dataset() *Dataset {
	if len(a.ds) == 0 {
		a.ds = make([]Dataset, datasetBlock)
	}
	d := &a.ds[0]
	a.ds = a.ds[1:]
	return d
}

// properties returns a slice of n zero Properties with no spare capacity, so
// appending to it never writes into a neighbour's slice.
func (a *alloc) properties(n int) []Property {
	if n == 0 {
		return nil
	}
	if len(a.props) < n {
		a.props = make([]Property, max(propertyBlock, n))
	}
	p := a.props[:n:n]
	a.props = a.props[n:]
	return p
}

// str returns a string holding a copy of b, carved from a string block.
func (a *alloc) str(b []byte) string {
	switch len(b) {
	case 0:
		return ""
	case 1:
		if b[0] == '-' {
			return "-"
		}
	}
	if a.sb.Cap()-a.sb.Len() < len(b) {
		a.sb = strings.Builder{}
		a.sb.Grow(max(stringBlock, len(b)))
	}
	start := a.sb.Len()
	a.sb.Write(b)
	return a.sb.String()[start:]
}

// lineReader reads lines as substrings of blocks: each block of complete lines
// read from r is converted to a string once, so lines and the fields cut from
// them cost no allocation of their own.
type lineReader struct {
	r     io.Reader
	src   *blockPipe // when set, blocks come from it whole instead of from r
	buf   []byte     // bytes read but not yet in a block
	n     int
	blk   string // current block: complete lines
	off   int    // read offset in blk
	err   error  // sticky read error (io.EOF at end)
	lines int    // lines returned so far
	back  string // a line pushed back by unread
	hasBk bool
}

// unread pushes line back: the next call to next returns it again.
func (lr *lineReader) unread(line string) {
	lr.back, lr.hasBk = line, true
	lr.lines--
}

// newLineReader returns a lineReader reading from r. When r is a blockPipe,
// its blocks are used as they are, without copying.
func newLineReader(r io.Reader) *lineReader {
	lr := &lineReader{}
	lr.init(r)
	return lr
}

func (lr *lineReader) init(r io.Reader) {
	if bp, ok := r.(*blockPipe); ok {
		lr.src = bp
		return
	}
	lr.r, lr.buf = r, make([]byte, readBlock)
}

// next returns the next line without its newline. At the end of input it
// returns io.EOF; a read error is returned as is.
func (lr *lineReader) next() (string, error) {
	if lr.hasBk {
		lr.hasBk = false
		lr.lines++
		return lr.back, nil
	}
	for {
		if lr.off < len(lr.blk) {
			rest := lr.blk[lr.off:]
			if i := strings.IndexByte(rest, '\n'); i >= 0 {
				lr.off += i + 1
				lr.lines++
				return rest[:i], nil
			}
			// The final line of the input has no newline.
			lr.off = len(lr.blk)
			lr.lines++
			return rest, nil
		}
		if err := lr.refill(); err != nil {
			return "", err
		}
	}
}

// refill reads until the buffer holds at least one complete line (or the
// input ends) and makes a new block of all complete lines.
func (lr *lineReader) refill() error {
	if lr.src != nil {
		b, err := lr.src.nextBlock()
		if err != nil {
			return err
		}
		lr.blk, lr.off = b.s, 0
		return nil
	}
	for {
		if lr.err != nil {
			if lr.n > 0 {
				lr.blk, lr.off = string(lr.buf[:lr.n]), 0
				lr.n = 0
				return nil
			}
			return lr.err
		}
		if lr.n == len(lr.buf) {
			nb := make([]byte, 2*len(lr.buf))
			copy(nb, lr.buf[:lr.n])
			lr.buf = nb
		}
		m, err := lr.r.Read(lr.buf[lr.n:])
		if err != nil {
			lr.err = err
		}
		if m == 0 {
			continue
		}
		start := lr.n
		lr.n += m
		if j := bytes.LastIndexByte(lr.buf[start:lr.n], '\n'); j >= 0 {
			cut := start + j + 1
			lr.blk, lr.off = string(lr.buf[:cut]), 0
			lr.n = copy(lr.buf, lr.buf[cut:lr.n])
			return nil
		}
	}
}
