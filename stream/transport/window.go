package transport

import (
	"io"
	"sync"
	"sync/atomic"

	"github.com/zeebo/xxh3"
)

// sbuf is one frame buffer of the sender's window. The source reader
// goroutine fills it; the sending loop sends and, after the acknowledgement,
// recycles it. Payload bytes below filled are immutable until the buffer is
// recycled, so the sending loop may send them while the reader appends.
type sbuf struct {
	data   []byte       // headerLen bytes of room for a frame header, then payload
	off    int64        // stream offset of the first payload byte
	filled atomic.Int64 // payload bytes read so far (stored by the reader)
	rerr   error        // why the reader stopped short (set before handing back)

	// Owned by the sending loop.
	n    int64 // payload size, once done
	done bool  // the reader is finished with the buffer
	sent int64 // payload bytes written to some connection
}

// window holds the sender's frame buffers in stream order: those sent but
// not yet acknowledged, and the one being filled. Buffers are allocated on
// demand up to limit and recycled last-in first-out, so a receiver that
// keeps up works with a small, cache-warm set of buffers however large the
// window.
type window struct {
	size  int // payload bytes per buffer
	limit int
	q     []*sbuf
	free  []*sbuf
}

func (w *window) init(size, limit int) {
	w.size, w.limit = size, limit
}

func (w *window) full() bool { return len(w.q) >= w.limit }

// get appends a buffer for the bytes from offset off on.
func (w *window) get(off int64) *sbuf {
	var b *sbuf
	if k := len(w.free); k > 0 {
		b = w.free[k-1]
		w.free = w.free[:k-1]
	} else {
		b = &sbuf{data: make([]byte, headerLen+w.size)}
	}
	b.off, b.n, b.done, b.sent, b.rerr = off, 0, false, 0, nil
	b.filled.Store(0)
	w.q = append(w.q, b)
	return b
}

// release recycles the complete buffers that end at or before acked.
func (w *window) release(acked int64) {
	k := 0
	for k < len(w.q) && w.q[k].done && w.q[k].off+w.q[k].n <= acked {
		w.free = append(w.free, w.q[k])
		k++
	}
	if k > 0 {
		w.q = append(w.q[:0], w.q[k:]...)
	}
}

// dropLast recycles b, an empty buffer at the end of the window.
func (w *window) dropLast(b *sbuf) {
	if k := len(w.q); k > 0 && w.q[k-1] == b {
		w.q = w.q[:k-1]
		w.free = append(w.free, b)
	}
}

// allSent reports whether every buffer is complete and fully sent.
func (w *window) allSent() bool {
	for _, b := range w.q {
		if !b.done || b.sent < b.n {
			return false
		}
	}
	return true
}

// sourceReader reads the source into window buffers in its own goroutine,
// hashing as it goes, so reading the source overlaps with sending.
type sourceReader struct {
	rc       io.ReadCloser
	hash     *xxh3.Hasher // complete once the reader has handed back EOF
	feed     chan *sbuf   // buffers to fill
	full     chan *sbuf   // buffers filled, or cut short by EOF or an error
	progress chan struct{}
	stop     chan struct{}
	wg       sync.WaitGroup

	// Owned by the sending loop.
	idle    bool  // the reader waits for a buffer
	cur     *sbuf // the buffer being filled
	readOff int64 // where the next buffer starts
}

func newSourceReader(rc io.ReadCloser, off int64) *sourceReader {
	r := &sourceReader{
		rc:       rc,
		hash:     xxh3.New(),
		feed:     make(chan *sbuf, 1),
		full:     make(chan *sbuf, 1),
		progress: make(chan struct{}, 1),
		stop:     make(chan struct{}),
		idle:     true,
		readOff:  off,
	}
	r.wg.Add(1)
	go r.loop()
	return r
}

func (r *sourceReader) loop() {
	defer r.wg.Done()
	for {
		var b *sbuf
		select {
		case b = <-r.feed:
		case <-r.stop:
			return
		}
		err := r.fill(b)
		b.rerr = err
		select {
		case r.full <- b:
		case <-r.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// fill reads until b is full; it returns io.EOF or the source's error if
// the source ends first.
func (r *sourceReader) fill(b *sbuf) error {
	p := b.data[headerLen:]
	n, zero := 0, 0
	for n < len(p) {
		m, err := r.rc.Read(p[n:])
		if m > 0 {
			r.hash.Write(p[n : n+m])
			n += m
			b.filled.Store(int64(n))
			signal(r.progress)
			zero = 0
		}
		if err != nil {
			return err
		}
		if m == 0 {
			if zero++; zero > 100 {
				return io.ErrNoProgress
			}
		}
	}
	return nil
}

// complete takes back a buffer the reader handed over.
func (r *sourceReader) complete(b *sbuf) {
	b.n = b.filled.Load()
	b.done = true
	r.cur = nil
	r.readOff += b.n
	r.idle = b.rerr == nil
}

// close closes the source and waits for the reader goroutine, which may be
// blocked in a Read until the close takes effect.
func (r *sourceReader) close() {
	close(r.stop)
	r.rc.Close()
	r.wg.Wait()
}
