// Package manifest reads the listings that the fixture scripts record with
// real ZFS (format/poolimage/testdata/manifest.py) and compares a file
// system read without ZFS against them, for the tests of the format
// packages.
package manifest

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gozfs/gozfs/format/ondisk"
)

// Entry is one line of a manifest: what the kernel showed for one path.
type Entry struct {
	Path   string            `json:"path"`
	Type   string            `json:"type"`
	Mode   uint32            `json:"mode"`
	Ino    uint64            `json:"ino"`
	UID    uint64            `json:"uid"`
	GID    uint64            `json:"gid"`
	Size   int64             `json:"size"`
	Nlink  uint64            `json:"nlink"`
	Mtime  string            `json:"mtime"`
	SHA256 string            `json:"sha256"`
	Target string            `json:"target"`
	Rdev   []uint64          `json:"rdev"`
	Xattrs map[string]string `json:"xattrs"`
}

// Load reads a manifest file, gzip-compressed if its name ends in ".gz".
func Load(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r = zr
	}
	var out []Entry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

// MtimeOf parses an Entry's mtime ("seconds.nanoseconds").
func MtimeOf(s string) time.Time {
	sec, nsec, _ := strings.Cut(s, ".")
	a, _ := strconv.ParseInt(sec, 10, 64)
	b, _ := strconv.ParseInt(nsec, 10, 64)
	return time.Unix(a, b).UTC()
}

// typeOf returns the manifest type letter of a Unix mode.
func typeOf(mode uint64) string {
	switch mode & ondisk.ModeTypeMask {
	case ondisk.ModeRegular:
		return "f"
	case ondisk.ModeDir:
		return "d"
	case ondisk.ModeSymlink:
		return "l"
	case ondisk.ModeChar:
		return "c"
	case ondisk.ModeBlock:
		return "b"
	case ondisk.ModeFIFO:
		return "p"
	case ondisk.ModeSocket:
		return "s"
	}
	return "?"
}

// Got describes one path as read without ZFS, in manifest form.
func Got(fsys *ondisk.FS, p string) (Entry, error) {
	info, err := fsys.Lstat(p)
	if err != nil {
		return Entry{}, err
	}
	z := info.Sys().(*ondisk.Znode)
	e := Entry{
		Path: p, Type: typeOf(z.Mode), Mode: uint32(z.Mode & 0o7777), Ino: z.Object,
		UID: z.UID, GID: z.GID, Size: int64(z.Size), Nlink: z.Links,
		Mtime: fmt.Sprintf("%d.%09d", z.Mtime.Unix(), z.Mtime.Nanosecond()),
	}
	switch e.Type {
	case "f":
		f, err := fsys.Open(p)
		if err != nil {
			return e, err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return e, err
		}
		e.SHA256 = hex.EncodeToString(h.Sum(nil))
	case "l":
		if e.Target, err = fsys.ReadLink(p); err != nil {
			return e, err
		}
	case "c", "b":
		major, minor := z.Device()
		e.Rdev = []uint64{major, minor}
	}
	x, err := fsys.XattrsObject(z.Object)
	if err != nil {
		return e, err
	}
	for k, v := range x {
		if strings.HasPrefix(k, "system.") {
			continue
		}
		if e.Xattrs == nil {
			e.Xattrs = map[string]string{}
		}
		e.Xattrs[k] = hex.EncodeToString(v)
	}
	return e, nil
}

// Glob returns the manifests in dir (NAME.jsonl or NAME.jsonl.gz) by name.
func Glob(dir string) map[string]string {
	out := map[string]string{}
	for _, pat := range []string{"*.jsonl", "*.jsonl.gz"} {
		ms, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, m := range ms {
			name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(m), ".gz"), ".jsonl")
			out[name] = m
		}
	}
	return out
}

// Walk lists every path of fsys, as manifest.py does (sorted, "." first).
func Walk(fsys *ondisk.FS) ([]string, error) {
	var paths []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		paths = append(paths, p)
		return nil
	})
	sort.Strings(paths)
	return paths, err
}

// Diff compares fsys with want and returns one line per difference (none
// if they match). Directory sizes are compared too: ZFS reports a
// directory's entry count there. Paths in skip, and everything under them,
// are left out on both sides (the mountpoints of child datasets, which the
// mounted tree shows with the child's contents).
func Diff(fsys *ondisk.FS, want []Entry, skip ...string) ([]string, error) {
	var diffs []string
	skipped := func(p string) bool {
		for _, s := range skip {
			if p == s || strings.HasPrefix(p, s+"/") {
				return true
			}
		}
		return false
	}
	all, err := Walk(fsys)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, p := range all {
		if !skipped(p) {
			paths = append(paths, p)
		}
	}
	var kept []Entry
	for _, e := range want {
		if !skipped(e.Path) {
			kept = append(kept, e)
		}
	}
	want = kept
	wantPaths := make([]string, len(want))
	for i, e := range want {
		wantPaths[i] = e.Path
	}
	sort.Strings(wantPaths)
	if strings.Join(paths, "\n") != strings.Join(wantPaths, "\n") {
		diffs = append(diffs, fmt.Sprintf("paths differ: got %d, want %d; %s", len(paths), len(wantPaths), firstDiff(paths, wantPaths)))
	}
	for _, w := range want {
		g, err := Got(fsys, w.Path)
		if err != nil {
			diffs = append(diffs, fmt.Sprintf("%s: %v", w.Path, err))
			continue
		}
		if w.Rdev == nil {
			g.Rdev = nil
		}
		if w.Path == "." && w.Ino >= 1<<47 {
			// The root of a mounted snapshot shows a synthetic inode
			// number (ZFSCTL_INO_SNAPDIRS - objset id).
			g.Ino = w.Ino
		}
		wj, _ := json.Marshal(w)
		gj, _ := json.Marshal(g)
		if string(wj) != string(gj) {
			diffs = append(diffs, fmt.Sprintf("%s:\n  got  %s\n  want %s", w.Path, gj, wj))
		}
	}
	return diffs, nil
}

func firstDiff(a, b []string) string {
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return fmt.Sprintf("first difference at %d: got %q, want %q", i, x, y)
		}
	}
	return ""
}
