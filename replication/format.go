package replication

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/stream"
)

// String returns the plan as fmt's %v prints it: a header, one line per
// dataset with a symbol for its action, and a summary.
//
//	replicate tank/home to backup/home (recursive, steps: runs)
//	  + backup/home        create: 5 snapshots in 2 steps (full @a, @a..@e)
//	  ~ backup/home/docs   update from @c: 2 snapshots in 1 step (@c..@e)
//	  = backup/home/old    up to date: the target has @e
//	  ! backup/home/x      blocked: target has snapshots after the common base: ...
//	  ? backup/home/stray  only on the target, left alone
//	2 to send (7 snapshots in 3 steps), 1 up to date, 1 blocked
//
// The symbols: + create, ~ update (incremental or resumed), = up to date,
// . skip, ! blocked by a conflict, ? only on the target.
func (p *Plan) String() string {
	var b strings.Builder
	p.write(&b, false)
	return b.String()
}

// Format implements fmt.Formatter: %v and %s print String, %+v adds every
// step of every dataset, with its stream size once Estimate has run.
func (p *Plan) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v', 's':
		p.write(f, verb == 'v' && f.Flag('+'))
	default:
		fmt.Fprintf(f, "%%!%c(*replication.Plan)", verb)
	}
}

func (p *Plan) write(w io.Writer, verbose bool) {
	var flags []string
	if p.Options.Recursive {
		flags = append(flags, "recursive")
	}
	flags = append(flags, "steps: "+p.Options.Steps.String())
	if p.Options.Name != "" {
		flags = append(flags, "name: "+p.Options.Name)
	}
	fmt.Fprintf(w, "replicate %s to %s (%s)\n", p.Source.Dataset, p.Target.Dataset, strings.Join(flags, ", "))
	width := 0
	for _, dp := range p.Datasets {
		width = max(width, len(dp.Target))
	}
	for _, t := range p.TargetOnly {
		width = max(width, len(t))
	}
	var create, update, uptodate, skip, blocked, steps, snaps int
	for _, dp := range p.Datasets {
		fmt.Fprintf(w, "  %c %-*s  %s\n", dp.symbol(), width, dp.Target, dp.summary())
		if verbose {
			dp.writeSteps(w)
		}
		switch dp.Action {
		case Create:
			create++
		case Update:
			update++
		case UpToDate:
			uptodate++
		case Skip:
			skip++
		case Blocked:
			blocked++
		}
		if dp.Action == Create || dp.Action == Update {
			steps += len(dp.Steps)
			snaps += dp.snapshotCount()
		}
	}
	for _, t := range p.TargetOnly {
		fmt.Fprintf(w, "  ? %-*s  only on the target, left alone\n", width, t)
	}
	var parts []string
	if n := create + update; n > 0 {
		parts = append(parts, fmt.Sprintf("%d to send (%s in %s)", n, plural(snaps, "snapshot"), plural(steps, "step")))
	} else {
		parts = append(parts, "nothing to send")
	}
	if uptodate > 0 {
		parts = append(parts, fmt.Sprintf("%d up to date", uptodate))
	}
	if skip > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped", skip))
	}
	if blocked > 0 {
		parts = append(parts, fmt.Sprintf("%d blocked", blocked))
	}
	fmt.Fprintln(w, strings.Join(parts, ", "))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// symbol is the plan line's first column.
func (dp *DatasetPlan) symbol() byte {
	switch dp.Action {
	case Create:
		return '+'
	case Update:
		return '~'
	case UpToDate:
		return '='
	case Skip:
		return '.'
	}
	return '!'
}

// snapshotCount is the number of snapshots the steps create.
func (dp *DatasetPlan) snapshotCount() int {
	n := 0
	for _, st := range dp.Steps {
		n += len(st.Snapshots)
	}
	return n
}

// summary is the rest of the dataset's plan line.
func (dp *DatasetPlan) summary() string {
	switch dp.Action {
	case UpToDate, Skip:
		s := dp.Action.String() + ": " + dp.Reason
		if dp.Placeholder {
			s = dp.Action.String() + ": no snapshot to send; creates an empty placeholder for the datasets below"
		}
		return s
	case Blocked:
		return "blocked: " + dp.Conflict.describe()
	}
	var b strings.Builder
	b.WriteString(dp.Action.String())
	if dp.Base != nil {
		b.WriteString(" from " + dp.Base.ShortName())
	}
	if dp.OverPlaceholder {
		b.WriteString(" over a placeholder")
	}
	fmt.Fprintf(&b, ": %s in %s (", plural(dp.snapshotCount(), "snapshot"), plural(len(dp.Steps), "step"))
	const show = 3
	for i, st := range dp.Steps {
		if i == show {
			fmt.Fprintf(&b, ", ... %d more", len(dp.Steps)-show)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(st.short())
	}
	b.WriteString(")")
	return b.String()
}

// short describes a step in a few characters: "full @a", "@a..@e",
// "#c → @d", "resume @d".
func (s *Step) short() string {
	to := shortOf(s.To)
	switch s.Kind() {
	case "resume":
		return "resume " + to
	case "full":
		return "full " + to
	case "run":
		return shortOf(s.From) + ".." + to
	}
	return shortOf(s.From) + " → " + to
}

// shortOf returns "@snap" or "#mark" of a full name.
func shortOf(name string) string {
	if i := strings.IndexAny(name, "@#"); i >= 0 {
		return name[i:]
	}
	return name
}

// writeSteps writes one line per step, for %+v.
func (dp *DatasetPlan) writeSteps(w io.Writer) {
	if dp.Action == Blocked && dp.Conflict.Forcible {
		var what []string
		if dp.AbortPartial {
			what = append(what, "discard the partial receive")
		}
		if dp.Rollback != "" {
			what = append(what, "roll back to "+shortOf(dp.Rollback))
		}
		if dp.ForceReceive {
			what = append(what, "receive over the target (-F)")
		}
		if len(what) > 0 {
			fmt.Fprintf(w, "      with Force: %s, then:\n", strings.Join(what, ", "))
		}
	}
	if dp.Placeholder {
		fmt.Fprintf(w, "      create %s (canmount=off, %s=on)\n", dp.Target, PlaceholderProperty)
	}
	for _, st := range dp.Steps {
		var line string
		switch st.Kind() {
		case "resume":
			line = fmt.Sprintf("resume       %s (zfs send -t)", st.To)
		case "full":
			line = fmt.Sprintf("full         %s", st.To)
		case "run":
			line = fmt.Sprintf("run          %s .. %s (-I, %s)", st.From, shortOf(st.To), plural(len(st.Snapshots), "snapshot"))
		default:
			line = fmt.Sprintf("incremental  %s → %s", st.From, shortOf(st.To))
		}
		if st.Size > 0 {
			line += "  ~" + stream.FormatBytes(st.Size)
		}
		fmt.Fprintf(w, "      %s\n", line)
	}
}
