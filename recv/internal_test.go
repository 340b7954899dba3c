package recv

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gozfs/gozfs/format/resumetoken"
	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFeedHoldsBack(t *testing.T) {
	data := make([]byte, 3*copyBufferSize+123)
	for i := range data {
		data[i] = byte(i * 7)
	}
	boom := errors.New("boom")
	tests := []struct {
		name     string
		src      io.Reader
		closeErr error
		hold     int
		wantN    int // bytes that reach dst
		readErr  error
	}{
		{"clean", bytes.NewReader(data), nil, holdBack, len(data), nil},
		{"clean, one byte at a time", iotest.OneByteReader(bytes.NewReader(data[:5000])), nil, holdBack, 5000, nil},
		{"clean, data with EOF", iotest.DataErrReader(bytes.NewReader(data)), nil, holdBack, len(data), nil},
		{"shorter than hold", bytes.NewReader(data[:100]), nil, holdBack, 100, nil},
		{"error at end", io.MultiReader(bytes.NewReader(data), iotest.ErrReader(boom)), nil, holdBack, len(data) - holdBack, boom},
		{"error with data", iotest.TimeoutReader(bytes.NewReader(data)), nil, holdBack, 0, iotest.ErrTimeout},
		{"close fails", bytes.NewReader(data), boom, holdBack, len(data) - holdBack, boom},
		{"no hold", io.MultiReader(bytes.NewReader(data), iotest.ErrReader(boom)), nil, 0, len(data), boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst bytes.Buffer
			closes := 0
			p := stream.NewProgress(stream.ProgressOptions{})
			res := feed(&dst, tt.src, func() error { closes++; return tt.closeErr }, tt.hold, p)
			if tt.name == "error with data" {
				// TimeoutReader fails the second read: only the part of the
				// first read beyond the hold may have been written.
				tt.wantN = max(0, min(len(data), copyBufferSize+holdBack)-holdBack)
			}
			assert.Equal(t, tt.wantN, dst.Len(), "dst")
			assert.Equal(t, data[:dst.Len()], dst.Bytes(), "dst")
			assert.ErrorIs(t, res.readErr, tt.readErr, "readErr")
			assert.Equal(t, res.readErr == nil, tt.readErr == nil, "readErr")
			assert.Equal(t, 1, closes, "source closed")
			got := p.Snapshot().Bytes
			assert.Equal(t, int64(dst.Len()), got, "progress %d, want %d", got, dst.Len())
		})
	}
}

func TestFeedWriteError(t *testing.T) {
	werr := errors.New("EPIPE")
	closes := 0
	res := feed(errWriter{werr}, bytes.NewReader(make([]byte, 1<<20)), func() error { closes++; return nil }, holdBack, nil)
	assert.Same(t, werr, res.writeErr, "res = %+v", res)
	assert.NoError(t, res.readErr, "res = %+v", res)
	assert.Equal(t, 1, closes, "source closes")
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

func TestParseReceiving(t *testing.T) {
	tests := []struct {
		line, target, want string
	}{
		{"receiving full stream of p1/src@s1 into p1/dst@s1", "p1/dst", "p1/dst@s1"},
		{"receiving incremental stream of p1/src@s2 into p1/dst@s2", "p1/dst", "p1/dst@s2"},
		{"receiving full stream of p1/src/child@r1 into p1/rr/src/child@r1", "p1/rr", "p1/rr/src/child@r1"},
		{"would receive full stream of p1/src@s1 into p1/dst@s1", "p1/dst", "p1/dst@s1"},
		{"receiving corrective full stream of p1/src@s1 into p1/dst@s1", "p1/dst@s1", "p1/dst@s1"},
		{"receiving full stream of p1/a into b@s into p1/x into y@s", "p1/x into y", "p1/x into y@s"},
		{"receiving full stream of p1/a@s into p2/b@s\r", "p2/b", "p2/b@s"},
		{"received 4.05M stream in 1.91 seconds (2.13M/sec)", "p1/dst", ""},
		{"receiving full stream of p1/a@s into nothing", "p1/dst", ""},
		{"", "p1/dst", ""},
	}
	for _, tt := range tests {
		got, ok := parseReceiving(tt.line, tt.target)
		assert.Equal(t, tt.want, got, "parseReceiving(%q)", tt.line)
		assert.Equal(t, tt.want != "", ok, "parseReceiving(%q)", tt.line)
	}
}

func TestVerboseLog(t *testing.T) {
	v := &verboseLog{target: "p1/rr"}
	out := "receiving full stream of p1/src@s1 into p1/rr/src@s1\nreceived 4.05M stream in 2.06 seconds (1.97M/sec)\nreceiving incremental stream of p1/src@s2 into p1/rr/src@s2\nsnap p1/rr/src@s2 already exists; ignoring\nreceived 0B stream in 0.01 seconds (0B/sec)\nreceiving full stream of p1/src/child@r1 into p1/rr/src/child@r1"
	for _, chunk := range []string{out[:10], out[10:77], out[77:150], out[150:]} {
		v.Write([]byte(chunk))
	}
	// Failed while receiving the child.
	want := Result{Snapshots: []string{"p1/rr/src@s1"}, Skipped: []string{"p1/rr/src@s2"}, Incomplete: "p1/rr/src/child@r1"}
	assert.Equal(t, want, *v.result(false, false))
	// Succeeded: the last substream was received though its line is missing.
	want = Result{Snapshots: []string{"p1/rr/src@s1", "p1/rr/src/child@r1"}, Skipped: []string{"p1/rr/src@s2"}}
	assert.Equal(t, want, *v.result(true, false))
}

// TestVerboseLogGolden reads what real zfs receive -v printed
// (errors/testdata, captured by errors/testdata/capture.sh).
func TestVerboseLogGolden(t *testing.T) {
	for _, ver := range []string{"2.3.2", "2.1.11"} {
		for _, tc := range []struct {
			capture, target string
			ok              bool
			want            Result
		}{
			{"recv-incremental", "gzerr/copy", true, Result{Snapshots: []string{"gzerr/copy@s2"}}},
			{"recv-incremental-again", "gzerr/copy", true, Result{Skipped: []string{"gzerr/copy@s2"}}},
			{"recv-cut-resumable", "gzerr/partial", false, Result{Incomplete: "gzerr/partial@big"}},
			{"recv-cut-incremental", "gzerr/incpartial", false, Result{Incomplete: "gzerr/incpartial@big"}},
			{"recv-into-partial-incremental", "gzerr/incpartial", false, Result{Incomplete: "gzerr/incpartial@big"}},
			{"recv-filesystem-stream", "gzerr/fromfs", true, Result{Snapshots: []string{"gzerr/fromfs@--head--"}}},
		} {
			t.Run(ver+"/"+tc.capture, func(t *testing.T) {
				out, err := os.ReadFile(filepath.Join("..", "errors", "testdata", ver, tc.capture+".out"))
				require.NoError(t, err)
				v := &verboseLog{target: tc.target}
				v.Write(out)
				assert.Equal(t, tc.want, *v.result(tc.ok, false))
			})
		}
	}
}

func FuzzParseReceiving(f *testing.F) {
	f.Add("receiving full stream of p1/src@s1 into p1/dst@s1", "p1/dst")
	f.Add("would receive incremental stream of a b@c into a b/c d@e", "a b")
	f.Fuzz(func(t *testing.T, line, target string) {
		got, ok := parseReceiving(line, target)
		if !ok {
			require.Empty(t, got, "not ok")
			return
		}
		require.NoError(t, names.Snapshot(got), "returned invalid snapshot name %q", got)
		require.True(t, strings.HasSuffix(line, got) || strings.HasSuffix(strings.TrimRight(line, "\r"), got), "%q is not the end of %q", got, line)
		if strings.ContainsAny(line, "\n") {
			return // verboseLog splits lines first
		}
		v := &verboseLog{target: target}
		v.Write([]byte(line + "\n"))
		require.Equal(t, []string{got}, v.result(true, false).Snapshots, "verboseLog")
	})
}

// TestResumeProgress: after a resume, the resumed stream starts at the
// receiver's byte count, so the total becomes what was counted plus the
// size of the resumed stream, and the transfer ends at 100%, not above.
func TestResumeProgress(t *testing.T) {
	tok, err := (&resumetoken.Token{ToGUID: 1, ToName: "tank/a@s", Object: 2, Offset: 1 << 17, Bytes: 400}).Encode()
	require.NoError(t, err)
	ctx := context.Background()
	f := commandtest.New(t).InOrder()
	f.Expect("zfs", "send", "-n", "-v", "-P", "-t", tok).Stdout("resume token contents:\nnvlist version: 0\nfull\ttank/a@s\t650\nsize\t650\n")
	f.Expect("zfs", "send", "-n", "-v", "-P", "-t", tok).Stderr("cannot resume send: 'tank/a@s' used in the initial send no longer exists\n").Exit(1)
	c := zfs.New(zfs.ClientOptions{Runner: f})

	p := stream.NewProgress(stream.ProgressOptions{Total: 1000})
	p.Add(600) // 200 bytes sent but lost with the receiver
	unknown := stream.NewProgress(stream.ProgressOptions{})
	resumeProgress(ctx, c, send.Options{ResumeToken: tok}, p, p, unknown, nil)
	assert.Equal(t, int64(1250), p.Snapshot().Total, "counted + zfs's estimate of the rest")
	assert.Equal(t, int64(0), unknown.Snapshot().Total)

	// Without an estimate: the old total less what the receiver kept.
	p = stream.NewProgress(stream.ProgressOptions{Total: 1000})
	p.Add(600)
	resumeProgress(ctx, c, send.Options{ResumeToken: tok}, p)
	assert.Equal(t, int64(1200), p.Snapshot().Total)
	p.Add(600) // the rest: 1000 - 400
	s := p.Snapshot()
	assert.Equal(t, 1.0, s.Fraction())
	assert.Equal(t, s.Total, s.Bytes)

	resumeProgress(ctx, c, send.Options{ResumeToken: "garbage"}, p) // no token, no change
	assert.Equal(t, int64(1200), p.Snapshot().Total)
}
