package transport

import (
	"context"
	"fmt"
	"io"
	"os"
)

// Source produces the bytes of a transfer. Open returns a reader positioned
// at offset bytes into the stream; the sender reads it to EOF and closes it.
//
// Within one Send call the sender never reopens its source: bytes that were
// sent but not yet acknowledged stay in the sender's window and are replayed
// from memory after a reconnect. Open is called with a non-zero offset only by
// Sender.Resume, when a new sender process continues a transfer the receiver
// still holds. A source that cannot do that returns an error wrapping
// ErrNotResumable.
type Source interface {
	Open(ctx context.Context, offset int64) (io.ReadCloser, error)
}

// SourceFunc adapts a function to the Source interface.
type SourceFunc func(ctx context.Context, offset int64) (io.ReadCloser, error)

// Open calls f(ctx, offset).
func (f SourceFunc) Open(ctx context.Context, offset int64) (io.ReadCloser, error) {
	return f(ctx, offset)
}

// ReplySource is a Source that wants to see the receiver's reply metadata
// before it is opened. The sender calls Accepted once, after the receiver
// accepted the transfer and before the first Open. A ZFS source uses it to
// pick up a resume token the receiving side reported (see the package
// documentation).
type ReplySource interface {
	Source
	Accepted(ctx context.Context, reply map[string]string) error
}

// ReaderSource returns a Source that yields r once, from offset 0. Opening it
// at another offset fails with ErrNotResumable; closing the returned reader
// closes r if it is an io.Closer.
func ReaderSource(r io.Reader) Source {
	return SourceFunc(func(_ context.Context, offset int64) (io.ReadCloser, error) {
		if offset != 0 {
			return nil, fmt.Errorf("transport: reader source at offset %d: %w", offset, ErrNotResumable)
		}
		if rc, ok := r.(io.ReadCloser); ok {
			return rc, nil
		}
		return io.NopCloser(r), nil
	})
}

// SeekerSource returns a Source that seeks rs to the requested offset (from
// the start) on every Open. Closing the returned reader does not close rs.
func SeekerSource(rs io.ReadSeeker) Source {
	return SourceFunc(func(_ context.Context, offset int64) (io.ReadCloser, error) {
		if _, err := rs.Seek(offset, io.SeekStart); err != nil {
			return nil, fmt.Errorf("transport: seeking source to %d: %w", offset, err)
		}
		return io.NopCloser(rs), nil
	})
}

// FileSource returns a Source that opens the named file and seeks to the
// requested offset on every Open.
func FileSource(name string) Source {
	return SourceFunc(func(_ context.Context, offset int64) (io.ReadCloser, error) {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		if offset != 0 {
			if _, err := f.Seek(offset, io.SeekStart); err != nil {
				f.Close()
				return nil, err
			}
		}
		return f, nil
	})
}
