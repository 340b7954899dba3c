package zpool

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"
)

// jsonStatusDoc is the document of `zpool status -j`.
type jsonStatusDoc struct {
	Pools orderedObject `json:"pools"`
}

type jsonStatusPool struct {
	Name       string          `json:"name"`
	State      string          `json:"state"`
	PoolGUID   jsonUint        `json:"pool_guid"`
	Status     string          `json:"status"`
	Action     string          `json:"action"`
	MsgID      string          `json:"msgid"`
	MoreInfo   string          `json:"moreinfo"`
	Scan       *jsonScan       `json:"scan_stats"`
	Checkpoint *jsonCheckpoint `json:"checkpoint_stats"`
	Vdevs      orderedObject   `json:"vdevs"`
	Logs       orderedObject   `json:"logs"`
	Special    orderedObject   `json:"special"`
	Dedup      orderedObject   `json:"dedup"`
	L2Cache    orderedObject   `json:"l2cache"`
	Spares     orderedObject   `json:"spares"`
	ErrorCount jsonUint        `json:"error_count"`
	ErrList    []string        `json:"errlist"`
}

type jsonScan struct {
	Function         string        `json:"function"`
	State            string        `json:"state"`
	StartTime        jsonUint      `json:"start_time"`
	EndTime          jsonUint      `json:"end_time"`
	ToExamine        jsonUint      `json:"to_examine"`
	Examined         jsonUint      `json:"examined"`
	Skipped          jsonUint      `json:"skipped"`
	Processed        jsonUint      `json:"processed"`
	Errors           jsonUint      `json:"errors"`
	ScrubPause       jsonUint      `json:"scrub_pause"`
	Issued           jsonUint      `json:"issued"`
	ErrScrubFunc     string        `json:"err_scrub_func"`
	ErrScrubState    string        `json:"err_scrub_state"`
	ErrScrubStart    jsonUint      `json:"err_scrub_start_time"`
	ErrScrubEnd      jsonUint      `json:"err_scrub_end_time"`
	ErrScrubExamined jsonUint      `json:"err_scrub_examined"`
	ErrScrubToExam   jsonUint      `json:"err_scrub_to_examine"`
	ErrScrubPause    jsonUint      `json:"err_scrub_pause"`
	Rebuilds         orderedObject `json:"rebuild_stats"`
}

type jsonRebuild struct {
	State     string   `json:"state"`
	StartTime jsonUint `json:"start_time"`
	EndTime   jsonUint `json:"end_time"`
	Scanned   jsonUint `json:"scanned"`
	Issued    jsonUint `json:"issued"`
	Rebuilt   jsonUint `json:"rebuilt"`
	ToScan    jsonUint `json:"to_scan"`
	Errors    jsonUint `json:"errors"`
}

type jsonCheckpoint struct {
	State     string   `json:"state"`
	StartTime jsonUint `json:"start_time"`
	Space     jsonUint `json:"space"`
}

type jsonVdev struct {
	Name           string        `json:"name"`
	VdevType       string        `json:"vdev_type"`
	GUID           jsonUint      `json:"guid"`
	Path           string        `json:"path"`
	Class          string        `json:"class"`
	State          string        `json:"state"`
	ReadErrors     jsonUint      `json:"read_errors"`
	WriteErrors    jsonUint      `json:"write_errors"`
	ChecksumErrors jsonUint      `json:"checksum_errors"`
	SlowIOs        jsonUint      `json:"slow_ios"`
	ScanProcessed  jsonUint      `json:"scan_processed"`
	Was            string        `json:"was"`
	Aux            string        `json:"aux"`
	InitState      string        `json:"init_state"`
	Initialized    jsonUint      `json:"initialized"`
	ToInitialize   jsonUint      `json:"to_initialize"`
	InitTime       jsonUint      `json:"init_time"`
	TrimState      string        `json:"trim_state"`
	Trimmed        jsonUint      `json:"trimmed"`
	ToTrim         jsonUint      `json:"to_trim"`
	TrimTime       jsonUint      `json:"trim_time"`
	TrimNotSup     jsonUint      `json:"trim_notsup"`
	Vdevs          orderedObject `json:"vdevs"`
}

// ParseStatusJSON parses the output of `zpool status -j` (OpenZFS 2.3 and
// later), with or without --json-int. Use -v for the list of files with
// errors and -t and -i for TRIM and initialization progress.
func ParseStatusJSON(out []byte) ([]*Status, error) {
	var doc jsonStatusDoc
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, parseErrorf("zpool status", "%v", err)
	}
	var all []*Status
	for _, m := range doc.Pools {
		var jp jsonStatusPool
		if err := json.Unmarshal(m.Value, &jp); err != nil {
			return nil, parseErrorf("zpool status", "pool %q: %v", m.Key, err)
		}
		s, err := jp.status(m.Key)
		if err != nil {
			return nil, err
		}
		all = append(all, s)
	}
	return all, nil
}

func unixTime(u jsonUint) time.Time {
	if u == 0 || u > 1<<40 {
		return time.Time{}
	}
	return time.Unix(int64(u), 0)
}

// joinLines joins zpool's wrapped explanation lines into one line.
func joinLines(s string) string { return strings.Join(strings.Fields(s), " ") }

func (jp *jsonStatusPool) status(key string) (*Status, error) {
	s := &Status{
		Name:       jp.Name,
		GUID:       uint64(jp.PoolGUID),
		State:      State(jp.State),
		Status:     joinLines(jp.Status),
		Action:     joinLines(jp.Action),
		MsgID:      jp.MsgID,
		MoreInfo:   jp.MoreInfo,
		ErrorCount: uint64(jp.ErrorCount),
		Errors:     jp.ErrList,
	}
	if s.Name == "" {
		s.Name = key
	}
	if sc := jp.Scan; sc != nil {
		if scan := sc.scan(); scan != nil {
			s.Scan = scan
		}
		for _, m := range sc.Rebuilds {
			var jr jsonRebuild
			if err := json.Unmarshal(m.Value, &jr); err != nil {
				return nil, parseErrorf("zpool status", "pool %s: rebuild %q: %v", s.Name, m.Key, err)
			}
			rb := Rebuild{
				Vdev: m.Key, Start: unixTime(jr.StartTime), End: unixTime(jr.EndTime),
				ToScan: uint64(jr.ToScan), Scanned: uint64(jr.Scanned), Issued: uint64(jr.Issued),
				Rebuilt: uint64(jr.Rebuilt), Errors: uint64(jr.Errors),
			}
			switch jr.State {
			case "ACTIVE":
				rb.State = ScanScanning
				if rb.ToScan > 0 {
					rb.Percent = min(100, 100*float64(rb.Scanned)/float64(rb.ToScan))
				}
			case "CANCELED":
				rb.State = ScanCanceled
			case "COMPLETE":
				rb.State, rb.Percent = ScanFinished, 100
			default:
				continue
			}
			s.Rebuilds = append(s.Rebuilds, rb)
		}
	}
	if cp := jp.Checkpoint; cp != nil && (cp.State == "EXISTS" || cp.State == "DISCARDING") {
		s.Checkpoint = &Checkpoint{Discarding: cp.State == "DISCARDING", Created: unixTime(cp.StartTime), Space: uint64(cp.Space)}
	}
	scanning := s.Scan != nil && s.Scan.State == ScanScanning
	var err error
	tree := func(obj orderedObject, class Class) []*Vdev {
		var out []*Vdev
		for _, m := range obj {
			if err != nil {
				return nil
			}
			var v *Vdev
			v, err = decodeVdev(m, class, scanning, 0)
			if v != nil {
				out = append(out, v)
			}
		}
		return out
	}
	if roots := tree(jp.Vdevs, ClassNormal); len(roots) > 0 {
		s.Root = roots[0]
	}
	s.Logs = tree(jp.Logs, ClassLog)
	s.Special = tree(jp.Special, ClassSpecial)
	s.Dedup = tree(jp.Dedup, ClassDedup)
	s.Cache = tree(jp.L2Cache, ClassCache)
	s.Spares = tree(jp.Spares, ClassSpare)
	if err != nil {
		return nil, parseErrorf("zpool status", "pool %s: %v", s.Name, err)
	}
	return s, nil
}

func (sc *jsonScan) scan() *Scan {
	// zpool prints the error scrub fields only when an error scrub started
	// after the last scrub or resilver; it is then the scan text output
	// shows, unless a resilver is the latest scan.
	if sc.ErrScrubFunc == "ERRORSCRUB" && sc.Function != "RESILVER" {
		return sc.errorScrub()
	}
	s := &Scan{
		Start: unixTime(sc.StartTime), End: unixTime(sc.EndTime),
		ToExamine: uint64(sc.ToExamine), Examined: uint64(sc.Examined),
		Issued: uint64(sc.Issued), Processed: uint64(sc.Processed),
		Errors: uint64(sc.Errors), Exact: true,
	}
	if sc.ToExamine >= sc.Skipped {
		s.ToIssue = uint64(sc.ToExamine - sc.Skipped)
	}
	switch sc.Function {
	case "SCRUB":
		s.Function = ScanScrub
	case "RESILVER":
		s.Function = ScanResilver
	case "ERRORSCRUB":
		s.Function = ScanErrorScrub
	default:
		return nil
	}
	if !s.setState(sc.State, sc.ScrubPause, s.Issued, s.ToIssue) {
		return nil
	}
	return s
}

// setState sets the scan's state from the state JSON output names, with,
// while scanning, the time it was paused (0: not paused) and its progress,
// done out of total. It reports false for a state it does not know.
func (s *Scan) setState(state string, paused jsonUint, done, total uint64) bool {
	switch state {
	case "SCANNING":
		s.State, s.End = ScanScanning, time.Time{}
		if paused != 0 {
			s.Paused, s.PausedSince = true, unixTime(paused)
		}
		if total > 0 {
			s.Percent = min(100, 100*float64(done)/float64(total))
		}
	case "FINISHED":
		s.State, s.Percent = ScanFinished, 100
	case "CANCELED":
		s.State = ScanCanceled
	default:
		return false
	}
	return true
}

// errorScrub describes an error scrub (`zpool scrub -e`), whose counts are
// blocks rather than bytes.
func (sc *jsonScan) errorScrub() *Scan {
	s := &Scan{
		Function: ScanErrorScrub, Start: unixTime(sc.ErrScrubStart), End: unixTime(sc.ErrScrubEnd),
		Examined: uint64(sc.ErrScrubExamined), ToExamine: uint64(sc.ErrScrubToExam), Exact: true,
	}
	state := sc.ErrScrubState
	if state == "ERRORSCRUBBING" {
		state = "SCANNING"
	}
	if !s.setState(state, sc.ErrScrubPause, s.Examined, s.ToExamine) {
		return nil
	}
	return s
}

// maxVdevDepth bounds the recursion on hostile input; real trees are at
// most a few levels deep.
const maxVdevDepth = 32

func decodeVdev(m member, class Class, scanning bool, depth int) (*Vdev, error) {
	if depth > maxVdevDepth {
		return nil, parseErrorf("zpool status", "vdev tree too deep")
	}
	var jv jsonVdev
	if err := json.Unmarshal(m.Value, &jv); err != nil {
		return nil, parseErrorf("zpool status", "vdev %q: %v", m.Key, err)
	}
	v := &Vdev{
		Name: jv.Name, Type: VdevType(jv.VdevType), Path: jv.Path, GUID: uint64(jv.GUID),
		Class: class, State: vdevState(jv.State, Aux(jv.Aux)), Aux: Aux(jv.Aux), Was: jv.Was,
		ReadErrors: uint64(jv.ReadErrors), WriteErrors: uint64(jv.WriteErrors),
		ChecksumErrors: uint64(jv.ChecksumErrors), SlowIOs: uint64(jv.SlowIOs),
		Repairing: scanning && jv.ScanProcessed != 0 && len(jv.Vdevs) == 0 && jv.State == string(Online),
	}
	if v.Name == "" {
		v.Name = m.Key
	}
	if v.Was != "" {
		v.Type = TypeMissing // as in text output, which cannot tell the old type
	}
	v.Initialize = jsonProgress(jv.InitState, "UNINITIALIZED", jv.Initialized, jv.ToInitialize, jv.InitTime, false)
	v.Trim = jsonProgress(jv.TrimState, "UNTRIMMED", jv.Trimmed, jv.ToTrim, jv.TrimTime, jv.TrimNotSup != 0)
	for _, c := range jv.Vdevs {
		ch, err := decodeVdev(c, class, scanning, depth+1)
		if err != nil {
			return nil, err
		}
		v.Children = append(v.Children, ch)
	}
	// OpenZFS 2.3 prints no type, GUID, class or state for dRAID top-level
	// vdevs (it cannot look them up by name): infer what can be.
	if v.Type == "" {
		v.Type = inferType(v, depth == 1)
	}
	if v.State == "" && len(v.Children) > 0 {
		v.State = stateFromChildren(v)
	}
	return v, nil
}

var parityRE = regexp.MustCompile(`^(?:raidz|draid)([1-3])`)

// stateFromChildren estimates the state of a redundant vdev from its
// children: ONLINE if all are healthy, DEGRADED while no more of them are
// unhealthy than its redundancy allows, UNAVAIL beyond that.
func stateFromChildren(v *Vdev) State {
	bad := 0
	for _, c := range v.Children {
		if c.State != Online {
			bad++
		}
	}
	tolerance := 0
	switch v.Type {
	case TypeMirror, TypeSpare, TypeReplacing:
		tolerance = len(v.Children) - 1
	case TypeRAIDZ, TypeDRAID:
		tolerance = 1
		if m := parityRE.FindStringSubmatch(v.Name); m != nil {
			tolerance = int(m[1][0] - '0')
		}
	}
	switch {
	case bad == 0:
		return Online
	case bad <= tolerance:
		return Degraded
	}
	return Unavail
}

func jsonProgress(state, never string, done, total, at jsonUint, notsup bool) Progress {
	p := Progress{Done: uint64(done), Total: uint64(total), Time: unixTime(at)}
	switch state {
	case "":
		if notsup {
			return Progress{State: ProgressUnsupported}
		}
		return Progress{}
	case never, "NONE":
		p.State = ProgressNone
	case "ACTIVE":
		p.State = ProgressActive
	case "SUSPENDED":
		p.State = ProgressSuspended
	case "COMPLETE":
		p.State = ProgressComplete
	case "CANCELED":
		p.State = ProgressCanceled
	default:
		p.State = ProgressState(strings.ToLower(state))
	}
	if notsup && p.State == ProgressNone {
		p.State = ProgressUnsupported
	}
	switch {
	case p.State == ProgressComplete:
		p.Percent = 100
	case p.State == ProgressActive || p.State == ProgressSuspended:
		p.Percent = int(100 * float64(p.Done) / float64(p.Total+1))
	}
	return p
}

// vdevState maps the raw vdev state names of JSON output ("CANT_OPEN") to
// the names text output prints ("UNAVAIL"), as libzfs's zpool_state_to_name
// does.
func vdevState(state string, aux Aux) State {
	switch state {
	case "CLOSED", "OFFLINE":
		return Offline
	case "CANT_OPEN":
		switch aux {
		case AuxCorruptData, AuxBadLog:
			return Faulted
		case AuxSplitPool:
			return Split
		}
		return Unavail
	case "HEALTHY":
		return Online
	}
	return State(state)
}
