package zpool

import (
	"regexp"
	"strconv"
	"strings"
)

// configParser parses the vdev tree of a config section: a header line
// ("NAME STATE READ WRITE CKSUM [SLOW]") that gives the column of the state,
// then one line per vdev indented two spaces per level, with class
// sections ("logs", "cache", ...) at the left margin.
type configParser struct {
	st         *Status
	headerless bool // `zpool import` prints no header and no counters
	seenHeader bool
	stateCol   int // byte offset of the STATE column, after the leading tab
	counters   int // number of counter columns after STATE
	section    Class
	stack      []*Vdev // stack[i] is the last vdev seen at depth 2*i
}

func (c *configParser) start(s *Status, headerless bool) {
	*c = configParser{st: s, headerless: headerless}
}

// started reports whether the header or a vdev has been seen, so that a
// blank line ends the section.
func (c *configParser) started() bool { return c.seenHeader || (c.st != nil && c.st.Root != nil) }

func (c *configParser) line(line string) error {
	body := strings.TrimPrefix(line, "\t")
	if !c.seenHeader && !c.headerless {
		f := strings.Fields(body)
		if len(f) >= 2 && f[0] == "NAME" && f[1] == "STATE" {
			c.seenHeader = true
			c.stateCol = strings.Index(body, "STATE")
			c.counters = 0
			for _, h := range f[2:] {
				switch h {
				case "READ", "WRITE", "CKSUM", "SLOW":
					c.counters++
				}
			}
		}
		return nil
	}
	depth := len(body) - len(strings.TrimLeft(body, " "))
	trimmed := strings.TrimSpace(body)
	if trimmed == "" {
		return nil
	}
	if depth == 0 {
		switch trimmed {
		case "logs":
			c.section, c.stack = ClassLog, nil
			return nil
		case "cache":
			c.section, c.stack = ClassCache, nil
			return nil
		case "spares":
			c.section, c.stack = ClassSpare, nil
			return nil
		case "special":
			c.section, c.stack = ClassSpecial, nil
			return nil
		case "dedup":
			c.section, c.stack = ClassDedup, nil
			return nil
		}
	}
	stateCol := c.stateCol
	if c.headerless {
		stateCol = -1
	}
	name, rest := splitVdevLine(body, depth, stateCol)
	v := &Vdev{Name: name}
	c.fields(v, rest)
	level := depth / 2
	switch {
	case c.section == "" && level == 0:
		v.Type, v.Class = TypeRoot, ClassNormal
		c.st.Root = v
		c.stack = []*Vdev{v}
		return nil
	case c.section == "":
		v.Class = ClassNormal
	default:
		v.Class = c.section
		level-- // class members are printed at depth 2
	}
	if level < 0 {
		level = 0
	}
	if c.section == "" && level == 0 {
		level = 1
	}
	// Attach v to the nearest shallower vdev.
	if level > len(c.stack) {
		level = len(c.stack)
	}
	c.stack = append(c.stack[:level], v)
	var parent *Vdev
	if level > 0 {
		parent = c.stack[level-1]
	}
	switch {
	case parent != nil:
		parent.Children = append(parent.Children, v)
	case c.section == ClassLog:
		c.st.Logs = append(c.st.Logs, v)
	case c.section == ClassCache:
		c.st.Cache = append(c.st.Cache, v)
	case c.section == ClassSpare:
		c.st.Spares = append(c.st.Spares, v)
	case c.section == ClassSpecial:
		c.st.Special = append(c.st.Special, v)
	case c.section == ClassDedup:
		c.st.Dedup = append(c.st.Dedup, v)
	}
	return nil
}

// finish infers the types of the vdevs now that the tree is complete.
func (c *configParser) finish() {
	if c.st == nil {
		return
	}
	var walk func(v *Vdev, top bool)
	walk = func(v *Vdev, top bool) {
		if v.Type == "" {
			v.Type = inferType(v, top)
		}
		switch {
		case v.Type == TypeFile || v.Type == TypeDistributedSpare || (v.Type == TypeDisk && strings.HasPrefix(v.Name, "/")):
			v.Path = v.Name
		case v.Type == TypeMissing:
			v.Path = v.Was
		}
		for _, ch := range v.Children {
			ch.Class = v.Class
			walk(ch, false)
		}
	}
	if c.st.Root != nil {
		for _, v := range c.st.Root.Children {
			walk(v, true)
		}
	}
	for _, class := range [][]*Vdev{c.st.Logs, c.st.Cache, c.st.Spares, c.st.Special, c.st.Dedup} {
		for _, v := range class {
			walk(v, true)
		}
	}
}

var (
	raidzNameRE  = regexp.MustCompile(`^raidz[1-3]?-\d+$`)
	draidNameRE  = regexp.MustCompile(`^draid[1-3]?(:\d+[dcs])*-\d+$`)
	dspareNameRE = regexp.MustCompile(`^draid\d+-\d+-\d+$`)
	guidNameRE   = regexp.MustCompile(`^\d{6,20}$`)
	mirrorNameRE = regexp.MustCompile(`^mirror-\d+$`)
)

// inferType guesses a vdev's type from its name, as text output does not
// print it.
func inferType(v *Vdev, top bool) VdevType {
	n := v.Name
	interior := len(v.Children) > 0
	switch {
	case interior && mirrorNameRE.MatchString(n):
		return TypeMirror
	case interior && raidzNameRE.MatchString(n):
		return TypeRAIDZ
	case interior && draidNameRE.MatchString(n):
		return TypeDRAID
	case interior && strings.HasPrefix(n, "spare-"):
		return TypeSpare
	case interior && strings.HasPrefix(n, "replacing-"):
		return TypeReplacing
	case dspareNameRE.MatchString(n):
		return TypeDistributedSpare
	case v.Was != "" || (guidNameRE.MatchString(n) && (v.State == Unavail || v.State == Faulted || v.State == Removed || v.State == Offline)):
		return TypeMissing
	case strings.HasPrefix(n, "/") && !strings.HasPrefix(n, "/dev/"):
		return TypeFile
	}
	return TypeDisk
}

// splitVdevLine splits a config line (without its leading tab) into the
// vdev name and the rest (state, counters, notes). zpool pads names to a
// common width, so the state starts at the header's STATE column; lines that
// do not fit that layout are split at the first run of two spaces.
func splitVdevLine(body string, depth, stateCol int) (name, rest string) {
	if stateCol > depth && len(body) > stateCol && body[stateCol-1] == ' ' && body[stateCol] != ' ' {
		return strings.TrimSpace(body[:stateCol]), body[stateCol:]
	}
	t := body[depth:]
	if i := strings.Index(t, "  "); i > 0 {
		return strings.TrimSpace(t[:i]), strings.TrimSpace(t[i:])
	}
	f := strings.Fields(t)
	if len(f) == 0 {
		return "", ""
	}
	return f[0], strings.TrimSpace(strings.TrimPrefix(t, f[0]))
}

// fields parses the state, counters and notes of a vdev line.
func (c *configParser) fields(v *Vdev, rest string) {
	rest = strings.TrimSpace(rest)
	state, rest := cutField(rest)
	v.State = State(state)
	if c.section != ClassSpare {
		counters := []*uint64{&v.ReadErrors, &v.WriteErrors, &v.ChecksumErrors, &v.SlowIOs}
		for i := 0; i < c.counters && i < len(counters); i++ {
			f, r := cutField(rest)
			n, ok := parseCount(f)
			if !ok {
				break
			}
			*counters[i] = n
			rest = r
		}
	}
	parseNotes(v, strings.TrimSpace(rest))
	if v.Aux == AuxSpared && c.section != ClassSpare {
		v.Aux = AuxActive // "currently in use" by another pool or host
	}
}

// cutField splits s at the first run of spaces.
func cutField(s string) (field, rest string) {
	s = strings.TrimLeft(s, " ")
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i], strings.TrimLeft(s[i:], " ")
	}
	return s, ""
}

// parseCount parses an error counter: exact with -p, else zfs_nicenum
// ("1.2K"); "-" is 0.
func parseCount(s string) (uint64, bool) {
	if s == "-" {
		return 0, true
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return n, true
	}
	if s == "" || strings.IndexByte("0123456789", s[0]) < 0 {
		return 0, false
	}
	last := s[len(s)-1]
	if strings.IndexByte("KMGTPE", last) < 0 {
		return 0, false
	}
	return parseHumanSize(s), true
}

var progressRE = regexp.MustCompile(`^\((\d+)% (initialized|trimmed)(?:, (suspended, started at|started at|completed at) (.+))?\)$`)

// splitNotes splits the notes after a vdev's counters: zpool prints each
// one after two spaces, and parenthesized ones may hold two spaces
// themselves (ctime pads the day of the month).
func splitNotes(s string) []string {
	var parts []string
	for s = strings.TrimLeft(s, " "); s != ""; s = strings.TrimLeft(s, " ") {
		if s[0] == '(' {
			i := strings.IndexByte(s, ')')
			if i < 0 {
				return append(parts, s)
			}
			parts = append(parts, s[:i+1])
			s = s[i+1:]
			continue
		}
		i := strings.Index(s, "  ")
		if i < 0 {
			return append(parts, s)
		}
		parts = append(parts, s[:i])
		s = s[i:]
	}
	return parts
}

// parseNotes interprets what follows a vdev's counters: "was /path", an aux
// phrase, "(resilvering)", initialization and TRIM progress, and keeps
// anything else in Note.
func parseNotes(v *Vdev, notes string) {
	if notes == "" {
		return
	}
	var other []string
	for _, part := range splitNotes(notes) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		switch {
		case strings.HasPrefix(part, "was "):
			v.Was = strings.TrimPrefix(part, "was ")
		case part == "(resilvering)" || part == "(repairing)":
			v.Repairing = true
		case part == "(awaiting resilver)":
			other = append(other, part)
		case part == "(uninitialized)":
			v.Initialize.State = ProgressNone
		case part == "(initializing)":
			v.Initialize.State = ProgressActive
		case part == "(untrimmed)":
			v.Trim.State = ProgressNone
		case part == "(trimming)":
			v.Trim.State = ProgressActive
		case part == "(trim unsupported)":
			v.Trim.State = ProgressUnsupported
		case progressRE.MatchString(part):
			m := progressRE.FindStringSubmatch(part)
			pr := Progress{}
			pr.Percent, _ = strconv.Atoi(m[1])
			switch m[3] {
			case "suspended, started at":
				pr.State = ProgressSuspended
			case "completed at":
				pr.State = ProgressComplete
			default:
				pr.State = ProgressActive
			}
			pr.Time = parseCtime(m[4])
			if m[2] == "initialized" {
				v.Initialize = pr
			} else {
				v.Trim = pr
			}
		default:
			if a, ok := auxFromPhrase(part); ok && v.Aux == AuxNone {
				v.Aux = a
				continue
			}
			other = append(other, part)
		}
	}
	v.Note = strings.Join(other, "  ")
}

// auxFromPhrase maps a text aux phrase to its Aux value.
func auxFromPhrase(s string) (Aux, bool) {
	if s == "currently in use" {
		return AuxSpared, true
	}
	for _, p := range auxPhrases {
		if strings.HasPrefix(s, p.phrase) {
			return p.aux, true
		}
	}
	return AuxNone, false
}
