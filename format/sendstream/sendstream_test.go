package sendstream_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gozfs/gozfs/format/nvlist"
	"github.com/gozfs/gozfs/format/sendstream"
	"github.com/gozfs/gozfs/format/sendstream/internal/streamgen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var orders = []binary.ByteOrder{binary.LittleEndian, binary.BigEndian}

// stride is the step of the exhaustive tests: every bit flip and every
// truncation point normally, a sample of them under the race detector or
// -short (record boundaries are always tested).
func stride() int {
	switch {
	case raceEnabled:
		return 23
	case testing.Short():
		return 7
	}
	return 1
}

func headerNVList(t testing.TB) []byte {
	t.Helper()
	fs := nvlist.New().AddString("name", "tank/fs").AddUint64("parentfromsnap", 0)
	fs.AddList("snaps", nvlist.New().AddUint64("snapa", 0x2001))
	l := nvlist.New().AddString("tosnap", "snap").AddList("fss", nvlist.New().AddList("0x1234", fs))
	b, err := l.Encode(nvlist.XDR, binary.LittleEndian)
	require.NoError(t, err)
	return b
}

// small returns a small stream with every record type but WRITE_BYREF.
func small(order binary.ByteOrder) []byte {
	return streamgen.Stream(streamgen.Config{Order: order, Objects: 2, Blocks: 2, BlockSize: 1024, AllTypes: true})
}

func compound(t testing.TB, order binary.ByteOrder) []byte {
	return streamgen.Stream(streamgen.Config{Order: order, Objects: 1, Blocks: 2, BlockSize: 512, Substreams: 3, HeaderNVList: headerNVList(t)})
}

func TestReaderSubstream(t *testing.T) {
	for _, order := range orders {
		t.Run(order.String(), func(t *testing.T) {
			data := small(order)
			r := sendstream.NewReader(bytes.NewReader(data), sendstream.Options{})
			var types []sendstream.RecordType
			var offset int64
			for rec, err := range r.All() {
				require.NoError(t, err)
				assert.Equal(t, offset, rec.Offset, "record %d at offset %d, want index %d offset %d", rec.Index, rec.Offset, len(types), offset)
				assert.Equal(t, int64(len(types)), rec.Index, "record %d at offset %d, want index %d offset %d", rec.Index, rec.Offset, len(types), offset)
				assert.Equal(t, rec.PayloadLen, int64(len(rec.Payload)), "record %d: payload %d bytes, PayloadLen", rec.Index, len(rec.Payload))
				assert.Equal(t, data[rec.Offset+sendstream.HeaderSize:rec.Offset+sendstream.HeaderSize+rec.PayloadLen], rec.Payload, "record %d: payload differs from the stream", rec.Index)
				if rec.Type != sendstream.TypeBegin {
					assert.Equal(t, uint64(0x2001), rec.ToGUID(), "record %d (%v): toguid", rec.Index, rec.Type)
				}
				switch rec.Type {
				case sendstream.TypeBegin:
					b := rec.Begin
					assert.Equal(t, "tank/fs@snapa", b.ToName, "BEGIN = %+v", b)
					assert.Equal(t, "tank/fs", b.Dataset(), "BEGIN = %+v", b)
					assert.Equal(t, "snapa", b.Snapshot(), "BEGIN = %+v", b)
					assert.Equal(t, sendstream.Substream, b.HeaderType, "BEGIN = %+v", b)
					assert.Equal(t, uint64(0x2001), b.ToGUID, "BEGIN = %+v", b)
					assert.False(t, b.Incremental(), "BEGIN = %+v", b)
					assert.Equal(t, sendstream.FeatureSASpill|sendstream.FeatureEmbedData|sendstream.FeatureLZ4, b.Features, "BEGIN = %+v", b)
					assert.Equal(t, sendstream.ObjsetZFS, b.ObjsetType, "BEGIN = %+v", b)
					assert.Equal(t, order == binary.BigEndian, b.BigEndian, "BEGIN = %+v", b)
					assert.Equal(t, int64(1700000000), b.Created().Unix(), "BEGIN = %+v", b)
				case sendstream.TypeWrite:
					w := rec.Write
					assert.GreaterOrEqual(t, w.Object, uint64(128), "WRITE = %+v", w)
					assert.NotZero(t, w.LogicalSize, "WRITE = %+v", w)
					assert.Equal(t, uint8(7), w.ChecksumType, "WRITE = %+v", w)
				case sendstream.TypeWriteEmbedded:
					e := rec.WriteEmbedded
					assert.Equal(t, uint32(37), e.PSize, "WRITE_EMBEDDED = %+v, payload", e)
					assert.Equal(t, uint32(4096), e.LSize, "WRITE_EMBEDDED = %+v, payload", e)
					assert.Equal(t, int64(40), rec.PayloadLen, "WRITE_EMBEDDED = %+v, payload", e)
				case sendstream.TypeFree:
					f := rec.Free
					assert.Equal(t, ^uint64(0), f.Length, "FREE = %+v", f)
				}
				if assert.NotNil(t, rec.Substream, "record %d: Substream", rec.Index) {
					assert.Zero(t, rec.Substream.Index, "record %d: Substream", rec.Index)
				}
				types = append(types, rec.Type)
				offset += sendstream.HeaderSize + rec.PayloadLen
			}
			assert.Equal(t, int64(len(data)), offset, "records cover %d bytes of %d", offset, len(data))
			s := r.Summary()
			want := map[sendstream.RecordType]int64{
				sendstream.TypeBegin: 1, sendstream.TypeObject: 2, sendstream.TypeWrite: 5, sendstream.TypeFree: 2,
				sendstream.TypeSpill: 1, sendstream.TypeWriteEmbedded: 1, sendstream.TypeObjectRange: 1,
				sendstream.TypeRedact: 1, sendstream.TypeFreeObjects: 1, sendstream.TypeEnd: 1,
			}
			for typ := sendstream.RecordType(0); typ < sendstream.NumRecordTypes; typ++ {
				assert.Equal(t, want[typ], s.Records[typ], "Summary.Records[%v]", typ)
			}
			assert.True(t, s.Complete, "Summary = %+v", s)
			assert.Equal(t, int64(len(data)), s.StreamBytes, "Summary = %+v", s)
			assert.Equal(t, int64(len(types)), s.TotalRecords, "Summary = %+v", s)
			assert.Equal(t, int64(len(types))*sendstream.HeaderSize, s.HeaderBytes, "Summary = %+v", s)
			assert.Equal(t, s.StreamBytes, s.HeaderBytes+s.TotalPayload, "Summary = %+v", s)
			if assert.Len(t, s.Substreams, 1, "Summary substreams") {
				assert.True(t, s.Substreams[0].Complete, "Summary substreams")
				assert.Equal(t, int64(len(data)), s.Substreams[0].Bytes, "Summary substreams")
				assert.Nil(t, s.Compound, "Summary substreams")
			}
		})
	}
}

func TestReaderCompound(t *testing.T) {
	for _, order := range orders {
		t.Run(order.String(), func(t *testing.T) {
			data := compound(t, order)
			sum, begins, ends, err := readAll(bytes.NewReader(data), sendstream.Options{})
			require.NoError(t, err)
			require.NotNil(t, sum.Compound, "Compound")
			require.Equal(t, sendstream.Compound, sum.Compound.HeaderType, "Compound")
			require.Equal(t, sendstream.FeatureSASpill|sendstream.FeatureHolds, sum.Compound.Features, "Compound")
			tosnap, _ := sum.Compound.NVList.String("tosnap")
			assert.Equal(t, "snap", tosnap, "compound nvlist tosnap")
			fss, _ := sum.Compound.NVList.List("fss")
			fs, _ := fss.List("0x1234")
			assert.NotNil(t, fs, "compound nvlist has no fss/0x1234: %v", sum.Compound.NVList.Map())
			require.Len(t, sum.Substreams, 3, "substreams")
			for i, ss := range sum.Substreams {
				assert.True(t, ss.Complete, "substream %d = %+v", i, ss)
				assert.Equal(t, i, ss.Index, "substream %d = %+v", i, ss)
				assert.Equal(t, 0x2001+uint64(i), ss.Begin.ToGUID, "substream %d = %+v", i, ss)
				assert.Equal(t, int64(2), ss.Records[sendstream.TypeWrite], "substream %d = %+v", i, ss)
				if i > 0 {
					assert.Equal(t, 0x1000+uint64(i), ss.Begin.FromGUID, "substream %d fromguid", i)
				}
			}
			if assert.Len(t, begins, 4) {
				if assert.Len(t, ends, 5) {
					assert.Equal(t, "0/0/0/0", ends[4])
				}
			}
			assert.True(t, sum.Complete, "Complete = %v, StreamBytes = %d of %d", sum.Complete, sum.StreamBytes, len(data))
			assert.Equal(t, int64(len(data)), sum.StreamBytes, "Complete = %v, StreamBytes = %d of %d", sum.Complete, sum.StreamBytes, len(data))
		})
	}
}

// TestAgreesWithZstream compares the reader with the installed zstream
// dump on synthetic streams; it skips when zstream is not installed.
func TestAgreesWithZstream(t *testing.T) {
	zstream, err := exec.LookPath("zstream")
	if err != nil {
		t.Skip("zstream not installed")
	}
	streams := map[string][]byte{
		"substream-le": small(binary.LittleEndian),
		"compound-le":  compound(t, binary.LittleEndian),
	}
	for name, data := range streams {
		t.Run(name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "s.zsend")
			require.NoError(t, os.WriteFile(f, data, 0o600))
			out, err := exec.Command(zstream, "dump", f).Output()
			require.NoError(t, err, "zstream dump")
			dump, err := parseZstreamDump(bytes.NewReader(out))
			require.NoError(t, err)
			compareDump(t, bytes.NewReader(data), dump)
		})
	}
}

func TestScan(t *testing.T) {
	data := small(binary.LittleEndian)
	sum, err := sendstream.Scan(bytes.NewReader(data), sendstream.Options{})
	assert.NoError(t, err, "Scan = %+v", sum)
	assert.True(t, sum.Complete, "Scan = %+v", sum)
	assert.Equal(t, int64(len(data)), sum.StreamBytes, "Scan = %+v", sum)
	sum, err = sendstream.Scan(bytes.NewReader(data[:len(data)-1]), sendstream.Options{})
	assert.ErrorIs(t, err, sendstream.ErrTruncated, "Scan(truncated)")
	assert.False(t, sum.Complete, "Scan(truncated)")
}

// recordOffsets returns the header offsets of every record in a valid
// stream.
func recordOffsets(t *testing.T, data []byte) []int64 {
	t.Helper()
	var offs []int64
	for rec, err := range sendstream.NewReader(bytes.NewReader(data), sendstream.Options{}).All() {
		require.NoError(t, err)
		offs = append(offs, rec.Offset)
	}
	return offs
}

func TestTruncation(t *testing.T) {
	for _, order := range orders {
		for name, data := range map[string][]byte{"substream": small(order), "compound": compound(t, order)} {
			t.Run(order.String()+"/"+name, func(t *testing.T) {
				boundaries := map[int]bool{}
				for _, off := range recordOffsets(t, data) {
					boundaries[int(off)] = true
				}
				for n := 0; n < len(data); n++ {
					if n%stride() != 0 && !boundaries[n] {
						continue
					}
					_, err := sendstream.Scan(bytes.NewReader(data[:n]), sendstream.Options{})
					var te *sendstream.TruncatedError
					require.ErrorAs(t, err, &te, "prefix %d: error: a *TruncatedError", n)
					require.ErrorIs(t, err, sendstream.ErrTruncated, "prefix %d: error: a *TruncatedError", n)
					require.ErrorIs(t, err, io.ErrUnexpectedEOF, "prefix %d: error: a *TruncatedError", n)
					require.Equal(t, int64(n), te.Offset, "prefix %d: TruncatedError.Offset", n)
					if boundaries[n] {
						require.Zero(t, te.Missing, "prefix %d ends at a record boundary but Missing = %d (%v)", n, te.Missing, err)
					}
				}
			})
		}
	}
}

// TestBitFlips flips every bit of a plain substream: each flip must be
// detected, and by a typed error.
func TestBitFlips(t *testing.T) {
	for _, order := range orders {
		t.Run(order.String(), func(t *testing.T) {
			data := streamgen.Stream(streamgen.Config{Order: order, Objects: 2, Blocks: 2, BlockSize: 256})
			bad := make([]byte, len(data))
			counts := map[error]int{}
			for i := 0; i < len(data)*8; i += stride() {
				copy(bad, data)
				bad[i/8] ^= 1 << (i % 8)
				_, err := sendstream.Scan(bytes.NewReader(bad), sendstream.Options{})
				require.Error(t, err, "flip of bit %d (byte %d) not detected", i%8, i/8)
				found := false
				for _, s := range []error{sendstream.ErrChecksum, sendstream.ErrTruncated, sendstream.ErrBadMagic,
					sendstream.ErrUnknownRecord, sendstream.ErrMalformed, sendstream.ErrTrailingData} {
					if errors.Is(err, s) {
						counts[s]++
						found = true
					}
				}
				require.True(t, found, "flip at byte %d: untyped error %v", i/8, err)
			}
			assert.GreaterOrEqual(t, counts[sendstream.ErrChecksum], len(data)*8/stride()/2, "only %d of %d flips reported as checksum errors: %v", counts[sendstream.ErrChecksum], len(data)*8/stride(), counts)
		})
	}
}

func TestChecksumErrorDetails(t *testing.T) {
	data := small(binary.LittleEndian)
	offs := recordOffsets(t, data)
	// Corrupt the payload of record 1 (OBJECT): record 2's header check
	// fails.
	bad := bytes.Clone(data)
	bad[offs[1]+sendstream.HeaderSize] ^= 0x10
	_, err := sendstream.Scan(bytes.NewReader(bad), sendstream.Options{})
	var ce *sendstream.ChecksumError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, int64(2), ce.Index)
	require.Equal(t, offs[2], ce.Offset)
	require.False(t, ce.StreamEnd)
	require.NotEqual(t, ce.Computed, ce.Stored)
	// Corrupt the END record's stream checksum in a stream without header
	// checksums: the END check fails.
	var buf bytes.Buffer
	g := streamgen.NewWriter(&buf, binary.LittleEndian)
	g.Unchecked = true
	g.Begin(streamgen.Begin{HeaderType: streamgen.HeaderSubstream, ToGUID: 1, ToName: "p/fs@s"})
	g.Write(128, 0, make([]byte, 512))
	g.End()
	bad = buf.Bytes()
	bad[len(bad)-sendstream.HeaderSize+8] ^= 1
	_, err = sendstream.Scan(bytes.NewReader(bad), sendstream.Options{})
	require.ErrorAs(t, err, &ce)
	require.True(t, ce.StreamEnd)
	require.Equal(t, sendstream.TypeEnd, ce.Type)
	require.Equal(t, int64(2), ce.Index)
	assert.NotEmpty(t, ce.Error(), "empty error message")
}

func TestZeroChecksumsSkipped(t *testing.T) {
	// Records whose embedded checksum is zero are not checked; the END
	// record's stream checksum still is.
	var buf bytes.Buffer
	g := streamgen.NewWriter(&buf, binary.BigEndian)
	g.Unchecked = true
	g.Begin(streamgen.Begin{HeaderType: streamgen.HeaderSubstream, ToGUID: 1, ToName: "p/fs@s"})
	g.Object(128, 512, make([]byte, 20))
	g.Write(128, 0, make([]byte, 512))
	g.End()
	data := buf.Bytes()
	_, err := sendstream.Scan(bytes.NewReader(data), sendstream.Options{})
	require.NoError(t, err, "stream without header checksums")
	data[sendstream.HeaderSize+40] ^= 1 // OBJECT's toguid
	_, err = sendstream.Scan(bytes.NewReader(data), sendstream.Options{})
	require.ErrorIs(t, err, sendstream.ErrChecksum, "corrupt stream without header checksums")
}

// rawStream builds a stream from a BEGIN record and the given records.
func rawStream(order binary.ByteOrder, records ...func(g *streamgen.Writer)) []byte {
	var buf bytes.Buffer
	g := streamgen.NewWriter(&buf, order)
	g.Begin(streamgen.Begin{HeaderType: streamgen.HeaderSubstream, ToGUID: 1, ToName: "p/fs@s"})
	for _, r := range records {
		r(g)
	}
	return buf.Bytes()
}

func TestStructureErrors(t *testing.T) {
	le := binary.LittleEndian
	valid := small(le)
	tests := []struct {
		name string
		in   []byte
		opts sendstream.Options
		want error
	}{
		{"empty", nil, sendstream.Options{}, sendstream.ErrTruncated},
		{"garbage", bytes.Repeat([]byte("not a stream "), 50), sendstream.Options{}, sendstream.ErrBadMagic},
		{"unknown type", rawStream(le, func(g *streamgen.Writer) { g.Record(42, nil, nil) }), sendstream.Options{}, sendstream.ErrUnknownRecord},
		{"huge payload", rawStream(le, func(g *streamgen.Writer) {
			g.Record(streamgen.TypeWrite, func(h *streamgen.Header) { h.Put64(32, 32<<20) }, nil)
		}), sendstream.Options{}, sendstream.ErrMalformed},
		{"BEGIN inside substream", rawStream(le, func(g *streamgen.Writer) {
			g.Record(streamgen.TypeBegin, func(h *streamgen.Header) { h.Put64(8, streamgen.Magic); h.Put64(16, 1) }, nil)
		}), sendstream.Options{}, sendstream.ErrMalformed},
		{"bad header type", func() []byte {
			var buf bytes.Buffer
			streamgen.NewWriter(&buf, le).Begin(streamgen.Begin{HeaderType: 3, ToName: "p/fs@s"})
			return buf.Bytes()
		}(), sendstream.Options{}, sendstream.ErrMalformed},
		{"record after END", append(bytes.Clone(valid), valid...), sendstream.Options{}, sendstream.ErrTrailingData},
		{"unsupported feature", func() []byte {
			var buf bytes.Buffer
			streamgen.NewWriter(&buf, le).Begin(streamgen.Begin{HeaderType: 1, Features: 1, ToName: "p/fs@s"})
			return buf.Bytes()
		}(), sendstream.Options{RejectUnsupported: true}, sendstream.ErrUnsupportedFeature},
		{"BEGIN payload over limit", func() []byte {
			var buf bytes.Buffer
			streamgen.NewWriter(&buf, le).Begin(streamgen.Begin{HeaderType: 1, ToName: "p/fs@s", Payload: make([]byte, 64)})
			return buf.Bytes()
		}(), sendstream.Options{MaxBeginPayload: 32}, sendstream.ErrMalformed},
		{"bad BEGIN nvlist", func() []byte {
			var buf bytes.Buffer
			g := streamgen.NewWriter(&buf, le)
			g.Begin(streamgen.Begin{HeaderType: 1, ToName: "p/fs@s", Payload: []byte{9, 9, 9, 9, 0, 0, 0, 0}})
			g.End()
			return buf.Bytes()
		}(), sendstream.Options{}, nvlist.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sendstream.Scan(bytes.NewReader(tt.in), tt.opts)
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestConcatenated(t *testing.T) {
	valid := small(binary.LittleEndian)
	two := append(bytes.Clone(valid), small(binary.BigEndian)...)
	sum, err := sendstream.Scan(bytes.NewReader(two), sendstream.Options{AllowConcatenated: true})
	require.NoError(t, err, "Scan: substreams")
	require.Len(t, sum.Substreams, 2, "Scan: substreams")
	require.True(t, sum.Substreams[1].Begin.BigEndian, "Scan: substreams")
	require.True(t, sum.Complete, "Scan: substreams")
	sum, err = sendstream.Scan(bytes.NewReader(two[:len(two)-1]), sendstream.Options{AllowConcatenated: true})
	require.ErrorIs(t, err, sendstream.ErrTruncated, "truncated second stream")
	require.False(t, sum.Complete, "truncated second stream")
}

func TestTrailingPayloadBytesUnchecked(t *testing.T) {
	// A payload's trailing len%4 bytes are outside the checksum, in ZFS
	// and here: the AllTypes stream has a 99-byte compressed WRITE.
	data := small(binary.LittleEndian)
	var off int64 = -1
	for rec, err := range sendstream.NewReader(bytes.NewReader(data), sendstream.Options{}).All() {
		require.NoError(t, err)
		if rec.Type == sendstream.TypeWrite && rec.PayloadLen == 99 {
			off = rec.Offset + sendstream.HeaderSize
		}
	}
	require.GreaterOrEqual(t, off, int64(0), "no 99-byte WRITE")
	bad := bytes.Clone(data)
	bad[off+98] ^= 0xff
	_, err := sendstream.Scan(bytes.NewReader(bad), sendstream.Options{})
	assert.NoError(t, err, "flip in the unchecked tail")
	bad = bytes.Clone(data)
	bad[off+95] ^= 0xff
	_, err = sendstream.Scan(bytes.NewReader(bad), sendstream.Options{})
	assert.ErrorIs(t, err, sendstream.ErrChecksum, "flip in the last checked word")
}

func TestLargePayload(t *testing.T) {
	// Payloads larger than the read buffer take the copying path.
	data := streamgen.Stream(streamgen.Config{Objects: 1, Blocks: 2, BlockSize: 3 << 20})
	r := sendstream.NewReader(bytes.NewReader(data), sendstream.Options{})
	n := 0
	for rec, err := range r.All() {
		require.NoError(t, err)
		if rec.Type == sendstream.TypeWrite {
			n++
			assert.Equal(t, data[rec.Offset+sendstream.HeaderSize:rec.Offset+sendstream.HeaderSize+rec.PayloadLen], rec.Payload, "large payload differs")
		}
	}
	assert.Equal(t, 2, n, "WRITE records")
	_, err := sendstream.Scan(bytes.NewReader(data[:len(data)/2]), sendstream.Options{})
	assert.ErrorIs(t, err, sendstream.ErrTruncated, "truncated large payload")
}

func TestReaderErrorsAreSticky(t *testing.T) {
	r := sendstream.NewReader(bytes.NewReader([]byte("garbage garbage garbage")), sendstream.Options{})
	_, err1 := r.Next()
	_, err2 := r.Next()
	if assert.Error(t, err1) {
		assert.Same(t, err1, err2, "errors %v then %v", err1, err2)
	}
}

func TestFeatures(t *testing.T) {
	f := sendstream.FeatureEmbedData | sendstream.FeatureLZ4 | sendstream.FeatureRaw | 1<<40
	assert.Equal(t, "EMBED_DATA|LZ4|RAW|bit(40)", f.String(), "String()")
	assert.False(t, f.Supported(), "Supported is wrong")
	assert.True(t, (f &^ (1 << 40)).Supported(), "Supported is wrong")
	assert.False(t, sendstream.FeatureDedup.Supported(), "Supported is wrong")
	assert.Equal(t, sendstream.Features(1<<40), f.Unknown(), "Unknown/Has is wrong")
	assert.True(t, f.Has(sendstream.FeatureLZ4|sendstream.FeatureRaw), "Unknown/Has is wrong")
	assert.Equal(t, "0", sendstream.Features(0).String(), "zero features")
	vi := sendstream.VersionInfo(sendstream.Compound, f)
	h, g := sendstream.SplitVersionInfo(vi)
	assert.Equal(t, sendstream.Compound, h, "SplitVersionInfo(VersionInfo)")
	assert.Equal(t, f, g, "SplitVersionInfo(VersionInfo)")
	// The feature value zstream prints for OpenZFS's redacted test stream.
	got := sendstream.Features(0x630004).String()
	assert.Equal(t, "SA_SPILL|EMBED_DATA|LZ4|REDACTED|COMPRESSED", got, "0x630004 = %s", got)
}
