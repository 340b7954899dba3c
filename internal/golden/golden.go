// Package golden reads and checks golden files for tests: expected inputs
// and outputs kept under the testing package's testdata/ directory.
//
// Run a package's tests with -update to rewrite its golden files from the
// current output (go test ./retention -update), then review the diff.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ from the current output")

// Update reports whether the test binary runs with -update: tests that
// make their golden files by other means (external tools) regenerate them.
func Update() bool { return *update }

// Path returns the path of golden file name (slash-separated, relative to
// the package's testdata/ directory).
func Path(name string) string { return filepath.Join("testdata", filepath.FromSlash(name)) }

// Read returns the contents of golden file name, failing t if it cannot be
// read.
func Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(Path(name))
	require.NoError(t, err, "golden file")
	return b
}

// Equal checks that got equals golden file name, reporting a failure on t
// if not. With -update it first writes got to the file.
func Equal(t testing.TB, name string, got []byte) bool {
	t.Helper()
	if *update {
		p := Path(name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, got, 0o644))
	}
	return assert.Equal(t, string(Read(t, name)), string(got), "golden file %s (go test -update rewrites it)", Path(name))
}
