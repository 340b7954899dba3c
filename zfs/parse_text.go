package zfs

import (
	"bufio"
	"io"
	"strconv"
	"strings"

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
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
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

// lineReader reads a command's output line by line. Each line is one
// string of its own (bufio.Reader.ReadString), so the fields and values cut
// from it are substrings that keep only their line alive.
type lineReader struct {
	r     *bufio.Reader
	err   error // sticky: the input's end (io.EOF) or the command's failure
	lines int   // lines returned so far
	back  string
	hasBk bool // back holds a line pushed back by unread
}

// readBuffer is the size of a lineReader's buffer: what a pipe holds.
const readBuffer = 64 << 10

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, readBuffer)}
}

// next returns the next line without its newline; the last line of the
// input may lack one. At the end of the input it returns io.EOF; a read
// error (such as the command's failure, see streamRows) is returned as is,
// after the lines read before it.
func (lr *lineReader) next() (string, error) {
	if lr.hasBk {
		lr.hasBk = false
		lr.lines++
		return lr.back, nil
	}
	if lr.err != nil {
		return "", lr.err
	}
	line, err := lr.r.ReadString('\n')
	if err != nil {
		lr.err = err
		if line == "" {
			return "", err
		}
	} else {
		line = line[:len(line)-1]
	}
	lr.lines++
	return line, nil
}

// unread pushes line back: the next call to next returns it again.
func (lr *lineReader) unread(line string) {
	lr.back, lr.hasBk = line, true
	lr.lines--
}

// splitTabs appends the tab-separated fields of line to dst.
func splitTabs(line string, dst []string) []string {
	for {
		f, rest, ok := strings.Cut(line, "\t")
		dst = append(dst, f)
		if !ok {
			return dst
		}
		line = rest
	}
}

// textListParser parses `zfs list -H -p -o <listColumns>`: one row per
// dataset, fields separated by tabs.
type textListParser struct {
	s       *shape
	lr      *lineReader
	ncol    int
	propCol []int // column of each requested property
	free    int   // the one user-property column whose value may hold tabs and newlines, or -1
	// oneLine: no column can hold a tab or newline, so every row is exactly
	// one line and no line needs to be read ahead: a row reaches the caller
	// as soon as zfs prints it.
	oneLine bool
	fields  []string // scratch for the fields of a row
	pend    string   // a line read ahead, the start of the next row
	hasPend bool
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
	p := &textListParser{s: s, lr: newLineReader(r), free: -1, oneLine: true}
	cols := s.listColumns()
	p.ncol = len(cols)
	nfree := 0
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
	return p
}

// maxContinuation bounds how many lines one row may span: a user property
// value is at most 8 KiB.
const maxContinuation = 8192

func (p *textListParser) next() (*Dataset, error) {
	line := p.pend
	if p.hasPend {
		p.hasPend = false
	} else {
		var err error
		if line, err = p.lr.next(); err != nil {
			return nil, err
		}
	}
	start := p.lr.lines
	if !p.oneLine {
		// A value holding a newline continues the row on the following
		// lines, which then have too few fields to be rows of their own.
		// Read one line ahead to find out.
		for n := 0; ; n++ {
			more, err := p.lr.next()
			if err != nil {
				break
			}
			if strings.Count(more, "\t")+1 >= p.ncol || n > maxContinuation {
				p.pend, p.hasPend = more, true
				break
			}
			line += "\n" + more
		}
	}
	f := splitTabs(line, p.fields[:0])
	p.fields = f
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

// row makes the Dataset of one row's fields; start is its first line.
func (p *textListParser) row(f []string, start int) (*Dataset, error) {
	if f[0] == "" {
		return nil, p.s.syntaxErr(start, "empty dataset name")
	}
	d := &Dataset{dataset: dataset{c: p.s.c, name: f[0], typ: parseType(f[1])}}
	if d.typ == 0 {
		d.typ = typeOfName(f[0])
	}
	d.guid, _ = parseUint(f[2])
	d.createTXG, _ = parseUint(f[3])
	c, _ := parseUint(f[4])
	d.creation = int64(c)
	if len(p.propCol) > 0 {
		d.props = make(Properties, len(p.propCol))
		for i, col := range p.propCol {
			d.props[i] = Property{Name: p.s.props[i], Value: f[col]}
		}
	}
	return d, nil
}

// textGetParser parses `zfs get -H -p -o name,property,value,source`: one
// row per property, the rows of one dataset consecutive. Rows are grouped
// into Datasets.
type textGetParser struct {
	s       *shape
	lr      *lineReader
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
	name, rest, ok := strings.Cut(line, "\t")
	if !ok || name == "" {
		return getRow{}, false
	}
	prop, rest, ok := strings.Cut(rest, "\t")
	if !ok || prop == "" {
		return getRow{}, false
	}
	k := strings.LastIndexByte(rest, '\t')
	if k < 0 || !validSource(rest[k+1:]) {
		return getRow{}, false
	}
	return getRow{name: name, prop: prop, value: rest[:k], src: parseSourceText(rest[k+1:])}, true
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
	d := &Dataset{dataset: dataset{c: p.s.c, name: p.pending.name, typ: typeOfName(p.pending.name)}}
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
		p.pending = next
		if next.name != d.name {
			break
		}
	}
	if len(p.scratch) > 0 {
		d.props = append(Properties(nil), p.scratch...)
	}
	return d, nil
}
