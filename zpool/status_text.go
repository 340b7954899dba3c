package zpool

import (
	"bufio"
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ctimeLayout is the layout of ctime(3), which zpool uses for times in its
// text output; the times are in the zpool process's local time zone.
const ctimeLayout = "Mon Jan _2 15:04:05 2006"

// labelRE matches a labelled line of `zpool status` or `zpool import`
// output: "  pool: tank", " state: ONLINE", "config:", "checkpoint: ...".
var labelRE = regexp.MustCompile(`^ *([a-z][a-z ]*[a-z]):(?: (.*))?$`)

// labelled is one label and its text, continuation lines included.
type labelled struct {
	label string
	lines []string
}

// ParseStatus parses the text output of `zpool status` for one or more
// pools. It understands the output of OpenZFS 0.8 to 2.3 with any of the
// flags -v, -p, -s, -t, -i, -P, -g and -L; other flags (-c, -D) add columns
// or sections it skips. Counters are exact only with -p.
func ParseStatus(out []byte) ([]*Status, error) {
	p := &statusParser{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		if err := p.line(sc.Text()); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, parseErrorf("zpool status", "%v", err)
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return p.pools, nil
}

type statusParser struct {
	pools []*Status
	cur   *Status

	labels []labelled // labels of the current pool before config
	mode   int        // what the current line belongs to
	cfg    configParser

	errorsList bool // collecting the -v list of files with errors
}

const (
	modeLabels = iota // before the config section
	modeConfig        // in the config section
	modeAfter         // after the config section
)

func (p *statusParser) line(line string) error {
	if m := labelRE.FindStringSubmatch(line); m != nil && !strings.HasPrefix(line, "\t") {
		label, text := m[1], strings.TrimRight(m[2], " \t")
		if label == "pool" {
			if err := p.finish(); err != nil {
				return err
			}
			p.cur = &Status{Name: text}
			p.labels = nil
			p.mode = modeLabels
			p.errorsList = false
			p.cfg = configParser{}
			return nil
		}
		if p.cur == nil {
			return nil
		}
		switch label {
		case "config":
			p.mode = modeConfig
			p.cfg.start(p.cur, false)
			return nil
		case "errors":
			p.mode = modeAfter
			p.errors(text)
			return nil
		}
		if p.mode == modeLabels {
			p.labels = append(p.labels, labelled{label: label, lines: []string{text}})
		}
		p.errorsList = false
		return nil
	}
	if p.cur == nil {
		return nil
	}
	switch p.mode {
	case modeLabels:
		if strings.HasPrefix(line, "\t") && len(p.labels) > 0 {
			l := &p.labels[len(p.labels)-1]
			l.lines = append(l.lines, strings.TrimSpace(line))
		}
	case modeConfig:
		if strings.TrimSpace(line) == "" {
			if p.cfg.started() {
				p.mode = modeAfter
			}
			return nil
		}
		return p.cfg.line(line)
	case modeAfter:
		if p.errorsList && strings.HasPrefix(line, " ") {
			if e := strings.TrimSpace(line); e != "" {
				p.cur.Errors = append(p.cur.Errors, e)
			}
		}
	}
	return nil
}

var dataErrorsRE = regexp.MustCompile(`^(\d+) data errors`)

// errors handles the "errors:" line.
func (p *statusParser) errors(text string) {
	switch {
	case strings.HasPrefix(text, "No known data errors"):
		p.cur.ErrorCount = 0
	case strings.HasPrefix(text, "Permanent errors"):
		p.errorsList = true
	default:
		if m := dataErrorsRE.FindStringSubmatch(text); m != nil {
			p.cur.ErrorCount, _ = strconv.ParseUint(m[1], 10, 64)
		}
	}
}

// finish completes the current pool.
func (p *statusParser) finish() error {
	s := p.cur
	if s == nil {
		return nil
	}
	p.cur = nil
	if len(s.Errors) > 0 && uint64(len(s.Errors)) > s.ErrorCount {
		s.ErrorCount = uint64(len(s.Errors))
	}
	for _, l := range p.labels {
		text := strings.Join(l.lines, " ")
		switch l.label {
		case "state":
			s.State = State(text)
		case "status":
			s.Status = joinLines(text)
		case "action":
			s.Action = joinLines(text)
		case "see":
			s.MoreInfo = strings.TrimSpace(text)
			if i := strings.LastIndexByte(s.MoreInfo, '/'); i >= 0 {
				s.MsgID = s.MoreInfo[i+1:]
			}
		case "scan", "scrub":
			scan, rb := parseScanText(l.lines)
			switch {
			case scan != nil && s.Scan == nil:
				s.Scan = scan
			case rb != nil:
				s.Rebuilds = append(s.Rebuilds, *rb)
			}
		case "checkpoint":
			s.Checkpoint = parseCheckpointText(text)
		}
	}
	p.cfg.finish()
	p.pools = append(p.pools, s)
	return nil
}

var (
	scanDoneRE        = regexp.MustCompile(`^(scrub repaired|resilvered) (\S+) in (.+?) with (\d+) errors on (.+)$`)
	scanCanceledRE    = regexp.MustCompile(`^(scrub|resilver|error scrub) canceled on (.+)$`)
	scanRunningRE     = regexp.MustCompile(`^(scrub|resilver|error scrub) in progress since (.+)$`)
	scanPausedRE      = regexp.MustCompile(`^(scrub|error scrub) paused since (.+)$`)
	scanStartedRE     = regexp.MustCompile(`^(?:scrub|error scrub) started on (.+)$`)
	scanProgressRE    = regexp.MustCompile(`^(\S+) / (\S+) scanned(?: at \S+)?, (\S+) / (\S+) issued`)
	scanDoneLineRE    = regexp.MustCompile(`^(\S+) (?:repaired|resilvered), ([0-9.]+)% done`)
	errScrubDoneRE    = regexp.MustCompile(`^scrubbed (\d+) error blocks in (.+?) on (.+)$`)
	rebuildDoneRE     = regexp.MustCompile(`^resilvered \((.+)\) (\S+) in (.+?) with (\d+) errors on (.+)$`)
	rebuildCanceledRE = regexp.MustCompile(`^resilver \((.+)\) canceled on (.+)$`)
	rebuildRunningRE  = regexp.MustCompile(`^resilver \((.+)\) in progress since (.+)$`)
	percentDoneRE     = regexp.MustCompile(`([0-9.]+)% done`)
)

// scanProgress21RE matches the progress line of OpenZFS 2.1 (before 2.2),
// which prints one total after the scanned and issued counts: "X scanned at
// R/s, Y issued at R/s, Z total", "X scanned, Y issued, Z total" while
// paused, and "X scanned at R/s, Y issued R/s, Z total" for rebuilds.
var scanProgress21RE = regexp.MustCompile(`^(\S+) scanned(?: at \S+)?, (\S+) issued(?: (?:at )?\S+)?, (\S+) total`)

func parseCtime(s string) time.Time {
	t, err := time.ParseInLocation(ctimeLayout, strings.TrimSpace(s), time.Local)
	if err != nil {
		return time.Time{}
	}
	return t
}

// parseScanText parses the lines of a "scan:" (or error scrub "scrub:")
// label: either a scrub or resilver, or a rebuild.
func parseScanText(lines []string) (*Scan, *Rebuild) {
	if len(lines) == 0 {
		return nil, nil
	}
	first := strings.TrimSpace(lines[0])
	rest := lines[1:]
	// Rebuilds name their vdev in parentheses.
	if m := rebuildDoneRE.FindStringSubmatch(first); m != nil {
		rb := &Rebuild{Vdev: m[1], State: ScanFinished, Rebuilt: parseHumanSize(m[2]), End: parseCtime(m[5]), Percent: 100}
		rb.Errors, _ = strconv.ParseUint(m[4], 10, 64)
		return nil, rb
	}
	if m := rebuildCanceledRE.FindStringSubmatch(first); m != nil {
		return nil, &Rebuild{Vdev: m[1], State: ScanCanceled, End: parseCtime(m[2])}
	}
	if m := rebuildRunningRE.FindStringSubmatch(first); m != nil {
		rb := &Rebuild{Vdev: m[1], State: ScanScanning, Start: parseCtime(m[2])}
		for _, l := range rest {
			if pm := scanProgressRE.FindStringSubmatch(l); pm != nil {
				rb.Scanned, rb.ToScan = parseHumanSize(pm[1]), parseHumanSize(pm[2])
				rb.Issued = parseHumanSize(pm[3])
			} else if pm := scanProgress21RE.FindStringSubmatch(l); pm != nil {
				rb.Scanned, rb.Issued = parseHumanSize(pm[1]), parseHumanSize(pm[2])
				rb.ToScan = parseHumanSize(pm[3])
			}
			if dm := scanDoneLineRE.FindStringSubmatch(l); dm != nil {
				rb.Rebuilt = parseHumanSize(dm[1])
				rb.Percent, _ = strconv.ParseFloat(dm[2], 64)
			}
		}
		return nil, rb
	}

	s := &Scan{}
	fn := func(word string) ScanFunction {
		switch word {
		case "resilver", "resilvered":
			return ScanResilver
		case "error scrub":
			return ScanErrorScrub
		}
		return ScanScrub
	}
	switch {
	case first == "none requested" || first == "":
		return nil, nil
	case scanDoneRE.MatchString(first):
		m := scanDoneRE.FindStringSubmatch(first)
		s.Function = fn(strings.Fields(m[1])[0])
		s.State = ScanFinished
		s.Processed = parseHumanSize(m[2])
		s.Errors, _ = strconv.ParseUint(m[4], 10, 64)
		s.End = parseCtime(m[5])
		if d, ok := parseDHMS(m[3]); ok && !s.End.IsZero() {
			s.Start = s.End.Add(-d)
		}
		s.Percent = 100
		return s, nil
	case scanCanceledRE.MatchString(first):
		m := scanCanceledRE.FindStringSubmatch(first)
		s.Function, s.State, s.End = fn(m[1]), ScanCanceled, parseCtime(m[2])
		return s, nil
	case errScrubDoneRE.MatchString(first):
		m := errScrubDoneRE.FindStringSubmatch(first)
		s.Function, s.State, s.End, s.Percent = ScanErrorScrub, ScanFinished, parseCtime(m[3]), 100
		s.Examined, _ = strconv.ParseUint(m[1], 10, 64)
		if d, ok := parseDHMS(m[2]); ok && !s.End.IsZero() {
			s.Start = s.End.Add(-d)
		}
		return s, nil
	case scanRunningRE.MatchString(first):
		m := scanRunningRE.FindStringSubmatch(first)
		s.Function, s.State, s.Start = fn(m[1]), ScanScanning, parseCtime(m[2])
	case scanPausedRE.MatchString(first):
		m := scanPausedRE.FindStringSubmatch(first)
		s.Function, s.State, s.Paused, s.PausedSince = fn(m[1]), ScanScanning, true, parseCtime(m[2])
	default:
		return nil, nil
	}
	for _, l := range rest {
		l = strings.TrimSpace(l)
		if m := scanStartedRE.FindStringSubmatch(l); m != nil {
			s.Start = parseCtime(m[1])
		}
		if m := scanProgressRE.FindStringSubmatch(l); m != nil {
			s.Examined, s.ToExamine = parseHumanSize(m[1]), parseHumanSize(m[2])
			s.Issued, s.ToIssue = parseHumanSize(m[3]), parseHumanSize(m[4])
		} else if m := scanProgress21RE.FindStringSubmatch(l); m != nil {
			// 2.1 skips nothing: what is to issue is the total to examine.
			s.Examined, s.Issued = parseHumanSize(m[1]), parseHumanSize(m[2])
			s.ToExamine = parseHumanSize(m[3])
			s.ToIssue = s.ToExamine
		}
		if m := scanDoneLineRE.FindStringSubmatch(l); m != nil {
			s.Processed = parseHumanSize(m[1])
			s.Percent, _ = strconv.ParseFloat(m[2], 64)
		} else if m := percentDoneRE.FindStringSubmatch(l); m != nil {
			s.Percent, _ = strconv.ParseFloat(m[1], 64)
		}
	}
	return s, nil
}

var (
	checkpointCreatedRE    = regexp.MustCompile(`^created (.+), consumes (\S+)$`)
	checkpointDiscardingRE = regexp.MustCompile(`^discarding, (\S+) remaining`)
)

func parseCheckpointText(text string) *Checkpoint {
	if m := checkpointCreatedRE.FindStringSubmatch(text); m != nil {
		return &Checkpoint{Created: parseCtime(m[1]), Space: parseHumanSize(m[2])}
	}
	if m := checkpointDiscardingRE.FindStringSubmatch(text); m != nil {
		return &Checkpoint{Discarding: true, Space: parseHumanSize(m[1])}
	}
	return nil
}

var dhmsRE = regexp.MustCompile(`^(?:(\d+) days? )?(\d+):(\d\d):(\d\d)$`)

// parseDHMS parses zpool's "[N days ]HH:MM:SS" durations.
func parseDHMS(s string) (time.Duration, bool) {
	m := dhmsRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.ParseInt(m[i+1], 10, 64)
		if err != nil || n > 1<<31 {
			return 0, false
		}
		d += time.Duration(n) * unit
	}
	return d, true
}

// parseHumanSize parses a size printed by zfs_nicenum or zfs_nicebytes
// ("0B", "512B", "45K", "40.3M", "1.50T"), with 1024-based units. It
// returns 0 for anything else.
func parseHumanSize(s string) uint64 {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, "iB")
	if s == "" || s == "-" {
		return 0
	}
	mult := 1.0
	last := s[len(s)-1]
	if last == 'B' && len(s) > 1 && strings.IndexByte("KMGTPE", s[len(s)-2]) >= 0 {
		s = s[:len(s)-1]
		last = s[len(s)-1]
	}
	if i := strings.IndexByte("BKMGTPE", last); i >= 0 {
		for ; i > 0; i-- {
			mult *= 1024
		}
		s = s[:len(s)-1]
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f*mult >= 1<<64 {
		return 0
	}
	return uint64(f*mult + 0.5)
}

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
