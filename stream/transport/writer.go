package transport

import (
	"context"
	"errors"
	"io"
)

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
