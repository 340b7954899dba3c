package sendstream_test

import (
	"encoding/binary"
	"os"
	"testing"

	"github.com/gozfs/gozfs/format/sendstream/internal/streamgen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syntheticFixture is the generator configuration behind
// testdata/synthetic-compound.zsend, a small compound stream used by the
// examples and by the zstream example program's tests.
func syntheticFixture(t testing.TB) []byte {
	return streamgen.Stream(streamgen.Config{
		Order: binary.LittleEndian, Objects: 2, Blocks: 2, BlockSize: 512,
		Substreams: 2, HeaderNVList: headerNVList(t), AllTypes: true, Seed: 1,
	})
}

// TestSyntheticFixture keeps the committed synthetic stream identical to
// what the generator produces; run with GOZFS_UPDATE_FIXTURES=1 to rewrite.
func TestSyntheticFixture(t *testing.T) {
	const path = "testdata/synthetic-compound.zsend"
	want := syntheticFixture(t)
	if os.Getenv("GOZFS_UPDATE_FIXTURES") != "" {
		require.NoError(t, os.WriteFile(path, want, 0o644))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, got, "%s differs from the generator's output; rerun with GOZFS_UPDATE_FIXTURES=1", path)
}
