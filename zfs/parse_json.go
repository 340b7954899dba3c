package zfs

import (
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
)

// jsonScanner is a streaming JSON tokenizer over an io.Reader, written for the
// `-j` output of zfs: it hands out string contents and scalars as byte slices
// into its buffer (valid until the next call), so parsing allocates only the
// values a Dataset keeps, and keeps the order of the properties.
//
// Why not encoding/json: a json.Decoder walking the top level with Token and
// decoding each dataset whole into a struct (its properties into a map,
// losing their order) parsed 20 to 30 times slower than this scanner in
// BenchmarkListing (about 15k rows/s against 300-500k rows/s, 47 allocations
// per row against 9): that would have put the SDK's share of a JSON
// listing's CPU time at tens of percent of zfs's instead of about 1%
// (BenchmarkIntegrationListing). Its Token alone allocates for every string
// and boxes every token.
type jsonScanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	err      error // sticky read error; io.EOF at the end
	scratch  []byte
	consumed int64 // bytes discarded before buf[0]
	depth    int
	op       string
}

// maxJSONDepth bounds the nesting skipValue accepts.
const maxJSONDepth = 256

func newJSONScanner(op string, r io.Reader) *jsonScanner {
	return &jsonScanner{op: op, r: r, buf: make([]byte, readBuffer)}
}

// fill reads more input, keeping buf[pos:end]. It reports whether any byte
// was added.
func (s *jsonScanner) fill() bool {
	if s.err != nil {
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.consumed += int64(s.pos)
		s.end, s.pos = n, 0
	}
	if s.end == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		m, err := s.r.Read(s.buf[s.end:])
		s.end += m
		if err != nil {
			s.err = err
		}
		if m > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// eof returns the error for input that ended where more was expected: a read
// error as is, io.ErrUnexpectedEOF at the end of input.
func (s *jsonScanner) eof() error {
	if s.err == nil || s.err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return s.err
}

func (s *jsonScanner) syntax(format string, args ...any) error {
	return errs.Newf(errors.Other, s.op, "", "JSON output at byte %d: %s", s.consumed+int64(s.pos), fmt.Sprintf(format, args...))
}

// wrapEOF turns io.ErrUnexpectedEOF into a syntax error and leaves read
// errors (such as the command's failure) alone.
func (s *jsonScanner) wrapEOF(err error) error {
	if err == io.ErrUnexpectedEOF {
		return s.syntax("unexpected end of input")
	}
	return err
}

// peek returns the next byte that is not white space, without consuming it.
func (s *jsonScanner) peek() (byte, error) {
	if s.pos < s.end {
		if c := s.buf[s.pos]; c > ' ' {
			return c, nil
		}
	}
	return s.peekSlow()
}

func (s *jsonScanner) peekSlow() (byte, error) {
	for {
		for s.pos < s.end {
			switch c := s.buf[s.pos]; c {
			case ' ', '\n', '\t', '\r':
				s.pos++
			default:
				return c, nil
			}
		}
		if !s.fill() {
			return 0, s.eof()
		}
	}
}

func (s *jsonScanner) expect(c byte) error {
	if s.pos < s.end && s.buf[s.pos] == c {
		s.pos++
		return nil
	}
	return s.expectSlow(c)
}

func (s *jsonScanner) expectSlow(c byte) error {
	b, err := s.peek()
	if err != nil {
		return err
	}
	if b != c {
		return s.syntax("found %q where %q was expected", b, c)
	}
	s.pos++
	return nil
}

// open consumes '{' (or '['). It reports false if the object is empty,
// consuming its closing byte too.
func (s *jsonScanner) open(o, c byte) (bool, error) {
	if err := s.expect(o); err != nil {
		return false, err
	}
	b, err := s.peek()
	if err != nil {
		return false, err
	}
	if b == c {
		s.pos++
		return false, nil
	}
	return true, nil
}

// more consumes the ',' between members or the closing byte c, reporting
// whether another member follows.
func (s *jsonScanner) more(c byte) (bool, error) {
	if s.pos < s.end {
		switch s.buf[s.pos] {
		case ',':
			s.pos++
			return true, nil
		case c:
			s.pos++
			return false, nil
		}
	}
	b, err := s.peek()
	if err != nil {
		return false, err
	}
	switch b {
	case ',':
		s.pos++
		return true, nil
	case c:
		s.pos++
		return false, nil
	}
	return false, s.syntax("found %q where ',' or %q was expected", b, c)
}

// key reads an object key and the colon after it. The returned bytes are
// valid until the next call on s.
func (s *jsonScanner) key() ([]byte, error) {
	k, err := s.str()
	if err != nil {
		return nil, err
	}
	// The colon is normally right after the key; only if it is not in the
	// buffer must the key be saved from being moved by fill.
	if s.pos < s.end && s.buf[s.pos] == ':' {
		s.pos++
		return k, nil
	}
	s.scratch = append(s.scratch[:0], k...) // fill may move the buffer
	return s.scratch, s.expect(':')
}

// str reads a string and returns its decoded contents. The bytes are valid
// until the next call on s.
func (s *jsonScanner) str() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	s.scratch = s.scratch[:0]
	copied := false
	for {
		i := stringEnd(s.buf[:s.end], s.pos)
		if i == s.end {
			s.scratch = append(s.scratch, s.buf[s.pos:i]...)
			copied = true
			s.pos = i
			if !s.fill() {
				return nil, s.eof()
			}
			continue
		}
		switch c := s.buf[i]; {
		case c == '"':
			if !copied {
				out := s.buf[s.pos:i]
				s.pos = i + 1
				return out, nil
			}
			s.scratch = append(s.scratch, s.buf[s.pos:i]...)
			s.pos = i + 1
			return s.scratch, nil
		case c < 0x20:
			s.pos = i
			return nil, s.syntax("control character %#x in string", c)
		}
		s.scratch = append(s.scratch, s.buf[s.pos:i]...)
		copied = true
		s.pos = i + 1
		if err := s.escape(); err != nil {
			return nil, err
		}
	}
}

// stringEnd returns the index of the first byte at or after i in b that
// ends a run of plain string bytes: '"', '\\' or a control character, or
// len(b).
func stringEnd(b []byte, i int) int {
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(b)
}

// need makes sure n bytes are buffered after pos.
func (s *jsonScanner) need(n int) bool {
	for s.end-s.pos < n {
		if !s.fill() {
			return false
		}
	}
	return true
}

// escape decodes the escape sequence after a backslash into scratch.
func (s *jsonScanner) escape() error {
	if !s.need(1) {
		return s.eof()
	}
	c := s.buf[s.pos]
	s.pos++
	switch c {
	case '"', '\\', '/':
		s.scratch = append(s.scratch, c)
	case 'b':
		s.scratch = append(s.scratch, '\b')
	case 'f':
		s.scratch = append(s.scratch, '\f')
	case 'n':
		s.scratch = append(s.scratch, '\n')
	case 'r':
		s.scratch = append(s.scratch, '\r')
	case 't':
		s.scratch = append(s.scratch, '\t')
	case 'u':
		if !s.need(4) {
			return s.eof()
		}
		r, ok := hex4(s.buf[s.pos : s.pos+4])
		if !ok {
			return s.syntax("invalid \\u escape")
		}
		s.pos += 4
		if utf16.IsSurrogate(r) {
			r2 := rune(-1)
			if s.need(6) && s.buf[s.pos] == '\\' && s.buf[s.pos+1] == 'u' {
				r2, _ = hex4(s.buf[s.pos+2 : s.pos+6])
			}
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				r = d
				s.pos += 6
			} else {
				r = utf8.RuneError
			}
		}
		s.scratch = utf8.AppendRune(s.scratch, r)
	default:
		return s.syntax("invalid escape \\%c", c)
	}
	return nil
}

func hex4(b []byte) (rune, bool) {
	var r rune
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// scalar reads a string, number, true, false or null and returns its text
// (the decoded contents for a string) and whether it was a string. A null
// gives "-", zfs's "no value". The bytes are valid until the next call on s.
func (s *jsonScanner) scalar() ([]byte, bool, error) {
	c, err := s.peek()
	if err != nil {
		return nil, false, err
	}
	if c == '"' {
		b, err := s.str()
		return b, true, err
	}
	s.scratch = s.scratch[:0]
	copied := false
	for {
		i := s.pos
		for i < s.end && isScalarByte(s.buf[i]) {
			i++
		}
		if i < s.end || s.err != nil {
			var out []byte
			if copied {
				s.scratch = append(s.scratch, s.buf[s.pos:i]...)
				out = s.scratch
			} else {
				out = s.buf[s.pos:i]
			}
			s.pos = i
			switch {
			case len(out) == 0:
				return nil, false, s.syntax("unexpected %q", c)
			case string(out) == "null":
				return []byte("-"), false, nil
			case string(out) == "true", string(out) == "false", validNumber(out):
				return out, false, nil
			}
			return nil, false, s.syntax("invalid literal %q", truncate(string(out), 40))
		}
		s.scratch = append(s.scratch, s.buf[s.pos:i]...)
		copied = true
		s.pos = i
		s.fill()
	}
}

func isScalarByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '+' || c == '.'
}

// validNumber reports whether b is a JSON number.
func validNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

// skip consumes one value of any type.
func (s *jsonScanner) skip() error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch c {
	case '{', '[':
		s.depth++
		defer func() { s.depth-- }()
		if s.depth > maxJSONDepth {
			return s.syntax("nesting too deep")
		}
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		more, err := s.open(c, closer)
		for more && err == nil {
			if c == '{' {
				if _, err = s.key(); err != nil {
					break
				}
			}
			if err = s.skip(); err != nil {
				break
			}
			more, err = s.more(closer)
		}
		return err
	}
	_, _, err = s.scalar()
	return err
}

// jsonListParser parses the `-j` output of `zfs list` and `zfs get`:
//
//	{"output_version": {...}, "datasets": {"<name>": {"name": ..., "type":
//	"FILESYSTEM", "createtxg": ..., "properties": {"<prop>": {"value": ...,
//	"source": {"type": "LOCAL", "data": "-"}}}}}}
//
// yielding one Dataset per member of "datasets" as it is read.
type jsonListParser struct {
	s        *shape
	sc       *jsonScanner
	state    uint8 // 0 before the top object, 1 in "datasets", 2 done
	first    bool  // the next member of "datasets" is the first
	scratch  []Property
	lastFrom string
}

func newJSONListParser(s *shape, r io.Reader) *jsonListParser {
	return &jsonListParser{s: s, sc: newJSONScanner(s.op, r)}
}

func (p *jsonListParser) next() (*Dataset, error) {
	d, err := p.next1()
	if err != nil {
		p.state = 2
		if err != io.EOF {
			err = p.sc.wrapEOF(err)
		}
	}
	return d, err
}

func (p *jsonListParser) next1() (*Dataset, error) {
	sc := p.sc
	switch p.state {
	case 2:
		return nil, io.EOF
	case 0:
		if _, err := sc.peek(); err == io.ErrUnexpectedEOF && sc.consumed+int64(sc.pos) == 0 {
			return nil, io.EOF // no output at all
		}
		more, err := sc.open('{', '}')
		for more && err == nil {
			var k []byte
			if k, err = sc.key(); err != nil {
				return nil, err
			}
			if string(k) == "datasets" {
				var any bool
				if any, err = sc.open('{', '}'); err != nil {
					return nil, err
				}
				if any {
					p.state, p.first = 1, true
					break
				}
			} else if err = sc.skip(); err != nil {
				return nil, err
			}
			more, err = sc.more('}')
		}
		if err != nil {
			return nil, err
		}
		if p.state != 1 {
			p.state = 2
			return nil, io.EOF
		}
	}
	if !p.first {
		more, err := sc.more('}')
		if err != nil {
			return nil, err
		}
		if !more {
			// End of "datasets": finish the top-level object.
			for {
				if more, err = sc.more('}'); err != nil || !more {
					break
				}
				if _, err = sc.key(); err != nil {
					break
				}
				if err = sc.skip(); err != nil {
					break
				}
			}
			if err != nil {
				return nil, err
			}
			p.state = 2
			return nil, io.EOF
		}
	}
	p.first = false
	k, err := sc.key()
	if err != nil {
		return nil, err
	}
	if len(k) == 0 {
		return nil, sc.syntax("empty dataset name")
	}
	d := &Dataset{dataset: dataset{c: p.s.c, name: string(k)}}
	if err := p.dataset(d); err != nil {
		return nil, err
	}
	if d.typ == 0 {
		d.typ = typeOfName(d.name)
	}
	return d, nil
}

// dataset parses one member of "datasets" into d.
func (p *jsonListParser) dataset(d *Dataset) error {
	sc := p.sc
	more, err := sc.open('{', '}')
	for more && err == nil {
		var k []byte
		if k, err = sc.key(); err != nil {
			return err
		}
		switch string(k) {
		case "type":
			var v []byte
			if v, _, err = sc.scalar(); err == nil {
				d.typ = parseType(string(v))
			}
		case "createtxg":
			var v []byte
			if v, _, err = sc.scalar(); err == nil {
				d.createTXG, _ = parseUintBytes(v)
			}
		case "properties":
			err = p.properties(d)
		default:
			err = sc.skip()
		}
		if err != nil {
			return err
		}
		more, err = sc.more('}')
	}
	return err
}

func (p *jsonListParser) properties(d *Dataset) error {
	sc := p.sc
	p.scratch = p.scratch[:0]
	more, err := sc.open('{', '}')
	for more && err == nil {
		var k []byte
		if k, err = sc.key(); err != nil {
			return err
		}
		idx := p.s.find(string(k))
		id := identityOf(k)
		var name string
		switch {
		case idx >= 0:
			name = p.s.props[idx]
		case p.s.all:
			name = string(k)
		}
		var prop Property
		if prop, err = p.property(d, id); err != nil {
			return err
		}
		if name != "" {
			prop.Name = name
			p.scratch = append(p.scratch, prop)
		}
		more, err = sc.more('}')
	}
	if err != nil {
		return err
	}
	if len(p.scratch) > 0 {
		d.props = append(Properties(nil), p.scratch...)
	}
	return nil
}

// identity property codes for identityOf.
const (
	idNone = iota
	idType
	idGUID
	idCreateTXG
	idCreation
)

func identityOf(k []byte) int {
	switch string(k) {
	case "type":
		return idType
	case "guid":
		return idGUID
	case "createtxg":
		return idCreateTXG
	case "creation":
		return idCreation
	}
	return idNone
}

// property parses {"value": ..., "source": {"type": ..., "data": ...}},
// storing identity values into d.
func (p *jsonListParser) property(d *Dataset, id int) (Property, error) {
	sc := p.sc
	prop := Property{Value: "-"}
	more, err := sc.open('{', '}')
	for more && err == nil {
		var k []byte
		if k, err = sc.key(); err != nil {
			return prop, err
		}
		switch string(k) {
		case "value":
			var v []byte
			if v, _, err = sc.scalar(); err != nil {
				return prop, err
			}
			switch id {
			case idType:
				if t := parseType(string(v)); t != 0 {
					d.typ = t
				}
			case idGUID:
				d.guid, _ = parseUintBytes(v)
			case idCreateTXG:
				d.createTXG, _ = parseUintBytes(v)
			case idCreation:
				c, _ := parseUintBytes(v)
				d.creation = int64(c)
			}
			prop.Value = str(v)
		case "source":
			err = p.source(&prop.Source)
		default:
			err = sc.skip()
		}
		if err != nil {
			return prop, err
		}
		more, err = sc.more('}')
	}
	return prop, err
}

func (p *jsonListParser) source(src *Source) error {
	sc := p.sc
	more, err := sc.open('{', '}')
	for more && err == nil {
		var k []byte
		if k, err = sc.key(); err != nil {
			return err
		}
		switch string(k) {
		case "type":
			var v []byte
			if v, _, err = sc.scalar(); err == nil {
				src.Kind = parseSourceJSON(string(v))
			}
		case "data":
			var v []byte
			if v, _, err = sc.scalar(); err == nil && string(v) != "-" {
				if string(v) != p.lastFrom {
					p.lastFrom = string(v)
				}
				src.From = p.lastFrom
			}
		default:
			err = sc.skip()
		}
		if err != nil {
			return err
		}
		more, err = sc.more('}')
	}
	if src.Kind != SourceInherited {
		src.From = ""
	}
	return err
}

// parseUintBytes is parseUint for a byte slice.
func parseUintBytes(b []byte) (uint64, bool) { return parseUint(string(b)) }

// str returns b as a string, without allocating for zfs's "no value".
func str(b []byte) string {
	if len(b) == 1 && b[0] == '-' {
		return "-"
	}
	return string(b)
}
