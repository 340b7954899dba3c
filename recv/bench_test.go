package recv_test

import (
	"context"
	"io"
	"os/exec"
	"testing"
	"time"

	"github.com/gozfs/gozfs/recv"
	"github.com/stretchr/testify/require"
)

// benchBytes is what is fed to the fake zfs receive per operation.
const benchBytes = 512 << 20

// zeros is an endless reader of zero bytes without WriteTo, like a socket.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// BenchmarkInto: a stream fed by recv.Into (through its hold-back copier and
// a 1 MiB pipe) into a fake zfs receive that discards it (cat), versus the
// same child fed through an os/exec stdin pipe with the same 256 KiB writes.
// "ratio" is baseline time / our time, higher is better.
func BenchmarkInto(b *testing.B) {
	c, _ := fakeZFS(b, `exec cat > /dev/null`)
	ctx := context.Background()
	b.SetBytes(benchBytes)
	buf := make([]byte, 256<<10)
	var base, ours time.Duration
	for b.Loop() {
		t0 := time.Now()
		cmd := exec.Command("cat")
		in, err := cmd.StdinPipe()
		require.NoError(b, err)
		require.NoError(b, cmd.Start())
		for n := 0; n < benchBytes; n += len(buf) {
			_, err = in.Write(buf)
			require.NoError(b, err)
		}
		in.Close()
		require.NoError(b, cmd.Wait())
		base += time.Since(t0)

		t0 = time.Now()
		_, err = recv.Into(ctx, c, "tank/b", io.LimitReader(zeros{}, benchBytes), recv.Options{})
		require.NoError(b, err)
		ours += time.Since(t0)
	}
	b.ReportMetric(float64(base)/float64(ours), "ratio")
	b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "ours-ns/op")
	b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "base-ns/op")
}
