package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// pidMarker starts the line the remote shell writes to stderr before it
// execs the program: "gozfs-ssh-pid <pid>". The line is taken out of stderr.
// The pid is that of the session's process group (sshd starts every session
// in a new session), which the runner signals when the server does not
// deliver signals itself.
const pidMarker = "gozfs-ssh-pid "

// pidMarkerScan bounds how far into stderr the marker is looked for (lines a
// login shell prints first pass through).
const pidMarkerScan = 4096

// stderrTee receives the remote standard error: it takes out the pid marker
// line, keeps the bounded copy and passes the rest on to the caller's writer
// until that fails. It never fails itself, so that stderr is always drained.
type stderrTee struct {
	buf    *boundedBuffer
	w      io.Writer
	failed bool

	scanned int    // bytes looked at for the marker; -1 once done
	line    []byte // an incomplete line while scanning

	mu       sync.Mutex
	pid      int
	pidKnown chan struct{} // closed once pid is set
}

func newStderrTee(buf *boundedBuffer, w io.Writer) *stderrTee {
	return &stderrTee{buf: buf, w: w, pidKnown: make(chan struct{})}
}

func (t *stderrTee) Write(p []byte) (int, error) {
	n := len(p)
	for t.scanned >= 0 && len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			t.line = append(t.line, p...)
			t.scanned += len(p)
			p = nil
			if t.scanned > pidMarkerScan {
				t.endScan()
			}
			break
		}
		t.line = append(t.line, p[:i+1]...)
		t.scanned += i + 1
		p = p[i+1:]
		if pid, ok := parsePidMarker(t.line); ok {
			t.mu.Lock()
			t.pid = pid
			t.mu.Unlock()
			close(t.pidKnown)
			t.line = t.line[:0]
			t.scanned = -1
			break
		}
		t.emit(t.line)
		t.line = t.line[:0]
		if t.scanned > pidMarkerScan {
			t.endScan()
		}
	}
	if len(p) > 0 {
		t.emit(p)
	}
	return n, nil
}

// endScan stops looking for the marker and passes on what was held back.
func (t *stderrTee) endScan() {
	t.scanned = -1
	if len(t.line) > 0 {
		t.emit(t.line)
		t.line = nil
	}
}

func (t *stderrTee) emit(p []byte) {
	_, _ = t.buf.Write(p)
	if t.w != nil && !t.failed {
		if _, err := t.w.Write(p); err != nil {
			t.failed = true
		}
	}
}

// waitPid returns the remote process group's id: at once if it is known,
// else once it arrives, or 0 when the session ended or d passed first.
func (t *stderrTee) waitPid(ended <-chan struct{}, d time.Duration) int {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-t.pidKnown:
	case <-ended:
	case <-timer.C:
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pid
}

func parsePidMarker(line []byte) (int, bool) {
	s, ok := bytes.CutPrefix(bytes.TrimSuffix(line, []byte("\n")), []byte(pidMarker))
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(string(s))
	return pid, err == nil && pid > 1
}

// stopper stops a remote command whose context ended: the stop signal at
// once, then after the grace period SIGKILL and closing the session, and if
// even that did not end the session within another grace period, closing the
// whole connection (the server does not answer).
type stopper struct {
	r     *SSH
	conn  *sshConn
	sess  *ssh.Session
	tee   *stderrTee
	sig   ssh.Signal
	ended chan struct{} // closed by finish

	mu     sync.Mutex
	done   bool
	timers []*time.Timer
	wg     sync.WaitGroup
}

func newStopper(r *SSH, conn *sshConn, sess *ssh.Session, tee *stderrTee, interrupt bool) *stopper {
	s := &stopper{r: r, conn: conn, sess: sess, tee: tee, sig: ssh.SIGTERM, ended: make(chan struct{})}
	if interrupt {
		s.sig = ssh.SIGINT
	}
	return s
}

// start is called when the context ends.
func (s *stopper) start() {
	s.after(0, func() { s.signal(s.sig) })
	s.after(s.r.grace, func() {
		s.signal(ssh.SIGKILL)
		_ = s.sess.Close()
		s.after(s.r.grace, s.conn.close)
	})
}

// after runs f after d unless the command has finished by then.
func (s *stopper) after(d time.Duration, f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return
	}
	s.wg.Add(1)
	s.timers = append(s.timers, time.AfterFunc(d, func() {
		defer s.wg.Done()
		f()
	}))
}

// finish is called once the session ended: it cancels what has not run yet
// and waits for what is running.
func (s *stopper) finish() {
	s.mu.Lock()
	s.done = true
	close(s.ended)
	for _, t := range s.timers {
		if t.Stop() {
			s.wg.Done()
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// signal sends sig to the remote command. It asks sshd first, through the
// session (RFC 4254 6.9). OpenSSH's sshd refuses that for sessions without
// privilege separation, which is every root login; then a second session
// runs kill(1) on the command's process group, as sshd would have done.
func (s *stopper) signal(sig ssh.Signal) {
	ok, err := s.sess.SendRequest("signal", true, ssh.Marshal(struct{ Signal string }{string(sig)}))
	if err != nil || ok {
		return // delivered, or the session is gone
	}
	pid := s.tee.waitPid(s.ended, s.r.grace)
	if pid <= 0 {
		return
	}
	s.r.control <- struct{}{}
	defer func() { <-s.r.control }()
	ctx, cancel := context.WithTimeout(context.Background(), s.r.grace)
	defer cancel()
	ks, err := openSession(ctx, s.conn, time.Now().Add(s.r.grace))
	if err != nil {
		return
	}
	defer ks.Close()
	stop := context.AfterFunc(ctx, func() { ks.Close() })
	defer stop()
	_ = ks.Run(fmt.Sprintf("kill -s %s -- -%d 2>/dev/null || kill -s %s %d", sig, pid, sig, pid))
}

// openSession opens a session on c. A refusal from the server is retried
// until deadline: it most often means that the server has not yet freed
// sessions that ended (it does so once their processes have been reaped),
// or that it allows fewer sessions than SSHOptions.MaxSessions.
func openSession(ctx context.Context, c *sshConn, deadline time.Time) (*ssh.Session, error) {
	backoff := 5 * time.Millisecond
	for {
		s, err := c.newSession(ctx)
		var oce *ssh.OpenChannelError
		if err == nil || !errors.As(err, &oce) || time.Now().After(deadline) {
			return s, err
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		backoff = min(2*backoff, 200*time.Millisecond)
	}
}
