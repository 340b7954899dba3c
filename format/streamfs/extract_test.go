package streamfs

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/format/internal/manifest"
)

func TestExtractMatchesZFS(t *testing.T) {
	want, err := manifest.Load(manifest.Glob("testdata")["tree-e"])
	require.NoError(t, err)
	s := openFixture(t, "tree-e", Options{})
	fsys, err := s.FS()
	require.NoError(t, err)
	dir := t.TempDir()
	var seen int
	require.NoError(t, Extract(fsys, ".", dir, ExtractOptions{Progress: func(string) { seen++ }}))
	assert.Greater(t, seen, 1000)
	for _, w := range want {
		p := filepath.Join(dir, filepath.FromSlash(w.Path))
		st, err := os.Lstat(p)
		switch w.Type {
		case "f":
			require.NoError(t, err, w.Path)
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			sum := sha256.Sum256(b)
			assert.Equal(t, w.SHA256, hex.EncodeToString(sum[:]), w.Path)
			assert.EqualValues(t, w.Mode, uint32(st.Mode().Perm())|modeBits(st.Mode()), w.Path)
			assert.Equal(t, manifest.MtimeOf(w.Mtime), st.ModTime().UTC(), w.Path)
		case "d":
			require.NoError(t, err, w.Path)
			assert.True(t, st.IsDir())
			assert.Equal(t, manifest.MtimeOf(w.Mtime), st.ModTime().UTC(), w.Path)
		case "l":
			require.NoError(t, err, w.Path)
			tgt, err := os.Readlink(p)
			require.NoError(t, err)
			assert.Equal(t, w.Target, tgt)
		default:
			assert.Error(t, err, "%s (%s) is skipped", w.Path, w.Type)
		}
	}
	// One file, into another directory; existing files are not replaced.
	one := t.TempDir()
	require.NoError(t, Extract(fsys, "dir3/file7.txt", one, ExtractOptions{}))
	b, err := os.ReadFile(filepath.Join(one, "file7.txt"))
	require.NoError(t, err)
	assert.Equal(t, "file 7 in dir 3\n", string(b))
	assert.Error(t, Extract(fsys, "dir3/file7.txt", one, ExtractOptions{}))
	require.NoError(t, Extract(fsys, "dir3/file7.txt", one, ExtractOptions{Overwrite: true}))
	// A subtree.
	sub := t.TempDir()
	require.NoError(t, Extract(fsys, "dir1", sub, ExtractOptions{}))
	ents, err := os.ReadDir(filepath.Join(sub, "dir1"))
	require.NoError(t, err)
	assert.Len(t, ents, 100)
}

func modeBits(m os.FileMode) uint32 {
	var b uint32
	if m&os.ModeSetuid != 0 {
		b |= 0o4000
	}
	if m&os.ModeSetgid != 0 {
		b |= 0o2000
	}
	if m&os.ModeSticky != 0 {
		b |= 0o1000
	}
	return b
}
