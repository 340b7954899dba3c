package stream_test

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/gozfs/gozfs/stream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.Len(t, updates, 4)
	s := p.Snapshot()
	assert.Equal(t, int64(400), s.Bytes, "snapshot %+v", s)
	assert.Equal(t, 4*time.Second, s.Elapsed, "snapshot %+v", s)
	assert.Equal(t, float64(100), s.AvgRate, "snapshot %+v", s)
	assert.GreaterOrEqual(t, s.Rate, float64(95), "Rate")
	assert.LessOrEqual(t, s.Rate, float64(105), "Rate")
	assert.GreaterOrEqual(t, s.ETA, 95*time.Second, "ETA")
	assert.LessOrEqual(t, s.ETA, 97*time.Second, "ETA")
	assert.Equal(t, 0.04, s.Fraction(), "Fraction")
	// Speed up to 300 B/s: the windowed rate follows, the average lags.
	for range 30 {
		clk.Advance(100 * time.Millisecond)
		p.Add(30)
	}
	s = p.Snapshot()
	assert.GreaterOrEqual(t, s.Rate, float64(280), "after speed-up: rate")
	assert.LessOrEqual(t, s.Rate, float64(320), "after speed-up: rate")
	assert.LessOrEqual(t, s.AvgRate, float64(200), "after speed-up: rate")
	// Stall: the windowed rate decays to zero; ETA falls back to average.
	clk.Advance(10 * time.Second)
	s = p.Snapshot()
	want := time.Duration(float64(10000-1300) / s.AvgRate * float64(time.Second))
	assert.Zero(t, s.Rate, "stalled: rate")
	assert.Equal(t, want, s.ETA, "stalled: rate")
	final := p.Finish()
	assert.True(t, final.Done, "Finish = %+v", final)
	assert.True(t, updates[len(updates)-1].Done, "Finish = %+v", final)
	assert.Equal(t, int64(1300), final.Bytes, "Finish = %+v", final)
	n := len(updates)
	p.Finish()
	assert.Len(t, updates, n, "second Finish delivered another update")
	assert.NotEmpty(t, final.String(), "empty String")
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
	// counted once by the reader and once by the writer
	assert.Equal(t, int64(10000), got, "Run's update saw")
	p.Finish()
	cancel()
	if err := <-ran; err != nil {
		assert.Same(t, context.Canceled, err, "Run")
	}
}

func TestCountingAdapters(t *testing.T) {
	cw := stream.NewCountingWriter(nil)
	cr := stream.NewCountingReader(bytes.NewReader(make([]byte, 12345)))
	io.Copy(cw, cr)
	assert.Equal(t, int64(12345), cw.N(), "counts")
	assert.Equal(t, int64(12345), cr.N(), "counts")
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
		assert.Equal(t, tt.want, stream.FormatBytes(tt.n), "FormatBytes(%d)", tt.n)
	}
}
