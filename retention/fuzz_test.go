package retention

import (
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/stretchr/testify/require"
)

// FuzzParseGrid checks that ParseGrid never panics, that its errors are
// *Error values pointing inside the specification, and that a grid it
// accepts is valid, prints in a form that parses back to the same grid, and
// evaluates.
func FuzzParseGrid(f *testing.F) {
	for _, s := range []string{
		"1x1h(keep=all) | 24x1h | 14x1d | 12x30d",
		"1x1h(keep=all) | 24x1h | 35x1d | 6x30d",
		" 2 x 15m ( keep = 3 ) ",
		"1x2h | 3x3h", "10x30s(keep=all)|1x10s", "4x1w", "1x60m",
		"", "|", "1x", "x1h", "1x1h(", "1x1h(keep=", "1x1h(keep=all", "24x1h | 1x1h(keep=all)",
		"0x1h", "1x36h", "9999x30d", "1x99999999w", "1x1h x", "1x1hé",
	} {
		f.Add(s)
	}
	now := time.Date(2024, 10, 27, 12, 0, 0, 0, time.UTC)
	snaps := every(now.Add(-60*24*time.Hour), now, 7*time.Hour+13*time.Minute)
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, spec string) {
		g, err := ParseGrid(spec)
		if err != nil {
			var e *Error
			require.ErrorAs(t, err, &e, "%q", spec)
			require.ErrorIs(t, err, errors.ErrInvalidArgument, "%q", spec)
			require.LessOrEqual(t, e.Offset, len(spec), "%q: bad error %v", spec, err)
			require.True(t, strings.HasPrefix(err.Error(), "retention: grid "), "%q: bad error %v", spec, err)
			return
		}
		require.NoError(t, g.Validate(), "%q parsed but invalid", spec)
		again, err := ParseGrid(g.String())
		require.NoError(t, err, "%q printed as %q", spec, g.String())
		require.Equal(t, g.String(), again.String(), "%q printed as %q, which parses as %v", spec, g.String(), again)
		require.Len(t, again.Intervals, len(g.Intervals), "%q printed as %q, which parses as %v", spec, g.String(), again)
		for i := range g.Intervals {
			require.Equal(t, g.Intervals[i], again.Intervals[i], "%q: entry %d, printed and parsed", spec, i)
		}
		p := Policy{Location: berlin, Rules: []Rule{KeepGrid{Grid: g}}}
		plan, err := p.Evaluate(snaps, EvaluateOptions{Now: now})
		require.NoError(t, err, "%q", spec)
		require.True(t, plan.Decisions[len(snaps)-1].Keep, "%q destroys the newest snapshot", spec)
	})
}
