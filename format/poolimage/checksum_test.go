package poolimage

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/format/ondisk"
)

// TestChecksumAlgorithms reads the fixture's datasets of each checksum
// algorithm with StrictChecksums: the ones this package implements verify
// (BLAKE3 with the pool's salt), skein and edonr are refused.
func TestChecksumAlgorithms(t *testing.T) {
	p := openFixture(t, "fxsingle", Options{StrictChecksums: true})
	require.Len(t, p.salt, 32, "the pool's checksum salt")
	for _, k := range []string{"fletcher2", "fletcher4", "sha256", "sha512", "blake3", "skein", "edonr"} {
		fsys, err := p.FS("fxsingle/k-" + k)
		if err == nil {
			_, err = fsys.ReadFile("text.txt")
		}
		switch k {
		case "skein", "edonr":
			assert.ErrorIs(t, err, ondisk.ErrUnsupported, k)
		default:
			assert.NoError(t, err, k)
		}
	}
	// Without StrictChecksums they read, unverified.
	q := openFixture(t, "fxsingle", Options{})
	fsys, err := q.FS("fxsingle/k-skein")
	require.NoError(t, err)
	b, err := fsys.ReadFile("dir/hello")
	require.NoError(t, err)
	assert.Equal(t, "hello skein\n", string(b))
}
