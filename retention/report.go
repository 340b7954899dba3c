package retention

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// timeLayout is how reports print instants.
const timeLayout = "2006-01-02 15:04:05 MST"

// Explain describes the decision on Snapshots[i] in words, for a report or
// a log line: the rule and period that keep it, the protection that saved
// it, or why it goes.
func (p *Plan) Explain(i int) string {
	d, s := p.Decisions[i], p.Snapshots[i]
	loc := p.Policy.location()
	switch d.Reason {
	case NoRule:
		return "no rule keeps it"
	case Future:
		return "created " + s.Creation.In(loc).Format(timeLayout) + ", after the evaluation time " +
			p.Now.In(loc).Format(timeLayout) + ": kept; check the clocks"
	case NotMatched:
		return "not owned by the policy (it owns " + p.Policy.Filter.String() + ")"
	case Held:
		return "held (" + plural(s.Holds, "hold") + "); no rule keeps it"
	case Needed:
		return "needed by the caller; no rule keeps it"
	case Newest:
		return "newest snapshot of " + s.Dataset() + "; no rule keeps it"
	case ByRule:
		if d.Rule < 0 || d.Rule >= len(p.Policy.Rules) {
			break
		}
		r := p.Policy.Rules[d.Rule]
		text := r.String()
		if d.Label == "" {
			return text
		}
		text += ": " + d.Label
		if !d.Period.IsZero() {
			text += " " + p.periodName(r, d)
		}
		return text
	}
	return d.Reason.String()
}

// periodName names the period or bucket of a decision at the precision of
// its length.
func (p *Plan) periodName(r Rule, d Decision) string {
	loc := p.Policy.location()
	unit := unitHour
	switch r := r.(type) {
	case KeepPeriods:
		unit = slices.Index(unitNames[:], d.Label)
	case KeepGrid:
		for _, iv := range r.Grid.Intervals {
			if iv.String() == d.Label && iv.Length%(24*time.Hour) == 0 {
				unit = unitDay
			}
		}
		return "bucket from " + periodName(d.Period, unit, loc)
	}
	return periodName(d.Period, unit, loc)
}

// plural returns "1 hold", "2 holds".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// WriteTo writes the plan as a report: one line per snapshot with its
// verdict ("keep" or "destroy"), name, creation time (in the policy's
// Location) and Explain's reason, grouped by dataset in name order and by
// creation within a dataset; then a summary of the counts, and a warning
// naming the snapshots dated in the future, if any.
func (p *Plan) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: bufio.NewWriter(w)}
	tw := tabwriter.NewWriter(cw, 0, 8, 2, ' ', 0)
	order := make([]int, len(p.Snapshots))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		sa, sb := &p.Snapshots[a], &p.Snapshots[b]
		if c := strings.Compare(sa.Dataset(), sb.Dataset()); c != 0 {
			return c
		}
		if c := sa.Creation.Compare(sb.Creation); c != 0 {
			return c
		}
		return cmp.Compare(sa.CreateTXG, sb.CreateTXG)
	})
	loc := p.Policy.location()
	kept, future := 0, 0
	for _, i := range order {
		s, d := p.Snapshots[i], p.Decisions[i]
		verdict := "destroy"
		if d.Keep {
			verdict = "keep"
			kept++
		}
		if d.Reason == Future {
			future++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", verdict, s.Name, s.Creation.In(loc).Format(timeLayout), p.Explain(i))
	}
	tw.Flush()
	fmt.Fprintf(cw, "%s: keep %d, destroy %d (evaluated at %s)\n",
		plural(len(p.Snapshots), "snapshot"), kept, len(p.Snapshots)-kept, p.Now.In(loc).Format(timeLayout))
	if future > 0 {
		var list []string
		for _, i := range order {
			if p.Decisions[i].Reason == Future {
				list = append(list, p.Snapshots[i].Name)
			}
		}
		fmt.Fprintf(cw, "warning: %s dated after the evaluation time, kept: %s\n",
			plural(future, "snapshot"), strings.Join(list, ", "))
	}
	return cw.n, cw.flush()
}

// String returns the report WriteTo writes.
func (p *Plan) String() string {
	var b strings.Builder
	p.WriteTo(&b)
	return b.String()
}

// countWriter counts what it writes and keeps the first error.
type countWriter struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (c *countWriter) Write(b []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(b)
	c.n += int64(n)
	c.err = err
	return n, err
}

func (c *countWriter) flush() error {
	if c.err != nil {
		return c.err
	}
	return c.w.Flush()
}
