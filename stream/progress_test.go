package stream_test

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/gozfs/gozfs/stream"
)

// fakeClock is a settable clock for Progress tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestProgressRatesAndETA(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	var updates []stream.ProgressSnapshot
	p := stream.NewProgress(stream.ProgressOptions{
		Total:    10000,
		Interval: time.Second,
		Window:   2 * time.Second,
		Now:      clk.Now,
		OnUpdate: func(s stream.ProgressSnapshot) { updates = append(updates, s) },
	})
	// 100 B/s for 4 s: one update per second of fake time.
	for range 40 {
		clk.Advance(100 * time.Millisecond)
		p.Add(10)
	}
	if len(updates) != 4 {
		t.Fatalf("got %d updates, want 4 (throttled to 1/s)", len(updates))
	}
	s := p.Snapshot()
	if s.Bytes != 400 || s.Elapsed != 4*time.Second || s.AvgRate != 100 {
		t.Errorf("snapshot %+v", s)
	}
	if s.Rate < 95 || s.Rate > 105 {
		t.Errorf("Rate = %v, want ~100", s.Rate)
	}
	if s.ETA < 95*time.Second || s.ETA > 97*time.Second {
		t.Errorf("ETA = %v, want ~96s", s.ETA)
	}
	if f := s.Fraction(); f != 0.04 {
		t.Errorf("Fraction = %v", f)
	}
	// Speed up to 300 B/s: the windowed rate follows, the average lags.
	for range 30 {
		clk.Advance(100 * time.Millisecond)
		p.Add(30)
	}
	s = p.Snapshot()
	if s.Rate < 280 || s.Rate > 320 || s.AvgRate > 200 {
		t.Errorf("after speed-up: rate %v avg %v", s.Rate, s.AvgRate)
	}
	// Stall: the windowed rate decays to zero; ETA falls back to average.
	clk.Advance(10 * time.Second)
	s = p.Snapshot()
	if want := time.Duration(float64(10000-1300) / s.AvgRate * float64(time.Second)); s.Rate != 0 || s.ETA != want {
		t.Errorf("stalled: rate %v eta %v, want 0 and %v", s.Rate, s.ETA, want)
	}
	final := p.Finish()
	if !final.Done || !updates[len(updates)-1].Done || final.Bytes != 1300 {
		t.Errorf("Finish = %+v", final)
	}
	n := len(updates)
	if p.Finish(); len(updates) != n {
		t.Errorf("second Finish delivered another update")
	}
	if got := final.String(); got == "" {
		t.Error("empty String")
	}
}

func TestProgressAdaptersAndRun(t *testing.T) {
	var mu sync.Mutex
	var last stream.ProgressSnapshot
	p := stream.NewProgress(stream.ProgressOptions{Interval: time.Millisecond, OnUpdate: func(s stream.ProgressSnapshot) {
		mu.Lock()
		last = s
		mu.Unlock()
	}})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error)
	go func() { ran <- p.Run(ctx) }()
	io.Copy(p.Writer(io.Discard), p.Reader(bytes.NewReader(make([]byte, 5000))))
	time.Sleep(5 * time.Millisecond)
	mu.Lock()
	got := last.Bytes
	mu.Unlock()
	if got != 10000 { // counted once by the reader and once by the writer
		t.Errorf("Run's update saw %d bytes, want 10000", got)
	}
	p.Finish()
	cancel()
	if err := <-ran; err != nil && err != context.Canceled {
		t.Errorf("Run = %v", err)
	}
}

func TestCountingAdapters(t *testing.T) {
	cw := stream.NewCountingWriter(nil)
	cr := stream.NewCountingReader(bytes.NewReader(make([]byte, 12345)))
	io.Copy(cw, cr)
	if cw.N() != 12345 || cr.N() != 12345 {
		t.Errorf("counts %d %d", cw.N(), cr.N())
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"},
		{5 << 30, "5.0 GiB"}, {1 << 62, "4096.0 PiB"},
	}
	for _, tt := range tests {
		if got := stream.FormatBytes(tt.n); got != tt.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
