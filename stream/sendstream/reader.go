package sendstream

import (
	"bufio"
	"errors"
	"io"
	"iter"
)

// readBufferSize is the Reader's buffer; payloads up to this size are
// checksummed and returned in place, without a copy.
const readBufferSize = 1 << 20

// Reader reads a send stream record by record, verifying checksums and
// structure as it goes. Its memory use is bounded: a 1 MiB read buffer, a
// payload buffer that grows to the largest payload over 1 MiB seen (at
// most MaxPayload), and the BEGIN nvlists.
type Reader struct {
	src   *bufio.Reader
	m     machine
	large []byte
	err   error
}

// NewReader returns a Reader that reads the stream from r. opts may be nil.
func NewReader(r io.Reader, opts *Options) *Reader {
	return &Reader{src: bufio.NewReaderSize(r, readBufferSize), m: newMachine(opts)}
}

// Next returns the next record. It returns io.EOF after the last record of a
// complete stream. Any other error is final and is returned again by later
// calls: a *ChecksumError, *TruncatedError or *RecordError for bad input, or
// the underlying reader's error.
//
// The returned Record, including its Payload, is reused: it is valid only
// until the next call to Next.
func (r *Reader) Next() (*Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	rec, err := r.next()
	if err != nil {
		r.err = err
		return nil, err
	}
	return rec, nil
}

func (r *Reader) next() (*Record, error) {
	m := &r.m
	n, err := io.ReadFull(r.src, m.rec.Header[:])
	switch {
	case err == io.EOF:
		if err := m.finish(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	case err == io.ErrUnexpectedEOF:
		return nil, m.truncatedHeader(n)
	case err != nil:
		return nil, err
	}
	rec, err := m.header()
	if err != nil {
		return nil, err
	}
	if m.left <= readBufferSize {
		p, err := r.src.Peek(int(m.left))
		m.payload(p)
		if _, derr := r.src.Discard(len(p)); derr != nil && err == nil {
			err = derr
		}
		if err != nil {
			if err == io.EOF {
				return nil, m.truncatedPayload()
			}
			return nil, err
		}
		rec.Payload = p
	} else {
		// Grow the buffer as data arrives, so that a truncated stream
		// claiming a huge payload cannot force a huge allocation.
		buf := r.large[:0]
		for m.left > 0 {
			chunk := min(m.left, readBufferSize)
			if cap(buf)-len(buf) < int(chunk) {
				buf = append(buf, make([]byte, chunk)...)[:len(buf)]
			}
			k, err := io.ReadFull(r.src, buf[len(buf):len(buf)+int(chunk)])
			m.payload(buf[len(buf) : len(buf)+k])
			buf = buf[:len(buf)+k]
			if err != nil {
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					return nil, m.truncatedPayload()
				}
				return nil, err
			}
		}
		r.large = buf
		rec.Payload = buf
	}
	if err := m.endPayload(); err != nil {
		return nil, err
	}
	return rec, nil
}

// All returns an iterator over the remaining records. It stops after the
// last record of a complete stream; on an error it yields (nil, err) once
// and stops. The records are reused as with Next.
func (r *Reader) All() iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
}

// Summary returns the totals of everything read so far. Its Substreams and
// Compound share memory with the Reader and must not be modified.
func (r *Reader) Summary() Summary {
	s := r.m.summary
	s.StreamBytes = r.m.offset
	return s
}

// Scan reads a whole stream from r, verifying it, and returns its summary:
// what zstream dump prints at the end. The error is nil only if the stream
// is complete and valid; the summary covers what was read either way.
func Scan(r io.Reader, opts *Options) (Summary, error) {
	sr := NewReader(r, opts)
	for {
		if _, err := sr.Next(); err != nil {
			if err == io.EOF {
				err = nil
			}
			return sr.Summary(), err
		}
	}
}
