package autosnap

import (
	"fmt"
	"io"
	"strings"
)

// WriteTo writes the plan as a report: for each label, the snapshot
// command it runs (or that nothing is due) and each dataset skipped with
// the reason; then the warnings.
func (p *Plan) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	for _, lp := range p.Labels {
		if len(lp.Args) == 0 {
			fmt.Fprintf(&b, "%s: nothing to snapshot\n", lp.Label)
		} else {
			cmd := "zfs snapshot"
			if lp.Recursive {
				cmd += " -r"
			}
			for _, a := range lp.Args {
				cmd += " " + a + "@" + lp.Snapshot
			}
			fmt.Fprintf(&b, "%s: %s (%d datasets)\n", lp.Label, cmd, len(lp.Datasets))
		}
		for _, s := range lp.Skipped {
			fmt.Fprintf(&b, "  skip %s: %s (%s)\n", s.Dataset, s.Reason, s.Detail)
		}
	}
	for _, s := range p.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", s)
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// String returns the report WriteTo writes.
func (p *Plan) String() string {
	var b strings.Builder
	p.WriteTo(&b)
	return b.String()
}
