package recv

import (
	"context"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/pipe"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/zfs"
)

// ReplicateOptions configure Replicate.
type ReplicateOptions struct {
	// Send are the options of the sending side: the kind of stream and its
	// write transforms.
	Send send.Options
	// Receive are the options of the receiving side, with the read
	// transforms that undo the send's.
	Receive Options
	// Retries is how many times Replicate resumes a receive that was
	// interrupted part-way, with `zfs send -t` and the destination's resume
	// token, before it gives up. It needs Receive.Resumable, and a stream of
	// a single snapshot (not Send.Replicate or Send.Intermediates: a resume
	// token continues only the substream it was taken from). Zero means no
	// automatic resume. A resumed send keeps Send's Raw, Compressed,
	// LargeBlocks, Embedded, Transforms, Progress and BufferSize, the
	// options `zfs send -t` combines with a token; not its ExtraArgs.
	Retries int
}

// Replicate sends snapshot (a full name) with the src client and receives it into target with
// the dst client, in one call: `zfs send | zfs receive` with the stream
// passing through Send.Transforms and then Receive.Transforms. The two
// clients may be the same, or use different runners (another host, sudo).
//
// Without transforms, Verify or Progress the two commands are joined by a
// pipe and the stream does not pass through this process; otherwise it is
// copied through it. Whichever side fails first stops the other: a failed
// send leaves zfs receive without the end of its stream, and a failed receive
// closes the pipe zfs send writes to. The error then joins both sides'
// errors, the cause first. No process or goroutine outlives the call.
//
// With Retries, a receive interrupted part-way (an *errors.ResumableError
// with a token from this attempt) is resumed automatically until it completes
// or the retries are used up. Cancelling ctx stops both sides and is never
// retried.
func Replicate(ctx context.Context, src, dst *zfs.Client, snapshot, target string, opts ReplicateOptions) (*Result, error) {
	name := target
	switch {
	case opts.Retries < 0:
		return nil, invalid(name, "negative Retries")
	case opts.Retries > 0 && !opts.Receive.Resumable:
		return nil, invalid(name, "Retries needs a resumable receive (Receive.Resumable)")
	case opts.Retries > 0 && (opts.Send.Replicate || opts.Send.Intermediates):
		return nil, invalid(name, "Retries cannot resume replication (-R) or intermediate (-I) streams")
	}
	all := &Result{}
	sopts := opts.Send
	for attempt := 0; ; attempt++ {
		res, err := replicateOnce(ctx, src, dst, snapshot, target, sopts, opts.Receive)
		if res != nil {
			for _, s := range res.Snapshots {
				if len(all.Snapshots) == 0 || all.Snapshots[len(all.Snapshots)-1] != s {
					all.Snapshots = append(all.Snapshots, s)
				}
			}
		}
		if err == nil {
			return all, nil
		}
		var re *errors.ResumableError
		if attempt >= opts.Retries || ctx.Err() != nil || !errors.As(err, &re) || re.Token == "" ||
			re.Err == nil || re.Err.Kind == errors.ResumableStatePresent {
			return all, err
		}
		sopts = resumeOptions(opts.Send, re.Token)
		snapshot = ""
	}
}

// resumeOptions are the options of a send resumed from token: the token
// carries the stream's identity and flags; block flags, transforms and
// progress carry over.
func resumeOptions(o send.Options, token string) send.Options {
	return send.Options{
		ResumeToken: token,
		Raw:         o.Raw,
		Compressed:  o.Compressed,
		LargeBlocks: o.LargeBlocks,
		Embedded:    o.Embedded,
		Transforms:  o.Transforms,
		Progress:    o.Progress,
		BufferSize:  o.BufferSize,
	}
}

// replicateOnce runs one send into one receive.
func replicateOnce(ctx context.Context, src, dst *zfs.Client, snapshot, target string, sopts send.Options, ropts Options) (*Result, error) {
	rp, err := prepare(ctx, dst, target, &ropts)
	if err != nil {
		return nil, err
	}
	if len(sopts.Transforms) > 0 || sopts.Progress != nil || rp.copies() {
		s, err := send.Reader(ctx, src, snapshot, sopts)
		if err != nil {
			return nil, err
		}
		// A send failure reaches the receive as a read error, which stops
		// zfs receive; a receive failure closes the stream, which stops zfs
		// send.
		cr := &capture{r: s}
		res, rerr := rp.receive(ctx, cr, func() { s.Close() })
		s.Close()
		var se *errors.Error
		if serr := cr.failure(); errors.As(serr, &se) && se.Op == "send" {
			return res, joinSides(serr, rerr)
		}
		return res, rerr
	}

	if err := send.Validate(ctx, src, snapshot, sopts); err != nil {
		return nil, err
	}
	pr, pw, err := pipe.New()
	if err != nil {
		return nil, errs.Newf(errors.Other, op, rp.target, "pipe: %w", err)
	}
	sent := make(chan error, 1)
	go func() {
		err := send.To(ctx, src, pw, snapshot, sopts)
		// zfs send has exited; closing our copy of the write end gives zfs
		// receive the end of its input.
		pw.Close()
		sent <- err
	}()
	res, rerr := rp.receive(ctx, pr, nil)
	// zfs receive has exited; closing our copy of the read end makes a zfs
	// send still writing fail with EPIPE.
	pr.Close()
	serr := <-sent
	return res, joinSides(serr, rerr)
}

// capture remembers the first error, other than io.EOF, that reading r
// returned. The reading goroutine may outlive the receive, hence the lock.
type capture struct {
	r   io.Reader
	mu  sync.Mutex
	err error
}

func (c *capture) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *capture) failure() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// joinSides joins the errors of the two sides of a pipe, the cause first: a
// send that failed on a broken pipe did so because the receive had failed.
func joinSides(sendErr, recvErr error) error {
	switch {
	case sendErr == nil:
		return recvErr
	case recvErr == nil:
		return sendErr
	case brokenPipe(sendErr):
		return errors.Join(recvErr, sendErr)
	}
	return errors.Join(sendErr, recvErr)
}

// brokenPipe reports whether a send failed writing to a closed pipe: with
// EPIPE ("Broken pipe" from zfs) or killed by SIGPIPE.
func brokenPipe(err error) bool {
	if errors.Is(err, syscall.EPIPE) {
		return true
	}
	var xe *exec.ExitError
	if errors.As(err, &xe) {
		if ws, ok := xe.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGPIPE {
			return true
		}
	}
	var e *errors.Error
	return errors.As(err, &e) && strings.Contains(e.Stderr, "Broken pipe")
}
