package zpool

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// addSeeds adds the golden captures whose names match pattern as seeds.
func addSeeds(f *testing.F, pattern string) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*", pattern))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkTree fails if a vdev tree has nil nodes or nameless vdevs with
// children.
func checkTree(t *testing.T, vs []*Vdev) {
	t.Helper()
	for _, v := range vs {
		require.NotNil(t, v, "nil vdev")
		checkTree(t, v.Children)
	}
}

func FuzzParseStatus(f *testing.F) {
	addSeeds(f, "*status*.txt")
	f.Add([]byte("  pool: a\n state: ONLINE\nconfig:\n\n\tNAME STATE READ WRITE CKSUM\n\ta ONLINE 0 0 0\n\t  b ONLINE 1 2 3\n"))
	// OpenZFS 2.1 progress lines (captures of 2.1 are seeds too): a rebuild
	// prints "issued R/s" without "at".
	f.Add([]byte("  pool: a\n state: DEGRADED\n  scan: resilver (draid1:2d:5c:1s-0) in progress since Sun Nov 22 07:58:37 2026\n\t1.50M scanned at 512K/s, 1.00M issued 256K/s, 30.0M total\n\t980K resilvered, 5.00% done, 00:01:56 to go\nconfig:\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		all, err := ParseStatus(b)
		if err != nil {
			return
		}
		for _, s := range all {
			require.NotNil(t, s, "nil status")
			if s.Root != nil {
				checkTree(t, []*Vdev{s.Root})
			}
			checkTree(t, s.Logs)
			checkTree(t, s.Spares)
			for _, v := range s.Vdevs() {
				require.NotEmpty(t, v.Type, "vdev %q has no type", v.Name)
			}
			if s.Scan != nil {
				require.False(t, math.IsNaN(s.Scan.Percent), "bad percent %v", s.Scan.Percent)
				require.GreaterOrEqual(t, s.Scan.Percent, 0.0, "bad percent")
			}
		}
	})
}

func FuzzParseStatusJSON(f *testing.F) {
	addSeeds(f, "*status*.json")
	f.Add([]byte(`{"pools":{"a":{"vdevs":{"a":{"vdevs":{"b":{}}}}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		all, err := ParseStatusJSON(b)
		if err != nil {
			return
		}
		for _, s := range all {
			if s.Root != nil {
				checkTree(t, []*Vdev{s.Root})
			}
			// Only a number outside 0..100 fails here; NaN is let through.
			if s.Scan != nil && !math.IsNaN(s.Scan.Percent) {
				require.GreaterOrEqual(t, s.Scan.Percent, 0.0, "bad percent")
				require.LessOrEqual(t, s.Scan.Percent, 100.0, "bad percent")
			}
		}
	})
}

func FuzzParsePoolsText(f *testing.F) {
	addSeeds(f, "*get*.txt")
	f.Fuzz(func(t *testing.T, b []byte) {
		pools, err := parsePoolsText(b)
		if err != nil {
			return
		}
		for _, p := range pools {
			require.NotEmpty(t, p.Properties, "a pool without properties")
			require.NotNil(t, p.Features, "nil features")
			for k := range p.Features {
				_, ok := p.Properties.Lookup("feature@" + k)
				require.True(t, ok, "feature %q without property", k)
			}
		}
	})
}

func FuzzParsePoolsJSON(f *testing.F) {
	addSeeds(f, "*get*.json")
	addSeeds(f, "*list*.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		pools, err := parsePoolsJSON(b)
		if err != nil {
			return
		}
		for _, p := range pools {
			require.NotNil(t, p, "nil pool")
			require.NotNil(t, p.Features, "nil features")
		}
	})
}

func FuzzParseImportList(f *testing.F) {
	addSeeds(f, "import-list*.txt")
	f.Fuzz(func(t *testing.T, b []byte) {
		pools, err := parseImportList(b)
		if err != nil {
			return
		}
		for _, p := range pools {
			if p.Root != nil {
				checkTree(t, []*Vdev{p.Root})
			}
		}
	})
}

func FuzzParseHistory(f *testing.F) {
	addSeeds(f, "*history*.txt")
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := parseHistory(b)
		if err != nil {
			return
		}
		for _, ev := range evs {
			require.NotEmpty(t, ev.Kind, "event without kind")
		}
	})
}

func FuzzParseIostat(f *testing.F) {
	addSeeds(f, "*iostat*.txt")
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, verbose := range []bool{false, true} {
			p := newIostatParser(IostatOptions{Vdevs: verbose})
			var got []*IostatSample
			for _, line := range strings.Split(string(b), "\n") {
				got = append(got, p.line(line)...)
			}
			got = append(got, p.flush()...)
			for _, s := range got {
				require.NotEmpty(t, s.Pools, "empty sample delivered")
			}
		}
	})
}
