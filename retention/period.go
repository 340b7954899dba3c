package retention

import (
	"strconv"
	"time"
)

// Period is a kind of calendar period, as KeepPeriods counts them: one of
// Frequently, Hourly, Daily, Weekly, Monthly and Yearly. Schedulers use it
// to tell whether a snapshot was taken in the current period.
type Period uint8

// The kinds of period, from the shortest.
const (
	Frequently Period = unitFrequent
	Hourly     Period = unitHour
	Daily      Period = unitDay
	Weekly     Period = unitWeek
	Monthly    Period = unitMonth
	Yearly     Period = unitYear
)

// String returns the period's name as sanoid names its snapshot types:
// "frequently", "hourly", "daily", "weekly", "monthly" or "yearly".
func (p Period) String() string {
	if p < numUnits {
		return unitNames[p]
	}
	return "Period(" + strconv.Itoa(int(p)) + ")"
}

// ParsePeriod returns the period named s: a name String returns, or
// "frequent" (zfs-auto-snapshot's name for Frequently).
func ParsePeriod(s string) (Period, bool) {
	if s == "frequent" {
		return Frequently, true
	}
	for u, n := range unitNames {
		if n == s {
			return Period(u), true
		}
	}
	return 0, false
}

// Bounds returns the period of kind p that contains t, as the half-open
// interval [start, end), with the calendar of KeepPeriods: computed in loc
// (UTC when nil), hours counted from local midnight, days from midnight to
// midnight (23 or 25 hours long when clocks change), weeks from Monday,
// months and years of their real lengths. frequent is the length of a
// frequent period, dividing each hour from its start; zero (or anything
// not positive) means 15 minutes, and it is at most an hour.
func (p Period) Bounds(t time.Time, frequent time.Duration, loc *time.Location) (start, end time.Time) {
	if loc == nil {
		loc = time.UTC
	}
	if frequent <= 0 {
		frequent = 15 * time.Minute
	}
	frequent = min(frequent, time.Hour)
	u := int(p)
	if u >= numUnits {
		u = unitYear
	}
	s := unitSpan(u, t, frequent, loc)
	return s.start, s.end
}
