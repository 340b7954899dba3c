package retention

import (
	"strconv"
	"time"
)

// The calendar arithmetic of policies. Every period (an hour, a day, a week,
// a month, a year, a grid bucket) is a half-open interval [start, end) of
// instants whose bounds are computed in a *time.Location, so periods follow
// the local calendar: a day is from one local midnight to the next (23 or 25
// hours long on the days clocks change), hours are counted from local
// midnight (so a day with a repeated hour has 25 hourly periods; these are
// the wall-clock hours wherever clocks move by whole hours, and on Lord
// Howe Island, whose clocks move by half an hour, hours after the change
// begin at half past), months and
// years have their real lengths, leap days included. The periods of one kind
// tile the time line without gaps or overlaps, in time order, whatever the
// time zone rules do (even where a midnight is skipped or repeated).

// mondayEpoch is the civil day number (days since 1970-01-01) of Monday
// 1969-12-29. Week buckets and multi-day grid buckets are counted from it,
// so weeks begin on Mondays as ISO weeks (and sanoid's weeklies) do.
const mondayEpoch = -3

// civilDay returns the civil day number of the date y-m-d: days since
// 1970-01-01 in the proleptic Gregorian calendar.
func civilDay(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// civilDate returns the date of civil day number n.
func civilDate(n int64) (int, time.Month, int) {
	return time.Unix(n*86400, 0).UTC().Date()
}

// dayStart returns the instant at which the local day with civil number n
// begins. Where local midnight does not exist the instant time.Date picks is
// used; it is in the right hour, and it still grows with n.
func dayStart(n int64, loc *time.Location) time.Time {
	y, m, d := civilDate(n)
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// localDay returns the civil number of the local day containing t, as
// delimited by dayStart.
func localDay(t time.Time, loc *time.Location) int64 {
	y, m, d := t.In(loc).Date()
	n := civilDay(y, m, d)
	for t.Before(dayStart(n, loc)) {
		n--
	}
	for !t.Before(dayStart(n+1, loc)) {
		n++
	}
	return n
}

// floorDiv returns a/b rounded down (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// span is a period, [start, end).
type span struct{ start, end time.Time }

// contains reports whether t is in the period.
func (s span) contains(t time.Time) bool { return !t.Before(s.start) && t.Before(s.end) }

// daysSpan returns the bucket of n local days containing t; buckets are
// counted from Monday 1969-12-29, so 7-day buckets are Monday-based weeks.
func daysSpan(t time.Time, n int64, loc *time.Location) span {
	k := floorDiv(localDay(t, loc)-mondayEpoch, n)
	return span{dayStart(k*n+mondayEpoch, loc), dayStart((k+1)*n+mondayEpoch, loc)}
}

// subDaySpan returns the bucket of length l (less than a day) containing t:
// buckets start at local midnight and every l after it; the last bucket of
// a day ends at the next midnight and may be shorter.
func subDaySpan(t time.Time, l time.Duration, loc *time.Location) span {
	n := localDay(t, loc)
	ds, de := dayStart(n, loc), dayStart(n+1, loc)
	s := ds.Add(t.Sub(ds) / l * l)
	e := s.Add(l)
	if e.After(de) {
		e = de
	}
	return span{s, e}
}

// lengthSpan returns the calendar bucket of length l containing t: whole
// local days when l is a multiple of 24 hours, else parts of a local day.
func lengthSpan(t time.Time, l time.Duration, loc *time.Location) span {
	if l%(24*time.Hour) == 0 {
		return daysSpan(t, int64(l/(24*time.Hour)), loc)
	}
	return subDaySpan(t, l, loc)
}

// Calendar periods of KeepPeriods.
const (
	unitFrequent = iota
	unitHour
	unitDay
	unitWeek
	unitMonth
	unitYear
	numUnits
)

// unitNames are the labels of the units, as sanoid names its snapshot types.
var unitNames = [numUnits]string{"frequently", "hourly", "daily", "weekly", "monthly", "yearly"}

// unitSpan returns the period of the given unit containing t. frequent is the
// length of a frequent period, which divides hours as subDaySpan divides days.
func unitSpan(unit int, t time.Time, frequent time.Duration, loc *time.Location) span {
	switch unit {
	case unitFrequent:
		h := subDaySpan(t, time.Hour, loc)
		s := h.start.Add(t.Sub(h.start) / frequent * frequent)
		e := s.Add(frequent)
		if e.After(h.end) {
			e = h.end
		}
		return span{s, e}
	case unitHour:
		return subDaySpan(t, time.Hour, loc)
	case unitDay:
		return daysSpan(t, 1, loc)
	case unitWeek:
		return daysSpan(t, 7, loc)
	case unitMonth:
		y, m, _ := t.In(loc).Date()
		k := int64(y)*12 + int64(m) - 1
		start := func(k int64) time.Time {
			return time.Date(int(floorDiv(k, 12)), time.Month(k-floorDiv(k, 12)*12+1), 1, 0, 0, 0, 0, loc)
		}
		for t.Before(start(k)) {
			k--
		}
		for !t.Before(start(k + 1)) {
			k++
		}
		return span{start(k), start(k + 1)}
	default: // unitYear
		y := t.In(loc).Year()
		start := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, loc) }
		for t.Before(start(y)) {
			y--
		}
		for !t.Before(start(y + 1)) {
			y++
		}
		return span{start(y), start(y + 1)}
	}
}

// periodName formats the start of a period for reports, at the precision of
// the period's length: "2026-12-03 06:00 CET" for an hour,
// "2026-12-03" for a day, "2026-12" for a month, "2026" for a year.
func periodName(start time.Time, unit int, loc *time.Location) string {
	t := start.In(loc)
	switch unit {
	case unitYear:
		return strconv.Itoa(t.Year())
	case unitMonth:
		return t.Format("2006-01")
	case unitDay, unitWeek:
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04 MST")
}
