package autosnap

import (
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/retention"
)

// Schedule says when a label's snapshots are due: Next returns the first
// time after t at which the schedule fires. It is the interface of
// github.com/robfig/cron/v3's Schedule, so a schedule parsed by that
// library can be used as it is.
type Schedule interface {
	Next(t time.Time) time.Time
}

// Every returns the schedule of a calendar period: it fires at the start
// of every hour, day, week (Monday), month or year of loc (UTC when nil),
// or every frequent period of each hour (15 minutes when frequent is
// zero), with the calendar of retention.Period.Bounds.
//
// A label on such a schedule is due when the dataset has no snapshot of the
// label from the current period: a run from cron every 15 minutes takes one
// hourly snapshot an hour, whatever minute it runs at, and after a machine
// was off for three days the first run takes one daily snapshot, not three.
func Every(p retention.Period, frequent time.Duration, loc *time.Location) Schedule {
	return periodSchedule{p: p, frequent: frequent, loc: loc}
}

type periodSchedule struct {
	p        retention.Period
	frequent time.Duration
	loc      *time.Location
}

func (s periodSchedule) Next(t time.Time) time.Time {
	_, end := s.p.Bounds(t, s.frequent, s.loc)
	return end
}

// Cron parses a cron expression with github.com/robfig/cron/v3: five fields
// (minute, hour, day of month, month, day of week), or a descriptor such as
// "@daily" or "@every 4h". The times are those of loc (UTC when nil) unless
// the expression begins with "CRON_TZ=<zone> " (or "TZ=<zone> ").
func Cron(spec string, loc *time.Location) (Schedule, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, errs.InvalidArgumentf("snapshot", "", "cron expression %q: %v", spec, err)
	}
	if loc == nil {
		loc = time.UTC
	}
	if ss, ok := s.(*cron.SpecSchedule); ok && !strings.HasPrefix(spec, "TZ=") && !strings.HasPrefix(spec, "CRON_TZ=") {
		ss.Location = loc
	}
	return cronSchedule{s: s, loc: loc}, nil
}

// cronSchedule computes a cron schedule in loc: the library computes in
// the location of the time it is given when its own is time.Local.
type cronSchedule struct {
	s   cron.Schedule
	loc *time.Location
}

func (c cronSchedule) Next(t time.Time) time.Time { return c.s.Next(t.In(c.loc)) }

// Due reports whether a schedule wants a new snapshot at now, given the
// time of the last one (the zero time when there is none): when the
// schedule fired after last, at or before now. However many times it fired
// since, one snapshot is due, so a missed run catches up once. A last
// snapshot dated after now means the clock went back since it was taken; a
// snapshot is due then, or none would be taken until the clock caught up.
func Due(s Schedule, last, now time.Time) bool {
	if last.IsZero() || last.After(now) {
		return true
	}
	return !s.Next(last).After(now)
}
