package zfs

import (
	"encoding/binary"
	"io"
	"math/bits"
	"strings"
	"unsafe"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
)

// shape describes what a listing asked for: the properties the caller wants
// back, in order, besides the identity every Dataset carries.
type shape struct {
	c     *Client
	op    string
	props []string       // requested properties, deduplicated
	index map[string]int // props -> position, for long lists
	all   bool           // "all" was requested: keep every property reported
}

func newShape(c *Client, op string, props []string) *shape {
	s := &shape{c: c, op: op}
	seen := make(map[string]bool, len(props))
	for _, p := range props {
		if p == "all" {
			s.all = true
			continue
		}
		if !seen[p] {
			seen[p] = true
			s.props = append(s.props, p)
		}
	}
	if s.all {
		s.props = nil
	}
	if len(s.props) > 8 {
		s.index = make(map[string]int, len(s.props))
		for i, p := range s.props {
			s.index[p] = i
		}
	}
	return s
}

// find returns the position of property p among the requested ones, or -1.
func (s *shape) find(p string) int {
	if s.index != nil {
		if i, ok := s.index[p]; ok {
			return i
		}
		return -1
	}
	for i, q := range s.props {
		if q == p {
			return i
		}
	}
	return -1
}

// findBytes is find for a property name held in a byte slice; it does not
// allocate.
func (s *shape) findBytes(p []byte) int {
	if s.index != nil {
		if i, ok := s.index[string(p)]; ok {
			return i
		}
		return -1
	}
	for i, q := range s.props {
		if q == string(p) {
			return i
		}
	}
	return -1
}

// listColumns returns the -o columns of a `zfs list -H -p` listing: the
// identity columns then the requested properties that are not among them.
func (s *shape) listColumns() []string {
	cols := append([]string(nil), identityProps...)
	for _, p := range s.props {
		if !isIdentity(p) {
			cols = append(cols, p)
		}
	}
	return cols
}

func isIdentity(p string) bool {
	for _, q := range identityProps {
		if p == q {
			return true
		}
	}
	return false
}

// isUserProp reports whether p is a user property ("module:name"), whose
// value is free text.
func isUserProp(p string) bool { return strings.IndexByte(p, ':') >= 0 }

func (s *shape) syntaxErr(line int, format string, args ...any) error {
	return errs.Newf(errors.Other, s.op, "", "line %d: "+format, append([]any{line}, args...)...)
}

// parseUint parses a decimal unsigned integer; "-", "" and garbage give 0 and
// false.
func parseUint(s string) (uint64, bool) {
	n := len(s)
	if n < 8 {
		if n == 0 {
			return 0, false
		}
		var v uint64
		for i := 0; i < n; i++ {
			c := s[i] - '0'
			if c > 9 {
				return 0, false
			}
			v = v*10 + uint64(c)
		}
		return v, true
	}
	if n > 20 {
		return 0, false
	}
	// Eight digits at a time (GUIDs have up to 20, times 10). The first chunk
	// is the leading 1..8 digits: the eight bytes at the start shifted so
	// that those digits are the last ones of an eight-digit number, the
	// shifted-in bytes made '0'.
	load := func(i int) uint64 {
		return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
	}
	m := n - (n-1)/8*8
	pad := uint(8-m) * 8
	v, ok := parse8(load(0)<<pad | (1<<pad-1)&('0'*0x0101010101010101))
	if !ok {
		return 0, false
	}
	for i := m; i < n; i += 8 {
		d, ok := parse8(load(i))
		if !ok {
			return 0, false
		}
		hi, lo := bits.Mul64(v, 100000000)
		var carry uint64
		v, carry = bits.Add64(lo, d, 0)
		if hi|carry != 0 {
			return 0, false
		}
	}
	return v, true
}

// parse8 converts eight ASCII digits, loaded little-endian (the first digit
// in the low byte), to their value, reporting false if a byte is not a digit.
func parse8(x uint64) (uint64, bool) {
	const ones = 0x0101010101010101
	// Every byte must be in '0'..'9': its high nibble 3 and adding 6 must not
	// carry into it.
	if x&(0xf0*ones) != 0x30*ones || (x+0x06*ones)&(0xf0*ones) != 0x30*ones {
		return 0, false
	}
	x -= 0x30 * ones
	x = x*10 + x>>8                                                                                 // pairs of digits
	x = ((x&0x000000ff000000ff)*(100+1000000<<32) + (x>>16&0x000000ff000000ff)*(1+10000<<32)) >> 32 // all eight
	return x, true
}

// setIdentity stores one identity property into d, reporting whether p was
// one. Values that do not parse leave the field unset.
func setIdentity(d *dataset, p, v string) bool {
	switch p {
	case "name":
	case "type":
		if t := parseType(v); t != 0 {
			d.typ = t
		}
	case "guid":
		d.guid, _ = parseUint(v)
	case "createtxg":
		d.createTXG, _ = parseUint(v)
	case "creation":
		c, _ := parseUint(v)
		d.creation = int64(c)
	default:
		return false
	}
	return true
}

// textListParser parses `zfs list -H -p -o <listColumns>`: one row per
// dataset, fields separated by tabs.
type textListParser struct {
	s       *shape
	fr      *fieldReader
	a       alloc
	ncol    int
	propCol []int // column of each requested property
	free    int   // the one user-property column whose value may hold tabs and newlines, or -1
	bufs    [2][]string
	cur     int // bufs[cur] holds the fields of the pending line
	pend    string
	hasPend bool
	// oneLine: no column can hold a tab or newline, so every row is exactly
	// one line, no line needs to be read ahead, and blocks can be indexed on
	// their own (see rowIndex).
	oneLine  bool
	hooked   bool           // the blockPipe feeding fr makes the indexes
	x        *rowIndex      // the current block's index
	xr       int            // the next row of x
	lineBase int            // lines before x
	recycle  chan *rowIndex // indexes done with, for the next blocks
}

// freeText reports whether values of property p are free text that may hold
// a tab or a newline: user properties and the native properties whose values
// are paths, URLs or option strings. Names (origin, clones, encryptionroot),
// numbers and keywords never do.
func freeText(p string) bool {
	if isUserProp(p) {
		return true
	}
	switch p {
	case "mountpoint", "sharenfs", "sharesmb", "keylocation", "context", "fscontext", "defcontext", "rootcontext":
		return true
	}
	return false
}

func newTextListParser(s *shape, r io.Reader) *textListParser {
	p := &textListParser{s: s, fr: newFieldReader(r), free: -1, recycle: make(chan *rowIndex, pipeDepth+2)}
	cols := s.listColumns()
	p.ncol = len(cols)
	p.bufs[0] = make([]string, 0, p.ncol)
	p.bufs[1] = make([]string, 0, p.ncol)
	nfree := 0
	p.oneLine = true
	for i, c := range cols {
		if isUserProp(c) {
			nfree++
			p.free = i
		}
		if freeText(c) {
			p.oneLine = false
		}
	}
	if nfree != 1 {
		p.free = -1
	}
	for _, want := range s.props {
		for i, c := range cols {
			if c == want {
				p.propCol = append(p.propCol, i)
				break
			}
		}
	}
	if bp := p.fr.lr.src; bp != nil && p.oneLine {
		// The writer indexes each block as it hands it over; its scratch
		// space is its own. It also parses the identity columns while
		// blocks are waiting for the reader (the reader is the slower
		// side), and leaves them to the reader when none are.
		var masks []uint64
		bp.setHook(func(blk string) any { return p.index(blk, &masks, p.recycled(), bp.queued() > 0) })
		p.hooked = true
	}
	return p
}

// splitTabs appends the tab-separated fields of line to dst. It looks for
// tabs eight bytes at a time: rows are mostly long runs without one.
func splitTabs(line string, dst []string) []string {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
		tabs  = '\t' * ones
	)
	b := unsafe.Slice(unsafe.StringData(line), len(line)) // read only
	start, i := 0, 0
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:]) ^ tabs
		// The lowest set high bit marks the first zero byte of x, i.e. the
		// first tab (bits above it may be false positives, so only the
		// lowest is used).
		m := (x - ones) &^ x & highs
		if m == 0 {
			i += 8
			continue
		}
		j := i + bits.TrailingZeros64(m)>>3
		dst = append(dst, line[start:j])
		start, i = j+1, j+1
	}
	for ; i < len(b); i++ {
		if b[i] == '\t' {
			dst = append(dst, line[start:i])
			start = i + 1
		}
	}
	return append(dst, line[start:])
}

func (p *textListParser) next() (*Dataset, error) {
	if p.oneLine {
		return p.nextIndexed()
	}
	var line string
	var f []string
	if p.hasPend {
		line, f = p.pend, p.bufs[p.cur]
		p.hasPend = false
	} else {
		var err error
		f, line, err = p.fr.next(p.bufs[p.cur][:0])
		if err != nil {
			return nil, err
		}
	}
	start := p.fr.lines()
	// A value holding a newline continues the row on the following lines,
	// which then have too few fields to be rows of their own. Read one line
	// ahead to find out.
	joined := false
	for n := 0; ; n++ {
		o := 1 - p.cur
		mf, more, err := p.fr.next(p.bufs[o][:0])
		if err != nil {
			break
		}
		p.bufs[o] = mf
		if len(mf) >= p.ncol || n > maxContinuation {
			p.pend, p.hasPend, p.cur = more, true, o
			break
		}
		line = line + "\n" + more
		joined = true
	}
	if joined {
		f = splitTabs(line, f[:0])
	}
	if len(f) != p.ncol {
		if p.free < 0 || len(f) < p.ncol {
			return nil, p.s.syntaxErr(start, "got %d tab-separated fields, want %d (a property value holds a tab or newline; the JSON output of OpenZFS 2.3 and later does not have this problem)", len(f), p.ncol)
		}
		extra := len(f) - p.ncol
		f[p.free] = strings.Join(f[p.free:p.free+extra+1], "\t")
		f = append(f[:p.free+1], f[p.free+extra+1:]...)
	}
	return p.row(f, start)
}

// row makes the Dataset of one row's fields; line is its first line.
func (p *textListParser) row(f []string, start int) (*Dataset, error) {
	if f[0] == "" {
		return nil, p.s.syntaxErr(start, "empty dataset name")
	}
	d := p.a.dataset()
	d.dataset = dataset{c: p.s.c, name: f[0], typ: parseType(f[1])}
	if d.typ == 0 {
		d.typ = typeOfName(f[0])
	}
	d.guid, _ = parseUint(f[2])
	d.createTXG, _ = parseUint(f[3])
	c, _ := parseUint(f[4])
	d.creation = int64(c)
	d.props = p.a.properties(len(p.propCol))
	for i, col := range p.propCol {
		d.props[i] = Property{Name: p.s.props[i], Value: f[col]}
	}
	return d, nil
}

// maxContinuation bounds how many lines one row may span: a user property
// value is at most 8 KiB.
const maxContinuation = 8192

// textGetParser parses `zfs get -H -p -o name,property,value,source`: one
// row per property, the rows of one dataset consecutive. Rows are grouped
// into Datasets.
type textGetParser struct {
	s       *shape
	lr      *lineReader
	a       alloc
	pending getRow
	has     bool // pending holds a row
	scratch []Property
}

type getRow struct {
	name, prop, value string
	src               Source
}

func newTextGetParser(s *shape, r io.Reader) *textGetParser {
	return &textGetParser{s: s, lr: newLineReader(r)}
}

// validSource reports whether s is a source column as zfs prints it.
func validSource(s string) bool {
	switch s {
	case "-", "local", "default", "received", "temporary":
		return true
	}
	return strings.HasPrefix(s, "inherited from ") && len(s) > len("inherited from ")
}

// row reads one property row. A value holding newlines spans several lines:
// lines are joined until the row ends in a well-formed source column.
func (p *textGetParser) row() (getRow, error) {
	line, err := p.lr.next()
	if err != nil {
		return getRow{}, err
	}
	start := p.lr.lines
	for n := 0; ; n++ {
		if _, ok := splitGetRow(line); ok {
			// Lines with fewer than four fields that follow are the rest of a
			// value holding newlines.
			for m := 0; m < maxContinuation; m++ {
				more, err := p.lr.next()
				if err != nil {
					break
				}
				if strings.Count(more, "\t") >= 3 {
					p.lr.unread(more)
					break
				}
				line = line + "\n" + more
			}
			if r, ok := splitGetRow(line); ok {
				return r, nil
			}
		}
		more, err := p.lr.next()
		if err != nil || n > maxContinuation {
			return getRow{}, p.s.syntaxErr(start, "malformed property row %q", truncate(line, 80))
		}
		line = line + "\n" + more
	}
}

// splitGetRow splits name, property, value and source, the value being
// everything between the second tab and the last.
func splitGetRow(line string) (getRow, bool) {
	i := strings.IndexByte(line, '\t')
	if i <= 0 {
		return getRow{}, false
	}
	j := strings.IndexByte(line[i+1:], '\t')
	if j <= 0 {
		return getRow{}, false
	}
	j += i + 1
	k := strings.LastIndexByte(line, '\t')
	if k <= j || !validSource(line[k+1:]) {
		return getRow{}, false
	}
	return getRow{name: line[:i], prop: line[i+1 : j], value: line[j+1 : k], src: parseSourceText(line[k+1:])}, true
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

func (p *textGetParser) next() (*Dataset, error) {
	if !p.has {
		r, err := p.row()
		if err != nil {
			return nil, err
		}
		p.pending, p.has = r, true
	}
	d := p.a.dataset()
	d.dataset = dataset{c: p.s.c, name: p.pending.name, typ: typeOfName(p.pending.name)}
	p.scratch = p.scratch[:0]
	for {
		r := p.pending
		setIdentity(&d.dataset, r.prop, r.value)
		if i := p.s.find(r.prop); i >= 0 {
			p.scratch = append(p.scratch, Property{Name: p.s.props[i], Value: r.value, Source: r.src})
		} else if p.s.all {
			p.scratch = append(p.scratch, Property{Name: r.prop, Value: r.value, Source: r.src})
		}
		next, err := p.row()
		if err == io.EOF {
			p.has = false
			break
		}
		if err != nil {
			p.has = false
			return nil, err
		}
		if next.name != d.name {
			p.pending = next
			break
		}
		p.pending = next
	}
	d.props = p.a.properties(len(p.scratch))
	copy(d.props, p.scratch)
	return d, nil
}
