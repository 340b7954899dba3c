package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// images decompresses the images of a format/poolimage fixture pool.
func images(t *testing.T, pool string) []string {
	t.Helper()
	srcs, _ := filepath.Glob(filepath.Join("../../format/poolimage/testdata/images", pool+".*.img.zst"))
	if len(srcs) == 0 {
		t.Skipf("no images of %s", pool)
	}
	if _, err := exec.LookPath("zstd"); err != nil {
		t.Skip("zstd not installed")
	}
	dir := t.TempDir()
	var out []string
	for _, src := range srcs {
		dst := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".zst"))
		b, err := exec.Command("zstd", "-q", "-d", src, "-o", dst).CombinedOutput()
		require.NoError(t, err, "zstd: %s", b)
		out = append(out, dst)
	}
	return out
}

func runCmd(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestCommands(t *testing.T) {
	imgs := images(t, "fxmirror")
	code, out, errOut := runCmd("label", imgs[0])
	require.Zero(t, code, "label: %s", errOut)
	for _, want := range []string{"label 0: ok", "label 3: ok", "pool: fxmirror\n", "state: EXPORTED\n", "  mirror id=0", "active uberblock:"} {
		assert.Contains(t, out, want, "label output")
	}
	code, out, _ = runCmd("label", "-json", imgs[0])
	assert.Zero(t, code, "label -json")
	assert.Contains(t, out, `"pool_guid"`, "label -json")

	code, out, errOut = runCmd(append([]string{"datasets"}, imgs...)...)
	assert.Zero(t, code, "datasets: %s", errOut)
	assert.True(t, strings.HasPrefix(out, "fxmirror\tfilesystem\t"), "datasets:\n%s", out)

	code, out, errOut = runCmd(append([]string{"ls", "-l", "fxmirror"}, imgs...)...)
	assert.Zero(t, code, "ls -l: %s", errOut)
	assert.Contains(t, out, " link -> random.bin\n", "ls -l")
	assert.Contains(t, out, " text.txt\n", "ls -l")

	code, out, _ = runCmd(append([]string{"ls", "-R", "fxmirror:small"}, imgs[1:]...)...)
	assert.Zero(t, code, "ls -R with one mirror side")
	assert.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 100, "ls -R with one mirror side")

	code, out, _ = runCmd(append([]string{"cat", "fxmirror:sizes/text-513"}, imgs...)...)
	assert.Zero(t, code, "cat")
	assert.Len(t, out, 513, "cat")
	assert.True(t, strings.HasPrefix(out, "size513 line 000000"), "cat")
	code, _, errOut = runCmd(append([]string{"cat", "fxmirror:nope"}, imgs...)...)
	assert.Equal(t, 1, code, "cat of a missing file")
	assert.Contains(t, errOut, "not exist", "cat of a missing file")

	code, out, _ = runCmd(append([]string{"get", "fxmirror"}, imgs...)...)
	assert.Zero(t, code, "get")
	assert.Contains(t, out, "compression\tlz4\tlocal\n", "get")
	assert.Contains(t, out, "type\tfilesystem\t-\n", "get")
	code, out, _ = runCmd(append([]string{"get", "-p", "guid", "fxmirror"}, imgs...)...)
	assert.Zero(t, code, "get -p guid")
	assert.Equal(t, 1, strings.Count(out, "\n"), "get -p guid:\n%s", out)

	code, _, _ = runCmd("ls")
	assert.Equal(t, 2, code, "ls without arguments")
	code, _, _ = runCmd("bogus")
	assert.Equal(t, 2, code, "unknown command")
	empty := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(empty, make([]byte, 4<<20), 0o600))
	code, _, errOut = runCmd("label", empty)
	assert.Equal(t, 1, code, "label of zeros")
	assert.Contains(t, errOut, "no valid vdev label", "label of zeros")
}
