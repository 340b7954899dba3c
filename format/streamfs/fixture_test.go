package streamfs

import (
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/format/internal/manifest"
	"github.com/gozfs/gozfs/format/ondisk"
)

// openFixture reads testdata/NAME.zsend.gz.
func openFixture(t testing.TB, name string, opts Options) *Stream {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".zsend.gz"))
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	if opts.TempDir == "" {
		opts.TempDir = t.TempDir()
	}
	s, err := Read(zr, opts)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestFixturesMatchZFS compares the file tree of every full stream fixture
// with what the kernel's ZFS showed for the snapshot it was sent from.
func TestFixturesMatchZFS(t *testing.T) {
	names := manifest.Glob("testdata")
	require.NotEmpty(t, names)
	for name, m := range names {
		if name == "tree-incr" {
			continue
		}
		if name == "enc-raw" {
			f, err := os.Open(filepath.Join("testdata", name+".zsend.gz"))
			require.NoError(t, err)
			zr, err := gzip.NewReader(f)
			require.NoError(t, err)
			_, err = Read(zr, Options{TempDir: t.TempDir()})
			f.Close()
			require.ErrorIs(t, err, ErrEncrypted)
			require.ErrorIs(t, err, ondisk.ErrEncrypted)
			continue
		}
		t.Run(name, func(t *testing.T) {
			want, err := manifest.Load(m)
			require.NoError(t, err)
			s := openFixture(t, name, Options{})
			fsys, err := s.FS()
			require.NoError(t, err)
			diffs, err := manifest.Diff(fsys, want)
			require.NoError(t, err)
			if len(diffs) > 20 {
				diffs = append(diffs[:20], fmt.Sprintf("... %d more", len(diffs)-20))
			}
			assert.Empty(t, diffs)
		})
	}
}
