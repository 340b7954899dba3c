package zfs

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// row is what a parsed Dataset says, for comparisons.
type parsedRow struct {
	Name      string
	Type      Type
	GUID, TXG uint64
	Creation  int64
	Props     []string
}

func rowsOf(ds []*Dataset) []parsedRow {
	var out []parsedRow
	for _, d := range ds {
		r := parsedRow{Name: d.Name(), Type: d.Type(), GUID: d.GUID(), TXG: d.CreateTXG(), Creation: d.creation}
		for _, p := range d.Properties() {
			r.Props = append(r.Props, p.Name+"="+p.Value)
		}
		out = append(out, r)
	}
	return out
}

// oneLineOracle parses `zfs list -H -p` output the obvious way: rows before
// the first malformed line, and that line's number (0 if none).
func oneLineOracle(in string, props []string) ([]parsedRow, int) {
	ncol := nIdentity + len(props)
	var out []parsedRow
	lines := strings.Split(in, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) != ncol || f[0] == "" {
			return out, i + 1
		}
		r := parsedRow{Name: f[0], Type: parseType(f[1])}
		if r.Type == 0 {
			r.Type = typeOfName(f[0])
		}
		r.GUID, _ = parseUint(f[2])
		r.TXG, _ = parseUint(f[3])
		c, _ := parseUint(f[4])
		r.Creation = int64(c)
		for j, p := range props {
			r.Props = append(r.Props, p+"="+f[nIdentity+j])
		}
		out = append(out, r)
	}
	return out, 0
}

// parseOneLine parses in on the one-line fast path: from a reader (indexed
// by the parser itself) and through a blockPipe (indexed by the writer),
// written in chunks of the given size. Both must agree.
func parseOneLine(t *testing.T, in string, props []string, chunk int) ([]parsedRow, error) {
	s := newShape(nil, "list", props)
	p := newTextListParser(s, strings.NewReader(in))
	require.True(t, p.oneLine)
	ds, err := parseAll(t, p)

	bp := newBlockPipe()
	hp := newTextListParser(s, bp)
	require.True(t, hp.hooked)
	go func() {
		for b := []byte(in); len(b) > 0; {
			n := min(chunk, len(b))
			if _, err := bp.Write(b[:n]); err != nil {
				break
			}
			b = b[n:]
		}
		bp.CloseWithError(nil)
	}()
	hds, herr := parseAll(t, hp)
	bp.stopReading()
	bp.drain()
	require.Equal(t, rowsOf(ds), rowsOf(hds), "from a reader and through the pipe")
	require.Equal(t, fmt.Sprint(err), fmt.Sprint(herr))
	return rowsOf(ds), err
}

func TestOneLineListing(t *testing.T) {
	props := []string{"used", "origin"}
	var big strings.Builder
	for i := range 30000 {
		fmt.Fprintf(&big, "tank/fs@s%d\tsnapshot\t%d\t%d\t%d\t%d\t-\n", i, 1<<63+uint64(i), 100+i, 1700000000+i, i*4096)
	}
	for _, tc := range []struct {
		name string
		in   string
		line int // the malformed line, 0 if none
	}{
		{"empty", "", 0},
		{"one", "tank\tfilesystem\t1\t2\t3\t4\t-\n", 0},
		{"no final newline", "tank\tfilesystem\t1\t2\t3\t4\t-\ntank/v\tvolume\t5\t6\t7\t8\ttank/v@o", 0},
		{"big", big.String(), 0},
		{"too few", "tank\tfilesystem\t1\t2\t3\t4\t-\ntank/a\tfilesystem\t1\n", 2},
		{"too many", "tank\tfilesystem\t1\t2\t3\t4\t-\tx\n", 1},
		{"empty name", "tank\tfilesystem\t1\t2\t3\t4\t-\n\tfilesystem\t1\t2\t3\t4\t-\n", 2},
		{"empty line", "tank\tfilesystem\t1\t2\t3\t4\t-\n\n", 2},
		{"bad late", big.String() + "x\n", 30001},
		{"garbage numbers", "t@s\tsnapshot\t-\tx\t99999999999999999999\t-\t-\n", 0},
		{"unknown type", "t@s\tweird\t1\t2\t3\t4\t-\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, line := oneLineOracle(tc.in, props)
			require.Equal(t, tc.line, line, "oracle")
			for _, chunk := range []int{3, 4096, 1 << 20} {
				got, err := parseOneLine(t, tc.in, props, chunk)
				require.Equal(t, want, got)
				if line == 0 {
					require.NoError(t, err)
				} else {
					require.ErrorContains(t, err, fmt.Sprintf("line %d:", line))
				}
			}
		})
	}
}

func FuzzParseListTextOneLine(f *testing.F) {
	f.Add([]byte("a\tfilesystem\t1\t2\t3\tv\t9\nb@s\tsnapshot\t-\t-\t-\tx\ty\nz\t1\n"), uint16(5))
	f.Add(bytes.Repeat([]byte("tank/a@b\tsnapshot\t18446744073709551615\t2\t3\t4\t5\n"), 3000), uint16(0))
	props := []string{"used", "referenced"}
	f.Fuzz(func(t *testing.T, in []byte, chunk uint16) {
		want, line := oneLineOracle(string(in), props)
		got, err := parseOneLine(t, string(in), props, int(chunk)+1)
		require.Equal(t, want, got)
		if line == 0 {
			require.NoError(t, err)
		} else {
			require.ErrorContains(t, err, fmt.Sprintf("line %d:", line))
		}
	})
}
