package main

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// streamfsFixture gunzips a format/streamfs fixture into a temporary file.
func streamfsFixture(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("../../format/streamfs/testdata", name+".zsend.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".zsend")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLs(t *testing.T) {
	path := streamfsFixture(t, "tree-c")
	code, out, errOut := runCmd(t, nil, "ls", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"drwxr-xr-x 0/0 22 ", " .\n",
		"-rw-r----- 1234/5678 6 2001-02-03 04:05:06 owned\n",
		" short-link -> dir0/file0.txt\n",
		"dir9/file99.txt\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("ls output lacks %q", want)
		}
	}
	// Paths only, under one directory, from standard input.
	f, _ := os.Open(path)
	defer f.Close()
	code, out, errOut = runCmd(t, f, "ls", "-l=false", "-p", "dir1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 101 || lines[0] != "dir1" {
		t.Errorf("ls -p dir1: %d lines, first %q", len(lines), lines[0])
	}
}

func TestLsIncremental(t *testing.T) {
	full := streamfsFixture(t, "tree-full")
	incr := streamfsFixture(t, "tree-incr")
	code, out, errOut := runCmd(t, nil, "ls", "-base", full, incr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"-\tdir2/file5.txt\n", "+\tnewdir/inside.txt\n", "M\tdir3/file7.txt\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("ls of an incremental stream lacks %q in:\n%s", want, out)
		}
	}
}

func TestExtract(t *testing.T) {
	path := streamfsFixture(t, "tree-e")
	dir := t.TempDir()
	code, out, errOut := runCmd(t, nil, "extract", "-C", dir, "-v", path, "dir3", "/short-link")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "dir3/file7.txt\n") {
		t.Errorf("extract -v output lacks dir3/file7.txt:\n%s", out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "dir3", "file7.txt"))
	if err != nil || string(b) != "file 7 in dir 3\n" {
		t.Errorf("extracted file: %q, %v", b, err)
	}
	if tgt, err := os.Readlink(filepath.Join(dir, "short-link")); err != nil || tgt != "dir0/file0.txt" {
		t.Errorf("extracted link: %q, %v", tgt, err)
	}
	// Refuses to overwrite, and raw encrypted streams say why.
	if code, _, _ := runCmd(t, nil, "extract", "-C", dir, path, "dir3"); code != 1 {
		t.Errorf("second extract: exit %d, want 1", code)
	}
	code, _, errOut = runCmd(t, nil, "extract", "-C", dir, streamfsFixture(t, "enc-raw"))
	if code != 1 || !strings.Contains(errOut, "encrypted") {
		t.Errorf("raw encrypted stream: exit %d, %s", code, errOut)
	}
	if code, _, _ := runCmd(t, nil, "extract"); code != 2 {
		t.Errorf("extract without FILE: exit %d, want 2", code)
	}
}
