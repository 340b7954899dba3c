package send

import (
	"context"
	"io"
	"os"
	"sync"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/pipe"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/zfs"
)

// To runs zfs send for snapshot (a full snapshot name, "pool/fs@snap") and writes the stream into w, returning when the
// stream is complete or has failed. It never closes w.
//
// Without Transforms and Progress, an *os.File w (a file, a pipe, another
// process's standard input) is handed to zfs send as its standard output, and
// so is a *net.TCPConn or *net.UnixConn (see the package documentation for
// what that means for the connection); the data then never passes through
// this process. Any other writer receives the stream through a pipe.
//
// Errors are *errors.Error values (Op "send") carrying zfs's standard error; a
// failure to write to w or in a transform is their cause. Cancelling ctx stops
// zfs send.
func To(ctx context.Context, c *zfs.Client, w io.Writer, snapshot string, opts Options) error {
	p, err := prepare(ctx, c, snapshot, &opts)
	if err != nil {
		return err
	}
	if w == nil {
		return invalid(p.name, "nil writer")
	}
	return p.into(ctx, w)
}

// Validate checks snapshot and opts as To, Reader and Estimate do, asking the
// client for the OpenZFS version if an option depends on it, without sending
// anything.
func Validate(ctx context.Context, c *zfs.Client, snapshot string, opts Options) error {
	_, err := prepare(ctx, c, snapshot, &opts)
	return err
}

// into runs the send into w, directly or through the transforms.
func (p *plan) into(ctx context.Context, w io.Writer) error {
	if !p.transformed() && p.opts.Progress == nil {
		if f, release, ok := pipe.Handoff(w); ok {
			defer release()
			return p.run(ctx, f)
		}
		return p.run(ctx, w)
	}
	chain, err := stream.ChainWriter(w, p.opts.Transforms...)
	if err != nil {
		return errs.Newf(errors.Other, op, p.name, "transform: %w", err)
	}
	var out io.Writer = chain
	if p.opts.Progress != nil {
		out = p.opts.Progress.Writer(chain)
	}
	runErr := p.run(ctx, out)
	if cerr := chain.Close(); cerr != nil {
		cerr = errs.Newf(errors.Other, op, p.name, "transform: %w", cerr)
		if runErr == nil {
			return cerr
		}
		return errors.Join(runErr, cerr)
	}
	return runErr
}

// run runs zfs send with the given standard output.
func (p *plan) run(ctx context.Context, out io.Writer) error {
	cmd := &command.Cmd{Name: "zfs", Args: p.args, Stdout: out}
	return errors.FromCommand(op, p.name, p.c.Options().Runner.Run(ctx, cmd))
}

// Reader returns the send stream of snapshot as a *Stream to read from. The
// options are checked now; zfs send starts on the first Read or WriteTo and
// runs under ctx. The caller must Close the stream.
func Reader(ctx context.Context, c *zfs.Client, snapshot string, opts Options) (*Stream, error) {
	p, err := prepare(ctx, c, snapshot, &opts)
	if err != nil {
		return nil, err
	}
	return &Stream{p: p, ctx: ctx}, nil
}

// Stream is a send stream being read: an io.ReadCloser that is also an
// io.WriterTo. Read returns the stream's bytes and then io.EOF if zfs send
// succeeded, or its error (an *errors.Error with zfs's standard error) after
// the last byte if it failed. Close stops zfs send if it is still running and
// waits for it to exit.
//
// io.Copy(dst, s) uses WriteTo. When dst is a regular *os.File and the stream
// has no Transforms or Progress and has not been read yet, WriteTo hands the
// file to zfs send, so the data does not pass through this process.
//
// A Stream is meant for one reader; Close may be called from another
// goroutine to abandon it.
type Stream struct {
	p   *plan
	ctx context.Context

	mu     sync.Mutex
	state  streamState
	cancel context.CancelFunc
	pr     *os.File       // pipe from zfs send, without transforms
	buf    *stream.Buffer // transformed output, with transforms
	direct bool           // WriteTo ran zfs send straight into a file
	done   chan struct{}  // closed when zfs send has exited and output is closed
	err    error          // the send's error, valid once done is closed
}

type streamState uint8

const (
	idle streamState = iota
	running
	closed
)

var (
	_ io.ReadCloser = (*Stream)(nil)
	_ io.WriterTo   = (*Stream)(nil)
)

// defaultBufferSize is the buffer between transforms and reader.
const defaultBufferSize = 1 << 20

// start starts zfs send; s.mu is held and s.state is idle.
func (s *Stream) start() error {
	ctx, cancel := context.WithCancel(s.ctx)
	done := make(chan struct{})
	if !s.p.transformed() {
		pr, pw, err := pipe.New()
		if err != nil {
			cancel()
			return errs.Newf(errors.Other, op, s.p.name, "pipe: %w", err)
		}
		go func() {
			defer close(done)
			s.err = s.p.run(ctx, pw)
			pw.Close()
		}()
		s.pr = pr
	} else {
		size := s.p.opts.BufferSize
		if size <= 0 {
			size = defaultBufferSize
		}
		buf := stream.NewBuffer(stream.BufferOptions{Size: size})
		chain, err := stream.ChainWriter(buf, s.p.opts.Transforms...)
		if err != nil {
			cancel()
			return errs.Newf(errors.Other, op, s.p.name, "transform: %w", err)
		}
		var out io.Writer = chain
		if s.p.opts.Progress != nil {
			out = s.p.opts.Progress.Writer(chain)
		}
		go func() {
			defer close(done)
			err := s.p.run(ctx, out)
			if cerr := chain.Close(); cerr != nil && err == nil {
				err = errs.Newf(errors.Other, op, s.p.name, "transform: %w", cerr)
			}
			s.err = err
			buf.CloseWriteWithError(err)
		}()
		s.buf = buf
	}
	s.cancel, s.done, s.state = cancel, done, running
	return nil
}

// begin starts the stream if it is idle and reports whether it may be read.
func (s *Stream) begin() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state {
	case idle:
		return s.start()
	case closed:
		return os.ErrClosed
	}
	return nil
}

// Read reads the next bytes of the stream, starting zfs send on the first
// call. After the last byte it returns io.EOF if zfs send succeeded and its
// error otherwise.
func (s *Stream) Read(p []byte) (int, error) {
	if err := s.begin(); err != nil {
		return 0, err
	}
	if s.direct {
		// WriteTo already delivered the whole stream.
		<-s.done
		if s.err != nil {
			return 0, s.err
		}
		return 0, io.EOF
	}
	if s.buf != nil {
		return s.buf.Read(p)
	}
	n, err := s.pr.Read(p)
	if n > 0 && s.p.opts.Progress != nil {
		s.p.opts.Progress.Add(int64(n))
	}
	if err == io.EOF {
		<-s.done
		if s.err != nil {
			err = s.err
		}
	}
	return n, err
}

// copyBufferSize is the read size when WriteTo copies through this process.
const copyBufferSize = 256 << 10

// WriteTo writes the rest of the stream to w and returns the number of bytes
// written. It returns nil at the end of a successful stream, zfs send's error
// if it failed, and w's error if writing failed (zfs send is then left
// running until Close).
func (s *Stream) WriteTo(w io.Writer) (int64, error) {
	if n, err, ok := s.writeFileDirect(w); ok {
		return n, err
	}
	if err := s.begin(); err != nil {
		return 0, err
	}
	if s.buf != nil && !s.direct {
		return s.buf.WriteTo(w)
	}
	buf := make([]byte, copyBufferSize)
	var total int64
	for {
		n, rerr := s.Read(buf)
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			if werr == nil && m < n {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return total, werr
			}
		}
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}

// writeFileDirect runs an idle, untransformed stream straight into a regular
// file and reports ok if it did. The byte count is the change of the file's
// offset.
func (s *Stream) writeFileDirect(w io.Writer) (n int64, err error, ok bool) {
	f, isFile := w.(*os.File)
	if !isFile || s.p.transformed() || s.p.opts.Progress != nil {
		return 0, nil, false
	}
	st, serr := f.Stat()
	if serr != nil || !st.Mode().IsRegular() {
		return 0, nil, false
	}
	start, serr := f.Seek(0, io.SeekCurrent)
	if serr != nil {
		return 0, nil, false
	}
	s.mu.Lock()
	if s.state != idle {
		s.mu.Unlock()
		return 0, nil, false
	}
	ctx, cancel := context.WithCancel(s.ctx)
	done := make(chan struct{})
	s.cancel, s.done, s.state, s.direct = cancel, done, running, true
	s.mu.Unlock()

	err = s.p.run(ctx, f)
	s.err = err
	close(done)
	end, serr := f.Seek(0, io.SeekCurrent)
	if serr == nil {
		n = end - start
	}
	return n, err, true
}

// Close stops zfs send if it is still running, waits for it to exit and
// releases the stream. It closes the read side of the pipe before waiting, so
// zfs send cannot stay blocked writing to it (openzfs#12500). Abandoning a
// stream is not an error: Close returns nil, and errors of the stream itself
// are reported by Read and WriteTo. Closing twice is harmless.
func (s *Stream) Close() error {
	s.mu.Lock()
	prev := s.state
	s.state = closed
	s.mu.Unlock()
	if prev != running {
		return nil
	}
	if s.pr != nil {
		s.pr.Close()
	}
	if s.buf != nil {
		s.buf.CloseRead()
	}
	s.cancel()
	<-s.done
	return nil
}
