package recv

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/format/sendstream"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/internal/pipe"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/zfs"
)

// Result reports what a receive did, as zfs receive -v told it. The three
// fields never name the same snapshot.
//
// Nothing was committed exactly when Snapshots is empty (and DryRun
// commits nothing at all). That is so after any failure of a single-snapshot
// stream, and also after a success in one case: an incremental stream whose
// snapshot the target already has. zfs receive then reads the stream,
// ignores it and succeeds; the snapshot is in Skipped.
type Result struct {
	// Snapshots are the snapshots this receive committed on the target, in
	// order (for a dry run, the snapshots that would be received). After a
	// failure of a compound stream (send.Options.Replicate or
	// Intermediates) they are the substreams committed before it; the
	// snapshot being received when it failed is Incomplete, not here.
	Snapshots []string
	// Skipped are snapshots the stream carried that the target already had:
	// zfs receive read their substreams and ignored them ("snap ... already
	// exists; ignoring"), changing nothing.
	Skipped []string
	// Incomplete is the snapshot zfs receive was receiving when it failed,
	// was cancelled or its stream ended early; "" when there was none.
	// Nothing of it was committed. When the error is an
	// *errors.ResumableError, the partial state it left is for this
	// snapshot, and the token completes it.
	Incomplete string
}

// Into receives the send stream read from r into target, returning when zfs
// receive has finished. It reads r to its end: the last bytes of the stream
// reach zfs receive only after r (and every transform) has returned io.EOF,
// so a stream that fails anywhere, even after its last record, is never
// committed (see the package documentation). It does not close r.
//
// Without Transforms, Verify and Progress, an *os.File r (a file, a pipe, the
// output of another process), a *net.TCPConn or a *net.UnixConn is handed to
// zfs receive as its standard input, and the data does not pass through this
// process; zfs receive then reads exactly the stream and r is left at its
// end.
//
// Errors are *errors.Error values (Op "receive") carrying zfs's standard
// error, or a *errors.ResumableError with the resume token when a resumable
// receive left state behind. If reading r or a transform fails, zfs receive is
// stopped and the error (Kind errors.InvalidStream) wraps the read error, so
// errors.Is(err, encrypt.ErrAuthentication) and the like work. Cancelling ctx
// interrupts zfs receive with SIGINT, which keeps the partial state of a
// resumable receive.
//
// If zfs receive fails while a Read of r is blocked, Into waits for that Read
// only briefly; the goroutine copying r then ends as soon as the Read returns.
func Into(ctx context.Context, c *zfs.Client, target string, r io.Reader, opts Options) (*Result, error) {
	p, err := prepare(ctx, c, target, &opts)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, invalid(p.target, "nil reader")
	}
	return p.receive(ctx, r, nil)
}

// abandonAfter is how long a receive waits, after zfs receive has exited, for
// the goroutine feeding it to notice.
const abandonAfter = time.Second

// receive runs zfs receive on r. unblock, if set, is called once zfs receive
// has exited, to make a Read of r that is still blocked return.
func (p *plan) receive(ctx context.Context, r io.Reader, unblock func()) (*Result, error) {
	log := &verboseLog{target: p.target}
	cmd := &command.Cmd{Name: "zfs", Args: p.args, Stdout: log, Interrupt: true}
	if !p.copies() {
		if f, release, ok := pipe.Handoff(r); ok {
			cmd.Stdin = f
			err := errors.FromCommand(op, p.target, p.c.Options().Runner.Run(ctx, cmd))
			release()
			return p.finish(ctx, log, err, copyResult{})
		}
	}

	src, closeSrc, err := p.source(r)
	if err != nil {
		return nil, errs.Newf(errors.Other, op, p.target, "transform: %w", err)
	}
	pr, pw, err := pipe.New()
	if err != nil {
		_ = closeSrc()
		return nil, errs.Newf(errors.Other, op, p.target, "pipe: %w", err)
	}
	cmd.Stdin = pr

	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var exited atomic.Bool
	fed := make(chan copyResult, 1)
	go func() {
		res := feed(pw, src, closeSrc, holdBack, p.opts.Progress)
		// A read error after zfs receive exited is a consequence of
		// unblock, not a cause.
		res.cause = res.readErr != nil && !exited.Load()
		if res.cause {
			// Stop zfs receive before it sees the end of its input. It
			// has not seen the END record (held back), so it fails either
			// way; stopping it first also covers runners that might not
			// notice end of input.
			cancel()
		}
		pw.Close()
		fed <- res
	}()
	runErr := errors.FromCommand(op, p.target, p.c.Options().Runner.Run(rctx, cmd))
	exited.Store(true)
	// zfs receive has exited: a feeder blocked writing gets EPIPE now.
	pr.Close()
	var res copyResult
	select {
	case res = <-fed:
	default:
		if unblock != nil {
			unblock()
		}
		select {
		case res = <-fed:
		case <-time.After(abandonAfter):
			// Still blocked reading r. zfs receive has failed (it
			// cannot succeed before r ends), so its error is the result.
		}
	}
	return p.finish(ctx, log, runErr, res)
}

// source builds the reader zfs receive is fed from.
func (p *plan) source(r io.Reader) (io.Reader, func() error, error) {
	src := r
	closeSrc := func() error { return nil }
	if len(p.opts.Transforms) > 0 {
		chain, err := stream.ChainReader(r, p.opts.Transforms...)
		if err != nil {
			return nil, nil, err
		}
		src, closeSrc = chain, chain.Close
	}
	if p.opts.Verify {
		src = sendstream.NewVerifyingReader(src, sendstream.Options{})
	}
	return src, closeSrc, nil
}

// finish builds the result and the error of a receive.
func (p *plan) finish(ctx context.Context, log *verboseLog, runErr error, fed copyResult) (*Result, error) {
	err := runErr
	if fed.cause && ctx.Err() == nil {
		err = p.streamError(fed.readErr, runErr)
	}
	res := log.result(err == nil, p.opts.DryRun)
	if err == nil {
		return res, nil
	}
	if errors.KindOf(err) == errors.Exist {
		if refined, looked := p.statePresent(ctx, err); looked {
			return res, refined
		}
	}
	if !p.opts.DryRun && (p.opts.Resumable || errors.KindOf(err) == errors.ResumableStatePresent) {
		err = p.withToken(ctx, err, res)
	}
	return res, err
}

// existingDest finds the destination in zfs's "destination 'pool/b' exists"
// (a full stream into an existing dataset without -F).
var existingDest = regexp.MustCompile(`destination '([^'\n]+)' exists`)

// statePresent refines an Exist error: a full stream into a dataset that
// holds the partial state of an interrupted resumable receive fails with
// "destination exists, must specify -F" — but -F would fail too, as the
// state must first be resumed or aborted. If the destination has a resume
// token, the error is an *errors.ResumableError of Kind
// ResumableStatePresent carrying it.
func (p *plan) statePresent(ctx context.Context, err error) (error, bool) {
	var e *errors.Error
	if !errors.As(err, &e) {
		return err, false
	}
	// Only zfs's message for a full stream into an existing dataset; a
	// resumed stream refused without -F ("Resuming recv on existing
	// destination") meets the state it is meant to resume.
	m := existingDest.FindStringSubmatch(e.Stderr)
	if m == nil || names.Dataset(m[1]) != nil || strings.Contains(e.Stderr, "Resuming recv") {
		return err, false
	}
	ds := m[1]
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenTimeout)
	defer cancel()
	tok, terr := resumeToken(lctx, p.c, ds)
	if terr != nil || tok == "" {
		return err, true
	}
	c := *e // zfs's message stays; the Kind says what it means
	c.Kind = errors.ResumableStatePresent
	return &errors.ResumableError{Token: tok, Err: &c}, true
}

// streamError reports a failure to read the stream, which made this package
// stop zfs receive. zfs's own error is then a consequence; its argv and exit
// status are kept, and a resume token it printed is kept too.
func (p *plan) streamError(readErr, runErr error) error {
	e := &errors.Error{Op: op, Name: p.target, Kind: errors.InvalidStream, ExitCode: -1,
		Err: fmt.Errorf("reading the stream: %w", readErr)}
	var ze *errors.Error
	if errors.As(runErr, &ze) {
		e.Argv, e.ExitCode = ze.Argv, ze.ExitCode
	}
	var re *errors.ResumableError
	if errors.As(runErr, &re) && re.Token != "" {
		return &errors.ResumableError{Token: re.Token, Err: e}
	}
	return e
}

// tokenTimeout bounds the lookup of a resume token after a failure, which
// runs even when ctx has been cancelled.
const tokenTimeout = 30 * time.Second

// withToken turns err into an *errors.ResumableError if the destination now
// holds resumable state, reading its receive_resume_token when zfs did not
// print one.
func (p *plan) withToken(ctx context.Context, err error, res *Result) error {
	var re *errors.ResumableError
	if errors.As(err, &re) && re.Token != "" {
		return err
	}
	ds := ""
	switch {
	case res.Incomplete != "":
		ds, _, _ = cutSnapshot(res.Incomplete)
	case len(res.Snapshots) > 0:
		ds, _, _ = cutSnapshot(res.Snapshots[len(res.Snapshots)-1])
	case p.opts.Naming == AsGiven:
		ds, _, _ = cutSnapshot(p.target)
	}
	if ds == "" {
		return err
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenTimeout)
	defer cancel()
	tok, terr := resumeToken(lctx, p.c, ds)
	if terr != nil || tok == "" {
		return err
	}
	return errs.Resumable(err, tok)
}

// Writer is a receive fed by writes: an io.WriteCloser whose Close waits for
// zfs receive and returns its error. Make one with NewWriter.
type Writer struct {
	w *pipe.Writer[*Result]
}

var _ io.WriteCloser = (*Writer)(nil)

// errEnded is what a read of the stream blocked when zfs receive exited
// fails with.
var errEnded = errors.New("recv: receive has ended")

// NewWriter starts a receive into target and returns the Writer to write the
// stream into. The options are checked now, and zfs receive starts right
// away under ctx. The caller must call Close (or CloseWithError) to finish
// the receive; as with Into, the last bytes of the stream reach zfs receive
// only on Close.
func NewWriter(ctx context.Context, c *zfs.Client, target string, opts Options) (*Writer, error) {
	p, err := prepare(ctx, c, target, &opts)
	if err != nil {
		return nil, err
	}
	return &Writer{w: pipe.Start(func(pr *io.PipeReader) (*Result, error) {
		return p.receive(ctx, pr, func() { pr.CloseWithError(errEnded) })
	})}, nil
}

// Write writes stream bytes. It fails once the receive has ended (zfs
// receive exited or the context was cancelled), with the receive's error
// when it failed.
func (w *Writer) Write(p []byte) (int, error) { return w.w.Write(p) }

// Close ends the stream, waits for zfs receive to finish and returns its
// error, as Into does.
func (w *Writer) Close() error { return w.w.Close() }

// CloseWithError aborts the receive because the stream failed with err: zfs
// receive is stopped without seeing the end of the stream, so nothing from
// an incomplete stream is committed (a resumable receive keeps its partial
// state). It waits for zfs receive and returns the receive's error, which
// wraps err.
func (w *Writer) CloseWithError(err error) error {
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return w.w.CloseWithError(err)
}

// Result returns what the receive did, once Close has returned; nil before.
func (w *Writer) Result() *Result { return w.w.Result() }
