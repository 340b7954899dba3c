package stream_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/gozfs/gozfs/stream"
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
				if err != nil || werr != nil {
					t.Fatalf("read err %v, write err %v", err, werr)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("got %d bytes, want %d (content differs)", len(got), len(want))
				}
				st := b.Stats()
				if st.BytesIn != int64(len(want)) || st.BytesOut != int64(len(want)) || st.Fill != 0 {
					t.Errorf("stats %+v", st)
				}
				if st.MaxFill > b.Options().Size || st.MaxFill == 0 {
					t.Errorf("MaxFill %d outside (0, %d]", st.MaxFill, b.Options().Size)
				}
			})
		}
	}
}

func TestBufferCloseErrors(t *testing.T) {
	boom := errors.New("upstream failed")
	b := stream.NewBuffer(stream.BufferOptions{Size: 16})
	b.Write([]byte("abc"))
	b.CloseWriteWithError(boom)
	if _, err := b.Write([]byte("x")); !errors.Is(err, stream.ErrClosed) {
		t.Errorf("Write after CloseWrite = %v", err)
	}
	got, err := io.ReadAll(b)
	if string(got) != "abc" || !errors.Is(err, boom) {
		t.Errorf("ReadAll = %q, %v; want abc, %v", got, err, boom)
	}

	down := errors.New("downstream gone")
	b = stream.NewBuffer(stream.BufferOptions{Size: 4})
	done := make(chan error)
	go func() {
		_, err := b.Write(make([]byte, 100)) // blocks when full
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	b.CloseReadWithError(down)
	if err := <-done; !errors.Is(err, down) {
		t.Errorf("blocked Write after CloseReadWithError = %v", err)
	}
	if _, err := b.Read(make([]byte, 1)); !errors.Is(err, stream.ErrClosed) {
		t.Errorf("Read after CloseRead = %v", err)
	}
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
	if _, err := b.Write(make([]byte, 8192)); err != nil {
		t.Fatal(err)
	}
	b.CloseWrite()
	<-drained
	st := b.Stats()
	if st.WriterStalls == 0 || st.WriterStallTime <= 0 {
		t.Errorf("slow reader: writer stalls %d, %v; want > 0", st.WriterStalls, st.WriterStallTime)
	}
	if st.AvgFill <= 0 || st.AvgFill > 1024 {
		t.Errorf("AvgFill = %v", st.AvgFill)
	}

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
	if st := b2.Stats(); st.ReaderStalls == 0 || st.ReaderStallTime <= 0 {
		t.Errorf("slow writer: reader stalls %d, %v; want > 0", st.ReaderStalls, st.ReaderStallTime)
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
		t.Fatalf("reader resumed with %d bytes, below the high watermark", n)
	case <-time.After(20 * time.Millisecond):
	}
	b.Write([]byte{1})
	if n := <-got; n != 50 {
		t.Errorf("reader got %d bytes, want 50", n)
	}
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
		t.Fatal("writer resumed above the low watermark")
	case <-time.After(20 * time.Millisecond):
	}
	b.Read(p) // fill 4
	<-wrote
	b.CloseWrite()
	rest, _ := io.ReadAll(b)
	if len(rest) != 5 || rest[4] != 2 {
		t.Errorf("rest = %v", rest)
	}
}

func TestBufferTransforms(t *testing.T) {
	want := randData(1 << 20)
	var stats []*stream.Buffer
	keep := func(b *stream.Buffer) { stats = append(stats, b) }
	var out bytes.Buffer
	w, err := stream.ChainWriter(&out, stream.BufferWriter(stream.BufferOptions{Size: 64 << 10}, keep))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, bytes.NewReader(want)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatal("BufferWriter corrupted data")
	}
	r, _ := stream.ChainReader(bytes.NewReader(want), stream.BufferReader(stream.BufferOptions{Size: 64 << 10}, keep))
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("BufferReader: %v", err)
	}
	if len(stats) != 2 || stats[0].Stats().BytesOut != int64(len(want)) {
		t.Errorf("stats callback: %d buffers", len(stats))
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
	if !errors.Is(err, down) {
		t.Errorf("Write = %v, want %v", err, down)
	}
	if err := w.Close(); !errors.Is(err, down) {
		t.Errorf("Close = %v, want %v", err, down)
	}

	up := errors.New("source failed")
	r, _ := stream.BufferReader(stream.BufferOptions{}, nil)(iotest.ErrReader(up))
	if _, err := io.ReadAll(r); !errors.Is(err, up) {
		t.Errorf("ReadAll = %v, want %v", err, up)
	}
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
	t.Fatal("condition not reached")
}
