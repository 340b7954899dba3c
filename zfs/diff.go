package zfs

import (
	"context"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// ChangeType is the kind of a change reported by zfs diff.
type ChangeType byte

// The kinds of change.
const (
	Removed  ChangeType = '-'
	Created  ChangeType = '+'
	Modified ChangeType = 'M'
	Renamed  ChangeType = 'R'
)

// String returns "removed", "created", "modified" or "renamed".
func (t ChangeType) String() string {
	switch t {
	case Removed:
		return "removed"
	case Created:
		return "created"
	case Modified:
		return "modified"
	case Renamed:
		return "renamed"
	}
	return "unknown"
}

// FileType is the type of the file a change concerns, as zfs diff -F shows
// it.
type FileType byte

// The file types.
const (
	RegularFile FileType = 'F'
	Directory   FileType = '/'
	Symlink     FileType = '@'
	NamedPipe   FileType = '|'
	Socket      FileType = '='
	BlockDevice FileType = 'B'
	CharDevice  FileType = 'C'
	Door        FileType = '>'
	EventPort   FileType = 'P'
)

// Change is one line of `zfs diff`.
type Change struct {
	// Time is the inode change time of the file.
	Time time.Time
	// Type is the kind of change.
	Type ChangeType
	// FileType is the type of the file.
	FileType FileType
	// Path is the file's absolute path (under the filesystem's mountpoint),
	// with zfs's escaping of unusual bytes undone.
	Path string
	// NewPath is the new path of a renamed file.
	NewPath string
	// LinkDelta is the change in the link count of a modified file ("(+1)"),
	// or 0.
	LinkDelta int
}

// Diff lists the changes between snapshot from and to, a later snapshot of
// the same filesystem or the filesystem itself (the live state), with one
// `zfs diff -H -F -t`, parsing as the output arrives. Breaking out of the loop
// stops the command.
func (c *Client) Diff(ctx context.Context, from, to string) iter.Seq2[Change, error] {
	return func(yield func(Change, error) bool) {
		if err := names.Snapshot(from); err != nil {
			yield(Change{}, errs.WithOp(err, "diff"))
			return
		}
		if err := names.Dataset(to); err != nil {
			if err2 := names.Snapshot(to); err2 != nil {
				yield(Change{}, errs.WithOp(err2, "diff"))
				return
			}
		}
		args := []string{"diff", "-H", "-F", "-t", from, to}
		streamRows(ctx, c, "diff", from, args, func(r io.Reader) func() (Change, error) {
			lr := newLineReader(r)
			return func() (Change, error) {
				for {
					line, err := lr.next()
					if err != nil {
						return Change{}, err
					}
					if line == "" {
						continue
					}
					ch, ok := parseChange(line)
					if !ok {
						return Change{}, errs.Newf(errors.Other, "diff", from, "line %d: malformed change %q", lr.lines, truncate(line, 80))
					}
					return ch, nil
				}
			}
		}, yield)
	}
}

// Diff returns the changes from the snapshot to a later snapshot of its
// dataset, or to the dataset itself when to is empty; see Client.Diff.
func (s *Snapshot) Diff(ctx context.Context, to string) ([]Change, error) {
	if to == "" {
		to = s.Dataset()
	} else if !strings.ContainsAny(to, "@/") {
		to = s.Dataset() + "@" + to
	}
	var out []Change
	for ch, err := range s.c.Diff(ctx, s.name, to) {
		if err != nil {
			return out, err
		}
		out = append(out, ch)
	}
	return out, nil
}

// parseChange parses one line of `zfs diff -H -F -t`:
// "<sec>.<nsec>\t<type>\t<filetype>\t<path>[\t<newpath>|\t(+n)]".
func parseChange(line string) (Change, bool) {
	f := strings.Split(line, "\t")
	if len(f) < 4 || len(f) > 5 || len(f[1]) != 1 || len(f[2]) != 1 {
		return Change{}, false
	}
	var ch Change
	sec, nsec, _ := strings.Cut(f[0], ".")
	s, err1 := strconv.ParseInt(sec, 10, 64)
	ns, err2 := strconv.ParseInt(nsec, 10, 64)
	if err1 != nil || err2 != nil || ns < 0 || ns >= 1e9 {
		return Change{}, false
	}
	ch.Time = time.Unix(s, ns)
	ch.Type = ChangeType(f[1][0])
	switch ch.Type {
	case Removed, Created, Modified, Renamed:
	default:
		return Change{}, false
	}
	ch.FileType = FileType(f[2][0])
	ch.Path = unescapePath(f[3])
	if len(f) == 5 {
		if ch.Type == Renamed {
			ch.NewPath = unescapePath(f[4])
		} else {
			v := strings.TrimSuffix(strings.TrimPrefix(f[4], "("), ")")
			n, err := strconv.Atoi(v)
			if err != nil || len(v)+2 != len(f[4]) {
				return Change{}, false
			}
			ch.LinkDelta = n
		}
	} else if ch.Type == Renamed {
		return Change{}, false
	}
	return ch, true
}

// unescapePath undoes zfs diff's escaping: every byte that is not a
// printable ASCII character other than space and backslash is written as a
// backslash and four octal digits ("\0040" for a space).
func unescapePath(s string) string {
	i := strings.IndexByte(s, '\\')
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i < len(s) {
		b = append(b, s[:i]...)
		s = s[i:]
		if len(s) >= 5 && isOctal(s[1]) && isOctal(s[2]) && isOctal(s[3]) && isOctal(s[4]) {
			v := (int(s[1]-'0')<<9 | int(s[2]-'0')<<6 | int(s[3]-'0')<<3 | int(s[4]-'0'))
			if v <= 0xff {
				b = append(b, byte(v))
				s = s[5:]
				i = indexOrLen(s, '\\')
				continue
			}
		}
		b = append(b, '\\')
		s = s[1:]
		i = indexOrLen(s, '\\')
	}
	return string(append(b, s...))
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }

func indexOrLen(s string, c byte) int {
	if i := strings.IndexByte(s, c); i >= 0 {
		return i
	}
	return len(s)
}
