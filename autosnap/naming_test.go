package autosnap_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/autosnap"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/retention"
)

func TestNaming(t *testing.T) {
	at := time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC)
	z, s := autosnap.ZFSAutoSnapshot(), autosnap.Sanoid()
	assert.Equal(t, "zfs-auto-snap_hourly-2026-12-03-0600", z.Name("hourly", at))
	assert.Equal(t, "autosnap_2026-12-03_06:00:00_hourly", s.Name("hourly", at))
	assert.Equal(t, z.Name("daily", at), autosnap.Naming{}.Name("daily", at), "zero Naming is zfs-auto-snapshot's")
	require.NoError(t, z.Validate())
	require.NoError(t, s.Validate())

	for _, tc := range []struct {
		f     retention.Filter
		name  string
		match bool
	}{
		{z.Filter("hourly"), "zfs-auto-snap_hourly-2026-12-03-0600", true},
		{z.Filter("hourly"), "zfs-auto-snap_daily-2026-12-03-0600", false},
		{z.Filter("hourly"), "zfs-auto-snap_hourly-2026-12-03-06000", false},
		{z.Filter("hourly"), "zfs-auto-snap_hourly-2026-12-03", false},
		{z.Filter("hourly"), "my-zfs-auto-snap_hourly-2026-12-03-0600", false},
		{z.Filter(), "zfs-auto-snap_frequent-2026-12-03-0615", true},
		{z.Filter("hourly", "daily"), "zfs-auto-snap_daily-2026-12-03-0600", true},
		{z.Filter("hourly", "daily"), "zfs-auto-snap_weekly-2026-12-03-0600", false},
		{s.Filter("hourly"), "autosnap_2026-12-03_06:00:00_hourly", true},
		{s.Filter("hourly"), "autosnap_2026-12-03_06:00:00_daily", false},
		{s.Filter("daily"), "autosnap_2026-12-03_06:00:00_hourly_daily", false},
		{autosnap.Naming{Format: "{time}.{label}", Layout: "Jan-2-2006"}.Filter("x"), "Dec-3-2026.x", true},
		{autosnap.Naming{Format: "{time}.{label}", Layout: "Jan-2-2006"}.Filter("x"), "Dec-3-2026.y", false},
	} {
		assert.Equal(t, tc.match, tc.f.Match(tc.name), "%s ~ %s", tc.f, tc.name)
	}

	for _, bad := range []autosnap.Naming{
		{Format: "x", Layout: "2006"},
		{Format: "{time}{time}", Layout: "2006"},
		{Format: "{label}{label}{time}", Layout: "2006"},
		{Format: "{time}", Layout: ""},
		{Format: "{time}", Layout: "2006/01"},
	} {
		assert.ErrorIs(t, bad.Validate(), errors.ErrInvalidArgument, "%+v", bad)
	}
}

func TestEvery(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	// Clocks go back at 03:00 CEST on 2026-10-25: that day has 25 hours.
	at := time.Date(2026, 10, 25, 1, 30, 0, 0, berlin)
	daily := autosnap.Every(retention.Daily, 0, berlin)
	assert.Equal(t, time.Date(2026, 10, 26, 0, 0, 0, 0, berlin), daily.Next(at))
	assert.Equal(t, 25*time.Hour, daily.Next(at).Sub(time.Date(2026, 10, 25, 0, 0, 0, 0, berlin)))
	hourly := autosnap.Every(retention.Hourly, 0, berlin)
	assert.Equal(t, time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC), hourly.Next(at).UTC(), "02:00 CEST, the first 2 o'clock")
	frequent := autosnap.Every(retention.Frequently, 0, nil)
	assert.Equal(t, time.Date(2026, 12, 3, 6, 15, 0, 0, time.UTC), frequent.Next(time.Date(2026, 12, 3, 6, 14, 59, 0, time.UTC)))
	weekly := autosnap.Every(retention.Weekly, 0, nil)
	assert.Equal(t, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), weekly.Next(time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC)), "Monday")
	monthly := autosnap.Every(retention.Monthly, 0, nil)
	assert.Equal(t, time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC), monthly.Next(time.Date(2028, 2, 29, 23, 0, 0, 0, time.UTC)))
}

func TestDue(t *testing.T) {
	hourly := autosnap.Every(retention.Hourly, 0, nil)
	now := time.Date(2026, 12, 3, 6, 0, 5, 0, time.UTC)
	assert.True(t, autosnap.Due(hourly, time.Time{}, now), "no snapshot yet")
	assert.True(t, autosnap.Due(hourly, now.Add(-time.Minute), now), "05:59:05 is in the previous hour")
	assert.False(t, autosnap.Due(hourly, now.Add(-time.Second), now), "06:00:04 is in this hour")
	assert.True(t, autosnap.Due(hourly, now.Add(-72*time.Hour), now), "missed runs: due once")
	assert.True(t, autosnap.Due(hourly, now.Add(2*time.Hour), now), "last dated in the future: the clock went back")
}

func TestCron(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	s, err := autosnap.Cron("30 2 * * *", berlin)
	require.NoError(t, err)
	next := s.Next(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, time.Date(2026, 12, 3, 1, 30, 0, 0, time.UTC), next.UTC(), "02:30 in Berlin")
	s, err = autosnap.Cron("CRON_TZ=UTC 30 2 * * *", berlin)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 12, 3, 2, 30, 0, 0, time.UTC), s.Next(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)).UTC())
	s, err = autosnap.Cron("@every 4h", nil)
	require.NoError(t, err)
	assert.Equal(t, 4*time.Hour, s.Next(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)).Sub(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)))
	_, err = autosnap.Cron("61 * * * *", nil)
	assert.ErrorIs(t, err, errors.ErrInvalidArgument)
	assert.ErrorContains(t, err, "61 * * * *")
}
