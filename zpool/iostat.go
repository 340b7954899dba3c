package zpool

import (
	"bufio"
	"context"
	"io"
	"iter"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/zfs"
)

// IOStats are the I/O statistics of a pool or vdev over one sampling
// interval: capacity in bytes, and operations and bytes per second. The
// first sample of a stream (and a sample taken without an interval) is the
// average since the pool was imported.
type IOStats struct {
	// Alloc and Free are the bytes allocated and free (0 for leaves, which
	// zpool shows as "-").
	Alloc, Free uint64
	// ReadOps and WriteOps are operations per second.
	ReadOps, WriteOps uint64
	// ReadBytes and WriteBytes are bytes per second.
	ReadBytes, WriteBytes uint64
}

// PoolIO is one pool's line of an iostat sample.
type PoolIO struct {
	// Name is the pool's name.
	Name string
	IOStats
	// Vdevs is the pool's vdev tree with per-vdev statistics, when the
	// sample was taken with IostatOptions.Vdevs: top-level vdevs of the
	// normal class, then those of the dedup, special, log and cache classes
	// (see VdevIO.Class), each with its children.
	Vdevs []*VdevIO
}

// VdevIO is one vdev's line of an iostat sample.
type VdevIO struct {
	// Name is the vdev's name as zpool prints it.
	Name string
	// Class is the allocation class of the vdev's top-level vdev.
	Class Class
	IOStats
	// Children are the vdev's children.
	Children []*VdevIO
}

// IostatSample is one sample of `zpool iostat`: one line per pool.
type IostatSample struct {
	// Time is when zpool took the sample (to the second).
	Time time.Time
	// Pools are the pools' statistics, in zpool's order.
	Pools []PoolIO
}

// Pool returns the statistics of the named pool, or nil.
func (s *IostatSample) Pool(name string) *PoolIO {
	for i := range s.Pools {
		if s.Pools[i].Name == name {
			return &s.Pools[i]
		}
	}
	return nil
}

// IostatOptions select what Iostat and IostatStream sample.
type IostatOptions struct {
	// Pools are the pools to sample; none means every imported pool.
	Pools []string
	// Vdevs adds per-vdev statistics (-v).
	Vdevs bool
	// ExtraArgs are more arguments for `zpool iostat`, for flags this
	// package does not model; see [zfs.ExtraArgs].
	// A flag that changes the output's format breaks its parsing.
	ExtraArgs zfs.ExtraArgs
}

func (o IostatOptions) args(op string) ([]string, error) {
	if err := checkPools(op, o.Pools); err != nil {
		return nil, err
	}
	if err := checkExtra(op, "", o.ExtraArgs); err != nil {
		return nil, err
	}
	args := []string{"iostat", "-p", "-T", "u"}
	if o.Vdevs {
		// The vdev tree is parsed from the indented display; -H would flatten
		// it and drop the class headings.
		args = append(args, "-v")
	} else {
		args = append(args, "-H")
	}
	return args, nil
}

// Iostat takes one sample. With interval 0 it reports the averages since
// each pool was imported (`zpool iostat`); otherwise it measures over the
// interval, which it waits for (`zpool iostat -y interval 1`). Intervals are
// whole seconds, rounded up.
func (c *Client) Iostat(ctx context.Context, interval time.Duration, opts IostatOptions) (*IostatSample, error) {
	const op = "zpool iostat"
	args, err := opts.args(op)
	if err != nil {
		return nil, err
	}
	if interval < 0 {
		return nil, errs.InvalidArgumentf(op, "", "negative interval %v", interval)
	}
	if interval > 0 {
		args = append(args, "-y")
	}
	args = append(args, opts.ExtraArgs...)
	args = append(args, opts.Pools...)
	if interval > 0 {
		args = append(args, seconds(interval), "1")
	}
	var last *IostatSample
	for s, err := range c.iostat(ctx, op, args, opts) {
		if err != nil {
			return nil, err
		}
		last = s
	}
	if last == nil {
		last = &IostatSample{}
	}
	return last, nil
}

// IostatStream samples every interval (at least a second, rounded up to
// whole seconds) until the context ends, count samples have been taken
// (count > 0), or the loop stops. The first sample is the average since
// each pool was imported. The zpool process runs while the loop runs: it is
// stopped and reaped before the loop's break takes effect, and when the
// context ends, in which case the sequence ends with an error matching
// context.Canceled (or context.DeadlineExceeded). A failure of zpool also
// ends the sequence with an error.
//
// A sample is delivered as soon as every requested pool has reported; when
// no pools are named, zpool's next timestamp marks its end, so it arrives
// one interval late.
func (c *Client) IostatStream(ctx context.Context, interval time.Duration, count int, opts IostatOptions) iter.Seq2[*IostatSample, error] {
	const op = "zpool iostat"
	args, err := opts.args(op)
	if err == nil && interval <= 0 {
		err = errs.InvalidArgumentf(op, "", "interval must be positive, got %v", interval)
	}
	if err == nil && count < 0 {
		err = errs.InvalidArgumentf(op, "", "negative count %d", count)
	}
	if err != nil {
		return func(yield func(*IostatSample, error) bool) { yield(nil, err) }
	}
	args = append(args, opts.ExtraArgs...)
	args = append(args, opts.Pools...)
	args = append(args, seconds(interval))
	if count > 0 {
		args = append(args, strconv.Itoa(count))
	}
	return c.iostat(ctx, op, args, opts)
}

// seconds formats d as whole seconds, rounded up, at least 1.
func seconds(d time.Duration) string {
	s := int64(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10)
}

// iostat runs zpool iostat with its output piped to a parser and yields the
// samples as they are complete.
func (c *Client) iostat(ctx context.Context, op string, args []string, opts IostatOptions) iter.Seq2[*IostatSample, error] {
	name := ""
	if len(opts.Pools) == 1 {
		name = opts.Pools[0]
	}
	return func(yield func(*IostatSample, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			err := c.runCmd(ctx, op, name, &command.Cmd{Name: "zpool", Args: args, Stdout: pw})
			pw.CloseWithError(io.EOF)
			done <- err
		}()
		// Whatever ends the loop (a break, a panic in its body, a parse
		// error), the command is stopped and waited for.
		reaped := false
		defer func() {
			if !reaped {
				cancel()
				pr.CloseWithError(errStopped)
				<-done
			}
		}()
		p := newIostatParser(opts)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			for _, s := range p.line(sc.Text()) {
				if !yield(s, nil) {
					return
				}
			}
		}
		if err := sc.Err(); err != nil {
			yield(nil, parseErrorf(op, "%v", err))
			return
		}
		for _, s := range p.flush() {
			if !yield(s, nil) {
				return
			}
		}
		err := <-done
		reaped = true
		if err != nil {
			yield(nil, iostatError(err))
		}
	}
}

var errStopped = errors.New("iostat stopped")

// iostatError turns zpool iostat's failure for an unknown pool, which has
// no stderr text that Classify knows, into NotExist.
func iostatError(err error) error {
	var e *errors.Error
	if errors.As(err, &e) && e.Kind == errors.Other && strings.Contains(e.Stderr, "Unable to parse pools/vdevs list") {
		e2 := *e
		e2.Kind = errors.NotExist
		return &e2
	}
	return err
}

// iostatParser parses `zpool iostat -p -T u` output: -H lines (one per pool,
// tab-separated) or the indented -v display.
type iostatParser struct {
	verbose bool
	want    int // pools per sample, 0 if unknown
	cur     *IostatSample
	class   Class
	stack   []*VdevIO
	blocks  int // pools completed in cur (verbose)
}

func newIostatParser(o IostatOptions) *iostatParser {
	return &iostatParser{verbose: o.Vdevs, want: len(o.Pools)}
}

// line consumes one line and returns the samples it completes.
func (p *iostatParser) line(line string) []*IostatSample {
	t := strings.TrimSpace(line)
	if t == "" {
		return nil
	}
	if ts, err := strconv.ParseInt(t, 10, 64); err == nil && !strings.ContainsAny(line, " \t") {
		done := p.flush()
		p.cur = &IostatSample{Time: time.Unix(ts, 0)}
		return done
	}
	if p.verbose {
		return p.verboseLine(line, t)
	}
	f := strings.Split(line, "\t")
	if len(f) < 7 {
		return nil
	}
	st, ok := parseIOStats(f[len(f)-6:])
	if !ok {
		return nil
	}
	p.sample().Pools = append(p.sample().Pools, PoolIO{Name: strings.Join(f[:len(f)-6], "\t"), IOStats: st})
	if p.want > 0 && len(p.cur.Pools) >= p.want {
		return p.flush()
	}
	return nil
}

func (p *iostatParser) sample() *IostatSample {
	if p.cur == nil {
		p.cur = &IostatSample{}
	}
	return p.cur
}

// verboseLine handles a line of the -v display.
func (p *iostatParser) verboseLine(line, t string) []*IostatSample {
	if strings.HasPrefix(t, "---") {
		// A separator ends a pool's block (and follows the header).
		if p.cur != nil && len(p.cur.Pools) > p.blocks {
			p.blocks = len(p.cur.Pools)
			if p.want > 0 && p.blocks >= p.want {
				return p.flush()
			}
		}
		return nil
	}
	f := strings.Fields(t)
	if len(f) < 7 {
		return nil // the "capacity operations bandwidth" heading
	}
	if f[0] == "pool" || f[0] == "vdev" {
		if f[1] == "alloc" {
			return nil // column heading
		}
	}
	depth := len(line) - len(strings.TrimLeft(line, " "))
	cols := f[len(f)-6:]
	// The name is what precedes the six columns, spaces included.
	nameEnd := len(line)
	for i := 0; i < 6; i++ {
		nameEnd = strings.LastIndex(line[:nameEnd], cols[5-i])
		if nameEnd < 0 {
			return nil
		}
	}
	name := strings.TrimSpace(line[:nameEnd])
	if depth == 0 && allDashes(cols) {
		switch name {
		case "logs":
			p.class = ClassLog
		case "cache":
			p.class = ClassCache
		case "special":
			p.class = ClassSpecial
		case "dedup":
			p.class = ClassDedup
		default:
			return nil
		}
		p.stack = nil
		return nil
	}
	st, ok := parseIOStats(cols)
	if !ok {
		return nil
	}
	s := p.sample()
	if depth == 0 {
		s.Pools = append(s.Pools, PoolIO{Name: name, IOStats: st})
		p.class, p.stack = ClassNormal, nil
		return nil
	}
	if len(s.Pools) == 0 {
		return nil
	}
	pool := &s.Pools[len(s.Pools)-1]
	v := &VdevIO{Name: name, Class: p.class, IOStats: st}
	level := depth/2 - 1
	if level > len(p.stack) {
		level = len(p.stack)
	}
	if level < 0 {
		level = 0
	}
	p.stack = append(p.stack[:level], v)
	if level == 0 {
		pool.Vdevs = append(pool.Vdevs, v)
	} else {
		parent := p.stack[level-1]
		parent.Children = append(parent.Children, v)
	}
	return nil
}

func allDashes(cols []string) bool {
	for _, c := range cols {
		if c != "-" {
			return false
		}
	}
	return true
}

// flush returns the current sample if it has any pools.
func (p *iostatParser) flush() []*IostatSample {
	s := p.cur
	p.cur, p.blocks, p.stack, p.class = nil, 0, nil, ""
	if s == nil || len(s.Pools) == 0 {
		return nil
	}
	return []*IostatSample{s}
}

// parseIOStats parses the six default columns: alloc, free, read and write
// operations, read and write bandwidth. "-" is 0.
func parseIOStats(f []string) (IOStats, bool) {
	var v [6]uint64
	for i := range v {
		if f[i] == "-" {
			continue
		}
		n, err := strconv.ParseUint(f[i], 10, 64)
		if err != nil {
			return IOStats{}, false
		}
		v[i] = n
	}
	return IOStats{Alloc: v[0], Free: v[1], ReadOps: v[2], WriteOps: v[3], ReadBytes: v[4], WriteBytes: v[5]}, true
}
