package transport

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gozfs/gozfs/stream"
)

// Defaults for zero-valued Sender and Server fields.
const (
	DefaultFrameSize        = 256 << 10
	DefaultWindow           = 4 << 20
	DefaultDialTimeout      = 15 * time.Second
	DefaultIdleTimeout      = 30 * time.Second
	DefaultMaxReconnects    = 5
	DefaultReconnectBackoff = 200 * time.Millisecond
	DefaultResumeTimeout    = 2 * time.Minute
	DefaultHandshakeTimeout = 15 * time.Second
	DefaultShutdownTimeout  = 5 * time.Second

	maxReconnectBackoff = 5 * time.Second
	fillLatency         = 5 * time.Millisecond
)

// Header is the metadata a sender announces in its hello frame. The
// receiver's handler sees it in Transfer.Header.
type Header struct {
	// ID identifies the transfer; the receiver uses it to match a reconnect
	// to the transfer it holds. Empty means a random 128-bit hex ID. At most
	// MaxIDLen bytes.
	ID string
	// Dataset names what is being sent, e.g. the ZFS dataset the receiver
	// should receive into. Opaque to the transport.
	Dataset string
	// Size is the expected payload size in bytes; zero or negative means
	// unknown. Informational (for progress); the end frame's count is what
	// gets checked.
	Size int64
	// Transforms lists the transforms the sender applied to the bytes, in
	// the order applied, so the receiver can build the reverse chain (see
	// stream.Specs). The transport does not interpret them.
	Transforms []stream.Spec
	// Meta carries any other string metadata.
	Meta map[string]string
}

// Result describes a transfer the receiver accepted.
type Result struct {
	// ID is the transfer ID.
	ID string
	// Bytes is the number of payload bytes the receiver's handler got.
	Bytes int64
	// Checksum is the XXH3-64 of those bytes (from the resume offset on,
	// after Sender.Resume).
	Checksum uint64
	// Message is the handler's success message (Transfer.Message).
	Message string
	// Reply is the metadata the handler returned at accept time
	// (Transfer.Reply).
	Reply map[string]string
	// Reconnects counts the connections re-established during the transfer.
	Reconnects int
}

// Sender delivers byte streams to a Server. The zero value is not usable: set
// at least Addr. A Sender is safe for concurrent use; each Send runs its own
// connection.
type Sender struct {
	// Addr is the receiver's host:port.
	Addr string
	// TLSConfig configures TLS. Nil means plain TCP, which is only for
	// trusted networks and tests. Set Certificates for mutual TLS and
	// RootCAs to trust the receiver. If ServerName is empty the host part of
	// Addr is used; if MinVersion is zero TLS 1.3 is required.
	TLSConfig *tls.Config
	// DialContext dials the TCP connection; nil uses a net.Dialer.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// FrameSize is the payload size of data frames; zero means
	// DefaultFrameSize. It is capped at MaxFrameSize.
	FrameSize int
	// Window bounds the bytes sent but not yet acknowledged by the receiver,
	// and so the sender's memory: it is kept in Window/FrameSize frame
	// buffers for replay after a reconnect. Zero means DefaultWindow.
	Window int
	// DialTimeout bounds each connection attempt: TCP connect, TLS handshake
	// and sending the hello. Zero means DefaultDialTimeout.
	DialTimeout time.Duration
	// IdleTimeout is how long the sender waits without hearing from the
	// receiver before it drops the connection. The hello announces it, and
	// the receiver sends keepalives often enough for it; the sender sends
	// its own every third of it. Zero means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxReconnects is how many consecutive reconnect attempts the sender
	// makes without progress before it gives up with ErrConnLost. Zero means
	// DefaultMaxReconnects; negative disables reconnecting.
	MaxReconnects int
	// ReconnectBackoff is the pause before the first reconnect attempt; it
	// doubles on each further attempt, up to 5 s. Zero means
	// DefaultReconnectBackoff.
	ReconnectBackoff time.Duration
}

type senderConfig struct {
	addr          string
	tls           *tls.Config
	dial          func(ctx context.Context, network, addr string) (net.Conn, error)
	frameSize     int
	slots         int
	dialTimeout   time.Duration
	idle          time.Duration
	maxReconnects int
	backoff       time.Duration
}

func (s *Sender) config() senderConfig {
	c := senderConfig{
		addr:          s.Addr,
		dial:          s.DialContext,
		frameSize:     s.FrameSize,
		dialTimeout:   s.DialTimeout,
		idle:          s.IdleTimeout,
		maxReconnects: s.MaxReconnects,
		backoff:       s.ReconnectBackoff,
	}
	if c.dial == nil {
		var d net.Dialer
		c.dial = d.DialContext
	}
	if c.frameSize <= 0 {
		c.frameSize = DefaultFrameSize
	}
	c.frameSize = min(c.frameSize, MaxFrameSize)
	window := s.Window
	if window <= 0 {
		window = DefaultWindow
	}
	c.slots = max(2, window/c.frameSize)
	if c.dialTimeout <= 0 {
		c.dialTimeout = DefaultDialTimeout
	}
	if c.idle <= 0 {
		c.idle = DefaultIdleTimeout
	}
	if c.maxReconnects == 0 {
		c.maxReconnects = DefaultMaxReconnects
	} else if c.maxReconnects < 0 {
		c.maxReconnects = 0
	}
	if c.backoff <= 0 {
		c.backoff = DefaultReconnectBackoff
	}
	if s.TLSConfig != nil {
		c.tls = s.TLSConfig.Clone()
		if c.tls.ServerName == "" {
			if host, _, err := net.SplitHostPort(s.Addr); err == nil {
				c.tls.ServerName = host
			}
		}
		if c.tls.MinVersion == 0 {
			c.tls.MinVersion = tls.VersionTLS13
		}
	}
	return c
}

// Send delivers the stream from src to the receiver as a new transfer and
// waits for the receiver's final acknowledgement. It returns the Result when
// the receiver's handler accepted all bytes and they matched the end frame's
// count and checksum.
//
// Send opens src once, at offset 0, and reads it in a separate goroutine
// into the window's frame buffers while earlier frames are sent; a frame
// goes out when its buffer is full, or 5 ms after the first byte that is
// not yet sent arrived, so a slow source is not held back. Dropped
// connections are re-established (see MaxReconnects) and the transfer
// continues from the receiver's offset, replaying unacknowledged bytes from
// the window. If ctx ends, Send tells the receiver the transfer is aborted
// (best effort, on a new connection if need be) and returns ctx's error.
// Before returning, Send closes the reader src returned and waits for a
// Read in progress to return, so that Close must unblock Read (it does for
// pipes, files and sockets).
//
// Errors match ErrRefused, ErrTLS, ErrTimeout, ErrConnLost, ErrProtocol,
// ErrRejected (*RejectedError) or ErrChecksum (*ChecksumError); errors
// from src are returned wrapped.
func (s *Sender) Send(ctx context.Context, src Source, h Header) (*Result, error) {
	return s.run(ctx, src, h, false)
}

// SendReader is Send with ReaderSource(r).
func (s *Sender) SendReader(ctx context.Context, r io.Reader, h Header) (*Result, error) {
	return s.run(ctx, ReaderSource(r), h, false)
}

// Resume continues the transfer h.ID, which an earlier Send (typically in a
// process that died) started and the receiver still holds (see
// Server.ResumeTimeout). The receiver answers with the offset it has
// handed to its handler, and src is opened at that offset. If the receiver
// already finished the transfer, Resume returns its outcome without opening
// src. If it does not hold the transfer, the error matches
// ErrUnknownTransfer.
//
// The end-to-end checksum then covers the bytes from the resume offset on:
// the bytes before it were never confirmed by an end frame, and no sender
// still has them.
//
// A new sender can only resume what the receiver still holds in memory.
// To continue a `zfs send` after both ends restarted, use ZFS resume tokens
// instead (see the package documentation).
func (s *Sender) Resume(ctx context.Context, src Source, h Header) (*Result, error) {
	if h.ID == "" {
		return nil, errors.New("transport: Resume needs Header.ID")
	}
	return s.run(ctx, src, h, true)
}

// sendState is one transfer on the sending side; it outlives connections.
type sendState struct {
	cfg      senderConfig
	id       string
	hello    []byte // marshalled hello without flags
	win      window
	rd       *sourceReader // nil until the source is opened
	segStart int64         // where the checksummed segment starts
	sent     int64         // bytes written to some connection (the frontier)
	acked    int64         // highest acknowledgement seen
	eof      bool          // the source ended and its last buffer is complete
	reply    map[string]string
	reconnct int
	aborted  bool // the receiver has been told the transfer is off
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Sender) run(ctx context.Context, src Source, h Header, resume bool) (*Result, error) {
	if s.Addr == "" {
		return nil, errors.New("transport: Sender.Addr is empty")
	}
	cfg := s.config()
	st := &sendState{cfg: cfg, id: h.ID}
	if st.id == "" {
		st.id = newID()
	}
	size := h.Size
	if size <= 0 {
		size = -1
	}
	hl := hello{
		version:    ProtocolVersion,
		window:     uint32(cfg.slots * cfg.frameSize),
		frameSize:  uint32(cfg.frameSize),
		idleMs:     uint32(min(cfg.idle/time.Millisecond, 1<<32-1)),
		id:         st.id,
		dataset:    h.Dataset,
		size:       size,
		transforms: h.Transforms,
		meta:       h.Meta,
	}
	st.hello = hl.marshal()
	switch {
	case len(st.id) > MaxIDLen:
		return nil, fmt.Errorf("transport: transfer ID is %d bytes, more than %d", len(st.id), MaxIDLen)
	case len(st.hello) > MaxControlSize:
		return nil, fmt.Errorf("transport: header is %d bytes encoded, more than %d", len(st.hello), MaxControlSize)
	}
	st.win.init(cfg.frameSize, cfg.slots)
	defer func() {
		if st.rd != nil {
			st.rd.close()
		}
	}()

	var flags uint8
	if resume {
		flags = helloResume | helloSegment
	}
	// A first connection that is refused, times out or fails TLS is an
	// error; one that merely drops is retried like any other.
	w, acc, res, err := st.dial(ctx, flags)
	for attempt := 1; err != nil && errors.Is(err, ErrConnLost) && attempt <= cfg.maxReconnects; attempt++ {
		if serr := sleep(ctx, min(cfg.backoff<<(attempt-1), maxReconnectBackoff)); serr != nil {
			return nil, classify(ctx, "dial", cfg.addr, serr)
		}
		if w, acc, res, err = st.dial(ctx, flags); err == nil {
			st.reconnct++
		}
	}
	if err != nil {
		return nil, err
	}
	if res != nil {
		w.close()
		return st.finish(res)
	}
	st.reply = acc.reply
	endDone := acc.flags&acceptHasEnd != 0
	if resume {
		st.sent, st.acked, st.segStart = int64(acc.offset), int64(acc.offset), int64(acc.offset)
		st.eof = endDone
	} else if acc.offset != 0 || endDone {
		w.close()
		return nil, protoErrf("accept of a new transfer at offset %d", acc.offset)
	}
	if rs, ok := src.(ReplySource); ok && !st.eof {
		if err := rs.Accepted(ctx, acc.reply); err != nil {
			st.abort(w, err)
			return nil, err
		}
	}
	if !st.eof {
		rc, err := src.Open(ctx, st.sent)
		if err != nil {
			st.abort(w, err)
			return nil, err
		}
		st.rd = newSourceReader(rc, st.sent)
	}

	from := st.sent
	failures := 0
	for {
		ackedBefore := st.acked
		res, err := st.session(ctx, w, from, endDone)
		if res != nil {
			return st.finish(res)
		}
		if ctx.Err() != nil {
			if !st.aborted {
				st.abortRemote(ctx, context.Cause(ctx))
			}
			return nil, err
		}
		if !retryable(err) {
			return nil, err
		}
		if st.acked > ackedBefore {
			failures = 0
		}
		lastErr := err
		for {
			failures++
			if failures > cfg.maxReconnects {
				return nil, &OpError{Op: "send", Addr: cfg.addr, Kind: ErrConnLost, Err: lastErr}
			}
			backoff := cfg.backoff << min(failures-1, 16)
			if err := sleep(ctx, min(backoff, maxReconnectBackoff)); err != nil {
				st.abortRemote(ctx, context.Cause(ctx))
				return nil, classify(ctx, "send", cfg.addr, err)
			}
			w, acc, res, err = st.dial(ctx, helloResume)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				st.abortRemote(ctx, context.Cause(ctx))
				return nil, err
			}
			if !retryable(err) {
				return nil, err
			}
			lastErr = err
		}
		st.reconnct++
		if res != nil {
			w.close()
			return st.finish(res)
		}
		if int64(acc.offset) < st.acked || int64(acc.offset) > st.sent {
			w.close()
			return nil, protoErrf("receiver resumes at %d, outside the unacknowledged range %d..%d", acc.offset, st.acked, st.sent)
		}
		from = int64(acc.offset)
		endDone = acc.flags&acceptHasEnd != 0
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryable reports whether a failed connection is worth another attempt.
func retryable(err error) bool {
	var se *sourceError
	if errors.As(err, &se) {
		return false
	}
	return errors.Is(err, ErrConnLost) || errors.Is(err, ErrTimeout) ||
		errors.Is(err, ErrTLS) || errors.Is(err, ErrRefused)
}

// sourceError marks an error that came from reading the source.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return "transport: reading source: " + e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// connect opens a connection, completes the TLS handshake and sends the
// hello, all within the dial timeout.
func (st *sendState) connect(ctx context.Context, flags uint8) (*wire, error) {
	cfg := &st.cfg
	dctx, cancel := context.WithTimeout(ctx, cfg.dialTimeout)
	defer cancel()
	raw, err := cfg.dial(dctx, "tcp", cfg.addr)
	if err != nil {
		return nil, classify(dctx, "dial", cfg.addr, err)
	}
	w := newWire(raw, cfg.idle)
	// Interrupt whatever blocks below when the dial phase times out or the
	// caller gives up.
	stopDial := context.AfterFunc(dctx, w.close)
	fail := func(op string, err error) (*wire, error) {
		stopDial()
		w.close()
		return nil, classify(dctx, op, cfg.addr, err)
	}
	if cfg.tls != nil {
		tc := w.clientTLS(cfg.tls)
		if err := tc.HandshakeContext(dctx); err != nil {
			return fail("handshake", err)
		}
	} else {
		w.buffered(4 << 10)
	}
	hl := st.hello
	if flags != 0 {
		hl = append([]byte(nil), st.hello...)
		hl[1] |= flags
	}
	if err := w.writeControl(frameHello, 0, hl); err != nil {
		return fail("hello", err)
	}
	if !stopDial() {
		return fail("hello", context.DeadlineExceeded)
	}
	return w, nil
}

// dial connects and waits for the accept (or a result, for a rejection or
// an already finished transfer).
func (st *sendState) dial(ctx context.Context, flags uint8) (*wire, *accept, *result, error) {
	cfg := &st.cfg
	w, err := st.connect(ctx, flags)
	if err != nil {
		return nil, nil, nil, err
	}
	stopCtx := context.AfterFunc(ctx, w.close)
	defer stopCtx()
	for {
		h, p, err := w.readFrame()
		if err != nil {
			w.close()
			return nil, nil, nil, classify(ctx, "hello", cfg.addr, err)
		}
		switch h.typ {
		case framePing:
			continue
		case frameAccept:
			a, err := parseAccept(p)
			if err != nil {
				w.close()
				return nil, nil, nil, err
			}
			return w, &a, nil, nil
		case frameResult:
			r, err := parseResult(p)
			if err != nil {
				w.close()
				return nil, nil, nil, err
			}
			return w, nil, &r, nil
		default:
			w.close()
			return nil, nil, nil, protoErrf("unexpected %v frame while waiting for accept", h.typ)
		}
	}
}

// abortLinger bounds how long an abort waits for the receiver to take it.
const abortLinger = 2 * time.Second

// abort tells the receiver the transfer is off and closes w, which no other
// goroutine reads. It waits (briefly) for the receiver to close first: a
// receiver that loses the connection before reading the abort would wait
// for a reconnect instead.
func (st *sendState) abort(w *wire, cause error) {
	w.raw.SetDeadline(time.Now().Add(abortLinger))
	if w.writeControl(frameAbort, 0, marshalAbort(cause.Error())) == nil {
		st.aborted = true
		io.Copy(io.Discard, w.r)
	}
	w.close()
}

// abortRemote delivers an abort on a fresh connection, for a transfer whose
// connection was lost or busy when the caller gave up. Best effort, bounded
// by abortLinger.
func (st *sendState) abortRemote(ctx context.Context, cause error) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortLinger)
	defer cancel()
	w, err := st.connect(actx, helloResume)
	if err != nil {
		return
	}
	stop := context.AfterFunc(actx, w.close)
	defer stop()
	st.abort(w, cause)
}

// finish turns the receiver's result frame into Send's return values.
func (st *sendState) finish(r *result) (*Result, error) {
	msg := r.message
	switch r.status {
	case statusOK:
		if sum, ok := st.sum(); ok && (int64(r.count) != st.sent || r.sum != sum) {
			return nil, st.checksumError(r)
		}
		return &Result{ID: st.id, Bytes: int64(r.count), Checksum: r.sum, Message: msg, Reply: st.reply, Reconnects: st.reconnct}, nil
	case statusRejected:
		return nil, &RejectedError{ID: st.id, Message: msg}
	case statusBusy:
		return nil, &RejectedError{ID: st.id, Message: "receiver busy: " + msg}
	case statusChecksum:
		return nil, st.checksumError(r)
	case statusUnknownTransfer:
		return nil, &OpError{Op: "resume", Addr: st.cfg.addr, Kind: ErrUnknownTransfer, Err: errors.New(msg)}
	case statusTimeout:
		return nil, &OpError{Op: "send", Addr: st.cfg.addr, Kind: ErrTimeout, Err: errors.New("receiver: " + msg)}
	default:
		return nil, &ProtocolError{Msg: fmt.Sprintf("%v: %s", r.status, msg), Remote: true}
	}
}

// sum returns the checksum of the bytes read from the source, once it has
// been read to the end.
func (st *sendState) sum() (uint64, bool) {
	if st.rd == nil || !st.eof {
		return 0, false
	}
	return st.rd.hash.Sum64(), true
}

func (st *sendState) checksumError(r *result) error {
	sum, _ := st.sum()
	return &ChecksumError{Start: st.segStart, Bytes: int64(r.count), Sum: r.sum, WantBytes: st.sent, WantSum: sum}
}

// session is one connection's worth of a transfer.
type session struct {
	w     *wire
	sent  atomic.Int64 // end offset of the last data frame written
	acked atomic.Int64 // highest acknowledgement received
	ackCh chan struct{}
	rdone chan struct{} // closed when readLoop ends; then res or rerr is set
	res   *result
	rerr  error
	stop  chan struct{}
	wg    sync.WaitGroup
}

// session runs the transfer over w, starting with the bytes at offset from,
// until a result arrives, the connection fails or ctx ends. w is closed on
// return.
func (st *sendState) session(ctx context.Context, w *wire, from int64, endDone bool) (*result, error) {
	ss := &session{w: w, ackCh: make(chan struct{}, 1), rdone: make(chan struct{}), stop: make(chan struct{})}
	ss.sent.Store(st.sent)
	ss.acked.Store(st.acked)
	ss.wg.Add(2)
	go ss.readLoop()
	go ss.heartbeat(st.cfg.idle / 3)
	var abortSent atomic.Bool
	stopCtx := context.AfterFunc(ctx, func() {
		// Tell the receiver, unless a write is in progress (it may be
		// blocked on a full socket); either way make writes fail from now
		// on. Without the abort here, run delivers it on a new connection.
		if w.wmu.TryLock() {
			w.raw.SetWriteDeadline(time.Now().Add(time.Second))
			if w.writeControlLocked(frameAbort, 0, marshalAbort(context.Cause(ctx).Error())) == nil {
				abortSent.Store(true)
			}
			w.raw.SetWriteDeadline(time.Now())
			w.wmu.Unlock()
		} else {
			w.raw.SetWriteDeadline(time.Now())
		}
	})
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var timerFor *sbuf // the buffer the flush timer runs for
	defer func() {
		timer.Stop()
		stopCtx()
		close(ss.stop)
		w.close()
		ss.wg.Wait()
	}()

	ctxErr := func() (*result, error) {
		stopCtx()
		if abortSent.Load() {
			// Let the receiver read the abort before the connection goes.
			st.aborted = true
			t := time.NewTimer(abortLinger)
			select {
			case <-ss.rdone:
			case <-t.C:
			}
			t.Stop()
		}
		return nil, classify(ctx, "send", st.cfg.addr, ctx.Err())
	}
	// settled vets a result: success before the end frame went out is a
	// receiver that did not check the data.
	settled := func() (*result, error) {
		if ss.res.status == statusOK && !endDone {
			return nil, protoErrf("receiver reported success before the end frame")
		}
		return ss.res, nil
	}
	// netErr settles a failed write: a result that raced with the failure
	// wins over the error.
	netErr := func(err error) (*result, error) {
		if ctx.Err() != nil {
			return ctxErr()
		}
		w.close()
		<-ss.rdone
		if ss.res != nil {
			return settled()
		}
		return nil, classify(ctx, "send", st.cfg.addr, err)
	}
	readerDone := func() (*result, error) {
		if ss.res != nil {
			return settled()
		}
		return nil, classify(ctx, "send", st.cfg.addr, ss.rerr)
	}
	// send writes payload bytes [a, e) of b.
	send := func(b *sbuf, a, e int64) error {
		if end := b.off + e; end > st.sent {
			st.sent = end
			ss.sent.Store(end) // before the write: the ack may beat its return
		}
		if e > b.sent {
			b.sent = e
		}
		if a == 0 {
			return w.writeData(b.data[:headerLen+e], true)
		}
		return w.writeData(b.data[headerLen+a:headerLen+e], false)
	}

	// Replay what the receiver has not got yet.
	for _, b := range st.win.q {
		if a := max(from-b.off, 0); a < b.sent {
			if err := send(b, a, b.sent); err != nil {
				return netErr(err)
			}
		}
	}
	rd := st.rd
	for {
		st.absorb(ss)
		st.feed()
		if st.eof && st.win.allSent() {
			if !endDone {
				sum, _ := st.sum()
				e := end{count: uint64(st.sent), start: uint64(st.segStart), algo: checksumXXH3, sum: sum}
				if err := w.writeControl(frameEnd, 0, e.marshal()); err != nil {
					return netErr(err)
				}
				endDone = true
			}
			select {
			case <-ss.rdone:
				return readerDone()
			case <-ctx.Done():
				return ctxErr()
			}
		}
		select {
		case <-ss.rdone:
			return readerDone()
		case <-ctx.Done():
			return ctxErr()
		case <-ss.ackCh:
		case b := <-rd.full:
			if timerFor == b {
				timer.Stop()
				timerFor = nil
			}
			rd.complete(b)
			if b.rerr != nil && b.rerr != io.EOF {
				if ctx.Err() != nil {
					return ctxErr()
				}
				err := &sourceError{err: b.rerr}
				st.abortSession(ss, err)
				return nil, err
			}
			if b.rerr == io.EOF {
				st.eof = true
			}
			if b.n == 0 {
				st.win.dropLast(b)
				continue
			}
			st.feed() // let the reader fill the next buffer while this one is sent
			if b.n > b.sent {
				if err := send(b, b.sent, b.n); err != nil {
					return netErr(err)
				}
			}
		case <-rd.progress:
			if b := rd.cur; b != nil && timerFor != b && b.filled.Load() > b.sent {
				timer.Reset(fillLatency)
				timerFor = b
			}
		case <-timer.C:
			b := timerFor
			timerFor = nil
			if b != nil && b == rd.cur {
				if f := b.filled.Load(); f > b.sent {
					if err := send(b, b.sent, f); err != nil {
						return netErr(err)
					}
				}
			}
		}
	}
}

// abortSession sends an abort on a live session and waits (briefly) for the
// receiver to close the connection, which its read loop sees.
func (st *sendState) abortSession(ss *session, cause error) {
	ss.w.raw.SetWriteDeadline(time.Now().Add(abortLinger))
	if ss.w.writeControl(frameAbort, 0, marshalAbort(cause.Error())) != nil {
		return
	}
	st.aborted = true
	t := time.NewTimer(abortLinger)
	defer t.Stop()
	select {
	case <-ss.rdone:
	case <-t.C:
	}
}

// absorb takes in the session's latest acknowledgement and frees the frame
// buffers it covers.
func (st *sendState) absorb(ss *session) {
	if a := ss.acked.Load(); a > st.acked {
		st.acked = a
		st.win.release(a)
	}
}

// feed hands the source reader its next buffer if it is waiting for one and
// the window has room.
func (st *sendState) feed() {
	rd := st.rd
	if rd == nil || !rd.idle || st.win.full() {
		return
	}
	b := st.win.get(rd.readOff)
	rd.idle = false
	rd.cur = b
	rd.feed <- b
}

func (ss *session) readLoop() {
	defer ss.wg.Done()
	defer close(ss.rdone)
	for {
		h, p, err := ss.w.readFrame()
		if err != nil {
			ss.rerr = err
			return
		}
		switch h.typ {
		case frameAck:
			v, err := parseAck(p)
			if err != nil {
				ss.rerr = err
				return
			}
			if int64(v) > ss.sent.Load() {
				ss.rerr = protoErrf("receiver acknowledged %d bytes, only %d sent", v, ss.sent.Load())
				return
			}
			if int64(v) > ss.acked.Load() {
				ss.acked.Store(int64(v))
				select {
				case ss.ackCh <- struct{}{}:
				default:
				}
			}
		case framePing:
		case frameResult:
			r, err := parseResult(p)
			if err != nil {
				ss.rerr = err
				return
			}
			ss.res = &r
			// Closing here unblocks a data write stuck on a receiver that
			// stopped reading (it rejected the transfer).
			ss.w.close()
			return
		default:
			ss.rerr = protoErrf("unexpected %v frame from receiver", h.typ)
			return
		}
	}
}

func (ss *session) heartbeat(every time.Duration) {
	defer ss.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ss.stop:
			return
		case <-t.C:
			if ss.w.idleFor() < every {
				continue
			}
			ss.w.wmu.Lock()
			select {
			case <-ss.stop:
				ss.w.wmu.Unlock()
				return
			default:
			}
			err := ss.w.writeControlLocked(framePing, 0, nil)
			ss.w.wmu.Unlock()
			if err != nil {
				ss.w.close()
				return
			}
		}
	}
}

// Writer is an io.WriteCloser that delivers what is written to it as one
// transfer. It must be closed: Close sends the end frame and waits for the
// receiver's result. Create one with Sender.NewWriter.
type Writer struct {
	pw   *io.PipeWriter
	done chan struct{}
	res  *Result
	err  error
}

// NewWriter starts a transfer fed by the returned Writer. The connection is
// made in the background; if it fails, Write and Close return the error.
// Bytes written are copied once into the sender's frame buffers; Send with a
// Source avoids that copy.
func (s *Sender) NewWriter(ctx context.Context, h Header) *Writer {
	pr, pw := io.Pipe()
	w := &Writer{pw: pw, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		w.res, w.err = s.run(ctx, ReaderSource(pr), h, false)
		if w.err != nil {
			pr.CloseWithError(w.err)
		} else {
			pr.Close()
		}
	}()
	return w
}

// Write sends p. Once the transfer has failed it returns the transfer's
// error.
func (w *Writer) Write(p []byte) (int, error) {
	n, err := w.pw.Write(p)
	if err != nil {
		<-w.done // the pipe only closes as the transfer ends
		if w.err != nil {
			err = w.err
		}
	}
	return n, err
}

// Close ends the stream and waits for the receiver's result.
func (w *Writer) Close() error {
	w.pw.Close()
	<-w.done
	return w.err
}

// CloseWithError aborts the transfer: the receiver's handler sees an error
// matching ErrAborted that carries err's text. It waits for the sender to
// finish and returns the transfer's error.
func (w *Writer) CloseWithError(err error) error {
	if err == nil {
		err = errors.New("writer closed with error")
	}
	w.pw.CloseWithError(err)
	<-w.done
	return w.err
}

// Result returns the outcome after Close returned nil, and nil otherwise.
func (w *Writer) Result() *Result {
	select {
	case <-w.done:
		return w.res
	default:
		return nil
	}
}
