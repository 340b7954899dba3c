package stream_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"testing"
	"time"

	"github.com/gozfs/gozfs/stream"
)

func TestLimiterWriterLimits(t *testing.T) {
	l := stream.NewLimiter(200_000, 20_000)
	var out bytes.Buffer
	w := l.Writer(context.Background(), &out)
	start := time.Now()
	n, err := w.Write(make([]byte, 60_000))
	if err != nil || n != 60_000 || out.Len() != 60_000 {
		t.Fatalf("Write = %d, %v", n, err)
	}
	// 20 KB burst free, 40 KB at 200 KB/s: at least 200 ms (lower bound only).
	if el := time.Since(start); el < 150*time.Millisecond {
		t.Errorf("60 KB at 200 KB/s with 20 KB burst took %v, want >= ~200ms", el)
	}
}

func TestLimiterReaderAndChain(t *testing.T) {
	l := stream.NewLimiter(0, 0) // unlimited
	if !math.IsInf(l.Rate(), 1) || l.Burst() != 64<<10 {
		t.Errorf("unlimited limiter: rate %v burst %d", l.Rate(), l.Burst())
	}
	ctx := context.Background()
	r, _ := stream.ChainReader(bytes.NewReader(make([]byte, 1<<20)), l.ReadTransform(ctx))
	n, err := io.Copy(io.Discard, r)
	if err != nil || n != 1<<20 {
		t.Fatalf("Copy = %d, %v", n, err)
	}
	var out bytes.Buffer
	w, _ := stream.ChainWriter(&out, l.WriteTransform(ctx))
	w.Write([]byte("hello"))
	w.Close()
	if out.String() != "hello" {
		t.Errorf("out = %q", out.String())
	}
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
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Write did not return after cancel")
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
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("raising the rate did not take effect")
	}
	if l.Burst() != 1<<20 {
		t.Errorf("Burst = %d", l.Burst())
	}
}
