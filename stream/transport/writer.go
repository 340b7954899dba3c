package transport

import (
	"context"
	"errors"
	"io"

	"github.com/gozfs/gozfs/internal/pipe"
)

// Writer is an io.WriteCloser that delivers what is written to it as one
// transfer. It must be closed: Close sends the end frame and waits for the
// receiver's result. Create one with Sender.NewWriter.
type Writer struct {
	w *pipe.Writer[*Result]
}

// NewWriter starts a transfer fed by the returned Writer. The connection is
// made in the background; if it fails, Write and Close return the error.
// Bytes written are copied once into the sender's frame buffers; Send with a
// Source avoids that copy.
func (s *Sender) NewWriter(ctx context.Context, h Header) *Writer {
	return &Writer{w: pipe.Start(func(pr *io.PipeReader) (*Result, error) {
		return s.run(ctx, ReaderSource(pr), h, false)
	})}
}

// Write sends p. Once the transfer has failed it returns the transfer's
// error.
func (w *Writer) Write(p []byte) (int, error) { return w.w.Write(p) }

// Close ends the stream and waits for the receiver's result.
func (w *Writer) Close() error { return w.w.Close() }

// CloseWithError aborts the transfer: the receiver's handler sees an error
// matching ErrAborted that carries err's text. It waits for the sender to
// finish and returns the transfer's error.
func (w *Writer) CloseWithError(err error) error {
	if err == nil {
		err = errors.New("writer closed with error")
	}
	return w.w.CloseWithError(err)
}

// Result returns the outcome after Close returned nil, and nil otherwise.
func (w *Writer) Result() *Result { return w.w.Result() }
