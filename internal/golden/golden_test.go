package golden_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/internal/golden"
)

// inTemp runs the test in a temporary directory with a testdata/ of its own.
func inTemp(t *testing.T) {
	t.Chdir(t.TempDir())
	require.NoError(t, os.Mkdir("testdata", 0o755))
}

func TestReadAndEqual(t *testing.T) {
	inTemp(t)
	require.NoError(t, os.WriteFile(filepath.Join("testdata", "a.golden"), []byte("want\n"), 0o644))
	assert.Equal(t, []byte("want\n"), golden.Read(t, "a.golden"))
	assert.True(t, golden.Equal(t, "a.golden", []byte("want\n")))
	assert.Equal(t, filepath.Join("testdata", "sub", "b"), golden.Path("sub/b"))
}

func TestEqualReportsDifference(t *testing.T) {
	inTemp(t)
	require.NoError(t, os.WriteFile(filepath.Join("testdata", "a.golden"), []byte("want\n"), 0o644))
	rec := recorder{TB: t}
	assert.False(t, golden.Equal(&rec, "a.golden", []byte("got\n")))
	assert.True(t, rec.failed)
}

// recorder records failures instead of failing the test it wraps.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) FailNow()              { r.failed = true }

func TestUpdateRewrites(t *testing.T) {
	inTemp(t)
	require.NoError(t, flag.Set("update", "true"))
	t.Cleanup(func() { _ = flag.Set("update", "false") })
	require.True(t, golden.Update())
	assert.True(t, golden.Equal(t, "new/c.golden", []byte("fresh\n")))
	b, err := os.ReadFile(filepath.Join("testdata", "new", "c.golden"))
	require.NoError(t, err)
	assert.Equal(t, "fresh\n", string(b))
}
