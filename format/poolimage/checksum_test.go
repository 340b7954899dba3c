package poolimage

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/format/internal/manifest"
	"github.com/gozfs/gozfs/format/ondisk"
)

// TestChecksumAlgorithms reads the fixture's datasets of each checksum
// algorithm with StrictChecksums: the ones this package implements verify
// (Skein and BLAKE3 with the pool's salt) and every file matches what ZFS
// listed; edonr is refused.
func TestChecksumAlgorithms(t *testing.T) {
	p := openFixture(t, "fxsingle", Options{StrictChecksums: true})
	require.Len(t, p.salt, 32, "the pool's checksum salt")
	for _, k := range []string{"fletcher2", "fletcher4", "sha256", "sha512", "blake3", "skein", "edonr"} {
		name := "fxsingle/k-" + k
		fsys, err := p.FS(name)
		if k == "edonr" {
			if err == nil {
				_, err = fsys.ReadFile("text.txt")
			}
			assert.ErrorIs(t, err, ondisk.ErrUnsupported, k)
			continue
		}
		require.NoError(t, err, k)
		want, err := manifest.Load(manifest.Glob(filepath.Join("testdata", "fxsingle"))[strings.ReplaceAll(name, "/", "%")])
		require.NoError(t, err, k)
		diffs, err := manifest.Diff(fsys, want)
		require.NoError(t, err, k)
		assert.Empty(t, diffs, k)
	}
	// Without StrictChecksums edonr reads, unverified.
	q := openFixture(t, "fxsingle", Options{})
	fsys, err := q.FS("fxsingle/k-edonr")
	require.NoError(t, err)
	b, err := fsys.ReadFile("dir/hello")
	require.NoError(t, err)
	assert.Equal(t, "hello edonr\n", string(b))
}
