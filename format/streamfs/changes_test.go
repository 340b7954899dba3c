package streamfs

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChangesMatchZfsDiff compares Changes, given the full stream of the
// previous snapshot, with what zfs diff printed for the same two snapshots.
func TestChangesMatchZfsDiff(t *testing.T) {
	base := openFixture(t, "tree-full", Options{})
	bfs, err := base.FS()
	require.NoError(t, err)
	s := openFixture(t, "tree-incr", Options{})
	assert.True(t, s.Incremental())
	_, err = s.FS()
	assert.ErrorIs(t, err, ErrIncremental)
	changes, err := s.Changes(bfs)
	require.NoError(t, err)
	var got []string
	for _, c := range changes {
		p := c.Path
		if p == "." {
			p = ""
		}
		line := c.Kind.String() + "\t" + p
		if c.Kind == Renamed {
			line = "R\t" + c.OldPath + "\t" + p
		}
		got = append(got, line)
	}
	sort.Strings(got)
	b, err := os.ReadFile("testdata/tree-incr.diff")
	require.NoError(t, err)
	var want []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		// zfs diff prints the new name of a rename as a full path.
		if f := strings.Split(l, "\t"); f[0] == "R" {
			l = "R\t" + f[1] + "\t" + f[2][strings.Index(f[2], "/tree/")+len("/tree/"):]
		}
		want = append(want, l)
	}
	sort.Strings(want)
	assert.Equal(t, want, got)
}

func TestChangesWithoutBase(t *testing.T) {
	s := openFixture(t, "tree-incr", Options{})
	changes, err := s.Changes(nil)
	require.NoError(t, err)
	paths := map[string]bool{}
	for _, c := range changes {
		assert.Equal(t, Modified, c.Kind)
		paths[c.Path] = true
	}
	assert.True(t, paths["dir4/new-file.txt"], "%v", paths)
	assert.True(t, paths["newdir/inside.txt"], "%v", paths)
}
