package transport

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

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
