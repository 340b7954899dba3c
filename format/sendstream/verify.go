package sendstream

import (
	"errors"
	"io"
)

// VerifyingReader passes through a send stream read from an underlying
// reader, verifying it on the way. See the package documentation for what
// it guarantees about the bytes it passes on.
type VerifyingReader struct {
	src     io.Reader
	m       machine
	nhdr    int // bytes of a held header in m.rec.Header
	pending []byte
	err     error
	empty   int // consecutive empty reads from src
}

// noProgress counts a read that returned no data and no error, and gives up
// after 100 in a row as bufio does.
func (v *VerifyingReader) noProgress(n int) {
	if n > 0 {
		v.empty = 0
	} else if v.empty++; v.empty >= 100 && v.err == nil {
		v.err = io.ErrNoProgress
	}
}

// NewVerifyingReader returns a reader that yields the bytes of r unchanged,
// failing with a *ChecksumError, *TruncatedError or *RecordError (or r's own
// error) as soon as the stream is found to be bad. opts may be nil.
func NewVerifyingReader(r io.Reader, opts Options) *VerifyingReader {
	return &VerifyingReader{src: r, m: newMachine(opts)}
}

// Read implements io.Reader. It returns io.EOF only after a complete, valid
// stream.
func (v *VerifyingReader) Read(p []byte) (int, error) {
	for {
		if len(v.pending) > 0 {
			n := copy(p, v.pending)
			v.pending = v.pending[n:]
			return n, nil
		}
		if v.err != nil || len(p) == 0 {
			return 0, v.err
		}
		if v.nhdr > 0 {
			// Complete a header held back from an earlier read.
			n, err := v.src.Read(v.m.rec.Header[v.nhdr:])
			v.noProgress(n)
			v.nhdr += n
			if v.nhdr == HeaderSize {
				v.nhdr = 0
				if _, herr := v.m.header(); herr != nil {
					v.err = herr
					return 0, herr
				}
				v.pending = v.m.rec.Header[:]
				if v.m.left == 0 {
					if perr := v.m.endPayload(); perr != nil {
						v.pending = nil
						v.err = perr
						return 0, perr
					}
				}
			}
			if err != nil {
				v.setReadErr(err)
			}
			continue
		}
		n, err := v.src.Read(p)
		v.noProgress(n)
		good, verr := v.feed(p[:n])
		if verr != nil {
			v.err = verr
			return good, verr
		}
		if err != nil {
			v.setReadErr(err)
		}
		if good > 0 {
			return good, nil
		}
	}
}

// setReadErr records the underlying reader's error, turning io.EOF into a
// *TruncatedError unless the stream is complete.
func (v *VerifyingReader) setReadErr(err error) {
	if err != io.EOF {
		v.err = err
		return
	}
	switch {
	case v.nhdr > 0:
		v.err = v.m.truncatedHeader(v.nhdr)
	case v.m.left > 0:
		v.err = v.m.truncatedPayload()
	default:
		if ferr := v.m.finish(); ferr != nil {
			v.err = ferr
		} else {
			v.err = io.EOF
		}
	}
}

// feed checks the bytes in p, which directly follow everything fed before,
// and returns how many of them may be passed on. A header that p ends
// inside of is copied and held back.
func (v *VerifyingReader) feed(p []byte) (int, error) {
	m := &v.m
	pos := 0
	for pos < len(p) {
		if m.left > 0 {
			k := int(min(m.left, int64(len(p)-pos)))
			m.payload(p[pos : pos+k])
			pos += k
			if m.left == 0 {
				if err := m.endPayload(); err != nil {
					return pos, err
				}
			}
			continue
		}
		k := copy(m.rec.Header[:], p[pos:])
		if k < HeaderSize {
			v.nhdr = k
			return pos, nil
		}
		if _, err := m.header(); err != nil {
			return pos, err
		}
		pos += HeaderSize
		if m.left == 0 {
			if err := m.endPayload(); err != nil {
				return pos, err
			}
		}
	}
	return pos, nil
}

// Summary returns the totals of everything verified so far.
func (v *VerifyingReader) Summary() Summary {
	s := v.m.summary
	s.StreamBytes = v.m.offset
	return s
}

// VerifyingWriter passes a send stream written to it through to an
// underlying writer, verifying it on the way. See the package documentation
// for what it guarantees about the bytes it passes on.
type VerifyingWriter struct {
	dst    io.Writer
	m      machine
	nhdr   int
	err    error
	closed bool
}

var errWriteAfterClose = errors.New("sendstream: write after Close")

// NewVerifyingWriter returns a writer that forwards the bytes written to it
// to w unchanged. Write fails with a *ChecksumError or *RecordError (or w's
// error) as soon as the stream is found to be bad, and Close fails with a
// *TruncatedError if the stream is incomplete. opts may be nil.
func NewVerifyingWriter(w io.Writer, opts Options) *VerifyingWriter {
	return &VerifyingWriter{dst: w, m: newMachine(opts)}
}

// Write implements io.Writer. Bytes of an incomplete header are accepted
// and held back; they are forwarded when the header is complete and valid.
func (v *VerifyingWriter) Write(p []byte) (int, error) {
	if v.closed {
		return 0, errWriteAfterClose
	}
	if v.err != nil {
		return 0, v.err
	}
	m := &v.m
	pos, out := 0, 0 // p[out:pos] is verified and not yet forwarded
	flush := func() error {
		if pos > out {
			if _, err := v.dst.Write(p[out:pos]); err != nil {
				return err
			}
		}
		out = pos
		return nil
	}
	fail := func(err error) (int, error) {
		if ferr := flush(); ferr != nil {
			err = ferr
		}
		v.err = err
		return pos, err
	}
	for pos < len(p) {
		if m.left > 0 {
			k := int(min(m.left, int64(len(p)-pos)))
			m.payload(p[pos : pos+k])
			pos += k
			if m.left == 0 {
				if err := m.endPayload(); err != nil {
					return fail(err)
				}
			}
			continue
		}
		if v.nhdr == 0 && len(p)-pos >= HeaderSize {
			// The whole header is in p: verify it in place.
			copy(m.rec.Header[:], p[pos:])
			if _, err := m.header(); err != nil {
				return fail(err)
			}
			pos += HeaderSize
		} else {
			if err := flush(); err != nil {
				return fail(err)
			}
			k := copy(m.rec.Header[v.nhdr:], p[pos:])
			v.nhdr += k
			pos += k
			out = pos
			if v.nhdr < HeaderSize {
				break
			}
			v.nhdr = 0
			if _, err := m.header(); err != nil {
				v.err = err
				return pos - k, err
			}
			if _, err := v.dst.Write(m.rec.Header[:]); err != nil {
				v.err = err
				return pos, err
			}
		}
		if m.left == 0 {
			if err := m.endPayload(); err != nil {
				return fail(err)
			}
		}
	}
	if err := flush(); err != nil {
		v.err = err
		return pos, err
	}
	return len(p), nil
}

// Close reports whether the stream written was complete: it returns a
// *TruncatedError if it ended early, or the first error Write returned. It
// does not close the underlying writer. Writes after Close fail.
func (v *VerifyingWriter) Close() error {
	if v.closed {
		return v.err
	}
	v.closed = true
	if v.err != nil {
		return v.err
	}
	switch {
	case v.nhdr > 0:
		v.err = v.m.truncatedHeader(v.nhdr)
	case v.m.left > 0:
		v.err = v.m.truncatedPayload()
	default:
		v.err = v.m.finish()
	}
	return v.err
}

// Summary returns the totals of everything verified so far.
func (v *VerifyingWriter) Summary() Summary {
	s := v.m.summary
	s.StreamBytes = v.m.offset
	return s
}
