package sendstream_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestExternalStreams checks every *.zsend file in the directory named by
// SENDSTREAM_EXTERNAL_DIR against `zstream dump` output: a NAME.dump file
// next to NAME.zsend if there is one, otherwise the output of the local
// zstream. It lets a developer check the reader against streams that cannot
// be committed (for example OpenZFS's own test streams); it skips when the
// variable is unset.
func TestExternalStreams(t *testing.T) {
	dir := os.Getenv("SENDSTREAM_EXTERNAL_DIR")
	if dir == "" {
		t.Skip("SENDSTREAM_EXTERNAL_DIR not set")
	}
	zstream, _ := exec.LookPath("zstream")
	files, err := filepath.Glob(filepath.Join(dir, "*.zsend"))
	require.NoError(t, err, "no *.zsend files in %s", dir)
	require.NotEmpty(t, files, "no *.zsend files in %s", dir)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			out, err := os.ReadFile(strings.TrimSuffix(f, ".zsend") + ".dump")
			if err != nil {
				if zstream == "" {
					t.Skip("no .dump file and zstream not installed")
				}
				out, err = exec.Command(zstream, "dump", f).Output()
				require.NoError(t, err, "zstream dump")
			}
			dump, err := parseZstreamDump(bytes.NewReader(out))
			require.NoError(t, err)
			compareDump(t, bytes.NewReader(data), dump)
		})
	}
}
