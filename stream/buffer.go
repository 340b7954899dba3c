package stream

import (
	"errors"
	"io"
	"sync"
	"time"
)

// BufferOptions configure a Buffer. The zero value gives a 16 MiB buffer
// with 128 KiB blocks and no watermarks.
type BufferOptions struct {
	// Size is the buffer capacity in bytes; zero means 16 MiB. Memory use is
	// exactly Size, allocated once.
	Size int
	// BlockSize is the largest piece moved per step: the size of reads from
	// the source and writes to the sink made by the transform forms, and
	// the most copied per lock hand-off. Zero means 128 KiB; it is capped at
	// Size.
	BlockSize int
	// HighWatermark makes a reader that found the buffer empty wait until
	// it holds at least this many bytes (or the writer closed) before it
	// resumes, so that a bursty consumer gets long runs (mbuffer -P). Zero
	// means resume as soon as any data arrives. Capped at Size.
	HighWatermark int
	// LowWatermark makes a writer that found the buffer full wait until it
	// has drained to at most this many bytes before it resumes, so that a
	// bursty producer gets long runs (mbuffer -p). Zero means resume as soon
	// as any space is free; it must be below Size.
	LowWatermark int
}

func (o BufferOptions) withDefaults() BufferOptions {
	if o.Size <= 0 {
		o.Size = 16 << 20
	}
	if o.BlockSize <= 0 {
		o.BlockSize = 128 << 10
	}
	o.BlockSize = min(o.BlockSize, o.Size)
	o.HighWatermark = max(1, min(o.HighWatermark, o.Size))
	if o.LowWatermark <= 0 || o.LowWatermark >= o.Size {
		o.LowWatermark = o.Size - 1
	}
	return o
}

// BufferStats describe a Buffer's fill level and how often and how long each
// side stalled.
type BufferStats struct {
	// Size is the capacity.
	Size int
	// Fill is the number of bytes buffered now.
	Fill int
	// MaxFill is the highest fill seen.
	MaxFill int
	// AvgFill is the time-weighted mean fill since the buffer was created.
	AvgFill float64
	// BytesIn and BytesOut count bytes written and read.
	BytesIn, BytesOut int64
	// WriterStalls counts the times the writer waited for space, and
	// WriterStallTime is the total time it waited (the reader side was the
	// bottleneck).
	WriterStalls    int64
	WriterStallTime time.Duration
	// ReaderStalls counts the times the reader waited for data, and
	// ReaderStallTime is the total time it waited (the writer side was the
	// bottleneck).
	ReaderStalls    int64
	ReaderStallTime time.Duration
}

// Buffer is a bounded in-process pipe with a fixed-size ring buffer, the
// in-process equivalent of mbuffer: a steady writer and a bursty reader (or
// the reverse) overlap instead of waiting on each other. Unlike io.Pipe the
// writer does not wait for the reader until the buffer is full.
//
// One goroutine writes (Write, ReadFrom) and one reads (Read, WriteTo);
// each end is serialized internally, so several goroutines may share an end
// but their data interleaves. The writer ends the stream with CloseWrite or
// CloseWriteWithError; the reader sees the buffered data and then io.EOF or
// that error. The reader can abandon the stream with CloseRead or
// CloseReadWithError; writes then fail with ErrClosed or that error.
//
// A Buffer starts no goroutines; BufferWriter and BufferReader build
// transforms that do.
type Buffer struct {
	opts BufferOptions
	ring []byte

	wmu, rmu sync.Mutex // serialize each end

	mu       sync.Mutex
	canRead  sync.Cond // signalled when data arrives or the writer closes
	canWrite sync.Cond // signalled when space frees or the reader closes
	r, n     int       // read offset and fill
	werr     error     // set by CloseWrite*: io.EOF or the writer's error
	rerr     error     // set by CloseRead*: ErrClosed or the reader's error
	stats    BufferStats
	start    time.Time
	lastT    time.Time
	fillArea float64 // integral of fill over time, in byte·seconds
}

// NewBuffer returns a Buffer with the given options.
func NewBuffer(opts BufferOptions) *Buffer {
	opts = opts.withDefaults()
	now := time.Now()
	b := &Buffer{opts: opts, ring: make([]byte, opts.Size), start: now, lastT: now}
	b.canRead.L = &b.mu
	b.canWrite.L = &b.mu
	b.stats.Size = opts.Size
	return b
}

// Options returns the effective options, with defaults applied.
func (b *Buffer) Options() BufferOptions { return b.opts }

// Stats returns a snapshot of the buffer's statistics.
func (b *Buffer) Stats() BufferStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.account(time.Now())
	s := b.stats
	s.Fill = b.n
	if d := b.lastT.Sub(b.start).Seconds(); d > 0 {
		s.AvgFill = b.fillArea / d
	} else {
		s.AvgFill = float64(b.n)
	}
	return s
}

// account integrates the fill level up to now; b.mu must be held.
func (b *Buffer) account(now time.Time) {
	b.fillArea += float64(b.n) * now.Sub(b.lastT).Seconds()
	b.lastT = now
}

// reserveWrite waits for free space and returns the contiguous free region.
func (b *Buffer) reserveWrite() ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.werr != nil {
		return nil, ErrClosed
	}
	if b.rerr != nil {
		return nil, b.rerr
	}
	if b.n == b.opts.Size {
		t0 := time.Now()
		b.stats.WriterStalls++
		for b.rerr == nil && b.werr == nil && b.n > b.opts.LowWatermark {
			b.canWrite.Wait()
		}
		b.stats.WriterStallTime += time.Since(t0)
		if b.werr != nil {
			return nil, ErrClosed
		}
		if b.rerr != nil {
			return nil, b.rerr
		}
	}
	w := (b.r + b.n) % b.opts.Size
	end := b.opts.Size
	if w < b.r {
		end = b.r
	}
	return b.ring[w:min(end, w+b.opts.BlockSize)], nil
}

// commitWrite publishes k bytes written into the region from reserveWrite.
func (b *Buffer) commitWrite(k int) {
	if k == 0 {
		return
	}
	b.mu.Lock()
	b.account(time.Now())
	b.n += k
	b.stats.BytesIn += int64(k)
	b.stats.MaxFill = max(b.stats.MaxFill, b.n)
	b.mu.Unlock()
	b.canRead.Signal()
}

// reserveRead waits for data and returns the contiguous filled region, or
// the writer's close error once the buffer is empty.
func (b *Buffer) reserveRead() ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.rerr != nil {
		return nil, ErrClosed
	}
	if b.n == 0 && b.werr == nil {
		t0 := time.Now()
		b.stats.ReaderStalls++
		for b.rerr == nil && b.werr == nil && b.n < b.opts.HighWatermark {
			b.canRead.Wait()
		}
		b.stats.ReaderStallTime += time.Since(t0)
		if b.rerr != nil {
			return nil, ErrClosed
		}
	}
	if b.n == 0 {
		return nil, b.werr
	}
	end := min(b.r+b.n, b.opts.Size)
	return b.ring[b.r:min(end, b.r+b.opts.BlockSize)], nil
}

// commitRead releases k bytes from the region from reserveRead.
func (b *Buffer) commitRead(k int) {
	if k == 0 {
		return
	}
	b.mu.Lock()
	b.account(time.Now())
	b.r = (b.r + k) % b.opts.Size
	b.n -= k
	b.stats.BytesOut += int64(k)
	b.mu.Unlock()
	b.canWrite.Signal()
}

// Write copies p into the buffer, waiting for space as needed. It returns an
// error if the reader closed (the reader's error, or ErrClosed) or the
// writer already closed (ErrClosed).
func (b *Buffer) Write(p []byte) (int, error) {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	total := 0
	for len(p) > 0 {
		free, err := b.reserveWrite()
		if err != nil {
			return total, err
		}
		k := copy(free, p)
		b.commitWrite(k)
		p = p[k:]
		total += k
	}
	return total, nil
}

// ReadFrom reads from r straight into the buffer until r returns io.EOF or
// an error, or the reader end closes. It implements io.ReaderFrom; it does
// not close the write end.
func (b *Buffer) ReadFrom(r io.Reader) (int64, error) {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	var total int64
	for {
		free, err := b.reserveWrite()
		if err != nil {
			return total, err
		}
		k, rerr := r.Read(free)
		b.commitWrite(k)
		total += int64(k)
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}

// Read reads buffered data, waiting for data as needed. After the write end
// closes and the buffer drains, it returns io.EOF or the writer's error.
func (b *Buffer) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b.rmu.Lock()
	defer b.rmu.Unlock()
	data, err := b.reserveRead()
	if err != nil {
		return 0, err
	}
	k := copy(p, data)
	b.commitRead(k)
	return k, nil
}

// WriteTo writes buffered data straight from the ring to w until the write
// end closes and the buffer drains. It implements io.WriterTo: it returns a
// nil error at io.EOF, or the writer's close error, or w's error.
func (b *Buffer) WriteTo(w io.Writer) (int64, error) {
	b.rmu.Lock()
	defer b.rmu.Unlock()
	var total int64
	for {
		data, err := b.reserveRead()
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		k, werr := w.Write(data)
		b.commitRead(k)
		total += int64(k)
		if werr != nil {
			return total, werr
		}
		if k < len(data) {
			return total, io.ErrShortWrite
		}
	}
}

// CloseWrite closes the write end: the reader gets the remaining data and
// then io.EOF. Closing an end twice is harmless; only the first call counts.
func (b *Buffer) CloseWrite() error { return b.CloseWriteWithError(nil) }

// CloseWriteWithError closes the write end so that the reader gets the
// remaining data and then err (io.EOF if err is nil).
func (b *Buffer) CloseWriteWithError(err error) error {
	if err == nil {
		err = io.EOF
	}
	b.mu.Lock()
	if b.werr == nil {
		b.werr = err
	}
	b.mu.Unlock()
	b.canRead.Broadcast()
	b.canWrite.Broadcast()
	return nil
}

// CloseRead closes the read end: buffered data is discarded and writes fail
// with ErrClosed.
func (b *Buffer) CloseRead() error { return b.CloseReadWithError(nil) }

// CloseReadWithError closes the read end so that writes fail with err
// (ErrClosed if err is nil).
func (b *Buffer) CloseReadWithError(err error) error {
	if err == nil {
		err = ErrClosed
	}
	b.mu.Lock()
	if b.rerr == nil {
		b.rerr = err
	}
	b.mu.Unlock()
	b.canRead.Broadcast()
	b.canWrite.Broadcast()
	return nil
}

// Writer returns the write end as an io.WriteCloser whose Close is
// CloseWrite.
func (b *Buffer) Writer() io.WriteCloser { return bufferWriteEnd{b} }

// Reader returns the read end as an io.ReadCloser whose Close is CloseRead.
func (b *Buffer) Reader() io.ReadCloser { return bufferReadEnd{b} }

type bufferWriteEnd struct{ b *Buffer }

func (e bufferWriteEnd) Write(p []byte) (int, error)         { return e.b.Write(p) }
func (e bufferWriteEnd) ReadFrom(r io.Reader) (int64, error) { return e.b.ReadFrom(r) }
func (e bufferWriteEnd) Close() error                        { return e.b.CloseWrite() }

type bufferReadEnd struct{ b *Buffer }

func (e bufferReadEnd) Read(p []byte) (int, error)         { return e.b.Read(p) }
func (e bufferReadEnd) WriteTo(w io.Writer) (int64, error) { return e.b.WriteTo(w) }
func (e bufferReadEnd) Close() error                       { return e.b.CloseRead() }

// BufferWriter returns a WriteTransform that puts a Buffer in front of the
// destination: writes return as soon as the data is buffered, and a
// goroutine drains the buffer into the destination. Close waits for the
// drain to finish and returns the destination's error, if any; a
// destination error also fails later writes. If stats is non-nil it is
// called with each new Buffer so the caller can watch its Stats.
func BufferWriter(opts BufferOptions, stats func(*Buffer)) WriteTransform {
	return func(w io.Writer) (io.WriteCloser, error) {
		b := NewBuffer(opts)
		if stats != nil {
			stats(b)
		}
		bw := &bufferedWriter{b: b, done: make(chan struct{})}
		go func() {
			defer close(bw.done)
			_, err := b.WriteTo(w)
			if err != nil {
				bw.err = err
				b.CloseReadWithError(err)
			} else {
				b.CloseRead()
			}
		}()
		return bw, nil
	}
}

type bufferedWriter struct {
	b      *Buffer
	done   chan struct{}
	err    error // drain error; read after done is closed
	closed bool
}

func (w *bufferedWriter) Write(p []byte) (int, error) { return w.b.Write(p) }

func (w *bufferedWriter) ReadFrom(r io.Reader) (int64, error) { return w.b.ReadFrom(r) }

func (w *bufferedWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	w.b.CloseWrite()
	<-w.done
	return w.err
}

// BufferReader returns a ReadTransform that puts a Buffer behind the
// source: a goroutine reads the source into the buffer ahead of the
// consumer. The source's error (or io.EOF) reaches the consumer after the
// buffered data.
//
// Close discards buffered data and stops the goroutine; if the goroutine is
// blocked inside the source's Read it ends when that Read returns, so close
// the source too if it can block indefinitely. After reading to io.EOF the
// goroutine has already ended. If stats is non-nil it is called with each
// new Buffer.
func BufferReader(opts BufferOptions, stats func(*Buffer)) ReadTransform {
	return func(r io.Reader) (io.ReadCloser, error) {
		b := NewBuffer(opts)
		if stats != nil {
			stats(b)
		}
		go func() {
			_, err := b.ReadFrom(r)
			if err != nil && !errors.Is(err, ErrClosed) {
				b.CloseWriteWithError(err)
				return
			}
			b.CloseWrite()
		}()
		return &bufferedReader{b: b}, nil
	}
}

type bufferedReader struct {
	b *Buffer
}

func (r *bufferedReader) Read(p []byte) (int, error) { return r.b.Read(p) }

func (r *bufferedReader) WriteTo(w io.Writer) (int64, error) { return r.b.WriteTo(w) }

func (r *bufferedReader) Close() error {
	r.b.CloseRead()
	return nil
}
