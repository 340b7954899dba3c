package send_test

import (
	"context"
	"io"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/gozfs/gozfs/send"
	"github.com/stretchr/testify/require"
)

// benchBytes is what the fake zfs send produces per operation.
const benchBytes = 512 << 20

// The headline benchmark times ours and a baseline in the same iteration and
// reports "ratio" = baseline time / our time (our throughput / the
// baseline's), so higher is better and 1.0 means parity.
func reportRatio(b *testing.B, base, ours time.Duration) {
	b.ReportMetric(float64(base)/float64(ours), "ratio")
	b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "ours-ns/op")
	b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "base-ns/op")
}

// drain reads r to its end with a cat-sized buffer.
func drain(b *testing.B, r io.Reader, buf []byte) int64 {
	var n int64
	for {
		m, err := r.Read(buf)
		n += int64(m)
		if err == io.EOF {
			return n
		}
		require.NoError(b, err)
	}
}

// BenchmarkReader: a fake zfs send (head -c from /dev/zero) read through a
// send.Stream, versus the same child's standard output read directly from an
// os/exec pipe, both with 128 KiB reads as cat does. Shows the plumbing
// overhead of the pull API (process start, pipe, error propagation).
func BenchmarkReader(b *testing.B) {
	c, _ := fakeZFS(b, `exec head -c `+strconv.Itoa(benchBytes)+` /dev/zero`)
	buf := make([]byte, 128<<10)
	ctx := context.Background()
	b.SetBytes(benchBytes)
	var base, ours time.Duration
	for b.Loop() {
		t0 := time.Now()
		cmd := exec.Command("head", "-c", strconv.Itoa(benchBytes), "/dev/zero")
		out, err := cmd.StdoutPipe()
		require.NoError(b, err)
		require.NoError(b, cmd.Start())
		require.Equal(b, int64(benchBytes), drain(b, out, buf), "baseline read")
		require.NoError(b, cmd.Wait())
		base += time.Since(t0)

		t0 = time.Now()
		s, err := send.Reader(ctx, c, snap, send.Options{})
		require.NoError(b, err)
		require.Equal(b, int64(benchBytes), drain(b, s, buf), "send.Reader read")
		s.Close()
		ours += time.Since(t0)
	}
	reportRatio(b, base, ours)
}

// BenchmarkTo: send.To into a non-file writer (the exec runner drains the
// pipe), versus the os/exec pipe baseline. Both discard the data.
func BenchmarkTo(b *testing.B) {
	c, _ := fakeZFS(b, `exec head -c `+strconv.Itoa(benchBytes)+` /dev/zero`)
	buf := make([]byte, 128<<10)
	ctx := context.Background()
	b.SetBytes(benchBytes)
	var base, ours time.Duration
	for b.Loop() {
		t0 := time.Now()
		cmd := exec.Command("head", "-c", strconv.Itoa(benchBytes), "/dev/zero")
		out, _ := cmd.StdoutPipe()
		require.NoError(b, cmd.Start())
		drain(b, out, buf)
		cmd.Wait()
		base += time.Since(t0)

		t0 = time.Now()
		require.NoError(b, send.To(ctx, c, discard{}, snap, send.Options{}))
		ours += time.Since(t0)
	}
	reportRatio(b, base, ours)
}

// discard is io.Discard without ReadFrom, so the copy is a real one.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
