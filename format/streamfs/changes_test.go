package streamfs

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixture script makes tree@s2 from tree@s1 by: removing
// dir2/file5.txt, appending to dir3/file7.txt, creating dir4/new-file.txt,
// creating newdir/inside.txt, and renaming dir5/file9.txt to
// dir6/moved.txt.
func TestChangesWithBase(t *testing.T) {
	base := openFixture(t, "tree-full", Options{})
	bfs, err := base.FS()
	require.NoError(t, err)
	s := openFixture(t, "tree-incr", Options{})
	assert.True(t, s.Incremental())
	_, err = s.FS()
	assert.ErrorIs(t, err, ErrIncremental)
	changes, err := s.Changes(bfs)
	require.NoError(t, err)
	got := map[string]bool{}
	for _, c := range changes {
		got[fmt.Sprintf("%s %s", c.Kind, c.Path)] = true
	}
	for _, want := range []string{
		"- dir2/file5.txt", "M dir3/file7.txt", "+ dir4/new-file.txt",
		"+ newdir", "+ newdir/inside.txt", "- dir5/file9.txt", "M dir2", "M dir4",
	} {
		assert.True(t, got[want], "missing %q in %v", want, got)
	}
	// dir6/moved.txt is the same object as dir5/file9.txt, renamed.
	assert.True(t, got["M dir6/moved.txt"] || got["+ dir6/moved.txt"], "%v", got)
	for k := range got {
		assert.NotContains(t, k, "dir0/", "unchanged files are left out with a base")
	}
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
