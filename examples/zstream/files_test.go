package main

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// streamfsFixture gunzips a format/streamfs fixture into a temporary file.
func streamfsFixture(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("../../format/streamfs/testdata", name+".zsend.gz"))
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), name+".zsend")
	out, err := os.Create(path)
	require.NoError(t, err)
	defer out.Close()
	_, err = io.Copy(out, zr)
	require.NoError(t, err)
	return path
}

func TestLs(t *testing.T) {
	path := streamfsFixture(t, "tree-c")
	code, out, errOut := runCmd(t, nil, "ls", path)
	require.Zero(t, code, errOut)
	for _, want := range []string{
		"drwxr-xr-x 0/0 22 ", " .\n",
		"-rw-r----- 1234/5678 6 2001-02-03 04:05:06 owned\n",
		" short-link -> dir0/file0.txt\n",
		"dir9/file99.txt\n",
	} {
		assert.Contains(t, out, want, "ls output")
	}
	// Paths only, under one directory, from standard input.
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	code, out, errOut = runCmd(t, f, "ls", "-l=false", "-p", "dir1")
	require.Zero(t, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.Len(t, lines, 101, "ls -p dir1")
	assert.Equal(t, "dir1", lines[0], "ls -p dir1")
}

func TestLsIncremental(t *testing.T) {
	full := streamfsFixture(t, "tree-full")
	incr := streamfsFixture(t, "tree-incr")
	code, out, errOut := runCmd(t, nil, "ls", "-base", full, incr)
	require.Zero(t, code, errOut)
	for _, want := range []string{"-\tdir2/file5.txt\n", "+\tnewdir/inside.txt\n", "M\tdir3/file7.txt\n"} {
		assert.Contains(t, out, want, "ls of an incremental stream")
	}
}

func TestExtract(t *testing.T) {
	path := streamfsFixture(t, "tree-e")
	dir := t.TempDir()
	code, out, errOut := runCmd(t, nil, "extract", "-C", dir, "-v", path, "dir3", "/short-link")
	require.Zero(t, code, errOut)
	assert.Contains(t, out, "dir3/file7.txt\n", "extract -v output")
	b, err := os.ReadFile(filepath.Join(dir, "dir3", "file7.txt"))
	require.NoError(t, err)
	assert.Equal(t, "file 7 in dir 3\n", string(b))
	tgt, err := os.Readlink(filepath.Join(dir, "short-link"))
	require.NoError(t, err)
	assert.Equal(t, "dir0/file0.txt", tgt)
	// Refuses to overwrite, and raw encrypted streams say why.
	code, _, _ = runCmd(t, nil, "extract", "-C", dir, path, "dir3")
	assert.Equal(t, 1, code, "second extract")
	code, _, errOut = runCmd(t, nil, "extract", "-C", dir, streamfsFixture(t, "enc-raw"))
	assert.Equal(t, 1, code, "raw encrypted stream")
	assert.Contains(t, errOut, "encrypted", "raw encrypted stream")
	code, _, _ = runCmd(t, nil, "extract")
	assert.Equal(t, 2, code, "extract without FILE")
}
