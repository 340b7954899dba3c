package retention

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func evalPeriods(t *testing.T, k KeepPeriods, loc *time.Location, snaps []Snapshot) *Plan {
	t.Helper()
	p := Policy{Location: loc, Rules: []Rule{k}}
	plan, err := p.Evaluate(snaps, EvaluateOptions{Now: snaps[len(snaps)-1].Creation})
	require.NoError(t, err)
	return plan
}

// periods returns, for each snapshot kept by a rule, its label and period
// start in loc.
func periods(p *Plan, loc *time.Location, layout string) []string {
	var out []string
	for _, d := range p.Decisions {
		if d.Reason == ByRule {
			out = append(out, d.Label+" "+d.Period.In(loc).Format(layout))
		}
	}
	return out
}

func TestPeriodsHoursAcrossDST(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	// Clocks go back at 02:00 EDT: 01:00-02:00 happens twice, so there are
	// two hourly periods named 01:00.
	snaps := every(time.Date(2024, 11, 3, 0, 0, 0, 0, ny), time.Date(2024, 11, 3, 3, 0, 0, 0, ny), 30*time.Minute)
	plan := evalPeriods(t, KeepPeriods{Hourly: 10}, ny, snaps)
	assert.Equal(t, []string{"00:00 EDT", "01:00 EDT", "01:00 EST", "02:00 EST", "03:00 EST"}, keptTimes(plan, ny, "15:04 MST"))
	// Clocks go forward at 02:00 EST: there is no 02:00 hour.
	snaps = every(time.Date(2024, 3, 10, 0, 0, 0, 0, ny), time.Date(2024, 3, 10, 4, 0, 0, 0, ny), 30*time.Minute)
	plan = evalPeriods(t, KeepPeriods{Hourly: 10}, ny, snaps)
	assert.Equal(t, []string{"00:00 EST", "01:00 EST", "03:00 EDT", "04:00 EDT"}, keptTimes(plan, ny, "15:04 MST"))
	// Only the 3 most recent hours that have snapshots.
	plan = evalPeriods(t, KeepPeriods{Hourly: 3}, ny, snaps)
	assert.Equal(t, []string{"01:00 EST", "03:00 EDT", "04:00 EDT"}, keptTimes(plan, ny, "15:04 MST"))
}

func TestPeriodsHalfHourZones(t *testing.T) {
	// Hours are local: in Kolkata (UTC+05:30) an hour starts at :30 UTC.
	kolkata := mustZone(t, "Asia/Kolkata")
	snaps := every(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC), time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC), 15*time.Minute)
	plan := evalPeriods(t, KeepPeriods{Hourly: 10, Pick: PickFirst}, kolkata, snaps)
	assert.Equal(t, []string{"10:00", "10:30", "11:30", "12:00"}, keptTimes(plan, time.UTC, "15:04")) // 12:00 as the newest
	// Hours count from local midnight. Lord Howe moves its clocks by half
	// an hour (02:00 becomes 02:30 on 2024-10-06), so that day's hours
	// begin at half past after the change. (In every zone whose clocks move
	// by whole hours, hours counted from midnight are the wall-clock hours.)
	lh := mustZone(t, "Australia/Lord_Howe")
	snaps = every(time.Date(2024, 10, 6, 0, 0, 0, 0, lh), time.Date(2024, 10, 6, 5, 0, 0, 0, lh), 10*time.Minute)
	plan = evalPeriods(t, KeepPeriods{Hourly: 10}, lh, snaps)
	assert.Equal(t, []string{"00:00", "01:00", "02:30", "03:30", "04:30", "05:00"}, keptTimes(plan, lh, "15:04"))
}

func TestPeriodsDaysWeeksMonthsYears(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	// Every 6 hours around a leap day, new year, and a 25-hour day.
	snaps := every(time.Date(2024, 2, 27, 0, 0, 0, 0, berlin), time.Date(2024, 3, 2, 0, 0, 0, 0, berlin), 6*time.Hour)
	plan := evalPeriods(t, KeepPeriods{Daily: 3}, berlin, snaps)
	// Sanoid keeps the last snapshot of a day.
	assert.Equal(t, []string{"02-29 18:00", "03-01 18:00", "03-02 00:00"}, keptTimes(plan, berlin, "01-02 15:04"))
	assert.Equal(t, []string{"daily 2024-02-29", "daily 2024-03-01", "daily 2024-03-02"}, periods(plan, berlin, "2006-01-02"))
	plan = evalPeriods(t, KeepPeriods{Daily: 3, Pick: PickFirst}, berlin, snaps)
	assert.Equal(t, []string{"02-29 00:00", "03-01 00:00", "03-02 00:00"}, keptTimes(plan, berlin, "01-02 15:04"))
	// Months: February (first snapshot, the 27th) and March.
	plan = evalPeriods(t, KeepPeriods{Monthly: 5}, berlin, snaps)
	assert.Equal(t, []string{"monthly 02-01 00:00", "monthly 03-01 00:00"}, periods(plan, berlin, "01-02 15:04"))
	assert.Equal(t, "periods monthly=5: monthly 2024-03", plan.Explain(len(snaps)-5))

	// Weeks begin on Monday: Sunday 2024-03-03 and Monday 2024-03-04 are in
	// different weeks.
	snaps = every(time.Date(2024, 3, 1, 12, 0, 0, 0, berlin), time.Date(2024, 3, 5, 12, 0, 0, 0, berlin), 24*time.Hour)
	plan = evalPeriods(t, KeepPeriods{Weekly: 5}, berlin, snaps)
	assert.Equal(t, []string{"Fri 03-01", "Mon 03-04", "Tue 03-05"}, keptTimes(plan, berlin, "Mon 01-02"))
	assert.Equal(t, []string{"weekly 2024-02-26", "weekly 2024-03-04"}, periods(plan, berlin, "2006-01-02"))

	// The year changes at local midnight: 23:30 UTC on Dec 31 is already
	// the new year in Berlin.
	snaps = []Snapshot{
		{Name: "tank/a@1", Creation: time.Date(2023, 12, 31, 22, 30, 0, 0, time.UTC), CreateTXG: 1},
		{Name: "tank/a@2", Creation: time.Date(2023, 12, 31, 23, 30, 0, 0, time.UTC), CreateTXG: 2},
		{Name: "tank/a@3", Creation: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), CreateTXG: 3},
	}
	plan = evalPeriods(t, KeepPeriods{Yearly: 5}, berlin, snaps)
	assert.Equal(t, []string{"yearly 2023", "yearly 2024"}, periods(plan, berlin, "2006"))
	assert.Equal(t, []bool{true, true, true}, keeps(plan)) // @3 is the newest
	assert.Equal(t, Newest, plan.Decisions[2].Reason)
	plan = evalPeriods(t, KeepPeriods{Yearly: 5}, time.UTC, snaps)
	assert.Equal(t, []string{"yearly 2023", "yearly 2024"}, periods(plan, time.UTC, "2006"))
	assert.Equal(t, []bool{true, false, true}, keeps(plan))

	// A 25-hour day (Berlin, 2024-10-27) is one daily period.
	snaps = every(time.Date(2024, 10, 26, 22, 0, 0, 0, time.UTC), time.Date(2024, 10, 28, 0, 0, 0, 0, time.UTC), time.Hour)
	plan = evalPeriods(t, KeepPeriods{Daily: 5, Pick: PickFirst}, berlin, snaps)
	assert.Equal(t, []string{"daily 10-27 00:00 CEST", "daily 10-28 00:00 CET"}, periods(plan, berlin, "01-02 15:04 MST"))
}

func TestPeriodsFrequentAndCombined(t *testing.T) {
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	snaps := every(base, base.Add(2*time.Hour), 10*time.Minute)
	plan := evalPeriods(t, KeepPeriods{Frequently: 4, FrequentPeriod: 20 * time.Minute}, time.UTC, snaps)
	assert.Equal(t, []string{"11:00", "11:20", "11:40", "12:00"}, keptTimes(plan, time.UTC, "15:04"))
	// Frequent periods divide each hour, so a 45-minute period gives two a
	// hour, as with sanoid: :00-:45 and :45-:00.
	plan = evalPeriods(t, KeepPeriods{Frequently: 10, FrequentPeriod: 45 * time.Minute}, time.UTC, snaps)
	assert.Equal(t, []string{"10:00", "10:50", "11:00", "11:50", "12:00"}, keptTimes(plan, time.UTC, "15:04"))
	// A snapshot kept for several periods is reported for the shortest.
	plan = evalPeriods(t, KeepPeriods{Frequently: 2, Hourly: 3, Daily: 1, Pick: PickFirst}, time.UTC, snaps)
	assert.Equal(t, []string{"hourly 10:00", "hourly 11:00", "frequently 11:45", "frequently 12:00"}, periods(plan, time.UTC, "15:04"))
	assert.Equal(t, "periods frequently=2 hourly=3 daily=1 pick=first", plan.Policy.Rules[0].String())
}
