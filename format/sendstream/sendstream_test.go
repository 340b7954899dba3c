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
	if err != nil {
		t.Fatal(err)
	}
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
				if err != nil {
					t.Fatal(err)
				}
				if rec.Offset != offset || rec.Index != int64(len(types)) {
					t.Errorf("record %d at offset %d, want index %d offset %d", rec.Index, rec.Offset, len(types), offset)
				}
				if int64(len(rec.Payload)) != rec.PayloadLen {
					t.Errorf("record %d: payload %d bytes, PayloadLen %d", rec.Index, len(rec.Payload), rec.PayloadLen)
				}
				if !bytes.Equal(rec.Payload, data[rec.Offset+sendstream.HeaderSize:rec.Offset+sendstream.HeaderSize+rec.PayloadLen]) {
					t.Errorf("record %d: payload differs from the stream", rec.Index)
				}
				if rec.Type != sendstream.TypeBegin && rec.ToGUID() != 0x2001 {
					t.Errorf("record %d (%v): toguid %#x", rec.Index, rec.Type, rec.ToGUID())
				}
				switch rec.Type {
				case sendstream.TypeBegin:
					b := rec.Begin
					if b.ToName != "tank/fs@snapa" || b.Dataset() != "tank/fs" || b.Snapshot() != "snapa" ||
						b.HeaderType != sendstream.Substream || b.ToGUID != 0x2001 || b.Incremental() ||
						b.Features != sendstream.FeatureSASpill|sendstream.FeatureEmbedData|sendstream.FeatureLZ4 ||
						b.ObjsetType != sendstream.ObjsetZFS || b.BigEndian != (order == binary.BigEndian) ||
						b.Created().Unix() != 1700000000 {
						t.Errorf("BEGIN = %+v", b)
					}
				case sendstream.TypeWrite:
					w := rec.Write
					if w.Object < 128 || w.LogicalSize == 0 || w.ChecksumType != 7 {
						t.Errorf("WRITE = %+v", w)
					}
				case sendstream.TypeWriteEmbedded:
					if e := rec.WriteEmbedded; e.PSize != 37 || e.LSize != 4096 || rec.PayloadLen != 40 {
						t.Errorf("WRITE_EMBEDDED = %+v, payload %d", e, rec.PayloadLen)
					}
				case sendstream.TypeFree:
					if f := rec.Free; f.Length != ^uint64(0) {
						t.Errorf("FREE = %+v", f)
					}
				}
				if rec.Substream == nil || rec.Substream.Index != 0 {
					t.Errorf("record %d: Substream = %+v", rec.Index, rec.Substream)
				}
				types = append(types, rec.Type)
				offset += sendstream.HeaderSize + rec.PayloadLen
			}
			if offset != int64(len(data)) {
				t.Errorf("records cover %d bytes of %d", offset, len(data))
			}
			s := r.Summary()
			want := map[sendstream.RecordType]int64{
				sendstream.TypeBegin: 1, sendstream.TypeObject: 2, sendstream.TypeWrite: 5, sendstream.TypeFree: 2,
				sendstream.TypeSpill: 1, sendstream.TypeWriteEmbedded: 1, sendstream.TypeObjectRange: 1,
				sendstream.TypeRedact: 1, sendstream.TypeFreeObjects: 1, sendstream.TypeEnd: 1,
			}
			for typ := sendstream.RecordType(0); typ < sendstream.NumRecordTypes; typ++ {
				if s.Records[typ] != want[typ] {
					t.Errorf("Summary.Records[%v] = %d, want %d", typ, s.Records[typ], want[typ])
				}
			}
			if !s.Complete || s.StreamBytes != int64(len(data)) || s.TotalRecords != int64(len(types)) ||
				s.HeaderBytes != int64(len(types))*sendstream.HeaderSize || s.HeaderBytes+s.TotalPayload != s.StreamBytes {
				t.Errorf("Summary = %+v", s)
			}
			if len(s.Substreams) != 1 || !s.Substreams[0].Complete || s.Substreams[0].Bytes != int64(len(data)) || s.Compound != nil {
				t.Errorf("Summary substreams = %+v, compound %v", s.Substreams, s.Compound)
			}
		})
	}
}

func TestReaderCompound(t *testing.T) {
	for _, order := range orders {
		t.Run(order.String(), func(t *testing.T) {
			data := compound(t, order)
			sum, begins, ends, err := readAll(bytes.NewReader(data), sendstream.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Compound == nil || sum.Compound.HeaderType != sendstream.Compound ||
				sum.Compound.Features != sendstream.FeatureSASpill|sendstream.FeatureHolds {
				t.Fatalf("Compound = %+v", sum.Compound)
			}
			if tosnap, _ := sum.Compound.NVList.String("tosnap"); tosnap != "snap" {
				t.Errorf("compound nvlist tosnap = %q", tosnap)
			}
			fss, _ := sum.Compound.NVList.List("fss")
			if fs, _ := fss.List("0x1234"); fs == nil {
				t.Errorf("compound nvlist has no fss/0x1234: %v", sum.Compound.NVList.Map())
			}
			if len(sum.Substreams) != 3 {
				t.Fatalf("%d substreams", len(sum.Substreams))
			}
			for i, ss := range sum.Substreams {
				if !ss.Complete || ss.Index != i || ss.Begin.ToGUID != 0x2001+uint64(i) || ss.Records[sendstream.TypeWrite] != 2 {
					t.Errorf("substream %d = %+v", i, ss)
				}
				if i > 0 && ss.Begin.FromGUID != 0x1000+uint64(i) {
					t.Errorf("substream %d fromguid = %#x", i, ss.Begin.FromGUID)
				}
			}
			if len(begins) != 4 || len(ends) != 5 || ends[4] != "0/0/0/0" {
				t.Errorf("%d BEGINs, ENDs %v", len(begins), ends)
			}
			if !sum.Complete || sum.StreamBytes != int64(len(data)) {
				t.Errorf("Complete = %v, StreamBytes = %d of %d", sum.Complete, sum.StreamBytes, len(data))
			}
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
			if err := os.WriteFile(f, data, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(zstream, "dump", f).Output()
			if err != nil {
				t.Fatalf("zstream dump: %v", err)
			}
			dump, err := parseZstreamDump(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			compareDump(t, bytes.NewReader(data), dump)
		})
	}
}

func TestScan(t *testing.T) {
	data := small(binary.LittleEndian)
	sum, err := sendstream.Scan(bytes.NewReader(data), sendstream.Options{})
	if err != nil || !sum.Complete || sum.StreamBytes != int64(len(data)) {
		t.Errorf("Scan = %+v, %v", sum, err)
	}
	sum, err = sendstream.Scan(bytes.NewReader(data[:len(data)-1]), sendstream.Options{})
	if !errors.Is(err, sendstream.ErrTruncated) || sum.Complete {
		t.Errorf("Scan(truncated) = %v, complete %v", err, sum.Complete)
	}
}

// recordOffsets returns the header offsets of every record in a valid
// stream.
func recordOffsets(t *testing.T, data []byte) []int64 {
	t.Helper()
	var offs []int64
	for rec, err := range sendstream.NewReader(bytes.NewReader(data), sendstream.Options{}).All() {
		if err != nil {
			t.Fatal(err)
		}
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
					if !errors.As(err, &te) || !errors.Is(err, sendstream.ErrTruncated) || !errors.Is(err, io.ErrUnexpectedEOF) {
						t.Fatalf("prefix %d: error %v, want a *TruncatedError", n, err)
					}
					if te.Offset != int64(n) {
						t.Fatalf("prefix %d: TruncatedError.Offset = %d", n, te.Offset)
					}
					if boundaries[n] && te.Missing != 0 {
						t.Fatalf("prefix %d ends at a record boundary but Missing = %d (%v)", n, te.Missing, err)
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
				if err == nil {
					t.Fatalf("flip of bit %d (byte %d) not detected", i%8, i/8)
				}
				found := false
				for _, s := range []error{sendstream.ErrChecksum, sendstream.ErrTruncated, sendstream.ErrBadMagic,
					sendstream.ErrUnknownRecord, sendstream.ErrMalformed, sendstream.ErrTrailingData} {
					if errors.Is(err, s) {
						counts[s]++
						found = true
					}
				}
				if !found {
					t.Fatalf("flip at byte %d: untyped error %v", i/8, err)
				}
			}
			if counts[sendstream.ErrChecksum] < len(data)*8/stride()/2 {
				t.Errorf("only %d of %d flips reported as checksum errors: %v", counts[sendstream.ErrChecksum], len(data)*8/stride(), counts)
			}
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
	if !errors.As(err, &ce) || ce.Index != 2 || ce.Offset != offs[2] || ce.StreamEnd || ce.Stored == ce.Computed {
		t.Fatalf("error = %#v", err)
	}
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
	if !errors.As(err, &ce) || !ce.StreamEnd || ce.Type != sendstream.TypeEnd || ce.Index != 2 {
		t.Fatalf("error = %#v", err)
	}
	if ce.Error() == "" {
		t.Error("empty error message")
	}
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
	if _, err := sendstream.Scan(bytes.NewReader(data), sendstream.Options{}); err != nil {
		t.Fatalf("stream without header checksums: %v", err)
	}
	data[sendstream.HeaderSize+40] ^= 1 // OBJECT's toguid
	if _, err := sendstream.Scan(bytes.NewReader(data), sendstream.Options{}); !errors.Is(err, sendstream.ErrChecksum) {
		t.Fatalf("corrupt stream without header checksums: %v", err)
	}
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
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestConcatenated(t *testing.T) {
	valid := small(binary.LittleEndian)
	two := append(bytes.Clone(valid), small(binary.BigEndian)...)
	sum, err := sendstream.Scan(bytes.NewReader(two), sendstream.Options{AllowConcatenated: true})
	if err != nil || len(sum.Substreams) != 2 || !sum.Substreams[1].Begin.BigEndian || !sum.Complete {
		t.Fatalf("Scan = %v, %d substreams", err, len(sum.Substreams))
	}
	sum, err = sendstream.Scan(bytes.NewReader(two[:len(two)-1]), sendstream.Options{AllowConcatenated: true})
	if !errors.Is(err, sendstream.ErrTruncated) || sum.Complete {
		t.Fatalf("truncated second stream: %v, complete %v", err, sum.Complete)
	}
}

func TestTrailingPayloadBytesUnchecked(t *testing.T) {
	// A payload's trailing len%4 bytes are outside the checksum, in ZFS
	// and here: the AllTypes stream has a 99-byte compressed WRITE.
	data := small(binary.LittleEndian)
	var off int64 = -1
	for rec, err := range sendstream.NewReader(bytes.NewReader(data), sendstream.Options{}).All() {
		if err != nil {
			t.Fatal(err)
		}
		if rec.Type == sendstream.TypeWrite && rec.PayloadLen == 99 {
			off = rec.Offset + sendstream.HeaderSize
		}
	}
	if off < 0 {
		t.Fatal("no 99-byte WRITE")
	}
	bad := bytes.Clone(data)
	bad[off+98] ^= 0xff
	if _, err := sendstream.Scan(bytes.NewReader(bad), sendstream.Options{}); err != nil {
		t.Errorf("flip in the unchecked tail: %v", err)
	}
	bad = bytes.Clone(data)
	bad[off+95] ^= 0xff
	if _, err := sendstream.Scan(bytes.NewReader(bad), sendstream.Options{}); !errors.Is(err, sendstream.ErrChecksum) {
		t.Errorf("flip in the last checked word: %v", err)
	}
}

func TestLargePayload(t *testing.T) {
	// Payloads larger than the read buffer take the copying path.
	data := streamgen.Stream(streamgen.Config{Objects: 1, Blocks: 2, BlockSize: 3 << 20})
	r := sendstream.NewReader(bytes.NewReader(data), sendstream.Options{})
	n := 0
	for rec, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		if rec.Type == sendstream.TypeWrite {
			n++
			if !bytes.Equal(rec.Payload, data[rec.Offset+sendstream.HeaderSize:rec.Offset+sendstream.HeaderSize+rec.PayloadLen]) {
				t.Error("large payload differs")
			}
		}
	}
	if n != 2 {
		t.Errorf("%d WRITE records", n)
	}
	if _, err := sendstream.Scan(bytes.NewReader(data[:len(data)/2]), sendstream.Options{}); !errors.Is(err, sendstream.ErrTruncated) {
		t.Errorf("truncated large payload: %v", err)
	}
}

func TestReaderErrorsAreSticky(t *testing.T) {
	r := sendstream.NewReader(bytes.NewReader([]byte("garbage garbage garbage")), sendstream.Options{})
	_, err1 := r.Next()
	_, err2 := r.Next()
	if err1 == nil || err1 != err2 {
		t.Errorf("errors %v then %v", err1, err2)
	}
}

func TestFeatures(t *testing.T) {
	f := sendstream.FeatureEmbedData | sendstream.FeatureLZ4 | sendstream.FeatureRaw | 1<<40
	if got := f.String(); got != "EMBED_DATA|LZ4|RAW|bit(40)" {
		t.Errorf("String() = %q", got)
	}
	if f.Supported() || !(f &^ (1 << 40)).Supported() || sendstream.FeatureDedup.Supported() {
		t.Error("Supported is wrong")
	}
	if f.Unknown() != 1<<40 || !f.Has(sendstream.FeatureLZ4|sendstream.FeatureRaw) {
		t.Error("Unknown/Has is wrong")
	}
	if sendstream.Features(0).String() != "0" {
		t.Error("zero features")
	}
	vi := sendstream.VersionInfo(sendstream.Compound, f)
	if h, g := sendstream.SplitVersionInfo(vi); h != sendstream.Compound || g != f {
		t.Errorf("SplitVersionInfo(VersionInfo) = %v, %v", h, g)
	}
	// The feature value zstream prints for OpenZFS's redacted test stream.
	if got := sendstream.Features(0x630004).String(); got != "SA_SPILL|EMBED_DATA|LZ4|REDACTED|COMPRESSED" {
		t.Errorf("0x630004 = %s", got)
	}
}
