package pipe

import "io"

// Writer is an io.WriteCloser whose bytes feed a consumer running in its own
// goroutine, through an io.Pipe, and whose Close waits for the consumer and
// returns its outcome. It is the shape of recv.Writer (the consumer is a zfs
// receive) and transport.Writer (a network transfer).
//
// As with io.Pipe's CloseWithError, a failure travels both ways: when the
// consumer ends with an error, writes fail with that error; when the writer
// gives up with CloseWithError, the consumer's reads fail with the writer's
// error.
type Writer[R any] struct {
	pw   *io.PipeWriter
	done chan struct{}
	res  R
	err  error
}

// Start runs consume on the read end of a new pipe, in a goroutine, and
// returns the Writer for its write end. consume reads until io.EOF (the
// writer's Close) or the writer's error (CloseWithError); it may close the
// read end early itself to make a blocked Read return. Once consume has
// returned, the read end is closed with its error, or with io.ErrClosedPipe
// if it succeeded, so that writes do not block.
func Start[R any](consume func(r *io.PipeReader) (R, error)) *Writer[R] {
	pr, pw := io.Pipe()
	w := &Writer[R]{pw: pw, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		w.res, w.err = consume(pr)
		pr.CloseWithError(w.err) // nil: io.ErrClosedPipe for writers
	}()
	return w
}

// Write writes p to the consumer. Once the consumer has ended, it waits for
// the consumer's outcome and returns its error, if any, rather than the
// pipe's.
func (w *Writer[R]) Write(p []byte) (int, error) {
	n, err := w.pw.Write(p)
	if err != nil {
		<-w.done // the read end is only closed as the consumer ends
		if w.err != nil {
			err = w.err
		}
	}
	return n, err
}

// Close ends the stream (the consumer reads io.EOF), waits for the consumer
// and returns its error.
func (w *Writer[R]) Close() error {
	w.pw.Close()
	<-w.done
	return w.err
}

// CloseWithError ends the stream with err (the consumer's reads fail with
// err; nil means io.EOF, as for io.PipeWriter), waits for the consumer and
// returns its error.
func (w *Writer[R]) CloseWithError(err error) error {
	w.pw.CloseWithError(err)
	<-w.done
	return w.err
}

// Result returns what the consumer returned, once it has ended; the zero
// value before.
func (w *Writer[R]) Result() R {
	select {
	case <-w.done:
		return w.res
	default:
		var zero R
		return zero
	}
}
