package transport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeebo/xxh3"
)

// Handler consumes transfers on the receiving side.
//
// ServeTransfer is called once per transfer, in its own goroutine, right
// after the sender's hello. The transfer is accepted, and the sender starts
// sending, on the first call to r.Read (or r.WriteTo). Returning an error
// before that rejects the transfer at hello time: the sender gets a
// *RejectedError carrying the error's text and sends no data.
//
// r delivers the sender's bytes exactly once and in order, across
// reconnects. It returns io.EOF only after the end frame's byte count and
// XXH64 checksum matched; on a mismatch it returns a *ChecksumError instead.
// Other errors from r match ErrAborted (the sender gave up), ErrTimeout (the
// sender did not reconnect within Server.ResumeTimeout), ErrProtocol, or are
// ctx's error when the server shuts down. r also implements io.WriterTo.
//
// Returning nil accepts the transfer; bytes the handler did not read are
// read and checked before the sender is told. Returning an error rejects it;
// the error's text is sent to the sender, so it should not contain secrets.
// ctx is cancelled when the server shuts down or the transfer fails.
type Handler interface {
	ServeTransfer(ctx context.Context, t *Transfer, r io.Reader) error
}

// HandlerFunc adapts a function to the Handler interface.
type HandlerFunc func(ctx context.Context, t *Transfer, r io.Reader) error

// ServeTransfer calls f(ctx, t, r).
func (f HandlerFunc) ServeTransfer(ctx context.Context, t *Transfer, r io.Reader) error {
	return f(ctx, t, r)
}

// Transfer is what a Handler learns about an incoming transfer, and where it
// puts its answers.
type Transfer struct {
	// Header is the sender's metadata. An unknown Size is -1.
	Header
	// RemoteAddr is the sender's address on the first connection.
	RemoteAddr net.Addr
	// TLS is the state of the first connection's TLS session, with the
	// verified client certificate chain under mutual TLS; nil without TLS.
	TLS *tls.ConnectionState

	// Reply is sent to the sender with the accept. Set it before the first
	// Read, and do not change it afterwards. Used e.g. to report a ZFS
	// receive_resume_token.
	Reply map[string]string
	// Message is sent to the sender in the final result when the handler
	// returns nil. Set it before returning.
	Message string
}

// Server accepts transfers and hands each to Handler. Set the fields before
// calling Serve; do not copy a Server after first use. One Server may serve
// several listeners at once; a transfer can resume through any of them.
type Server struct {
	// TLSConfig configures TLS. Nil means plain TCP, which is only for
	// trusted networks and tests. For mutual TLS set ClientAuth to
	// tls.RequireAndVerifyClientCert and ClientCAs. If MinVersion is zero
	// TLS 1.3 is required.
	TLSConfig *tls.Config
	// Handler consumes the transfers. Required.
	Handler Handler
	// ResumeTimeout is how long a transfer whose connection dropped is kept
	// for the sender to reconnect, with the handler blocked in Read; after
	// it, Read fails with ErrTimeout. Finished transfers keep their result
	// this long for a sender that lost the connection before reading it.
	// Zero means DefaultResumeTimeout.
	ResumeTimeout time.Duration
	// IdleTimeout is how long a connection may stay silent while the handler
	// is reading before it is considered dead; a longer idle timeout
	// announced by the sender (whose keepalives come every third of it)
	// takes precedence. The receiver's own keepalives come every third of
	// the shorter of the two. Zero means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// HandshakeTimeout bounds the TLS handshake and the hello. Zero means
	// DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// ShutdownTimeout is how long Serve, once its context ended and the
	// handlers were cancelled, lets connections deliver the results of
	// finished transfers before it closes them. Zero means
	// DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// MaxTransfers limits the transfers whose handlers run at once; further
	// senders are rejected (statusBusy). Zero means no limit.
	MaxTransfers int
	// Logger, if set, receives connection-level failures that have no caller
	// to return to (failed handshakes, malformed hellos). Nil discards them.
	Logger *slog.Logger

	mu        sync.Mutex
	transfers map[string]*transfer
	active    int
}

type serverConfig struct {
	tls       *tls.Config
	resume    time.Duration
	idle      time.Duration
	handshake time.Duration
	shutdown  time.Duration
}

func (srv *Server) config() serverConfig {
	c := serverConfig{resume: srv.ResumeTimeout, idle: srv.IdleTimeout, handshake: srv.HandshakeTimeout, shutdown: srv.ShutdownTimeout}
	if c.shutdown <= 0 {
		c.shutdown = DefaultShutdownTimeout
	}
	if c.resume <= 0 {
		c.resume = DefaultResumeTimeout
	}
	if c.idle <= 0 {
		c.idle = DefaultIdleTimeout
	}
	if c.handshake <= 0 {
		c.handshake = DefaultHandshakeTimeout
	}
	if srv.TLSConfig != nil {
		c.tls = srv.TLSConfig.Clone()
		if c.tls.MinVersion == 0 {
			c.tls.MinVersion = tls.VersionTLS13
		}
	}
	return c
}

// serveRun is one Serve call: it owns the goroutines it starts.
type serveRun struct {
	srv     *Server
	cfg     serverConfig
	ctx     context.Context // handlers' parent; ends when Serve's ctx does
	connCtx context.Context // connections'; ends after the shutdown grace
	wg      sync.WaitGroup
}

// ListenAndServe listens on the TCP address addr and calls Serve.
func (srv *Server) ListenAndServe(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return srv.Serve(ctx, ln)
}

// Serve accepts connections on ln until ctx ends or ln fails, and closes ln.
// It then cancels the handlers' contexts, gives connections up to
// ShutdownTimeout to deliver the results of finished transfers to their
// senders, and closes them. It returns only after every connection and
// handler it started has finished, so a handler that ignores its context
// delays Serve's return. Serve returns nil when ctx ended it, and the
// listener's error otherwise.
func (srv *Server) Serve(ctx context.Context, ln net.Listener) error {
	if srv.Handler == nil {
		ln.Close()
		return errors.New("transport: Server.Handler is nil")
	}
	ctx, cancel := context.WithCancel(ctx)
	connCtx, cancelConns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelConns()
	run := &serveRun{srv: srv, cfg: srv.config(), ctx: ctx, connCtx: connCtx}
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()

	var err error
	backoff := 5 * time.Millisecond
	for {
		c, aerr := ln.Accept()
		if aerr != nil {
			var ne net.Error
			if ctx.Err() == nil && errors.As(aerr, &ne) && ne.Timeout() {
				sleep(ctx, backoff)
				backoff = min(2*backoff, time.Second)
				continue
			}
			if ctx.Err() == nil {
				err = aerr
			}
			break
		}
		backoff = 5 * time.Millisecond
		run.wg.Add(1)
		go func() {
			defer run.wg.Done()
			run.serveConn(c)
		}()
	}
	cancel()
	ln.Close()
	done := make(chan struct{})
	go func() {
		run.wg.Wait()
		close(done)
	}()
	grace := time.NewTimer(run.cfg.shutdown)
	select {
	case <-done:
	case <-grace.C:
		cancelConns()
		<-done
	}
	grace.Stop()
	srv.dropRun(run)
	return err
}

// dropRun forgets the transfers a finished Serve call owned.
func (srv *Server) dropRun(run *serveRun) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for id, t := range srv.transfers {
		if t.run == run {
			t.stopExpiry()
			delete(srv.transfers, id)
		}
	}
}

func (run *serveRun) logf(level slog.Level, msg string, args ...any) {
	if l := run.srv.Logger; l != nil {
		l.Log(run.ctx, level, msg, args...)
	}
}

// serveConn handles one connection from handshake to the end of its
// attachment to a transfer.
func (run *serveRun) serveConn(raw net.Conn) {
	cfg := &run.cfg
	w := newWire(raw, cfg.idle)
	defer w.close()
	stop := context.AfterFunc(run.connCtx, w.close)
	defer stop()
	addr := raw.RemoteAddr().String()

	raw.SetDeadline(time.Now().Add(cfg.handshake))
	var state *tls.ConnectionState
	if cfg.tls != nil {
		tc := w.serverTLS(cfg.tls)
		if err := tc.HandshakeContext(run.connCtx); err != nil {
			run.logf(slog.LevelWarn, "transport: TLS handshake failed", "remote", addr, "err", err)
			return
		}
		cs := tc.ConnectionState()
		state = &cs
	} else {
		w.buffered(4 << 10) // data frames bypass it: payload reads go to the socket
	}
	idle := w.idle
	w.idle = 0 // the handshake deadline covers the hello
	h, p, err := w.readFrame()
	w.idle = idle
	if err != nil {
		run.logf(slog.LevelWarn, "transport: reading hello failed", "remote", addr, "err", err)
		if errors.Is(err, ErrProtocol) {
			// Not our protocol (or a TLS client on a plain port): say so.
			run.reply(w, statusProtocol, err.Error())
		}
		return
	}
	if h.typ != frameHello {
		run.reply(w, statusProtocol, fmt.Sprintf("first frame is %v, want hello", h.typ))
		return
	}
	hl, err := parseHello(p)
	if err != nil {
		var ve *versionError
		if errors.As(err, &ve) {
			run.reply(w, statusVersion, err.Error())
		} else {
			run.reply(w, statusProtocol, err.Error())
		}
		run.logf(slog.LevelWarn, "transport: bad hello", "remote", addr, "err", err)
		return
	}
	raw.SetDeadline(time.Time{})

	t, status, msg := run.srv.lookup(run, &hl, raw.RemoteAddr(), state)
	if t == nil {
		run.reply(w, status, msg)
		return
	}
	// Read patiently enough for the sender's keepalives, and send ours often
	// enough for its idle timeout.
	ping := cfg.idle
	if hl.idleMs > 0 {
		senderIdle := time.Duration(hl.idleMs) * time.Millisecond
		w.idle = max(cfg.idle, senderIdle)
		ping = min(cfg.idle, senderIdle)
	}
	sc := &sconn{w: w, ping: max(ping/3, 10*time.Millisecond), acceptNow: make(chan struct{}, 1), ackNow: make(chan struct{}, 1)}
	t.serveWire(sc, hl.flags&helloSegment != 0)
}

// reply sends a result frame on a connection that has no transfer.
func (run *serveRun) reply(w *wire, status resultStatus, msg string) {
	w.raw.SetWriteDeadline(time.Now().Add(run.cfg.handshake))
	r := result{status: status, message: truncate(msg, MaxControlSize-64)}
	w.writeControl(frameResult, 0, r.marshal())
	w.raw.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, w.r) // let the sender read the result before the close
}

// peerID fingerprints the client certificate, if any.
func peerID(state *tls.ConnectionState) []byte {
	if state == nil || len(state.PeerCertificates) == 0 {
		return nil
	}
	sum := sha256.Sum256(state.PeerCertificates[0].Raw)
	return sum[:]
}

// lookup finds the transfer a hello resumes, or creates a new one and starts
// its handler. It returns a nil transfer and a status when the hello must be
// refused.
func (srv *Server) lookup(run *serveRun, hl *hello, addr net.Addr, state *tls.ConnectionState) (*transfer, resultStatus, string) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	t := srv.transfers[hl.id]
	if hl.flags&helloResume != 0 {
		// A resume must come from the same client certificate as the
		// original hello, so an ID alone cannot hijack a transfer.
		if t == nil || !bytes.Equal(t.peer, peerID(state)) {
			return nil, statusUnknownTransfer, fmt.Sprintf("no transfer %q to resume", hl.id)
		}
		return t, 0, ""
	}
	if t != nil {
		return nil, statusRejected, fmt.Sprintf("transfer ID %q is already in use", hl.id)
	}
	if srv.MaxTransfers > 0 && srv.active >= srv.MaxTransfers {
		return nil, statusBusy, fmt.Sprintf("%d transfers running", srv.active)
	}
	size := hl.size
	if size < 0 {
		size = -1
	}
	info := &Transfer{
		Header: Header{
			ID:         hl.id,
			Dataset:    hl.dataset,
			Size:       size,
			Transforms: hl.transforms,
			Meta:       hl.meta,
		},
		RemoteAddr: addr,
		TLS:        state,
	}
	t = newTransfer(run, info, hl, peerID(state))
	if srv.transfers == nil {
		srv.transfers = make(map[string]*transfer)
	}
	srv.transfers[hl.id] = t
	srv.active++
	run.wg.Add(1)
	go func() {
		defer run.wg.Done()
		t.runHandler()
	}()
	return t, 0, ""
}

// release forgets t.
func (srv *Server) release(t *transfer) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	t.stopExpiry()
	if srv.transfers[t.id] == t {
		delete(srv.transfers, t.id)
	}
}

// sconn is a connection attached to a transfer.
type sconn struct {
	w         *wire
	ping      time.Duration // keepalive interval
	acceptNow chan struct{}
	ackNow    chan struct{}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// transfer is the receiving side of one transfer; it outlives connections.
type transfer struct {
	run      *serveRun
	id       string
	info     *Transfer
	peer     []byte
	ctx      context.Context
	cancel   context.CancelCauseFunc
	ackEvery int64
	bufSize  int

	handedA atomic.Int64 // copy of handed for the ack writer

	mu         sync.Mutex
	cond       sync.Cond
	cur        *sconn
	attachCh   chan struct{} // closed on every attach
	busy       bool          // the handler is reading from cur without mu
	lostAt     time.Time
	handed     int64
	frameLeft  int64
	hash       *xxh3.Hasher
	segStart   int64 // where the checksummed segment starts
	accepted   bool
	reply      map[string]string
	eof        bool
	rerr       error // sticky read error
	aborted    bool
	lastAckReq int64

	done   chan struct{} // closed once res is final
	res    *result
	expiry *time.Timer // guarded by the Server's mu
}

func newTransfer(run *serveRun, info *Transfer, hl *hello, peer []byte) *transfer {
	t := &transfer{
		run:      run,
		id:       hl.id,
		info:     info,
		peer:     peer,
		ackEvery: ackInterval(hl.window),
		bufSize:  max(int(hl.frameSize), 64<<10),
		attachCh: make(chan struct{}),
		hash:     xxh3.New(),
		done:     make(chan struct{}),
		lostAt:   time.Now(), // bounds the wait for the first attach
	}
	t.cond.L = &t.mu
	t.ctx, t.cancel = context.WithCancelCause(run.ctx)
	// A cancelled handler must not stay blocked reading a connection that
	// stays open to carry its result.
	context.AfterFunc(t.ctx, func() {
		t.mu.Lock()
		if t.cur != nil && t.res == nil {
			t.cur.w.interruptRead()
		}
		t.mu.Unlock()
	})
	return t
}

func (t *transfer) stopExpiry() {
	if t.expiry != nil {
		t.expiry.Stop()
	}
}

// runHandler runs the handler, settles the outcome and publishes the result.
func (t *transfer) runHandler() {
	srv := t.run.srv
	r := &transferReader{t: t}
	herr := srv.Handler.ServeTransfer(t.ctx, t.info, r)

	t.mu.Lock()
	rerr, eof := t.rerr, t.eof
	t.mu.Unlock()
	if herr == nil && rerr != nil {
		herr = rerr // the handler ignored a read error
	}
	if herr == nil && !eof {
		// Accepted without reading everything: read and check the rest.
		if _, err := io.Copy(io.Discard, r); err != nil {
			herr = err
		}
	}

	t.mu.Lock()
	res := &result{count: uint64(t.handed), sum: t.hash.Sum64()}
	var ce *ChecksumError
	switch {
	case t.aborted:
		res = nil // the sender is gone and expects nothing
	case herr == nil:
		res.status, res.message = statusOK, t.info.Message
	case errors.As(herr, &ce):
		res.status, res.message = statusChecksum, herr.Error()
	case errors.Is(herr, ErrProtocol):
		res.status, res.message = statusProtocol, herr.Error()
	case errors.Is(t.rerr, ErrTimeout):
		res.status, res.message = statusTimeout, herr.Error()
	default:
		res.status, res.message = statusRejected, herr.Error()
	}
	if res != nil {
		res.message = truncate(res.message, MaxControlSize-64)
	}
	t.res = res
	t.mu.Unlock()
	if res != nil {
		// Keep the result for a sender that reconnects to fetch it.
		srv.mu.Lock()
		t.expiry = time.AfterFunc(t.run.cfg.resume, func() { srv.release(t) })
		srv.mu.Unlock()
	}
	close(t.done)
	t.cancel(errors.New("transport: transfer finished"))

	srv.mu.Lock()
	srv.active--
	srv.mu.Unlock()
	if res == nil {
		srv.release(t)
	}
}

// serveWire attaches sc to the transfer and writes accept, ack, keepalive
// and result frames on it until it is detached or the result is delivered.
func (t *transfer) serveWire(sc *sconn, newSegment bool) {
	t.attach(sc, newSegment)
	w := sc.w
	tick := time.NewTicker(sc.ping)
	defer tick.Stop()
	accepted := false
	var lastAck int64 = -1
	for {
		select {
		case <-t.done:
			t.sendResult(sc)
			return
		default:
		}
		var err error
		select {
		case <-t.done:
			t.sendResult(sc)
			return
		case <-w.closed:
			return
		case <-t.ctx.Done():
			// The result (if any) is about to be published; go round.
			select {
			case <-t.done:
			case <-w.closed:
			}
			continue
		case <-sc.acceptNow:
			var a accept
			a, err = t.acceptFrame()
			if err == nil {
				err = w.writeControl(frameAccept, 0, a.marshal())
				accepted = true
				lastAck = int64(a.offset)
			}
		case <-sc.ackNow:
			if v := t.handedA.Load(); accepted && v != lastAck {
				err = w.writeControl(frameAck, 0, marshalAck(uint64(v)))
				lastAck = v
			}
		case <-tick.C:
			if w.idleFor() < sc.ping {
				continue
			}
			if accepted {
				v := t.handedA.Load()
				err = w.writeControl(frameAck, 0, marshalAck(uint64(v)))
				lastAck = v
			} else {
				err = w.writeControl(framePing, 0, nil)
			}
		}
		if err != nil {
			t.detach(sc)
			return
		}
	}
}

// acceptFrame builds the accept for the current attachment.
func (t *transfer) acceptFrame() (accept, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := accept{version: ProtocolVersion, offset: uint64(t.handed), reply: t.reply}
	if t.eof {
		a.flags |= acceptHasEnd
	}
	return a, nil
}

// sendResult writes the final result and waits briefly for the sender to
// close, which confirms it has the result; then the transfer is forgotten.
func (t *transfer) sendResult(sc *sconn) {
	w := sc.w
	if t.res == nil {
		return
	}
	w.raw.SetWriteDeadline(time.Now().Add(t.run.cfg.idle))
	if err := w.writeControl(frameResult, 0, t.res.marshal()); err != nil {
		return
	}
	w.raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, w.r); err == nil {
		t.run.srv.release(t)
	}
}

// attach makes sc the transfer's connection, replacing (and closing) any
// previous one once the handler is no longer reading from it. A new segment
// (a new sender process) restarts the checksum at the current offset.
func (t *transfer) attach(sc *sconn, newSegment bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if old := t.cur; old != nil {
		t.cur = nil
		old.w.close()
	}
	for t.busy {
		t.cond.Wait()
	}
	t.cur = sc
	t.frameLeft = 0
	if newSegment && !t.eof && t.rerr == nil {
		t.hash.Reset()
		t.segStart = t.handed
	}
	close(t.attachCh)
	t.attachCh = make(chan struct{})
	if t.accepted && t.res == nil {
		signal(sc.acceptNow)
	}
}

// detach drops sc if it is still the transfer's connection.
func (t *transfer) detach(sc *sconn) {
	t.mu.Lock()
	t.detachLocked(sc)
	t.mu.Unlock()
}

func (t *transfer) detachLocked(sc *sconn) {
	if t.cur == sc {
		t.cur = nil
		t.lostAt = time.Now()
		t.frameLeft = 0
	}
	sc.w.close()
}

// failLocked makes err the transfer's sticky read error.
func (t *transfer) failLocked(err error) error {
	if t.rerr == nil {
		t.rerr = err
	}
	return t.rerr
}

// waitAttachLocked waits, with t.mu released, for a new connection.
func (t *transfer) waitAttachLocked() error {
	limit := t.run.cfg.resume
	remaining := limit - time.Since(t.lostAt)
	if remaining > 0 {
		ch := t.attachCh
		t.mu.Unlock()
		timer := time.NewTimer(remaining)
		select {
		case <-ch:
		case <-timer.C:
		case <-t.ctx.Done():
		}
		timer.Stop()
		t.mu.Lock()
	}
	if t.cur != nil {
		return nil
	}
	if t.ctx.Err() != nil {
		return context.Cause(t.ctx)
	}
	if time.Since(t.lostAt) >= limit {
		return &OpError{Op: "receive", Kind: ErrTimeout,
			Err: fmt.Errorf("sender did not reconnect within %v", limit)}
	}
	return nil
}

// read is the handler's Read.
func (t *transfer) read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		if t.rerr != nil {
			return 0, t.rerr
		}
		if t.eof {
			return 0, io.EOF
		}
		if !t.accepted {
			t.accepted = true
			t.reply = t.info.Reply
			if t.cur != nil {
				signal(t.cur.acceptNow)
			}
		}
		sc := t.cur
		if sc == nil {
			if err := t.waitAttachLocked(); err != nil {
				t.cancel(err)
				return 0, t.failLocked(err)
			}
			continue
		}
		left := t.frameLeft
		t.busy = true
		t.mu.Unlock()

		if left > 0 {
			sc.w.armRead()
			n, err := io.ReadFull(sc.w.r, p[:min(int64(len(p)), left)])
			t.mu.Lock()
			t.busy = false
			t.cond.Broadcast()
			if n > 0 {
				t.hash.Write(p[:n])
				t.handed += int64(n)
				t.handedA.Store(t.handed)
				if t.cur == sc {
					t.frameLeft -= int64(n)
				}
				if t.handed-t.lastAckReq >= t.ackEvery && t.cur != nil {
					t.lastAckReq = t.handed
					signal(t.cur.ackNow)
				}
			}
			if err != nil {
				if t.ctx.Err() != nil {
					return n, t.failLocked(context.Cause(t.ctx))
				}
				t.detachLocked(sc)
			}
			if n > 0 {
				return n, nil
			}
			continue
		}

		h, payload, err := sc.w.readFrame()
		t.mu.Lock()
		t.busy = false
		t.cond.Broadcast()
		if err != nil {
			if errors.Is(err, ErrProtocol) {
				// Fatal; the connection stays to carry the result.
				return 0, t.failLocked(err)
			}
			if t.ctx.Err() != nil {
				return 0, t.failLocked(context.Cause(t.ctx))
			}
			t.detachLocked(sc)
			continue
		}
		if t.cur != sc {
			continue // replaced while reading; the new connection resends
		}
		switch h.typ {
		case frameData:
			t.frameLeft = int64(h.length)
		case framePing:
		case frameEnd:
			e, err := parseEnd(payload)
			if err != nil {
				return 0, t.failLocked(err)
			}
			if int64(e.count) != t.handed || int64(e.start) != t.segStart || e.sum != t.hash.Sum64() {
				return 0, t.failLocked(&ChecksumError{Start: t.segStart, Bytes: t.handed, Sum: t.hash.Sum64(), WantBytes: int64(e.count), WantSum: e.sum})
			}
			t.eof = true
			signal(sc.ackNow)
		case frameAbort:
			msg, _ := parseAbort(payload)
			t.aborted = true
			err := t.failLocked(&OpError{Op: "receive", Addr: sc.w.addr, Kind: ErrAborted, Err: errors.New("sender: " + msg)})
			t.cancel(err)
			return 0, err
		default:
			return 0, t.failLocked(protoErrf("unexpected %v frame from sender", h.typ))
		}
	}
}

// transferReader is the io.Reader handed to a Handler.
type transferReader struct {
	t   *transfer
	buf []byte
}

// Read reads payload bytes; see Handler for its errors.
func (r *transferReader) Read(p []byte) (int, error) { return r.t.read(p) }

// WriteTo writes the remaining payload to w in frame-sized chunks.
func (r *transferReader) WriteTo(w io.Writer) (int64, error) {
	if r.buf == nil {
		r.buf = make([]byte, r.t.bufSize)
	}
	var total int64
	for {
		n, err := r.t.read(r.buf)
		if n > 0 {
			m, werr := w.Write(r.buf[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
			if m < n {
				return total, io.ErrShortWrite
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// ackInterval is how many handed bytes trigger an acknowledgement: often
// enough that the sender's window never runs dry, and that its frame
// buffers are recycled while still in cache.
func ackInterval(window uint32) int64 {
	return min(max(int64(window)/8, 64<<10), 512<<10)
}
