package sendstream

import (
	"encoding/binary"
	"math/bits"
	"strconv"

	"github.com/gozfs/gozfs/format/nvlist"
)

// Options tunes a Reader, VerifyingReader or VerifyingWriter. The zero value
// gives the defaults.
type Options struct {
	// MaxBeginPayload limits the size of a BEGIN record's packed nvlist;
	// 0 means DefaultMaxBeginPayload (64 MiB, what libzfs accepts). The
	// payload is held in memory to decode it.
	MaxBeginPayload int
	// AllowConcatenated accepts further streams after a complete one, as
	// zstream dump does. By default bytes after the end of the first
	// stream fail with ErrTrailingData.
	AllowConcatenated bool
	// RejectUnsupported fails on BEGIN records whose feature flags
	// OpenZFS cannot receive (ErrUnsupportedFeature). By default such
	// streams are read and their flags reported.
	RejectUnsupported bool
}

// Summary totals what has been read so far, like the SUMMARY section of
// zstream dump. The per-type arrays are indexed by RecordType.
type Summary struct {
	// Records counts records by type.
	Records [NumRecordTypes]int64
	// PayloadBytes totals payload bytes by type; BEGIN counts its nvlist.
	PayloadBytes [NumRecordTypes]int64
	// TotalRecords, TotalPayload and HeaderBytes are zstream's "Total
	// records", "Total payload size" and "Total header overhead".
	TotalRecords int64
	TotalPayload int64
	HeaderBytes  int64
	// StreamBytes is the number of bytes consumed ("Total stream length").
	StreamBytes int64
	// Compound is the BEGIN record of the first compound header, with its
	// decoded nvlist, or nil if the stream is a plain substream.
	Compound *Begin
	// Substreams describes each dataset substream in order.
	Substreams []*SubstreamInfo
	// Complete reports that the stream ended with its final END record
	// and every checksum matched.
	Complete bool
}

// SubstreamInfo describes one dataset substream (BEGIN ... END).
type SubstreamInfo struct {
	// Index is the substream's 0-based position in the stream.
	Index int
	// Offset is the byte offset of its BEGIN record.
	Offset int64
	// Begin is its BEGIN record, including the decoded payload.
	Begin Begin
	// Records and PayloadBytes count its records, BEGIN and END included.
	Records      [NumRecordTypes]int64
	PayloadBytes [NumRecordTypes]int64
	// Bytes is its length in the stream, headers included.
	Bytes int64
	// Complete reports that its END record was read and verified.
	Complete bool
	// EndChecksum is the checksum its END record carried.
	EndChecksum Checksum
}

// Stream states.
const (
	stStart          = iota // expecting the first BEGIN
	stSubstream             // inside a substream
	stCompoundHeader        // after a compound BEGIN, expecting its END
	stBetween               // inside a compound stream, between substreams
	stDone                  // a complete stream ended
)

// machine validates a stream record by record. Drivers hand it each
// complete 312-byte header (in rec.Header) and then the payload bytes in
// any chunking; it keeps the running checksum, the stream structure and the
// summary. It never reads input itself.
type machine struct {
	opts       Options
	state      int
	inCompound bool
	order      byteOrder

	cksum Checksum // running fletcher-4 state
	prev  Checksum // state before the current header

	index  int64 // records started
	offset int64 // bytes consumed

	rec     Record
	cur     *SubstreamInfo
	summary Summary

	left          int64 // payload bytes still expected
	carry         [4]byte
	ncarry        int
	beginPayload  bool
	beginBuf      []byte
	storeCompound bool // the current compound header is Summary.Compound
}

func newMachine(opts Options) machine {
	m := machine{opts: opts}
	if m.opts.MaxBeginPayload <= 0 {
		m.opts.MaxBeginPayload = DefaultMaxBeginPayload
	}
	return m
}

var swappedMagic = bits.ReverseBytes64(Magic)

func (m *machine) fail(sentinel error, reason string) error {
	r := &m.rec
	return &RecordError{Index: r.Index, Offset: r.Offset, Type: r.Type, Reason: reason, Err: sentinel}
}

// header validates the header in m.rec.Header, which the driver has just
// read, and prepares for its payload (m.left bytes).
func (m *machine) header() (*Record, error) {
	r := &m.rec
	h := r.Header[:]
	r.Index, r.Offset = m.index, m.offset
	r.Type = 0
	r.Payload = nil
	r.Substream = nil
	m.index++
	m.offset += HeaderSize

	if m.state == stDone && !m.opts.AllowConcatenated {
		return nil, m.fail(ErrTrailingData, "stream already ended")
	}
	finalEnd := m.state == stBetween && RecordType(m.order.u32(h, 0)) == TypeEnd
	if (m.state == stStart || m.state == stDone || m.state == stBetween) && !finalEnd {
		switch binary.LittleEndian.Uint64(h[8:]) {
		case Magic:
			m.order = littleEndian
		case swappedMagic:
			m.order = bigEndian
		default:
			return nil, m.fail(ErrBadMagic, "expected a BEGIN record, magic is 0x"+strconv.FormatUint(binary.LittleEndian.Uint64(h[8:]), 16))
		}
		if t := RecordType(m.order.u32(h, 0)); t != TypeBegin {
			r.Type = t
			return nil, m.fail(ErrMalformed, "expected a BEGIN record")
		}
		m.cksum = Checksum{}
	}

	typ := RecordType(m.order.u32(h, 0))
	if typ >= NumRecordTypes {
		return nil, m.fail(ErrUnknownRecord, "type "+strconv.FormatUint(uint64(typ), 10))
	}
	r.Type = typ

	// Running checksum: everything before the embedded checksum, then
	// compare, then the embedded checksum itself.
	m.prev = m.cksum
	m.order.update(&m.cksum, h[:checksumOffset])
	r.Checksum = Checksum{}
	if typ != TypeBegin {
		r.Checksum = m.order.checksum(h, checksumOffset)
		if !r.Checksum.IsZero() && r.Checksum != m.cksum {
			return nil, &ChecksumError{Index: r.Index, Offset: r.Offset, Type: typ, Stored: r.Checksum, Computed: m.cksum}
		}
	}
	m.order.update(&m.cksum, h[checksumOffset:])

	plen := r.decodeHeader(m.order)
	switch typ {
	case TypeBegin:
		if err := m.begin(plen); err != nil {
			return nil, err
		}
	case TypeEnd:
		if err := m.end(); err != nil {
			return nil, err
		}
	default:
		if m.state != stSubstream {
			return nil, m.fail(ErrMalformed, typ.String()+" record outside a substream")
		}
		if plen > MaxPayload {
			return nil, m.fail(ErrMalformed, "payload of "+strconv.FormatInt(plen, 10)+" bytes exceeds 16 MiB")
		}
		r.Substream = m.cur
	}

	r.PayloadLen = plen
	m.left = plen
	m.ncarry = 0
	m.count(typ, plen)
	return r, nil
}

func (m *machine) begin(plen int64) error {
	r := &m.rec
	b := &r.Begin
	switch {
	case m.state == stSubstream || m.state == stCompoundHeader:
		return m.fail(ErrMalformed, "BEGIN record inside a substream")
	case b.HeaderType == Compound && m.state == stBetween:
		return m.fail(ErrMalformed, "compound header inside a compound stream")
	case b.HeaderType != Substream && b.HeaderType != Compound:
		return m.fail(ErrMalformed, "unknown header type "+strconv.Itoa(int(b.HeaderType)))
	case m.opts.RejectUnsupported && !b.Features.Supported():
		return m.fail(ErrUnsupportedFeature, "feature flags "+b.Features.String())
	case plen > int64(m.opts.MaxBeginPayload):
		return m.fail(ErrMalformed, "BEGIN payload of "+strconv.FormatInt(plen, 10)+" bytes exceeds the limit")
	}
	m.beginPayload = plen > 0
	m.beginBuf = m.beginBuf[:0]
	if m.state != stBetween {
		m.summary.Complete = false // a new top-level stream starts
	}
	if b.HeaderType == Compound {
		m.state = stCompoundHeader
		m.cur = nil
		m.storeCompound = m.summary.Compound == nil
		if m.storeCompound {
			c := *b
			m.summary.Compound = &c
		}
		return nil
	}
	m.inCompound = m.state == stBetween
	m.state = stSubstream
	m.cur = &SubstreamInfo{Index: len(m.summary.Substreams), Offset: r.Offset, Begin: *b}
	m.summary.Substreams = append(m.summary.Substreams, m.cur)
	r.Substream = m.cur
	return nil
}

func (m *machine) end() error {
	r := &m.rec
	if r.End.Checksum != m.prev {
		return &ChecksumError{Index: r.Index, Offset: r.Offset, Type: TypeEnd, StreamEnd: true, Stored: r.End.Checksum, Computed: m.prev}
	}
	switch m.state {
	case stSubstream:
		r.Substream = m.cur
		m.cur.Complete = true
		m.cur.EndChecksum = r.End.Checksum
		if m.inCompound {
			m.state = stBetween
		} else {
			m.state = stDone
		}
	case stCompoundHeader:
		m.state = stBetween
	case stBetween:
		m.state = stDone // the final END of a compound stream
	default:
		return m.fail(ErrMalformed, "END record outside a stream")
	}
	m.cksum = Checksum{}
	if m.state == stDone {
		m.summary.Complete = true
	}
	return nil
}

func (m *machine) count(t RecordType, plen int64) {
	s := &m.summary
	s.Records[t]++
	s.PayloadBytes[t] += plen
	s.TotalRecords++
	s.TotalPayload += plen
	s.HeaderBytes += HeaderSize
	if c := m.rec.Substream; c != nil {
		c.Records[t]++
		c.PayloadBytes[t] += plen
		c.Bytes += HeaderSize + plen
	}
}

// payload consumes the next len(p) <= m.left payload bytes.
func (m *machine) payload(p []byte) {
	m.offset += int64(len(p))
	m.left -= int64(len(p))
	if m.beginPayload {
		m.beginBuf = append(m.beginBuf, p...)
	}
	if m.ncarry > 0 {
		k := copy(m.carry[m.ncarry:], p)
		m.ncarry += k
		p = p[k:]
		if m.ncarry < 4 {
			return
		}
		m.order.update(&m.cksum, m.carry[:])
		m.ncarry = 0
	}
	n := len(p) &^ 3
	m.order.update(&m.cksum, p[:n])
	m.ncarry = copy(m.carry[:], p[n:])
}

// endPayload finishes the current record once m.left is 0. Like ZFS, it
// drops the payload's trailing len%4 bytes from the checksum.
func (m *machine) endPayload() error {
	m.ncarry = 0
	if !m.beginPayload {
		return nil
	}
	m.beginPayload = false
	l, err := nvlist.Decode(m.beginBuf)
	if err != nil {
		r := &m.rec
		return &RecordError{Index: r.Index, Offset: r.Offset, Type: TypeBegin, Reason: "undecodable BEGIN payload", Err: ErrMalformed, Cause: err}
	}
	m.rec.Begin.NVList = l
	if m.state == stCompoundHeader {
		if m.storeCompound {
			m.summary.Compound.NVList = l
		}
	} else if m.cur != nil {
		m.cur.Begin.NVList = l
	}
	if cap(m.beginBuf) > 1<<20 {
		m.beginBuf = nil // do not pin a large buffer
	}
	return nil
}

// finish reports whether the input may end here: nil after a complete
// stream, a *TruncatedError otherwise.
func (m *machine) finish() error {
	if m.state == stDone {
		return nil
	}
	want := "END record"
	if m.state == stStart {
		want = "BEGIN record"
	}
	return &TruncatedError{Index: m.index, Offset: m.offset, Want: want}
}

// truncatedHeader reports input that ended after got bytes of a header.
func (m *machine) truncatedHeader(got int) error {
	return &TruncatedError{Index: m.index, Offset: m.offset + int64(got), Want: "header", Missing: int64(HeaderSize - got)}
}

// truncatedPayload reports input that ended inside the current payload.
func (m *machine) truncatedPayload() error {
	return &TruncatedError{Index: m.rec.Index, Offset: m.offset, Type: m.rec.Type, Want: "payload", Missing: m.left}
}
