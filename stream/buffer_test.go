package stream_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/gozfs/gozfs/stream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func randData(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 9))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestBufferPipe(t *testing.T) {
	tests := []struct {
		name string
		opts stream.BufferOptions
	}{
		{"defaults", stream.BufferOptions{}},
		{"tiny", stream.BufferOptions{Size: 7, BlockSize: 3}},
		{"watermarks", stream.BufferOptions{Size: 4096, BlockSize: 512, HighWatermark: 2048, LowWatermark: 1024}},
		{"block larger than size", stream.BufferOptions{Size: 100, BlockSize: 1000}},
	}
	want := randData(300_000)
	for _, tt := range tests {
		for _, mode := range []string{"Write/Read", "ReadFrom/WriteTo"} {
			t.Run(tt.name+"/"+mode, func(t *testing.T) {
				b := stream.NewBuffer(tt.opts)
				var wg sync.WaitGroup
				var werr error
				wg.Add(1)
				go func() {
					defer wg.Done()
					if mode == "Write/Read" {
						for p := want; len(p) > 0; {
							n := min(len(p), 1+len(p)%4099)
							if _, werr = b.Write(p[:n]); werr != nil {
								return
							}
							p = p[n:]
						}
					} else {
						_, werr = b.ReadFrom(iotest.HalfReader(bytes.NewReader(want)))
					}
					b.CloseWrite()
				}()
				var got []byte
				var err error
				if mode == "Write/Read" {
					got, err = io.ReadAll(iotest.OneByteReader(b.Reader()))
				} else {
					var out bytes.Buffer
					_, err = b.WriteTo(&out)
					got = out.Bytes()
				}
				wg.Wait()
				require.NoError(t, err, "read")
				require.NoError(t, werr, "read")
				require.Equal(t, want, got)
				st := b.Stats()
				assert.Equal(t, int64(len(want)), st.BytesIn, "stats %+v", st)
				assert.Equal(t, int64(len(want)), st.BytesOut, "stats %+v", st)
				assert.Zero(t, st.Fill, "stats %+v", st)
				assert.LessOrEqual(t, st.MaxFill, b.Options().Size, "MaxFill")
				assert.NotZero(t, st.MaxFill, "MaxFill")
			})
		}
	}
}

func TestBufferCloseErrors(t *testing.T) {
	boom := errors.New("upstream failed")
	b := stream.NewBuffer(stream.BufferOptions{Size: 16})
	b.Write([]byte("abc"))
	b.CloseWriteWithError(boom)
	_, err := b.Write([]byte("x"))
	assert.ErrorIs(t, err, stream.ErrClosed, "Write after CloseWrite")
	got, err := io.ReadAll(b)
	assert.Equal(t, "abc", string(got), "ReadAll")
	assert.ErrorIs(t, err, boom, "ReadAll")

	down := errors.New("downstream gone")
	b = stream.NewBuffer(stream.BufferOptions{Size: 4})
	done := make(chan error)
	go func() {
		_, err := b.Write(make([]byte, 100)) // blocks when full
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	b.CloseReadWithError(down)
	assert.ErrorIs(t, <-done, down, "blocked Write after CloseReadWithError")
	_, err = b.Read(make([]byte, 1))
	assert.ErrorIs(t, err, stream.ErrClosed, "Read after CloseRead")
}

func TestBufferStallStats(t *testing.T) {
	b := stream.NewBuffer(stream.BufferOptions{Size: 1024, BlockSize: 256})
	// A slow reader: the writer must stall on a full buffer.
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		p := make([]byte, 256)
		for {
			time.Sleep(time.Millisecond)
			if _, err := b.Read(p); err != nil {
				return
			}
		}
	}()
	_, err := b.Write(make([]byte, 8192))
	require.NoError(t, err)
	b.CloseWrite()
	<-drained
	st := b.Stats()
	assert.NotZero(t, st.WriterStalls, "slow reader: writer stalls")
	assert.Greater(t, st.WriterStallTime, time.Duration(0), "slow reader: writer stalls")
	assert.Greater(t, st.AvgFill, float64(0), "AvgFill")
	assert.LessOrEqual(t, st.AvgFill, float64(1024), "AvgFill")

	// A slow writer: the reader stalls on an empty buffer.
	b2 := stream.NewBuffer(stream.BufferOptions{Size: 1024})
	go func() {
		for range 5 {
			time.Sleep(2 * time.Millisecond)
			b2.Write([]byte("x"))
		}
		b2.CloseWrite()
	}()
	io.Copy(io.Discard, b2.Reader())
	if st := b2.Stats(); assert.NotZero(t, st.ReaderStalls, "slow writer: reader stalls") {
		assert.Greater(t, st.ReaderStallTime, time.Duration(0), "slow writer: reader stalls")
	}
}

func TestBufferHighWatermark(t *testing.T) {
	b := stream.NewBuffer(stream.BufferOptions{Size: 100, HighWatermark: 50})
	got := make(chan int)
	go func() {
		p := make([]byte, 100)
		n, _ := b.Read(p)
		got <- n
	}()
	waitFor(t, func() bool { return b.Stats().ReaderStalls == 1 })
	for range 49 {
		b.Write([]byte{1})
	}
	select {
	case n := <-got:
		require.Fail(t, fmt.Sprintf("reader resumed with %d bytes, below the high watermark", n))
	case <-time.After(20 * time.Millisecond):
	}
	b.Write([]byte{1})
	assert.Equal(t, 50, <-got, "reader")
}

func TestBufferLowWatermark(t *testing.T) {
	b := stream.NewBuffer(stream.BufferOptions{Size: 10, BlockSize: 1, LowWatermark: 4})
	b.Write(make([]byte, 10)) // full
	wrote := make(chan struct{})
	go func() {
		b.Write([]byte{2})
		close(wrote)
	}()
	waitFor(t, func() bool { return b.Stats().WriterStalls == 1 })
	p := make([]byte, 1)
	for range 5 { // fill 10 -> 5, still above the low watermark
		b.Read(p)
	}
	select {
	case <-wrote:
		require.Fail(t, "writer resumed above the low watermark")
	case <-time.After(20 * time.Millisecond):
	}
	b.Read(p) // fill 4
	<-wrote
	b.CloseWrite()
	rest, _ := io.ReadAll(b)
	if assert.Len(t, rest, 5, "rest") {
		assert.Equal(t, byte(2), rest[4], "rest")
	}
}

func TestBufferTransforms(t *testing.T) {
	want := randData(1 << 20)
	var stats []*stream.Buffer
	keep := func(b *stream.Buffer) { stats = append(stats, b) }
	var out bytes.Buffer
	w, err := stream.ChainWriter(&out, stream.BufferWriter(stream.BufferOptions{Size: 64 << 10}, keep))
	require.NoError(t, err)
	_, err = io.Copy(w, bytes.NewReader(want))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.Equal(t, want, out.Bytes(), "BufferWriter corrupted data")
	r, _ := stream.ChainReader(bytes.NewReader(want), stream.BufferReader(stream.BufferOptions{Size: 64 << 10}, keep))
	got, err := io.ReadAll(r)
	r.Close()
	require.NoError(t, err, "BufferReader")
	require.Equal(t, want, got, "BufferReader")
	if assert.Len(t, stats, 2, "stats callback") {
		assert.Equal(t, int64(len(want)), stats[0].Stats().BytesOut, "stats callback")
	}
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

func TestBufferTransformErrors(t *testing.T) {
	down := errors.New("disk full")
	w, _ := stream.BufferWriter(stream.BufferOptions{Size: 1024}, nil)(failingWriter{down})
	var err error
	for range 100 {
		if _, err = w.Write(make([]byte, 512)); err != nil {
			break
		}
	}
	assert.ErrorIs(t, err, down, "Write")
	assert.ErrorIs(t, w.Close(), down, "Close")

	up := errors.New("source failed")
	r, _ := stream.BufferReader(stream.BufferOptions{}, nil)(iotest.ErrReader(up))
	_, err = io.ReadAll(r)
	assert.ErrorIs(t, err, up, "ReadAll")
	r.Close()

	// Closing early stops the pump (checked by goleak).
	src := bytes.NewReader(randData(1 << 20))
	r, _ = stream.BufferReader(stream.BufferOptions{Size: 4096}, nil)(src)
	r.Read(make([]byte, 10))
	r.Close()
	for i := 0; i < 100 && src.Len() > 0; i++ {
		time.Sleep(time.Millisecond)
	}
}

// waitFor polls cond for up to a second.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	require.Fail(t, "condition not reached")
}
