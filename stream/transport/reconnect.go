package transport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"
)

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
