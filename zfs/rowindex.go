package zfs

import (
	"math/bits"
)

// rowIndex is the first stage of parsing a `zfs list -H -p` block whose
// rows are one line each (see textListParser.oneLine): where every field
// ends, and the identity numbers already parsed. It holds no pointers but
// the block, so making it costs the garbage collector nothing.
//
// When the output comes through a blockPipe, the goroutine copying the
// command's output makes each block's index before handing the block over,
// so the two halves of the parse run side by side: finding fields and
// parsing numbers there, building Datasets in the reader.
type rowIndex struct {
	blk   string
	ends  []int32  // per row, ncol offsets: the separator ending each field (len(blk) for an unterminated last line)
	ids   []uint64 // per row: guid, createtxg, creation, if identity
	types []Type   // per row, if identity
	// identity: the identity columns are parsed (ids, types); else the
	// reader parses them.
	identity bool
	rows     int        // well-formed rows
	ds       []Dataset  // one per row, to fill in
	props    []Property // len(propCol) per row, to fill in
	bad      string     // what is wrong with the row after them, if anything
}

// identity columns of a `zfs list` row, see identityProps.
const (
	colName = iota
	colType
	colGUID
	colTXG
	colCreation
	nIdentity
)

// index makes the rowIndex of a block of complete lines (the last may lack
// its newline). masks is scratch space for the separator bitmap; x, if not
// nil, an index done with whose memory is used again. With identity set the
// identity numbers are parsed here too, else the reader parses them. index
// only reads p's immutable layout, so it may run on another goroutine.
func (p *textListParser) index(blk string, masks *[]uint64, x *rowIndex, identity bool) *rowIndex {
	m := blockMasks(blk, *masks)
	*masks = m
	nsep := 0
	for _, w := range m {
		nsep += bits.OnesCount64(w)
	}
	ncol := p.ncol
	rows := nsep/ncol + 1
	if x == nil {
		x = &rowIndex{}
	}
	*x = rowIndex{blk: blk, ends: grow(x.ends[:0], nsep+1), ids: x.ids[:0], types: x.types[:0], identity: identity}
	if identity {
		x.ids, x.types = grow(x.ids, 3*rows), grow(x.types, rows)
	}
	start, k := 0, 0 // start of the current row, fields seen in it
scan:
	for w := 0; w <= len(m); w++ {
		var bm uint64
		if w < len(m) {
			bm = m[w]
		} else if start < len(blk) {
			bm = 1 // the unterminated last line ends at len(blk)
		}
		for bm != 0 {
			sep := w*64 + bits.TrailingZeros64(bm)
			bm &= bm - 1
			if w == len(m) {
				sep = len(blk)
			}
			x.ends = append(x.ends, int32(sep))
			if k++; k > ncol {
				x.bad = "got too many tab-separated fields"
				break scan
			}
			if sep < len(blk) && blk[sep] != '\n' {
				continue
			}
			if k != ncol {
				x.bad = "got too few tab-separated fields"
				break scan
			}
			e := x.ends[len(x.ends)-ncol:]
			if int(e[colName]) == start {
				x.bad = "empty dataset name"
				break scan
			}
			if identity {
				t, guid, txg, cr := rowIdentity(blk, start, e)
				x.ids = append(x.ids, guid, txg, cr)
				x.types = append(x.types, t)
			}
			x.rows++
			start, k = sep+1, 0
		}
	}
	// The Datasets and their properties, made in one allocation each per
	// block (by the writer when it indexes) and filled in by the reader.
	x.ds = make([]Dataset, x.rows)
	if n := len(p.propCol); n > 0 {
		x.props = make([]Property, x.rows*n)
	}
	return x
}

// rowIdentity parses the identity columns of the row starting at start whose
// fields end at e.
func rowIdentity(blk string, start int, e []int32) (t Type, guid, txg, creation uint64) {
	t = parseType(blk[e[colName]+1 : e[colType]])
	if t == 0 {
		t = typeOfName(blk[start:e[colName]])
	}
	guid, _ = parseUint(blk[e[colType]+1 : e[colGUID]])
	txg, _ = parseUint(blk[e[colGUID]+1 : e[colTXG]])
	creation, _ = parseUint(blk[e[colTXG]+1 : e[colCreation]])
	return t, guid, txg, creation
}

// grow returns s with room for n elements.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, 0, n)
	}
	return s
}

// nextIndexed returns the next row of the one-line fast path.
func (p *textListParser) nextIndexed() (*Dataset, error) {
	for p.x == nil || p.xr >= p.x.rows {
		if p.x != nil {
			if p.x.bad != "" {
				return nil, p.s.syntaxErr(p.lineBase+p.x.rows+1, "%s, want %d (a property value holds a tab or newline?)", p.x.bad, p.ncol)
			}
			p.lineBase += p.x.rows
			// Datasets made from x refer to its block and to its ds and
			// props, made anew for every block: the rest of x can be used
			// again.
			select {
			case p.recycle <- p.x:
			default:
			}
		}
		x, err := p.nextIndex()
		if err != nil {
			p.x = nil
			return nil, err
		}
		p.x, p.xr = x, 0
	}
	x, r := p.x, p.xr
	p.xr++
	ncol := p.ncol
	e := x.ends[r*ncol : r*ncol+ncol]
	start := 0
	if r > 0 {
		start = int(x.ends[r*ncol-1]) + 1
	}
	var t Type
	var guid, txg, cr uint64
	if x.identity {
		t, guid, txg, cr = x.types[r], x.ids[3*r], x.ids[3*r+1], x.ids[3*r+2]
	} else {
		t, guid, txg, cr = rowIdentity(x.blk, start, e)
	}
	d := &x.ds[r]
	d.dataset = dataset{c: p.s.c, name: x.blk[start:e[colName]], typ: t, guid: guid, createTXG: txg, creation: int64(cr)}
	if n := len(p.propCol); n > 0 {
		d.props = x.props[r*n : r*n+n : r*n+n]
	}
	for i, col := range p.propCol {
		from := start
		if col > 0 {
			from = int(e[col-1]) + 1
		}
		d.props[i] = Property{Name: p.s.props[i], Value: x.blk[from:e[col]]}
	}
	return d, nil
}

// nextIndex returns the index of the next block: made already by the writer
// when the input is a blockPipe the parser hooked into, else made here.
func (p *textListParser) nextIndex() (*rowIndex, error) {
	lr := &p.fr.lr
	if lr.src != nil && p.hooked {
		for {
			b, err := lr.src.nextBlock()
			if err != nil {
				return nil, err
			}
			if x, ok := b.aux.(*rowIndex); ok {
				return x, nil
			}
		}
	}
	if err := lr.refill(); err != nil {
		return nil, err
	}
	lr.off = len(lr.blk)
	return p.index(lr.blk, &p.fr.masks, p.recycled(), true), nil
}

// recycled returns an index done with, or nil.
func (p *textListParser) recycled() *rowIndex {
	select {
	case x := <-p.recycle:
		return x
	default:
		return nil
	}
}
