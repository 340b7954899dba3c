package zpool

import (
	"bufio"
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gozfs/gozfs/zfs"
)

// HistoryKind is the kind of a pool history record.
type HistoryKind string

// History record kinds.
const (
	// HistoryCommand is a zfs or zpool command that changed the pool.
	HistoryCommand HistoryKind = "command"
	// HistoryInternal is an internal event ("[txg:4] create pool ...").
	HistoryInternal HistoryKind = "internal"
	// HistoryIoctl is an ioctl issued to the kernel, with its input.
	HistoryIoctl HistoryKind = "ioctl"
	// HistoryOther is a record zpool could not decode.
	HistoryOther HistoryKind = "other"
)

// HistoryEvent is one record of `zpool history -l [-i]`.
type HistoryEvent struct {
	// Time is when it happened (zpool prints local time to the second).
	Time time.Time
	// Kind is the kind of record.
	Kind HistoryKind
	// Text is the command line of a command, the event text of an internal
	// event (without its "[txg:N]" prefix) or the name of an ioctl.
	Text string
	// TXG is the transaction group of an internal event.
	TXG uint64
	// Elapsed is how long an ioctl took.
	Elapsed time.Duration
	// Details are the indented lines that follow an ioctl (its input and
	// output nvlists, errno), one string.
	Details string
	// UID and User identify who ran a command or ioctl (UID -1 when not
	// recorded); Host and Zone where.
	UID  int
	User string
	Host string
	Zone string
}

// HistoryOptions are the options of History.
type HistoryOptions struct {
	// Internal includes internal events and ioctls (-i).
	Internal bool
	// ExtraArgs are more arguments for `zpool history`, for flags this
	// package does not model; see [zfs.ExtraArgs].
	// A flag that changes the output's format breaks its parsing.
	ExtraArgs zfs.ExtraArgs
}

// History returns the pool's command history (`zpool history -l`), oldest
// first.
func (c *Client) History(ctx context.Context, pool string, opts HistoryOptions) ([]HistoryEvent, error) {
	const op = "zpool history"
	if err := checkPool(op, pool); err != nil {
		return nil, err
	}
	if err := checkExtra(op, pool, opts.ExtraArgs); err != nil {
		return nil, err
	}
	args := []string{"history", "-l"}
	if opts.Internal {
		args = append(args, "-i")
	}
	args = append(args, opts.ExtraArgs...)
	out, err := c.output(ctx, op, pool, append(args, pool)...)
	if err != nil {
		return nil, err
	}
	return parseHistory(out)
}

var (
	historyStartRE = regexp.MustCompile(`^(\d{4}-\d\d-\d\d\.\d\d:\d\d:\d\d)(?: \((\d+)ms\))? (.*)$`)
	historyWhoRE   = regexp.MustCompile(`(?:^| )\[(?:user (\d+) (?:\((.*?)\) )?)?on ([^\]:]*)(?::([^\]]*))?\]$`)
	historyTXGRE   = regexp.MustCompile(`^\[(?:internal (\S+) )?txg:(\d+)\] ?(.*)$`)
)

// parseHistory parses `zpool history [-i] [-l]` output, for one or more
// pools.
func parseHistory(out []byte) ([]HistoryEvent, error) {
	var (
		events []HistoryEvent
		lines  []string
	)
	flush := func() {
		if len(lines) == 0 {
			return
		}
		events = append(events, parseHistoryRecord(lines))
		lines = nil
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case historyStartRE.MatchString(line):
			flush()
			lines = append(lines, line)
		case strings.HasPrefix(line, "History for '") || line == "":
			flush()
		case len(lines) > 0:
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, parseErrorf("zpool history", "%v", err)
	}
	flush()
	return events, nil
}

func parseHistoryRecord(lines []string) HistoryEvent {
	m := historyStartRE.FindStringSubmatch(lines[0])
	ev := HistoryEvent{UID: -1, Kind: HistoryCommand}
	ev.Time, _ = time.ParseInLocation("2006-01-02.15:04:05", m[1], time.Local)
	if m[2] != "" {
		ms, _ := strconv.ParseInt(m[2], 10, 64)
		ev.Elapsed = time.Duration(ms) * time.Millisecond
	}
	text := m[3]
	// The -l suffix ends the first line, or is the last line of a
	// multi-line ioctl record.
	rest := lines[1:]
	if len(rest) > 0 {
		last := rest[len(rest)-1]
		if w := historyWhoRE.FindStringSubmatch(last); w != nil && strings.HasPrefix(strings.TrimSpace(last), "[") {
			ev.setWho(w)
			rest = rest[:len(rest)-1]
		}
	} else if w := historyWhoRE.FindStringSubmatchIndex(text); w != nil {
		ev.setWho(historyWhoRE.FindStringSubmatch(text))
		text = text[:w[0]]
	}
	switch {
	case strings.HasPrefix(text, "ioctl "):
		ev.Kind = HistoryIoctl
		ev.Text = strings.TrimPrefix(text, "ioctl ")
	case historyTXGRE.MatchString(text):
		t := historyTXGRE.FindStringSubmatch(text)
		ev.Kind = HistoryInternal
		ev.TXG, _ = strconv.ParseUint(t[2], 10, 64)
		ev.Text = t[3]
		if t[1] != "" {
			ev.Text = t[1] + " " + t[3]
		}
	case strings.HasPrefix(text, "unrecognized record:"):
		ev.Kind = HistoryOther
		ev.Text = text
	default:
		ev.Text = text
	}
	if len(rest) > 0 {
		ev.Details = strings.Join(rest, "\n")
	}
	return ev
}

func (ev *HistoryEvent) setWho(w []string) {
	if w[1] != "" {
		ev.UID, _ = strconv.Atoi(w[1])
	}
	ev.User, ev.Host, ev.Zone = w[2], w[3], w[4]
}
