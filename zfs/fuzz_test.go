package zfs

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func addGolden(f *testing.F, names ...string) {
	for _, n := range names {
		if b, err := os.ReadFile(filepath.Join("testdata", "2.3.2", n)); err == nil {
			f.Add(b)
		}
	}
}

// drain parses everything, checking invariants every parser keeps.
func drain(t *testing.T, p rowParser, in []byte) []*Dataset {
	var out []*Dataset
	for i := 0; ; i++ {
		d, err := p.next()
		if err != nil {
			if err != io.EOF {
				require.Nil(t, d, "dataset returned with error %v", err)
			}
			return out
		}
		require.NotEmpty(t, d.Name(), "empty name from %q", in)
		require.NotZero(t, d.Type(), "no type for %q", d.Name())
		require.LessOrEqual(t, i, len(in), "more datasets than input bytes")
		out = append(out, d)
	}
}

func FuzzParseListText(f *testing.F) {
	addGolden(f, "list-text-tab.out", "list-text-sorted.out")
	f.Add([]byte("a\tfilesystem\t1\t2\t3\tv\t9\nb@s\tsnapshot\t-\t-\t-\tx\ty\nz\t1\n"))
	// With a user property (rows may span lines) and without (one line a
	// row).
	shapes := []*shape{newShape(nil, "list", []string{"com.example:tab", "used"}), newShape(nil, "list", []string{"used", "origin"})}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, s := range shapes {
			ds := drain(t, newTextListParser(s, bytes.NewReader(in)), in)
			for _, d := range ds {
				require.Equal(t, 2, len(d.Properties()), "properties")
			}
		}
	})
}

func FuzzParseGetText(f *testing.F) {
	addGolden(f, "get-text.out", "get-text-all.out", "get-written.out")
	f.Add([]byte("a\tused\t5\t-\na\tcom.x:y\tq\tlocal\nr\nb\tused\t1\tinherited from a\n"))
	shapes := []*shape{newShape(nil, "get", []string{"used", "com.x:y"}), newShape(nil, "get", []string{"all"})}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, s := range shapes {
			drain(t, newTextGetParser(s, bytes.NewReader(in)), in)
		}
	})
}

// FuzzParseJSON checks the streaming JSON parser against encoding/json:
// whatever both accept must give the same datasets and values.
func FuzzParseJSON(f *testing.F) {
	addGolden(f, "list-json-bookmarks.out", "list-json-sorted.out")
	f.Add([]byte(`{"datasets":{"a":{"type":"FILESYSTEM","properties":{"used":{"value":12,"source":{"type":"LOCAL","data":"-"}}}}}}`))
	f.Add([]byte(`{"output_version":{},"datasets":{"a\u00e9\ud83d\ude00":{"properties":{"com.x:y":{"value":"t\tn\n\"q\"","source":{"type":"INHERITED","data":"p"}}}}}}`))
	s := newShape(nil, "list", []string{"all"})
	f.Fuzz(func(t *testing.T, in []byte) {
		ds := drain(t, newJSONListParser(s, bytes.NewReader(in)), in)
		var doc struct {
			Datasets map[string]struct {
				Properties map[string]struct {
					Value json.RawMessage `json:"value"`
				} `json:"properties"`
			} `json:"datasets"`
		}
		if len(ds) == 0 || !utf8.Valid(in) || json.Unmarshal(in, &doc) != nil || hasDuplicateKeys(in) {
			return
		}
		for _, d := range ds {
			want, ok := doc.Datasets[d.Name()]
			require.True(t, ok, "dataset %q not in encoding/json's result", d.Name())
			for _, p := range d.Properties() {
				raw := want.Properties[p.Name].Value
				var sv string
				if json.Unmarshal(raw, &sv) == nil {
					require.Equal(t, sv, p.Value, "%s %s: value from encoding/json", d.Name(), p.Name)
				} else if string(raw) != "null" && len(raw) > 0 && raw[0] != '{' && raw[0] != '[' {
					require.Equal(t, string(raw), p.Value, "%s %s: raw value from encoding/json", d.Name(), p.Name)
				}
			}
		}
	})
}

// hasDuplicateKeys is a cheap over-approximation: encoding/json keeps the last
// duplicate, the streaming parser the first (or both), so such inputs are
// not compared.
func hasDuplicateKeys(in []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(in))
	type frame struct {
		obj  bool
		keys map[string]bool
		key  bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if top != nil && top.obj {
					top.key = true
				}
				stack = append(stack, &frame{obj: v == '{', keys: map[string]bool{}, key: true})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		case string:
			if top != nil && top.obj && top.key {
				if top.keys[v] {
					return true
				}
				top.keys[v] = true
				top.key = false
				continue
			}
		}
		if top != nil && top.obj {
			top.key = true
		}
	}
}

func FuzzParseChange(f *testing.F) {
	addGolden(f, "diff-Ht.out", "diff-live.out")
	f.Add([]byte("1.5\tR\tF\t/a\\0040b\t/c\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, line := range strings.Split(string(in), "\n") {
			ch, ok := parseChange(line)
			if !ok {
				continue
			}
			if ch.Type == Renamed && !strings.HasSuffix(line, "\t") {
				require.NotEmpty(t, ch.NewPath, "rename without new path: %q", line)
			}
		}
	})
}

// FuzzUnescapePath checks that unescaping undoes zfs's escaping.
func FuzzUnescapePath(f *testing.F) {
	f.Add([]byte("/a b\\c\n\xc3\xa9\t"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var esc strings.Builder
		for _, c := range in {
			if c > ' ' && c < 0x7f && c != '\\' {
				esc.WriteByte(c)
			} else {
				esc.WriteString("\\0")
				esc.WriteByte('0' + c>>6)
				esc.WriteByte('0' + c>>3&7)
				esc.WriteByte('0' + c&7)
			}
		}
		require.Equal(t, string(in), unescapePath(esc.String()), "unescape(%q)", esc.String())
		_ = unescapePath(string(in))
	})
}

func FuzzParseHolds(f *testing.F) {
	addGolden(f, "holds.out", "holds-r.out")
	if b, err := os.ReadFile(filepath.Join("testdata", "2.1.11", "holds-H-r.out")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, at := range []func(string) (time.Time, error){holdSeconds, localHoldTime(time.UTC)} {
			for _, h := range parseHolds(string(in), at) {
				require.NotEmpty(t, h.Snapshot, "bad hold %+v", h)
				require.NotContains(t, h.Snapshot, "\t", "bad hold %+v", h)
			}
		}
	})
}

func FuzzParseDestroyPlan(f *testing.F) {
	addGolden(f, "destroy-R.out", "destroy-snap.out")
	f.Fuzz(func(t *testing.T, in []byte) {
		p := parseDestroyPlan(string(in))
		if !p.ReclaimKnown {
			require.Zero(t, p.Reclaim, "reclaim without ReclaimKnown")
		}
	})
}

func FuzzParseProgramText(f *testing.F) {
	addGolden(f, "program-text.out", "program-num-text.out", "program-nil-text.out")
	f.Fuzz(func(t *testing.T, in []byte) {
		_, _ = parseProgramText(string(in))
		_, _ = parseProgramJSON(in)
	})
}
