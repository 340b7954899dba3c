package stream_test

import (
	"bytes"
	"context"
	"io"
	"math"
	"testing"
	"time"

	"github.com/gozfs/gozfs/stream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLimiterWriterLimits(t *testing.T) {
	l := stream.NewLimiter(200_000, 20_000)
	var out bytes.Buffer
	w := l.Writer(context.Background(), &out)
	start := time.Now()
	n, err := w.Write(make([]byte, 60_000))
	require.NoError(t, err, "Write")
	require.Equal(t, 60_000, n, "Write")
	require.Equal(t, 60_000, out.Len(), "Write")
	// 20 KB burst free, 40 KB at 200 KB/s: at least 200 ms (lower bound only).
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond, "60 KB at 200 KB/s with 20 KB burst took")
}

func TestLimiterReaderAndChain(t *testing.T) {
	l := stream.NewLimiter(0, 0) // unlimited
	assert.True(t, math.IsInf(l.Rate(), 1), "unlimited limiter: rate %v burst", l.Rate())
	assert.Equal(t, 64<<10, l.Burst(), "unlimited limiter: rate %v burst", l.Rate())
	ctx := context.Background()
	r, _ := stream.ChainReader(bytes.NewReader(make([]byte, 1<<20)), l.ReadTransform(ctx))
	n, err := io.Copy(io.Discard, r)
	require.NoError(t, err, "Copy")
	require.Equal(t, int64(1<<20), n, "Copy")
	var out bytes.Buffer
	w, _ := stream.ChainWriter(&out, l.WriteTransform(ctx))
	w.Write([]byte("hello"))
	w.Close()
	assert.Equal(t, "hello", out.String(), "out")
}

func TestLimiterContextCancel(t *testing.T) {
	l := stream.NewLimiter(10, 10) // 10 B/s
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := l.Writer(ctx, io.Discard).Write(make([]byte, 1000))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		require.Fail(t, "Write did not return after cancel")
	}
}

func TestLimiterSetRateWhileRunning(t *testing.T) {
	l := stream.NewLimiter(1000, 100) // 100 s for 100 KB at this rate
	done := make(chan error)
	go func() {
		_, err := l.Reader(context.Background(), bytes.NewReader(make([]byte, 100_000))).Read(make([]byte, 100_000))
		if err == nil {
			_, err = io.Copy(io.Discard, l.Reader(context.Background(), bytes.NewReader(make([]byte, 100_000))))
		}
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	l.SetRate(0)
	l.SetBurst(1 << 20)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		require.Fail(t, "raising the rate did not take effect")
	}
	assert.Equal(t, 1<<20, l.Burst(), "Burst")
}
