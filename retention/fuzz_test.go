package retention

import (
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/errors"
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
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		g, err := ParseGrid(spec)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, errors.ErrInvalidArgument) {
				t.Fatalf("%q: error %T %v", spec, err, err)
			}
			if e.Offset > len(spec) || !strings.HasPrefix(err.Error(), "retention: grid ") {
				t.Fatalf("%q: bad error %v", spec, err)
			}
			return
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("%q parsed but invalid: %v", spec, err)
		}
		again, err := ParseGrid(g.String())
		if err != nil || again.String() != g.String() || len(again.Intervals) != len(g.Intervals) {
			t.Fatalf("%q printed as %q, which parses as %v, %v", spec, g.String(), again, err)
		}
		for i := range g.Intervals {
			if again.Intervals[i] != g.Intervals[i] {
				t.Fatalf("%q: entry %d %v, printed and parsed %v", spec, i, g.Intervals[i], again.Intervals[i])
			}
		}
		p := Policy{Location: berlin, Rules: []Rule{KeepGrid{Grid: g}}}
		plan, err := p.Evaluate(snaps, EvaluateOptions{Now: now})
		if err != nil {
			t.Fatalf("%q: %v", spec, err)
		}
		if !plan.Decisions[len(snaps)-1].Keep {
			t.Fatalf("%q destroys the newest snapshot", spec)
		}
	})
}
