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

func parseCtime(s string) time.Time {
	t, err := time.ParseInLocation(ctimeLayout, strings.TrimSpace(s), time.Local)
	if err != nil {
		return time.Time{}
	}
	return t
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
