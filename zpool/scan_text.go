package zpool

import (
	"regexp"
	"strconv"
	"strings"
)

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
