package sendstream_test

import (
	"encoding/binary"
	"testing"

	"github.com/gozfs/gozfs/format/sendstream/internal/streamgen"
	"github.com/gozfs/gozfs/internal/golden"
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
// what the generator produces; run with -update to rewrite.
func TestSyntheticFixture(t *testing.T) {
	golden.Equal(t, "synthetic-compound.zsend", syntheticFixture(t))
}
