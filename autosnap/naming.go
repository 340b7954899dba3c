package autosnap

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/retention"
)

// Naming says how automatic snapshots are named: a Format with the
// placeholders {label} and {time}, and the Go time layout of {time}.
// The zero Naming is zfs-auto-snapshot's (see ZFSAutoSnapshot).
//
// The name is the snapshot's short name, after '@'; the time is written in
// Options.Location. Naming also gives the retention.Filter that matches the
// names of a label, so that pruning only touches the snapshots it made.
type Naming struct {
	// Format is the short name with exactly one "{time}" and at most one
	// "{label}", for example "zfs-auto-snap_{label}-{time}". Without
	// {label}, the labels of a run cannot be told apart by name: use one
	// label per Naming then.
	Format string
	// Layout is the time layout of {time}, as for time.Time.Format, for
	// example "2006-01-02-1504".
	Layout string
}

// ZFSAutoSnapshot returns the naming of zfs-auto-snapshot:
// "zfs-auto-snap_hourly-2026-12-03-0600".
func ZFSAutoSnapshot() Naming {
	return Naming{Format: "zfs-auto-snap_{label}-{time}", Layout: "2006-01-02-1504"}
}

// Sanoid returns the naming of sanoid: "autosnap_2026-12-03_06:00:00_hourly".
func Sanoid() Naming {
	return Naming{Format: "autosnap_{time}_{label}", Layout: "2006-01-02_15:04:05"}
}

// orDefault returns n, or ZFSAutoSnapshot() for the zero Naming.
func (n Naming) orDefault() Naming {
	if n == (Naming{}) {
		return ZFSAutoSnapshot()
	}
	return n
}

// Validate reports whether the naming can be used: one {time}, at most one
// {label}, a layout, and names that zfs accepts.
func (n Naming) Validate() error {
	n = n.orDefault()
	const op = "snapshot"
	switch {
	case strings.Count(n.Format, "{time}") != 1:
		return errs.InvalidArgumentf(op, "", "naming format %q needs exactly one {time}", n.Format)
	case strings.Count(n.Format, "{label}") > 1:
		return errs.InvalidArgumentf(op, "", "naming format %q has more than one {label}", n.Format)
	case n.Layout == "":
		return errs.InvalidArgumentf(op, "", "naming has no time layout")
	}
	sample := n.name("hourly", time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC))
	if err := names.Component(sample); err != nil || strings.ContainsAny(sample, "@#%,") {
		return errs.InvalidArgumentf(op, "", "naming %q with layout %q gives %q, not a valid snapshot name", n.Format, n.Layout, sample)
	}
	return nil
}

// Name returns the short snapshot name for a label at time t (written as
// t's location shows it).
func (n Naming) Name(label string, t time.Time) string {
	return n.orDefault().name(label, t)
}

func (n Naming) name(label string, t time.Time) string {
	s := strings.Replace(n.Format, "{label}", label, 1)
	return strings.Replace(s, "{time}", t.Format(n.Layout), 1)
}

// Filter returns a filter that matches the short names Name gives for the
// label, whatever the time; with no label given, the names of any label
// (empty labels excluded), and with several, the names of any of them.
// A label or format that no snapshot name can hold (bytes that are not
// UTF-8) gives a filter that matches nothing.
func (n Naming) Filter(labels ...string) retention.Filter {
	n = n.orDefault()
	label := `[^@#%,/]+`
	if len(labels) > 0 {
		q := make([]string, len(labels))
		for i, l := range labels {
			q[i] = regexp.QuoteMeta(l)
		}
		label = "(?:" + strings.Join(q, "|") + ")"
	}
	var b strings.Builder
	b.WriteString("^")
	rest := n.Format
	for rest != "" {
		i := strings.IndexByte(rest, '{')
		switch {
		case i < 0:
			b.WriteString(regexp.QuoteMeta(rest))
			rest = ""
		case strings.HasPrefix(rest[i:], "{label}"):
			b.WriteString(regexp.QuoteMeta(rest[:i]) + label)
			rest = rest[i+len("{label}"):]
		case strings.HasPrefix(rest[i:], "{time}"):
			b.WriteString(regexp.QuoteMeta(rest[:i]) + timePattern(n.Layout))
			rest = rest[i+len("{time}"):]
		default:
			b.WriteString(regexp.QuoteMeta(rest[:i+1]))
			rest = rest[i+1:]
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		// Bytes that are not UTF-8: no snapshot name holds them.
		re = regexp.MustCompile(`[^\s\S]`)
	}
	return retention.Filter{Regexp: re}
}

// timePattern returns a regular expression matching the times layout
// writes, when it writes only digits and punctuation: each run of digits
// as a run of as many digits, or of one or more where the width varies
// (fields such as "1" or "2" are not padded; years are taken to have
// four digits), and the other characters as they are. When the layout
// writes names (months, days, zones) or zone offsets, whose lengths or
// signs vary, it returns a pattern matching any non-empty text.
func timePattern(layout string) string {
	if strings.Contains(layout, "-07") || strings.Contains(layout, "Z07") {
		return ".+?" // a zone offset: its sign varies
	}
	small := splitDigits(time.Date(2001, 1, 1, 1, 1, 1, 0, time.UTC).Format(layout))
	large := splitDigits(time.Date(2026, 12, 23, 23, 59, 59, 0, time.UTC).Format(layout))
	if small == nil || len(small) != len(large) {
		return ".+?"
	}
	var b strings.Builder
	for i, tok := range large {
		switch {
		case tok[0] < '0' || tok[0] > '9':
			if small[i] != tok {
				return ".+?"
			}
			b.WriteString(regexp.QuoteMeta(tok))
		case len(small[i]) == len(tok):
			b.WriteString("[0-9]{" + strconv.Itoa(len(tok)) + "}")
		default:
			b.WriteString("[0-9]+")
		}
	}
	return b.String()
}

// splitDigits cuts s into runs of digits and runs of other characters; it
// returns nil if s holds letters or spaces.
func splitDigits(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		digit := s[i] >= '0' && s[i] <= '9'
		j := i
		for j < len(s) && (s[j] >= '0' && s[j] <= '9') == digit {
			c := s[j]
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == ' ' || c >= 0x80 {
				return nil
			}
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
