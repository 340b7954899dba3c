package transport

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Buffer sizes below TLS. crypto/tls writes every record (at most 16 KiB of
// plaintext) with its own Write call on the underlying connection and reads
// about one record per Read; batching both directions into large system
// calls is what lets TLS keep up with a plain TCP copy on loopback.
const (
	batchWriteSize = 256 << 10
	batchReadSize  = 256 << 10
)

// batchConn sits between crypto/tls and the TCP connection. Reads come from a
// large bufio.Reader. Writes pass straight through unless the connection is
// corked, in which case they collect in a buffer that is written with one
// system call when it fills or when the connection is uncorked.
type batchConn struct {
	net.Conn
	br *bufio.Reader

	mu     sync.Mutex
	corked bool
	buf    []byte
	err    error
}

func newBatchConn(c net.Conn, readSize int) *batchConn {
	return &batchConn{Conn: c, br: bufio.NewReaderSize(c, readSize)}
}

func (b *batchConn) Read(p []byte) (int, error) { return b.br.Read(p) }

func (b *batchConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.corked {
		if len(b.buf) > 0 {
			if err := b.flushLocked(); err != nil {
				return 0, err
			}
		}
		return b.Conn.Write(p)
	}
	if b.err != nil {
		return 0, b.err
	}
	if len(b.buf)+len(p) > batchWriteSize && len(b.buf) > 0 {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
	}
	if len(p) >= batchWriteSize {
		return b.Conn.Write(p)
	}
	if b.buf == nil {
		b.buf = make([]byte, 0, batchWriteSize)
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *batchConn) flushLocked() error {
	if b.err != nil {
		return b.err
	}
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.Conn.Write(b.buf)
	b.buf = b.buf[:0]
	if err != nil {
		b.err = err
	}
	return err
}

// cork starts collecting writes.
func (b *batchConn) cork() {
	b.mu.Lock()
	b.corked = true
	b.mu.Unlock()
}

// uncork writes what was collected and stops collecting.
func (b *batchConn) uncork() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.corked = false
	return b.flushLocked()
}

// wire is one framed connection, TLS or plain, used by both ends. Writes are
// serialized by wmu; reads are done by one goroutine at a time (the caller
// guarantees it).
type wire struct {
	raw   net.Conn   // the TCP connection: deadlines and hard close
	conn  net.Conn   // what frames are written to (*tls.Conn or raw)
	r     io.Reader  // what frames are read from
	batch *batchConn // non-nil with TLS
	addr  string
	idle  time.Duration

	wmu       sync.Mutex
	wbuf      []byte
	lastWrite atomic.Int64 // unix nanoseconds

	hbuf     [headerLen]byte
	cbuf     []byte
	deadline time.Time // read deadline last set, reader side only

	dlMu        sync.Mutex // orders armRead against interruptRead
	interrupted bool

	closeOnce sync.Once
	closed    chan struct{}
}

func newWire(raw net.Conn, idle time.Duration) *wire {
	return &wire{raw: raw, conn: raw, r: raw, addr: raw.RemoteAddr().String(), idle: idle, closed: make(chan struct{})}
}

// buffered gives a plain connection a read buffer of the given size.
func (w *wire) buffered(size int) {
	w.r = bufio.NewReaderSize(w.raw, size)
}

// clientTLS wraps w's connection in a TLS client. The sender reads only
// small control frames, so its read buffer is small.
func (w *wire) clientTLS(cfg *tls.Config) *tls.Conn {
	w.batch = newBatchConn(w.raw, 4<<10)
	tc := tls.Client(w.batch, cfg)
	w.conn, w.r = tc, tc
	return tc
}

// serverTLS wraps w's connection in a TLS server.
func (w *wire) serverTLS(cfg *tls.Config) *tls.Conn {
	w.batch = newBatchConn(w.raw, batchReadSize)
	tc := tls.Server(w.batch, cfg)
	w.conn, w.r = tc, tc
	return tc
}

// close shuts the TCP connection without a TLS close_notify; it never blocks.
func (w *wire) close() {
	w.closeOnce.Do(func() {
		close(w.closed)
		w.raw.Close()
	})
}

// armRead makes sure a read deadline of about w.idle from now is set. To keep
// the per-read cost low it only moves the deadline once a quarter of the idle
// time has passed.
func (w *wire) armRead() {
	if w.idle <= 0 {
		return
	}
	now := time.Now()
	if w.deadline.Sub(now) > w.idle*3/4 {
		return
	}
	w.deadline = now.Add(w.idle)
	w.dlMu.Lock()
	if !w.interrupted {
		w.raw.SetReadDeadline(w.deadline)
	}
	w.dlMu.Unlock()
}

// interruptRead makes a blocked or future read return a timeout error,
// without closing the connection, which can still be written to.
func (w *wire) interruptRead() {
	w.dlMu.Lock()
	w.interrupted = true
	w.raw.SetReadDeadline(time.Unix(1, 0))
	w.dlMu.Unlock()
}

// readFrame reads the next frame header; for control frames it also reads
// the payload (valid until the next readFrame). Data payloads are left on
// the connection for the caller.
func (w *wire) readFrame() (header, []byte, error) {
	w.armRead()
	h, err := readHeader(w.r, &w.hbuf)
	if err != nil {
		return h, nil, err
	}
	if h.typ == frameData {
		return h, nil, nil
	}
	w.armRead()
	p, err := readControl(w.r, h, w.cbuf)
	if err != nil {
		return h, nil, err
	}
	if cap(p) <= 4<<10 {
		w.cbuf = p[:0]
	}
	return h, p, nil
}

// writeControl writes one control frame.
func (w *wire) writeControl(typ frameType, flags uint8, payload []byte) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	return w.writeControlLocked(typ, flags, payload)
}

func (w *wire) writeControlLocked(typ frameType, flags uint8, payload []byte) error {
	w.wbuf = appendFrame(w.wbuf[:0], typ, flags, payload)
	_, err := w.conn.Write(w.wbuf)
	if cap(w.wbuf) > 4<<10 {
		w.wbuf = nil
	}
	w.lastWrite.Store(time.Now().UnixNano())
	return err
}

// writeData writes one data frame. If hdrRoom is true, frame[:headerLen] is
// free for the header and frame[headerLen:] is the payload, so the whole
// frame goes out in one Write; otherwise frame is all payload.
func (w *wire) writeData(frame []byte, hdrRoom bool) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if w.batch != nil {
		w.batch.cork()
	}
	var err error
	if hdrRoom {
		putHeader(frame, frameData, 0, len(frame)-headerLen)
		_, err = w.conn.Write(frame)
	} else {
		var h [headerLen]byte
		putHeader(h[:], frameData, 0, len(frame))
		if w.batch == nil {
			bufs := net.Buffers{h[:], frame}
			_, err = bufs.WriteTo(w.conn)
		} else if _, err = w.conn.Write(h[:]); err == nil {
			_, err = w.conn.Write(frame)
		}
	}
	if w.batch != nil {
		if ferr := w.batch.uncork(); err == nil {
			err = ferr
		}
	}
	w.lastWrite.Store(time.Now().UnixNano())
	return err
}

// idleFor reports how long ago the last frame was written.
func (w *wire) idleFor() time.Duration {
	return time.Duration(time.Now().UnixNano() - w.lastWrite.Load())
}
