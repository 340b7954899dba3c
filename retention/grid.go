package retention

import (
	"strconv"
	"strings"
	"time"
)

// KeepAll as GridInterval.Keep keeps every snapshot in the interval's
// buckets.
const KeepAll = -1

// maxGridEntries bounds the entries of a grid (computing a bucket takes
// time that grows quickly with the number of entries whose lengths do not
// divide each other).
const maxGridEntries = 16

// maxGridSpan bounds the time a grid may cover, well inside time.Duration.
const maxGridSpan = 250 * 365 * 24 * time.Hour

// GridInterval is one entry of a retention grid: Count adjacent buckets of
// length Length, each keeping its Keep oldest snapshots.
type GridInterval struct {
	// Count is how many buckets the entry has (the "24" of "24x1h").
	Count int
	// Length is the length of each bucket: whole seconds, and whole days
	// when longer than a day.
	Length time.Duration
	// Keep is how many snapshots each bucket keeps, oldest first, or KeepAll.
	Keep int
}

// String returns the entry in grid syntax: "24x1h", "1x1h(keep=all)",
// "7x1d(keep=2)".
func (iv GridInterval) String() string {
	s := strconv.Itoa(iv.Count) + "x" + formatLength(iv.Length)
	switch {
	case iv.Keep == KeepAll:
		s += "(keep=all)"
	case iv.Keep != 1:
		s += "(keep=" + strconv.Itoa(iv.Keep) + ")"
	}
	return s
}

// Grid is a zrepl-style retention grid: a time-based sieve that thins
// snapshots out as they age. Its entries are laid end to end on the time
// line, going back from the newest snapshot the grid sees, and each bucket
// keeps only its oldest Keep snapshots; snapshots older than the last entry
// are not kept by the grid. Build one with ParseGrid from the syntax zrepl
// uses:
//
//	1x1h(keep=all) | 24x1h | 14x1d | 12x30d
//
// which keeps everything from the last hour, then one snapshot per hour for
// a day, one per day for two weeks and one per 30 days for about a year.
//
// # Buckets on the calendar
//
// Unlike zrepl, whose buckets slide with the newest snapshot, buckets here
// are fixed periods of the policy's Location: a bucket of a day is a local
// calendar day, one of an hour a local hour, and one of n days a run of n
// days counted from Monday 1969-12-29 (so 7-day buckets are Monday-based
// weeks). The entries still go back from the newest snapshot as in zrepl,
// but each entry after a keep=all one ends on a bucket boundary (going back
// at least the entry's nominal length), and the buckets of an entry are
// unions of the buckets of the entry before it. Sliding buckets make a
// snapshot's fate depend on when pruning runs: a snapshot destroyed in one
// run as the second in its bucket could have been the only one in its
// bucket a few minutes later, so successive runs leave holes in the grid.
// With fixed buckets, a snapshot a grid destroys stays destroyed however
// many newer snapshots arrive (the policy is monotone), and keeping the
// oldest of each bucket means later runs keep what earlier runs kept.
//
// That guarantee needs keep counts that do not grow with age, so keep=all
// entries come first and each later Keep is at most the one before it;
// bucket lengths must not shrink (as in zrepl, after any keep=all entries).
type Grid struct {
	// Intervals are the entries, newest first.
	Intervals []GridInterval
}

// String returns the grid in the syntax ParseGrid reads, entries joined by
// " | ".
func (g Grid) String() string {
	parts := make([]string, len(g.Intervals))
	for i, iv := range g.Intervals {
		parts[i] = iv.String()
	}
	return strings.Join(parts, " | ")
}

// formatLength writes a bucket length with the largest unit of the grid
// syntax that divides it.
func formatLength(d time.Duration) string {
	switch {
	case d > 0 && d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d > 0 && d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d > 0 && d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d > 0 && d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}

// MustParseGrid is ParseGrid for specifications known to be valid, such as
// constants; it panics on error.
func MustParseGrid(spec string) Grid {
	g, err := ParseGrid(spec)
	if err != nil {
		panic(err)
	}
	return g
}

// ParseGrid parses a retention grid in zrepl's syntax: entries separated by
// "|", each "<count>x<length>" optionally followed by "(keep=<n>)" or
// "(keep=all)", with spaces allowed between the parts. A length is a
// positive integer and a unit: s, m, h, d (24 hours, a calendar day in the
// policy's Location) or w (7 days). Keep defaults to 1.
//
// Errors are *Error values naming the entry and the byte offset of the
// problem; the grid is also checked as Grid.Validate does.
func ParseGrid(spec string) (Grid, error) {
	p := gridParser{spec: spec}
	var g Grid
	for {
		iv, err := p.entry(len(g.Intervals) + 1)
		if err != nil {
			return Grid{}, err
		}
		g.Intervals = append(g.Intervals, iv)
		if p.pos == len(spec) {
			break
		}
		p.pos++ // the '|' that ended the entry
	}
	if err := g.validate(); err != nil {
		err.Subject = "grid " + quote(spec)
		return Grid{}, err
	}
	return g, nil
}

// gridParser reads a grid specification.
type gridParser struct {
	spec string
	pos  int
}

// fail returns a syntax error at the current position.
func (p *gridParser) fail(entry int, format string, args ...string) *Error {
	r := format
	for _, a := range args {
		r = strings.Replace(r, "%s", a, 1)
	}
	return &Error{Subject: "grid " + quote(p.spec) + ", entry " + strconv.Itoa(entry), Offset: p.pos, Reason: r}
}

func (p *gridParser) space() {
	for p.pos < len(p.spec) && (p.spec[p.pos] == ' ' || p.spec[p.pos] == '\t' || p.spec[p.pos] == '\n' || p.spec[p.pos] == '\r') {
		p.pos++
	}
}

// peek returns the next byte, or 0 at the end.
func (p *gridParser) peek() byte {
	if p.pos < len(p.spec) {
		return p.spec[p.pos]
	}
	return 0
}

// found describes the next byte for error messages.
func (p *gridParser) found() string {
	if p.pos >= len(p.spec) {
		return "end of grid"
	}
	if c := p.spec[p.pos]; c == '|' {
		return `"|"`
	}
	r := []rune(p.spec[p.pos:])[0]
	return quote(string(r))
}

// number reads a positive decimal integer of at most 9 digits.
func (p *gridParser) number(entry int, what string) (int, error) {
	start := p.pos
	for p.pos < len(p.spec) && p.spec[p.pos] >= '0' && p.spec[p.pos] <= '9' {
		p.pos++
	}
	if p.pos == start {
		return 0, p.fail(entry, "expected %s (a positive integer), found %s", what, p.found())
	}
	digits := p.spec[start:p.pos]
	if len(digits) > 9 {
		p.pos = start
		return 0, p.fail(entry, "%s %s is too large", what, digits)
	}
	n, _ := strconv.Atoi(digits)
	if n == 0 {
		p.pos = start
		return 0, p.fail(entry, "%s must be at least 1", what)
	}
	return n, nil
}

// entry reads one entry and stops at the '|' that ends it or at the end.
func (p *gridParser) entry(entry int) (GridInterval, error) {
	iv := GridInterval{Keep: 1}
	p.space()
	var err error
	if iv.Count, err = p.number(entry, "repeat count"); err != nil {
		return iv, err
	}
	p.space()
	if p.peek() != 'x' {
		return iv, p.fail(entry, `expected "x" after the repeat count, as in "24x1h", found %s`, p.found())
	}
	p.pos++
	p.space()
	n, err := p.number(entry, "bucket length")
	if err != nil {
		return iv, err
	}
	unitPos := p.pos
	var unit time.Duration
	switch p.peek() {
	case 's':
		unit = time.Second
	case 'm':
		unit = time.Minute
	case 'h':
		unit = time.Hour
	case 'd':
		unit = 24 * time.Hour
	case 'w':
		unit = 7 * 24 * time.Hour
	default:
		return iv, p.fail(entry, "expected a unit (s, m, h, d or w) after the bucket length, found %s", p.found())
	}
	p.pos++
	if time.Duration(n) > maxGridSpan/unit {
		p.pos = unitPos
		return iv, p.fail(entry, "bucket length is too long")
	}
	iv.Length = time.Duration(n) * unit
	p.space()
	if p.peek() == '(' {
		p.pos++
		p.space()
		if !strings.HasPrefix(p.spec[p.pos:], "keep") {
			return iv, p.fail(entry, `expected "keep=" in parentheses, found %s`, p.found())
		}
		p.pos += len("keep")
		p.space()
		if p.peek() != '=' {
			return iv, p.fail(entry, `expected "=" after "keep", found %s`, p.found())
		}
		p.pos++
		p.space()
		if strings.HasPrefix(p.spec[p.pos:], "all") {
			p.pos += len("all")
			iv.Keep = KeepAll
		} else if iv.Keep, err = p.number(entry, `keep count (or "all")`); err != nil {
			return iv, err
		}
		p.space()
		if p.peek() != ')' {
			return iv, p.fail(entry, `expected ")" after the keep count, found %s`, p.found())
		}
		p.pos++
		p.space()
	}
	if p.pos < len(p.spec) && p.spec[p.pos] != '|' {
		return iv, p.fail(entry, `expected "|" or the end of the grid after the entry, found %s`, p.found())
	}
	return iv, nil
}

// Validate reports whether the grid can be evaluated: it has 1 to 16
// entries; every Count and Keep is at least 1 (or Keep is KeepAll); every
// Length is a positive whole number of seconds, and a whole number of days
// when longer than a day; keep=all entries come first; after them lengths
// do not shrink and keep counts do not grow; and the whole grid spans less
// than 250 years.
func (g Grid) Validate() error {
	if err := g.validate(); err != nil {
		return err
	}
	return nil
}

// validate returns an *Error with Subject "grid <spec>" or nil.
func (g Grid) validate() *Error {
	subject := "grid " + quote(g.String())
	if len(g.Intervals) == 0 {
		return invalid("grid", "a grid needs at least one entry")
	}
	if len(g.Intervals) > maxGridEntries {
		return invalid(subject, "a grid has at most "+strconv.Itoa(maxGridEntries)+" entries")
	}
	var total time.Duration
	var prev *GridInterval
	for i := range g.Intervals {
		iv := &g.Intervals[i]
		at := "entry " + strconv.Itoa(i+1) + " (" + iv.String() + ")"
		switch {
		case iv.Count < 1:
			return invalid(subject, at+": the repeat count must be at least 1")
		case iv.Keep < 1 && iv.Keep != KeepAll:
			return invalid(subject, at+": the keep count must be at least 1, or all")
		case iv.Length <= 0 || iv.Length%time.Second != 0:
			return invalid(subject, at+": the bucket length must be a positive whole number of seconds")
		case iv.Length > 24*time.Hour && iv.Length%(24*time.Hour) != 0:
			return invalid(subject, at+": a bucket longer than a day must be a whole number of days")
		}
		if time.Duration(iv.Count) > (maxGridSpan-total)/iv.Length {
			return invalid(subject, "the grid spans 250 years or more")
		}
		total += time.Duration(iv.Count) * iv.Length
		if prev != nil {
			switch {
			case prev.Keep != KeepAll && iv.Keep == KeepAll:
				return invalid(subject, at+": keep=all entries must come first: after a thinned entry, keeping all would bring back snapshots an earlier run destroyed")
			case prev.Keep != KeepAll && iv.Keep > prev.Keep:
				return invalid(subject, at+": keep counts must not grow with age: a snapshot thinned out by entry "+strconv.Itoa(i)+" would be kept again later")
			case prev.Keep != KeepAll && iv.Length < prev.Length:
				return invalid(subject, at+": bucket lengths must not shrink with age")
			}
		}
		prev = iv
	}
	return nil
}

// quote quotes s as Go does.
func quote(s string) string { return strconv.Quote(s) }

// gridLevels computes the buckets of a grid's thinned entries (those with a
// keep count), one level per entry, finest first. Level 0 buckets are
// calendar buckets of the first entry's length; a bucket of level j is the
// union of the level j-1 buckets that start in one calendar bucket of level
// j's length. So every level's buckets are unions of the previous level's,
// even when lengths do not divide each other ("2x2h | 1x3h"), and a
// snapshot's bucket only grows as it moves to older entries.
type gridLevels struct {
	lengths []time.Duration
	loc     *time.Location
	// cache holds the buckets last computed at each level, a few per level
	// as computing one bucket asks for the buckets of the level below at
	// three instants.
	cache [][levelCache]span
	next  []int
}

// levelCache is how many buckets gridLevels remembers per level.
const levelCache = 4

func newGridLevels(lengths []time.Duration, loc *time.Location) *gridLevels {
	return &gridLevels{lengths: lengths, loc: loc, cache: make([][levelCache]span, len(lengths)), next: make([]int, len(lengths))}
}

// bucket returns the level-j bucket containing t.
func (g *gridLevels) bucket(j int, t time.Time) span {
	for _, c := range g.cache[j] {
		if c.contains(t) {
			return c
		}
	}
	var b span
	if j == 0 {
		b = lengthSpan(t, g.lengths[0], g.loc)
	} else {
		p := g.bucket(j-1, t)
		raw := lengthSpan(p.start, g.lengths[j], g.loc)
		b = span{g.ceil(j-1, raw.start), g.ceil(j-1, raw.end)}
	}
	g.cache[j][g.next[j]] = b
	g.next[j] = (g.next[j] + 1) % levelCache
	return b
}

// ceil returns the first level-j bucket boundary at or after u.
func (g *gridLevels) ceil(j int, u time.Time) time.Time {
	b := g.bucket(j, u)
	if b.start.Equal(u) {
		return u
	}
	return b.end
}
