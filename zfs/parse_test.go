package zfs

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// captureProps are the properties zfs/testdata/capture.sh lists.
var captureProps = strings.Split("name,type,guid,createtxg,creation,used,available,referenced,compressratio,mounted,mountpoint,canmount,quota,volsize,origin,com.example:note,com.example:tab,written@s1", ",")

func golden(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "2.3.2", name))
	require.NoError(t, err)
	return string(b)
}

// goldenGUIDs reads the GUIDs from the captured `zfs get` text output with a
// plain split, independently of the parsers.
func goldenGUIDs(t testing.TB) map[string]uint64 { return guidsAt(t, "2.3.2") }

// guidsAt is goldenGUIDs for the captures of an OpenZFS version.
func guidsAt(t testing.TB, version string) map[string]uint64 {
	t.Helper()
	m := map[string]uint64{}
	for _, line := range strings.Split(goldenAt(t, version, "get-text.out"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 4 && f[1] == "guid" {
			v, err := strconv.ParseUint(f[2], 10, 64)
			require.NoError(t, err)
			m[f[0]] = v
		}
	}
	require.Len(t, m, 17)
	return m
}

func parseAll(t testing.TB, p rowParser) ([]*Dataset, error) {
	t.Helper()
	var out []*Dataset
	for {
		d, err := p.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, d)
	}
}

func byName(ds []*Dataset) map[string]*Dataset {
	m := make(map[string]*Dataset)
	for _, d := range ds {
		m[d.Name()] = d
	}
	return m
}

func TestParseGoldenGetText(t *testing.T) {
	s := newShape(nil, "get", captureProps)
	ds, err := parseAll(t, newTextGetParser(s, strings.NewReader(golden(t, "get-text.out"))))
	require.NoError(t, err)
	require.Len(t, ds, 17)
	m := byName(ds)
	for name, guid := range goldenGUIDs(t) {
		assert.Equal(t, guid, m[name].GUID(), name)
	}
	fs := m["gzcap/fs"]
	require.NotNil(t, fs)
	assert.Equal(t, TypeFilesystem, fs.Type())
	assert.Equal(t, uint64(8), fs.CreateTXG())
	assert.Equal(t, fs.Property("creation").Value, strconv.FormatInt(fs.Creation().Unix(), 10))
	assert.Equal(t, Property{Name: "com.example:tab", Value: "a\tb\nc", Source: Source{Kind: SourceLocal}}, fs.Property("com.example:tab"))
	assert.Equal(t, Property{Name: "com.example:note", Value: "hello", Source: Source{Kind: SourceLocal}}, fs.Property("com.example:note"))
	assert.Len(t, fs.Properties(), len(captureProps))
	clone := m["gzcap/clone"]
	assert.Equal(t, "gzcap/fs@s2", clone.Property("origin").Value)
	child := m["gzcap/fs/child/grand"]
	assert.Equal(t, Source{Kind: SourceInherited, From: "gzcap/fs"}, child.Property("com.example:tab").Source)
	assert.Equal(t, "a\tb\nc", child.Property("com.example:tab").Value)
	recv := m["gzcap/recv"]
	assert.Equal(t, Source{Kind: SourceReceived}, recv.Property("com.example:note").Source)
	assert.Equal(t, TypeBookmark, m["gzcap/fs#b1"].Type())
	assert.Equal(t, m["gzcap/fs@s1"].GUID(), m["gzcap/fs#b1"].GUID())
	assert.Equal(t, TypeVolume, m["gzcap/vol"].Type())
	v, err := m["gzcap/sparse"].Property("volsize").Bytes()
	require.NoError(t, err)
	assert.Equal(t, uint64(32<<20), v)
	r, err := m["gzcap/fs@s1"].Property("compressratio").Ratio()
	require.NoError(t, err)
	assert.InDelta(t, 1.11, r, 1e-9)
}

func TestParseGoldenGetTextAll(t *testing.T) {
	s := newShape(nil, "get", []string{"all"})
	ds, err := parseAll(t, newTextGetParser(s, strings.NewReader(golden(t, "get-text-all.out"))))
	require.NoError(t, err)
	require.Len(t, ds, 3)
	m := byName(ds)
	grand := m["gzcap/fs/child/grand"]
	assert.Equal(t, Property{Name: "readonly", Value: "on", Source: Source{Kind: SourceTemporary}}, grand.Property("readonly"))
	assert.Equal(t, Source{Kind: SourceInherited, From: "gzcap/fs"}, grand.Property("compression").Source)
	assert.Equal(t, Source{Kind: SourceReceived}, m["gzcap/recv"].Property("compression").Source)
	assert.Equal(t, Source{Kind: SourceDefault}, m["gzcap/recv"].Property("atime").Source)
	assert.Greater(t, len(grand.Properties()), 50)
	assert.NotZero(t, grand.GUID())
	assert.NotZero(t, grand.CreateTXG())
}

func TestParseGoldenListText(t *testing.T) {
	// Two user properties listed: the row whose value holds a tab and a
	// newline cannot be split and is reported.
	s := newShape(nil, "list", captureProps)
	ds, err := parseAll(t, newTextListParser(s, strings.NewReader(golden(t, "list-text.out"))))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 3:")
	require.Len(t, ds, 2)
	assert.Equal(t, "gzcap/clone", ds[1].Name())
	assert.Equal(t, "cloned", ds[1].Property("com.example:note").Value)
	assert.Equal(t, SourceUnknown, ds[1].Property("com.example:note").Source.Kind)
	assert.Equal(t, goldenGUIDs(t)["gzcap/clone"], ds[1].GUID())

	// Real output with one user property holding a tab and a newline.
	ds, err = parseAll(t, newTextListParser(newShape(nil, "list", []string{"com.example:tab", "used"}), strings.NewReader(golden(t, "list-text-tab.out"))))
	require.NoError(t, err)
	require.Len(t, ds, 6)
	m := byName(ds)
	assert.Equal(t, "a\tb\nc", m["gzcap/fs"].Property("com.example:tab").Value)
	assert.Equal(t, "a\tb\nc", m["gzcap/recv"].Property("com.example:tab").Value)
	assert.False(t, m["gzcap/clone"].Property("com.example:tab").IsSet())
	for _, d := range ds {
		_, err := d.Property("used").Bytes()
		assert.NoError(t, err, d.Name())
		assert.Equal(t, goldenGUIDs(t)[d.Name()], d.GUID(), d.Name())
	}

	// One user property: the value is recovered.
	s = newShape(nil, "list", []string{"com.example:tab", "used"})
	in := "gzcap/fs\tfilesystem\t1\t8\t1795323983\ta\tb\nc\t1156096\ngzcap/vol\tvolume\t2\t9\t1795323984\t-\t5\n"
	ds, err = parseAll(t, newTextListParser(s, strings.NewReader(in)))
	require.NoError(t, err)
	require.Len(t, ds, 2)
	assert.Equal(t, "a\tb\nc", ds[0].Property("com.example:tab").Value)
	assert.Equal(t, "1156096", ds[0].Property("used").Value)
	assert.Equal(t, "5", ds[1].Property("used").Value)
	assert.False(t, ds[1].Property("com.example:tab").IsSet())
}

func TestParseGoldenListJSON(t *testing.T) {
	s := newShape(nil, "list", captureProps)
	ds, err := parseAll(t, newJSONListParser(s, strings.NewReader(golden(t, "list-json.out"))))
	require.NoError(t, err)
	require.Len(t, ds, 17)
	m := byName(ds)
	for name, guid := range goldenGUIDs(t) {
		assert.Equal(t, guid, m[name].GUID(), "-p gives exact GUIDs: %s", name)
	}
	fs := m["gzcap/fs"]
	assert.Equal(t, Property{Name: "com.example:tab", Value: "a\tb\nc", Source: Source{Kind: SourceLocal}}, fs.Property("com.example:tab"))
	assert.Equal(t, Source{Kind: SourceInherited, From: "gzcap/recv"}, m["gzcap/recv@s1"].Property("com.example:tab").Source)
	assert.Equal(t, Source{Kind: SourceReceived}, m["gzcap/recv"].Property("com.example:tab").Source)
	assert.Equal(t, TypeSnapshot, m["gzcap/vol@s3"].Type())
	assert.Equal(t, TypeBookmark, m["gzcap/fs#b1"].Type())

	// --json-int clamps GUIDs above 2^63-1, which is why listings use -p.
	ids, err := parseAll(t, newJSONListParser(newShape(nil, "list", []string{"guid"}), strings.NewReader(golden(t, "list-json-int.out"))))
	require.NoError(t, err)
	clamped := 0
	for _, d := range ids {
		want := goldenGUIDs(t)[d.Name()]
		if want > 1<<63-1 {
			assert.Equal(t, uint64(1<<63-1), d.GUID(), d.Name())
			clamped++
		} else {
			assert.Equal(t, want, d.GUID(), d.Name())
		}
	}
	t.Logf("%d of %d GUIDs clamped by --json-int", clamped, len(ids))

	// The same values as the text output of zfs get.
	tds, err := parseAll(t, newTextGetParser(newShape(nil, "get", captureProps), strings.NewReader(golden(t, "get-text.out"))))
	require.NoError(t, err)
	for _, td := range tds {
		jd := m[td.Name()]
		require.NotNil(t, jd, td.Name())
		assert.Equal(t, td.Type(), jd.Type(), td.Name())
		assert.Equal(t, td.CreateTXG(), jd.CreateTXG(), td.Name())
		for _, p := range td.Properties() {
			if p.Name == "name" {
				continue
			}
			jp, ok := jd.Properties().Lookup(p.Name)
			require.True(t, ok, "%s %s", td.Name(), p.Name)
			assert.Equal(t, p.Value, jp.Value, "%s %s", td.Name(), p.Name)
		}
	}
}

func TestParseJSONOneByteReads(t *testing.T) {
	s := newShape(nil, "list", captureProps)
	want, err := parseAll(t, newJSONListParser(s, strings.NewReader(golden(t, "list-json.out"))))
	require.NoError(t, err)
	got, err := parseAll(t, newJSONListParser(s, iotest.OneByteReader(strings.NewReader(golden(t, "list-json.out")))))
	require.NoError(t, err)
	require.Equal(t, len(want), len(got))
	for i := range want {
		assert.Equal(t, want[i].dataset, got[i].dataset)
		assert.Equal(t, want[i].Properties(), got[i].Properties())
	}
	tgot, err := parseAll(t, newTextGetParser(newShape(nil, "get", captureProps), iotest.OneByteReader(strings.NewReader(golden(t, "get-text.out")))))
	require.NoError(t, err)
	assert.Len(t, tgot, 17)
}

func TestSplitTabsAndParseUint(t *testing.T) {
	for _, s := range []string{"", "\t", "a", "a\tb", "\t\t\t", "abcdefgh\tijklmnop\t"} {
		assert.Equal(t, strings.Split(s, "\t"), splitTabs(s, nil), "%q", s)
	}
	for _, tc := range []struct {
		s  string
		v  uint64
		ok bool
	}{
		{"0", 0, true}, {"18446744073709551615", 1<<64 - 1, true}, {"18446744073709551616", 0, false},
		{"-", 0, false}, {"", 0, false}, {"1x", 0, false}, {"+1", 0, false}, {"1_0", 0, false}, {"1700000000", 1700000000, true},
	} {
		v, ok := parseUint(tc.s)
		assert.Equal(t, tc.ok, ok, tc.s)
		assert.Equal(t, tc.v, v, tc.s)
	}
}
