package progressbar_test

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/progressbar"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestBar(t *testing.T) {
	tests := []struct {
		name  string
		total int64
		want  []string
	}{
		{"known size", 1 << 20, []string{"send", "100%", "1.0 MiB"}},
		{"unknown size", 0, []string{"recv", "MiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			desc := tt.want[0]
			bar := progressbar.New(&out, tt.total, progressbar.Options{Description: desc, Throttle: time.Nanosecond})
			p := stream.NewProgress(stream.ProgressOptions{Total: tt.total, Interval: time.Nanosecond, OnUpdate: bar.Update})
			io.Copy(p.Writer(io.Discard), bytes.NewReader(make([]byte, 1<<20)))
			p.Finish()
			require.NoError(t, bar.Finish())
			for _, w := range tt.want {
				assert.Contains(t, out.String(), w, "output lacks")
			}
		})
	}
}

func Example() {
	const size = 8 << 20
	bar := progressbar.New(os.Stderr, size, progressbar.Options{Description: "copy"})
	p := stream.NewProgress(stream.ProgressOptions{Total: size, OnUpdate: bar.Update})
	io.Copy(p.Writer(io.Discard), bytes.NewReader(make([]byte, size)))
	p.Finish() // the final snapshot completes the bar
}
