package send

import (
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/zfs"
)

// Estimate returns the size in bytes of the stream that To or Reader would
// produce for snapshot and opts, before any transform, from a dry run of zfs send
// (`zfs send -n -v -P`). For a resumed send (ResumeToken) it is the size of
// the rest of the stream. Use it as the total of a stream.Progress.
//
// The estimate comes from zfs and is close to the real size but not exact.
func Estimate(ctx context.Context, c *zfs.Client, snapshot string, opts Options) (int64, error) {
	p, err := prepare(ctx, c, snapshot, &opts)
	if err != nil {
		return 0, err
	}
	args := append([]string{"send", "-n", "-v", "-P"}, p.args[1:]...)
	var out, stderr bytes.Buffer
	cmd := &command.Cmd{Name: "zfs", Args: args, Stdout: &limitedBuffer{b: &out, n: maxDryRunOutput}, Stderr: &limitedBuffer{b: &stderr, n: maxDryRunOutput}}
	if err := errors.FromCommand(op, p.name, c.Options().Runner.Run(ctx, cmd)); err != nil {
		return 0, err
	}
	if n, ok := parseEstimate(out.String()); ok {
		return n, nil
	}
	// Versions before 0.8 printed the dry run on standard error.
	if n, ok := parseEstimate(stderr.String()); ok {
		return n, nil
	}
	return 0, errs.Newf(errors.Other, op, p.name, "no size estimate in zfs send -nvP output %q", firstLine(out.String()))
}

// maxDryRunOutput bounds the dry-run output kept: a replication stream of
// many snapshots prints a line for each.
const maxDryRunOutput = 4 << 20

// parseEstimate reads the output of `zfs send -nvP`. The total is on a line
// "size\t<bytes>"; older versions and some paths print only per-snapshot
// lines "full\t<snap>\t<bytes>" and "incremental\t<from>\t<snap>\t<bytes>",
// which are summed when no total is given. Other lines (the resume token's
// contents, warnings) are ignored. It reports false if no size was found.
func parseEstimate(out string) (int64, bool) {
	var total, sum int64
	haveTotal, haveSum := false, false
	for line := range strings.Lines(out) {
		f := strings.Split(strings.TrimRight(line, "\r\n"), "\t")
		var n int64
		var err error
		switch {
		case f[0] == "size" && len(f) == 2:
			if n, err = parseSize(f[1]); err == nil {
				total, haveTotal = n, true
			}
		case f[0] == "full" && len(f) == 3, f[0] == "incremental" && len(f) == 4:
			if n, err = parseSize(f[len(f)-1]); err == nil && sum <= (1<<63-1)-n {
				sum += n
				haveSum = true
			}
		}
	}
	switch {
	case haveTotal:
		return total, true
	case haveSum:
		return sum, true
	}
	return 0, false
}

// parseSize parses a non-negative byte count.
func parseSize(s string) (int64, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 63)
	return int64(n), err
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// limitedBuffer keeps the first n bytes written and discards the rest.
type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
