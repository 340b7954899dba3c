package retention

import (
	"strconv"
	"strings"
	"time"
)

// Policy decides which snapshots of a dataset to keep and which to destroy.
//
// A policy owns the snapshots its Filter matches; it never destroys any
// other. Of the snapshots it owns, it keeps those that any of its Rules
// keeps (rules combine as a union) and destroys the rest, except that it
// never destroys a held snapshot, a snapshot the caller marks as needed, the
// newest snapshot of a dataset, or a snapshot dated after the evaluation
// time. Each dataset is evaluated on its own.
//
// A Policy is a plain value: build it literally, share it between
// goroutines, and evaluate it any number of times.
type Policy struct {
	// Filter selects the snapshots the policy owns. The zero Filter owns all
	// of them; a policy for automatic snapshots should own only those, for
	// example Filter{Prefix: "autosnap_"}.
	Filter Filter
	// Rules keep snapshots; a snapshot the policy owns is kept if any rule
	// keeps it. A policy needs at least one rule.
	Rules []Rule
	// Location is the time zone in which calendar periods (hours, days,
	// weeks, months, years, grid buckets) are computed. Nil means UTC; use
	// time.Local for the machine's zone.
	Location *time.Location
}

// Validate reports whether the policy can be evaluated: it has at least one
// rule and every rule is valid. The error is an *Error.
func (p Policy) Validate() error {
	if err := p.validate(); err != nil {
		return err
	}
	return nil
}

func (p Policy) validate() *Error {
	if len(p.Rules) == 0 {
		return invalid("policy", "a policy needs at least one rule")
	}
	for i, r := range p.Rules {
		if r == nil {
			return invalid("rule "+strconv.Itoa(i+1), "nil rule")
		}
		if err := r.validate(); err != nil {
			subject := "rule " + strconv.Itoa(i+1)
			if err.Subject == "" {
				subject += " (" + r.String() + ")"
			} else {
				subject += ", " + err.Subject
			}
			err.Subject = subject
			return err
		}
	}
	return nil
}

// location returns the policy's Location, UTC if nil.
func (p Policy) location() *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

// String describes the policy on one line: its filter and rules.
func (p Policy) String() string {
	rules := make([]string, len(p.Rules))
	for i, r := range p.Rules {
		if r == nil {
			rules[i] = "<nil>"
		} else {
			rules[i] = r.String()
		}
	}
	return "owns " + p.Filter.String() + "; keeps " + strings.Join(rules, ", ")
}

// Rule is one way to keep snapshots: KeepLast, KeepNewerThan, KeepGrid or
// KeepPeriods. Every rule has its own Filter: it considers only the
// snapshots, among those its policy owns, that its filter matches, so one
// policy can keep 24 of its hourly snapshots and 7 of its daily ones.
type Rule interface {
	// String describes the rule for reports: "last 24", "newer than 48h0m0s",
	// "grid 1x1h(keep=all) | 24x1h", "periods hourly=24 daily=7".
	String() string

	validate() *Error
	// keep marks the snapshots the rule keeps among cands, which are in
	// time order (oldest first).
	keep(e *evaluation, rule int, cands []int32)
}

// filterSuffix describes a rule's filter for String.
func filterSuffix(f Filter) string {
	if f.IsZero() {
		return ""
	}
	return " of " + f.String()
}

// KeepLast keeps the N most recently created snapshots (by creation TXG, or
// by creation time where the TXG is unknown).
type KeepLast struct {
	// N is how many to keep, at least 1.
	N int
	// Filter selects the snapshots the rule considers.
	Filter Filter
}

// String returns "last N", with the filter if any.
func (k KeepLast) String() string {
	return "last " + strconv.Itoa(k.N) + filterSuffix(k.Filter)
}

func (k KeepLast) validate() *Error {
	if k.N < 1 {
		return invalid("", "N must be at least 1")
	}
	return nil
}

// KeepNewerThan keeps the snapshots created less than Age before the
// evaluation time.
type KeepNewerThan struct {
	// Age is positive.
	Age time.Duration
	// Filter selects the snapshots the rule considers.
	Filter Filter
}

// String returns "newer than Age", with the filter if any.
func (k KeepNewerThan) String() string {
	return "newer than " + k.Age.String() + filterSuffix(k.Filter)
}

func (k KeepNewerThan) validate() *Error {
	if k.Age <= 0 {
		return invalid("", "Age must be positive")
	}
	return nil
}

// KeepGrid keeps the snapshots a retention grid keeps (see Grid). The grid
// is laid back from the newest snapshot the rule considers, as zrepl does,
// so it still keeps a spread of snapshots when snapshots stopped being taken
// a while ago; snapshots dated after the evaluation time do not count.
type KeepGrid struct {
	// Grid is the retention grid, usually from ParseGrid.
	Grid Grid
	// Filter selects the snapshots the rule considers.
	Filter Filter
}

// String returns "grid <spec>", with the filter if any.
func (k KeepGrid) String() string {
	return "grid " + k.Grid.String() + filterSuffix(k.Filter)
}

func (k KeepGrid) validate() *Error {
	if err := k.Grid.validate(); err != nil {
		return err
	}
	return nil
}

// Pick says which snapshot of a calendar period KeepPeriods keeps.
type Pick uint8

const (
	// PickSanoid keeps the last snapshot of a day and the first of every
	// other period, as sanoid's default schedule does: its daily snapshot is
	// taken at 23:59 ("most people expect a daily to contain everything done
	// during that day"), its hourly at minute 0, its weekly on Monday, its
	// monthly at 00:00 on the 1st and its yearly at 00:00 on January 1st.
	PickSanoid Pick = iota
	// PickFirst keeps the oldest snapshot of each period.
	PickFirst
	// PickLast keeps the newest snapshot of each period.
	PickLast
)

// String returns "sanoid", "first" or "last".
func (p Pick) String() string {
	switch p {
	case PickSanoid:
		return "sanoid"
	case PickFirst:
		return "first"
	case PickLast:
		return "last"
	}
	return "Pick(" + strconv.Itoa(int(p)) + ")"
}

// KeepPeriods keeps one snapshot for each of the most recent calendar
// periods that have snapshots, as sanoid, zfs-auto-snapshot and
// pyzfsautosnap keep frequent, hourly, daily, weekly, monthly and yearly
// snapshots: Daily: 7 keeps one snapshot of each of the 7 most recent days
// on which a snapshot was taken. Periods are local to the policy's Location:
// hours count from local midnight, days run from midnight to midnight,
// weeks begin on Monday.
//
// Counting only periods that have snapshots, as sanoid does (it never
// prunes a type below its count), means that when snapshots stop being
// taken the old ones are not all destroyed. A snapshot kept for several
// periods is reported for the shortest.
type KeepPeriods struct {
	// Frequently, Hourly, Daily, Weekly, Monthly and Yearly are how many
	// periods of each kind keep a snapshot; 0 keeps none for that kind. At
	// least one must be positive.
	Frequently, Hourly, Daily, Weekly, Monthly, Yearly int
	// FrequentPeriod is the length of a frequent period, dividing each hour
	// from its start; zero means 15 minutes, sanoid's default. It must be
	// at most an hour and a whole number of seconds.
	FrequentPeriod time.Duration
	// Pick says which snapshot of a period is kept; the zero value keeps
	// the last of a day and the first of other periods, as sanoid does.
	Pick Pick
	// Filter selects the snapshots the rule considers.
	Filter Filter
}

// counts returns the counts by unit.
func (k KeepPeriods) counts() [numUnits]int {
	return [numUnits]int{k.Frequently, k.Hourly, k.Daily, k.Weekly, k.Monthly, k.Yearly}
}

// frequent returns the frequent period's length.
func (k KeepPeriods) frequent() time.Duration {
	if k.FrequentPeriod == 0 {
		return 15 * time.Minute
	}
	return k.FrequentPeriod
}

// pickLast reports whether the rule keeps the newest snapshot of a period of
// the given unit.
func (k KeepPeriods) pickLast(unit int) bool {
	switch k.Pick {
	case PickLast:
		return true
	case PickSanoid:
		return unit == unitDay
	}
	return false
}

// String returns "periods hourly=24 daily=7", with the frequent period when
// frequent snapshots are kept, the pick when not sanoid's, and the filter.
func (k KeepPeriods) String() string {
	var b strings.Builder
	b.WriteString("periods")
	for u, n := range k.counts() {
		if n != 0 {
			b.WriteString(" " + unitNames[u] + "=" + strconv.Itoa(n))
			if u == unitFrequent && k.FrequentPeriod != 0 {
				b.WriteString("/" + k.FrequentPeriod.String())
			}
		}
	}
	if k.Pick != PickSanoid {
		b.WriteString(" pick=" + k.Pick.String())
	}
	b.WriteString(filterSuffix(k.Filter))
	return b.String()
}

func (k KeepPeriods) validate() *Error {
	any := false
	for u, n := range k.counts() {
		if n < 0 {
			return invalid("", unitNames[u]+" must not be negative")
		}
		any = any || n > 0
	}
	switch {
	case !any:
		return invalid("", "at least one period count must be positive")
	case k.FrequentPeriod < 0 || k.FrequentPeriod > time.Hour || k.FrequentPeriod%time.Second != 0:
		return invalid("", "FrequentPeriod must be a whole number of seconds, at most an hour")
	case k.Pick > PickLast:
		return invalid("", "unknown Pick "+k.Pick.String())
	}
	return nil
}
