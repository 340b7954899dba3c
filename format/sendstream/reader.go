package sendstream

import (
	"errors"
	"io"
	"iter"
)

// Reader buffer sizes: the buffer starts small and grows, as payloads
// demand, up to maxReadBuffer; payloads up to that size are checksummed and
// returned in place, without a copy.
const (
	minReadBuffer = 64 << 10
	maxReadBuffer = 1 << 20
)

// Reader reads a send stream record by record, verifying checksums and
// structure as it goes. Its memory use is bounded: a read buffer of at most
// 1 MiB, a payload buffer that grows to the largest payload over 1 MiB seen
// (at most MaxPayload), and the BEGIN nvlists.
type Reader struct {
	in    input
	m     machine
	large []byte
	err   error
}

// NewReader returns a Reader that reads the stream from r. opts may be nil.
func NewReader(r io.Reader, opts Options) *Reader {
	return &Reader{in: input{src: r}, m: newMachine(opts)}
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
	h, err := r.in.peek(HeaderSize)
	if len(h) < HeaderSize {
		switch {
		case err == io.EOF && len(h) == 0:
			if err := m.finish(); err != nil {
				return nil, err
			}
			return nil, io.EOF
		case err == io.EOF:
			return nil, m.truncatedHeader(len(h))
		default:
			return nil, err
		}
	}
	copy(m.rec.Header[:], h)
	r.in.discard(HeaderSize)
	rec, err := m.header()
	if err != nil {
		return nil, err
	}
	if m.left <= maxReadBuffer {
		p, err := r.in.peek(int(m.left))
		m.payload(p)
		r.in.discard(len(p))
		if m.left > 0 {
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
			p, err := r.in.peek(int(min(m.left, maxReadBuffer)))
			buf = append(buf, p...)
			m.payload(p)
			r.in.discard(len(p))
			if m.left > 0 && err != nil {
				if err == io.EOF {
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

// input is a read buffer that grows on demand up to maxReadBuffer.
type input struct {
	src   io.Reader
	buf   []byte
	r, w  int
	err   error
	empty int // consecutive empty reads
}

// peek returns the next n <= maxReadBuffer bytes without consuming them,
// or fewer with the error that stopped it (io.EOF at the end of input).
func (in *input) peek(n int) ([]byte, error) {
	for in.w-in.r < n && in.err == nil {
		if len(in.buf)-in.r < n {
			size := max(len(in.buf), minReadBuffer)
			for size < n {
				size *= 2
			}
			size = min(size, maxReadBuffer)
			if size > len(in.buf) {
				nb := make([]byte, size)
				in.w = copy(nb, in.buf[in.r:in.w])
				in.buf, in.r = nb, 0
			} else {
				in.w = copy(in.buf, in.buf[in.r:in.w])
				in.r = 0
			}
		}
		k, err := in.src.Read(in.buf[in.w:])
		in.w += k
		if err != nil {
			in.err = err
		} else if k == 0 {
			if in.empty++; in.empty >= 100 {
				in.err = io.ErrNoProgress
			}
		} else {
			in.empty = 0
		}
	}
	if avail := in.w - in.r; avail < n {
		return in.buf[in.r:in.w], in.err
	}
	return in.buf[in.r : in.r+n], nil
}

func (in *input) discard(n int) { in.r += n }

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
func Scan(r io.Reader, opts Options) (Summary, error) {
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
