package stream

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// CountingWriter counts the bytes written through it. It is safe to call N
// from another goroutine while writes are in progress.
type CountingWriter struct {
	w io.Writer
	n atomic.Int64
}

// NewCountingWriter returns a CountingWriter writing to w; a nil w discards.
func NewCountingWriter(w io.Writer) *CountingWriter {
	if w == nil {
		w = io.Discard
	}
	return &CountingWriter{w: w}
}

// Write writes p to the underlying writer and counts the bytes written.
func (c *CountingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// N returns the number of bytes written so far.
func (c *CountingWriter) N() int64 { return c.n.Load() }

// CountingReader counts the bytes read through it. It is safe to call N from
// another goroutine while reads are in progress.
type CountingReader struct {
	r io.Reader
	n atomic.Int64
}

// NewCountingReader returns a CountingReader reading from r.
func NewCountingReader(r io.Reader) *CountingReader { return &CountingReader{r: r} }

// Read reads from the underlying reader and counts the bytes returned.
func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// N returns the number of bytes read so far.
func (c *CountingReader) N() int64 { return c.n.Load() }

// ProgressOptions configure a Progress.
type ProgressOptions struct {
	// Total is the expected number of bytes, for percentages and the ETA;
	// zero means unknown. SetTotal changes it later.
	Total int64
	// Interval is the least time between two OnUpdate calls; zero means
	// 500 ms.
	Interval time.Duration
	// Window is the span over which the instantaneous rate is measured;
	// zero means 5 s.
	Window time.Duration
	// OnUpdate, if set, is called with a snapshot at most once per Interval
	// from Add (so from the goroutine doing the I/O, which it delays), from
	// Run's ticker, and once from Finish with Done set. Calls never overlap.
	OnUpdate func(ProgressSnapshot)
	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time
}

// ProgressSnapshot is the state of a Progress at one moment.
type ProgressSnapshot struct {
	// Bytes is the number of bytes counted so far.
	Bytes int64
	// Total is the expected size, or zero if unknown.
	Total int64
	// Elapsed is the time since the Progress was created.
	Elapsed time.Duration
	// Rate is the recent throughput in bytes per second, over the window.
	Rate float64
	// AvgRate is Bytes divided by Elapsed, in bytes per second.
	AvgRate float64
	// ETA is the estimated time to reach Total at the recent rate (the
	// average rate if the recent rate is zero); zero if Total is unknown
	// or reached, -1 if it cannot be estimated.
	ETA time.Duration
	// Done is set in the final snapshot delivered by Finish.
	Done bool
}

// Fraction returns Bytes/Total, at most 1 (a size estimate can fall short
// of the real stream), or 0 if Total is unknown.
func (s ProgressSnapshot) Fraction() float64 {
	if s.Total <= 0 {
		return 0
	}
	return min(1, float64(s.Bytes)/float64(s.Total))
}

// String formats the snapshot for a log line, e.g.
// "1.5 GiB / 3.0 GiB (50.0%) 120.0 MiB/s avg 110.0 MiB/s eta 13s".
func (s ProgressSnapshot) String() string {
	out := FormatBytes(s.Bytes)
	if s.Total > 0 {
		out += fmt.Sprintf(" / %s (%.1f%%)", FormatBytes(s.Total), 100*s.Fraction())
	}
	out += fmt.Sprintf(" %s/s avg %s/s", FormatBytes(int64(s.Rate)), FormatBytes(int64(s.AvgRate)))
	if s.ETA > 0 {
		out += " eta " + s.ETA.Round(time.Second).String()
	}
	return out
}

// FormatBytes formats n with a binary unit: "512 B", "1.5 KiB", "3.2 GiB".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit && n > -unit {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, u := range []string{"KiB", "MiB", "GiB", "TiB", "PiB"} {
		f /= unit
		if f < unit && f > -unit || u == "PiB" {
			return fmt.Sprintf("%.1f %s", f, u)
		}
	}
	return fmt.Sprintf("%d B", n) // not reached
}

// Progress tracks the bytes of a transfer over time: totals, recent and
// average rates and an ETA against an expected size, delivered to a
// throttled callback. Counting adapters (Writer, Reader) feed it. A Progress
// is safe for concurrent use.
type Progress struct {
	opts  ProgressOptions
	bytes atomic.Int64
	total atomic.Int64
	start time.Time
	// nextNanos is when the next OnUpdate is due, in nanoseconds since
	// start; checked without the lock on the hot path.
	nextNanos atomic.Int64
	done      atomic.Bool

	mu      sync.Mutex // guards samples and serializes OnUpdate
	samples []progressSample
}

type progressSample struct {
	t time.Duration
	n int64
}

const progressSamples = 32

// NewProgress returns a Progress that starts counting now.
func NewProgress(opts ProgressOptions) *Progress {
	if opts.Interval <= 0 {
		opts.Interval = 500 * time.Millisecond
	}
	if opts.Window <= 0 {
		opts.Window = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p := &Progress{opts: opts, start: opts.Now()}
	p.total.Store(opts.Total)
	p.samples = append(make([]progressSample, 0, progressSamples), progressSample{})
	p.nextNanos.Store(int64(opts.Interval))
	return p
}

// SetTotal changes the expected size; zero means unknown.
func (p *Progress) SetTotal(n int64) { p.total.Store(n) }

// Add counts n more bytes and calls OnUpdate if an update is due.
func (p *Progress) Add(n int64) {
	p.bytes.Add(n)
	if p.opts.OnUpdate == nil {
		return
	}
	now := p.opts.Now().Sub(p.start)
	if int64(now) < p.nextNanos.Load() {
		return
	}
	p.update(now, false)
}

// update records a sample and, unless another goroutine is delivering an
// update already, calls OnUpdate.
func (p *Progress) update(now time.Duration, final bool) ProgressSnapshot {
	if final {
		p.mu.Lock()
	} else if !p.mu.TryLock() {
		return ProgressSnapshot{}
	}
	defer p.mu.Unlock()
	if !final && (p.done.Load() || int64(now) < p.nextNanos.Load()) {
		return ProgressSnapshot{}
	}
	p.nextNanos.Store(int64(now + p.opts.Interval))
	s := p.snapshotLocked(now)
	s.Done = final
	if p.opts.OnUpdate != nil {
		p.opts.OnUpdate(s)
	}
	return s
}

// Snapshot returns the current state.
func (p *Progress) Snapshot() ProgressSnapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.snapshotLocked(p.opts.Now().Sub(p.start))
}

// snapshotLocked computes a snapshot at now and records a rate sample.
func (p *Progress) snapshotLocked(now time.Duration) ProgressSnapshot {
	n := p.bytes.Load()
	// Keep samples spaced at least Window/progressSamples apart.
	last := p.samples[len(p.samples)-1]
	if now-last.t >= p.opts.Window/progressSamples {
		if len(p.samples) == cap(p.samples) {
			copy(p.samples, p.samples[1:])
			p.samples = p.samples[:len(p.samples)-1]
		}
		p.samples = append(p.samples, progressSample{t: now, n: n})
	}
	// The rate is measured from the oldest sample inside the window.
	base := p.samples[0]
	for _, s := range p.samples {
		if now-s.t <= p.opts.Window {
			base = s
			break
		}
	}
	s := ProgressSnapshot{Bytes: n, Total: p.total.Load(), Elapsed: now}
	if d := (now - base.t).Seconds(); d > 0 {
		s.Rate = float64(n-base.n) / d
	}
	if secs := now.Seconds(); secs > 0 {
		s.AvgRate = float64(n) / secs
	}
	if s.Total > 0 && n < s.Total {
		r := s.Rate
		if r <= 0 {
			r = s.AvgRate
		}
		if r > 0 {
			s.ETA = time.Duration(float64(s.Total-n) / r * float64(time.Second))
		} else {
			s.ETA = -1
		}
	}
	return s
}

// Finish delivers a final snapshot with Done set to OnUpdate (once; later
// calls do nothing) and returns it. It also stops Run.
func (p *Progress) Finish() ProgressSnapshot {
	if p.done.Swap(true) {
		return p.Snapshot()
	}
	return p.update(p.opts.Now().Sub(p.start), true)
}

// Run calls OnUpdate every Interval, so updates continue while the transfer
// is stalled, until ctx is done or Finish is called. Run it in its own
// goroutine; it returns ctx's error or nil after Finish.
func (p *Progress) Run(ctx context.Context) error {
	t := time.NewTicker(p.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if p.done.Load() {
				return nil
			}
			p.update(p.opts.Now().Sub(p.start), false)
		}
	}
}

// Writer returns a writer that writes to w and counts the bytes into p.
func (p *Progress) Writer(w io.Writer) io.Writer { return progressWriter{p: p, w: w} }

// Reader returns a reader that reads from r and counts the bytes into p.
func (p *Progress) Reader(r io.Reader) io.Reader { return progressReader{p: p, r: r} }

// WriteTransform returns the counting Writer as a WriteTransform.
func (p *Progress) WriteTransform() WriteTransform {
	return func(w io.Writer) (io.WriteCloser, error) { return NopWriteCloser(p.Writer(w)), nil }
}

// ReadTransform returns the counting Reader as a ReadTransform.
func (p *Progress) ReadTransform() ReadTransform {
	return func(r io.Reader) (io.ReadCloser, error) { return io.NopCloser(p.Reader(r)), nil }
}

type progressWriter struct {
	p *Progress
	w io.Writer
}

func (w progressWriter) Write(b []byte) (int, error) {
	n, err := w.w.Write(b)
	w.p.Add(int64(n))
	return n, err
}

type progressReader struct {
	p *Progress
	r io.Reader
}

func (r progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.p.Add(int64(n))
	return n, err
}
