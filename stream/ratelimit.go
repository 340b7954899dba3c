package stream

import (
	"context"
	"io"
	"math"

	"golang.org/x/time/rate"
)

// Limiter limits the throughput of one or more streams to a rate in bytes
// per second with a burst allowance, using a token bucket
// (golang.org/x/time/rate). All readers and writers made from one Limiter
// share its budget. The rate and burst can be changed while streams run; a
// change takes effect within about a tenth of a second. A Limiter is safe for
// concurrent use.
type Limiter struct {
	l *rate.Limiter
}

// NewLimiter returns a Limiter allowing bytesPerSec bytes per second on
// average and bursts of up to burst bytes. bytesPerSec <= 0 means unlimited;
// burst <= 0 means 64 KiB.
func NewLimiter(bytesPerSec float64, burst int) *Limiter {
	return &Limiter{l: rate.NewLimiter(toLimit(bytesPerSec), toBurst(burst))}
}

func toLimit(bps float64) rate.Limit {
	if bps <= 0 || math.IsInf(bps, 1) {
		return rate.Inf
	}
	return rate.Limit(bps)
}

func toBurst(b int) int {
	if b <= 0 {
		return 64 << 10
	}
	return b
}

// SetRate changes the rate; bytesPerSec <= 0 means unlimited.
func (l *Limiter) SetRate(bytesPerSec float64) { l.l.SetLimit(toLimit(bytesPerSec)) }

// SetBurst changes the burst; burst <= 0 means 64 KiB.
func (l *Limiter) SetBurst(burst int) { l.l.SetBurst(toBurst(burst)) }

// Rate returns the current rate in bytes per second, or +Inf when unlimited.
func (l *Limiter) Rate() float64 {
	if l.l.Limit() == rate.Inf {
		return math.Inf(1)
	}
	return float64(l.l.Limit())
}

// Burst returns the current burst in bytes.
func (l *Limiter) Burst() int { return l.l.Burst() }

// step returns how many bytes to pass per wait: at most the burst, and small
// enough that one wait lasts about 100 ms, so rate changes apply quickly.
func (l *Limiter) step() int {
	n := l.l.Burst()
	if lim := l.l.Limit(); lim != rate.Inf {
		n = min(n, max(1, int(float64(lim)/10)))
	}
	return max(1, n)
}

// wait blocks until n bytes may pass.
func (l *Limiter) wait(ctx context.Context, n int) error {
	if l.l.Limit() == rate.Inf {
		return ctx.Err()
	}
	for n > 0 {
		// The burst may shrink between step and wait; WaitN fails for
		// more than the burst, so never ask for more.
		k := min(n, max(1, l.l.Burst()))
		if err := l.l.WaitN(ctx, k); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// Writer returns a writer that passes writes to w no faster than the rate.
// Waits end early with ctx's error when ctx is done.
func (l *Limiter) Writer(ctx context.Context, w io.Writer) io.Writer {
	return &limitedWriter{ctx: ctx, l: l, w: w}
}

// Reader returns a reader that returns data from r no faster than the rate;
// it waits after each read for the bytes it returned. Waits end early with
// ctx's error when ctx is done.
func (l *Limiter) Reader(ctx context.Context, r io.Reader) io.Reader {
	return &limitedReader{ctx: ctx, l: l, r: r}
}

// WriteTransform returns the Writer as a WriteTransform, for chains.
func (l *Limiter) WriteTransform(ctx context.Context) WriteTransform {
	return func(w io.Writer) (io.WriteCloser, error) { return NopWriteCloser(l.Writer(ctx, w)), nil }
}

// ReadTransform returns the Reader as a ReadTransform, for chains.
func (l *Limiter) ReadTransform(ctx context.Context) ReadTransform {
	return func(r io.Reader) (io.ReadCloser, error) { return io.NopCloser(l.Reader(ctx, r)), nil }
}

type limitedWriter struct {
	ctx context.Context
	l   *Limiter
	w   io.Writer
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		n := min(len(p), w.l.step())
		if err := w.l.wait(w.ctx, n); err != nil {
			return total, err
		}
		k, err := w.w.Write(p[:n])
		total += k
		if err != nil {
			return total, err
		}
		p = p[k:]
	}
	return total, nil
}

type limitedReader struct {
	ctx context.Context
	l   *Limiter
	r   io.Reader
}

func (r *limitedReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := r.r.Read(p[:min(len(p), r.l.step())])
	if n > 0 {
		if werr := r.l.wait(r.ctx, n); werr != nil {
			return n, werr
		}
	}
	return n, err
}
