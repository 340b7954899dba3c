package streamfs

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead feeds arbitrary bytes (seeded with real streams) through Read
// and a walk of the resulting tree: no panics, no unbounded allocation.
func FuzzRead(f *testing.F) {
	names, _ := filepath.Glob("testdata/*.zsend.gz")
	for _, n := range names {
		fh, err := os.Open(n)
		if err != nil {
			continue
		}
		zr, err := gzip.NewReader(fh)
		if err == nil {
			b, _ := io.ReadAll(io.LimitReader(zr, 32<<10))
			if len(b) > 0 {
				f.Add(b)
			}
		}
		fh.Close()
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Read(bytes.NewReader(data), Options{TempDir: dir})
		if err != nil {
			return
		}
		defer s.Close()
		if s.Incremental() {
			s.Changes(nil)
			return
		}
		fsys, err := s.FS()
		if err != nil {
			return
		}
		n := 0
		fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || n > 1000 {
				return fs.SkipAll
			}
			n++
			if d.Type().IsRegular() {
				if fl, err := fsys.Open(p); err == nil {
					io.Copy(io.Discard, io.LimitReader(fl.(io.Reader), 1<<20))
					fl.Close()
				}
			}
			fsys.ReadLink(p)
			fsys.Xattrs(p)
			return nil
		})
	})
}
