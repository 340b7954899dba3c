package sendstream_test

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/format/sendstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zstreamDump is what a test compares from `zstream dump` output.
type zstreamDump struct {
	records   map[string]int64 // "WRITE" -> count
	bytes     map[string]int64
	total     int64
	payload   int64
	overhead  int64
	length    int64
	begins    []dumpBegin
	ends      []string // END checksums, a/b/c/d
	cksumBad  bool
	summaryOK bool
}

type dumpBegin struct {
	hdrtype  int
	features uint64
	toguid   uint64
	fromguid uint64
	toname   string
}

var (
	reTotalType = regexp.MustCompile(`^\s*Total DRR_(\w+) records = (\d+) \((\d+) bytes\)`)
	reTotal     = regexp.MustCompile(`^\s*Total (records|payload size|header overhead|stream length) = (\d+)`)
	reField     = regexp.MustCompile(`^\s+(hdrtype|features|toguid|fromguid|toname) = (.*)$`)
	reEnd       = regexp.MustCompile(`^END checksum = (\S+)`)
)

// parseZstreamDump parses the output of `zstream dump` (with or without -v).
func parseZstreamDump(r io.Reader) (*zstreamDump, error) {
	d := &zstreamDump{records: map[string]int64{}, bytes: map[string]int64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	inBegin := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "BEGIN record":
			d.begins = append(d.begins, dumpBegin{})
			inBegin = true
		case strings.HasPrefix(line, "Incorrect checksum") || strings.HasPrefix(line, "Expected checksum differs"):
			d.cksumBad = true
		case line == "SUMMARY:":
			d.summaryOK = true
			inBegin = false
		}
		if m := reEnd.FindStringSubmatch(line); m != nil {
			d.ends = append(d.ends, m[1])
			inBegin = false
		}
		if m := reTotalType.FindStringSubmatch(line); m != nil {
			d.records[m[1]], _ = strconv.ParseInt(m[2], 10, 64)
			d.bytes[m[1]], _ = strconv.ParseInt(m[3], 10, 64)
			continue
		}
		if m := reTotal.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseInt(m[2], 10, 64)
			switch m[1] {
			case "records":
				d.total = v
			case "payload size":
				d.payload = v
			case "header overhead":
				d.overhead = v
			case "stream length":
				d.length = v
			}
			continue
		}
		if m := reField.FindStringSubmatch(line); m != nil && inBegin && len(d.begins) > 0 {
			b := &d.begins[len(d.begins)-1]
			switch m[1] {
			case "hdrtype":
				b.hdrtype, _ = strconv.Atoi(m[2])
			case "features":
				b.features, _ = strconv.ParseUint(m[2], 16, 64)
			case "toguid":
				b.toguid, _ = strconv.ParseUint(m[2], 16, 64)
			case "fromguid":
				b.fromguid, _ = strconv.ParseUint(m[2], 16, 64)
			case "toname":
				b.toname = m[2]
				inBegin = false // nvlist output follows; ignore its fields
			}
		}
	}
	return d, sc.Err()
}

// readAll reads a whole stream and returns its summary, its BEGIN records
// in order and its END checksums in order.
func readAll(r io.Reader, opts sendstream.Options) (sendstream.Summary, []sendstream.Begin, []string, error) {
	sr := sendstream.NewReader(r, opts)
	var begins []sendstream.Begin
	var ends []string
	for rec, err := range sr.All() {
		if err != nil {
			return sr.Summary(), begins, ends, err
		}
		switch rec.Type {
		case sendstream.TypeBegin:
			begins = append(begins, rec.Begin)
		case sendstream.TypeEnd:
			ends = append(ends, rec.End.Checksum.String())
		}
	}
	return sr.Summary(), begins, ends, nil
}

// compareDump checks a stream against zstream dump's view of it.
func compareDump(t *testing.T, stream io.Reader, dump *zstreamDump) {
	t.Helper()
	require.True(t, dump.summaryOK, "zstream dump output has no SUMMARY")
	require.False(t, dump.cksumBad, "zstream dump reports a checksum problem")
	sum, begins, ends, err := readAll(stream, sendstream.Options{AllowConcatenated: true})
	require.NoError(t, err, "reading stream")
	for typ := sendstream.RecordType(0); typ < sendstream.NumRecordTypes; typ++ {
		name := typ.String()
		want, ok := dump.records[name]
		if !ok {
			// Older zstream versions do not list every type.
			continue
		}
		assert.Equal(t, want, sum.Records[typ], "%s records", name)
		assert.Equal(t, dump.bytes[name], sum.PayloadBytes[typ], "%s bytes", name)
	}
	checks := []struct {
		name      string
		got, want int64
	}{
		{"total records", sum.TotalRecords, dump.total},
		{"payload size", sum.TotalPayload, dump.payload},
		{"header overhead", sum.HeaderBytes, dump.overhead},
		{"stream length", sum.StreamBytes, dump.length},
	}
	for _, c := range checks {
		assert.Equal(t, c.want, c.got, "%s", c.name)
	}
	require.Len(t, begins, len(dump.begins))
	for i, b := range begins {
		want := dump.begins[i]
		got := dumpBegin{int(b.HeaderType), uint64(b.Features), b.ToGUID, b.FromGUID, b.ToName}
		assert.Equal(t, want, got, "BEGIN %d", i)
	}
	assert.Equal(t, fmt.Sprint(dump.ends), fmt.Sprint(ends), "END checksums = %v, zstream says %v", ends, dump.ends)
	assert.True(t, sum.Complete, "stream not complete")
}
