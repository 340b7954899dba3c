// Package progressbar draws a terminal progress bar for a stream.Progress,
// using github.com/schollz/progressbar/v3. It is a separate package so that
// the stream package itself does not depend on a terminal library.
//
// Typical use:
//
//	bar := progressbar.New(os.Stderr, expectedSize, progressbar.Options{Description: "send"})
//	p := stream.NewProgress(stream.ProgressOptions{Total: expectedSize, OnUpdate: bar.Update})
//	io.Copy(p.Writer(dst), src)
//	p.Finish()
package progressbar

import (
	"io"
	"sync"
	"time"

	pb "github.com/schollz/progressbar/v3"

	"github.com/gozfs/gozfs/stream"
)

// Options configure a Bar.
type Options struct {
	// Description is printed before the bar.
	Description string
	// Width is the bar width in characters; zero means 30.
	Width int
	// Throttle is the least time between redraws; zero means 100 ms.
	Throttle time.Duration
}

// Bar is a byte-counting progress bar written to a terminal (or any
// writer). Its Update method is a stream.ProgressOptions.OnUpdate callback.
// A Bar is safe for concurrent use.
type Bar struct {
	mu    sync.Mutex
	bar   *pb.ProgressBar
	total int64
	done  bool
}

// New returns a Bar writing to out for a transfer of total bytes; total <= 0
// means unknown, which shows a byte counter and rate without a bar.
func New(out io.Writer, total int64, opts Options) *Bar {
	if opts.Width == 0 {
		opts.Width = 30
	}
	if opts.Throttle == 0 {
		opts.Throttle = 100 * time.Millisecond
	}
	max := total
	if max <= 0 {
		max = -1
	}
	bar := pb.NewOptions64(max,
		pb.OptionSetWriter(out),
		pb.OptionSetDescription(opts.Description),
		pb.OptionSetWidth(opts.Width),
		pb.OptionThrottle(opts.Throttle),
		pb.OptionShowBytes(true),
		pb.OptionShowTotalBytes(true),
		pb.OptionUseIECUnits(true),
		pb.OptionShowCount(),
		// No background redraw goroutine: redraws happen on Update only.
		pb.OptionSetSpinnerChangeInterval(0),
		pb.OptionOnCompletion(func() { io.WriteString(out, "\n") }),
	)
	return &Bar{bar: bar, total: total}
}

// Update moves the bar to s.Bytes (and to a new total if s.Total changed,
// or if s.Bytes passed it);
// a snapshot with Done set finishes the bar.
func (b *Bar) Update(s stream.ProgressSnapshot) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	// An estimate can fall short: the bar grows rather than pass 100%.
	if total := max(s.Total, s.Bytes); s.Total > 0 && total != b.total {
		b.total = total
		b.bar.ChangeMax64(total)
	}
	b.bar.Set64(s.Bytes)
	if s.Done {
		b.finishLocked()
	}
}

// Finish completes the bar and ends its line. Calling it again does nothing.
func (b *Bar) Finish() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.finishLocked()
}

func (b *Bar) finishLocked() error {
	if b.done {
		return nil
	}
	b.done = true
	if b.total <= 0 {
		// Unknown size: Finish would jump to a max of -1; just end the line.
		return b.bar.Exit()
	}
	return b.bar.Finish()
}
