package streamfs_test

import (
	"compress/gzip"
	"fmt"
	"io/fs"
	"log"
	"os"

	"github.com/gozfs/gozfs/format/streamfs"
)

// List the files of a gzip-compressed backup made with zfs send.
func ExampleRead() {
	f, err := os.Open("testdata/tree-c.zsend.gz")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		log.Fatal(err)
	}
	s, err := streamfs.Read(zr, streamfs.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	fsys, err := s.FS()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Begin().ToName)
	b, err := fs.ReadFile(fsys, "dir3/file7.txt")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s", b)
	ents, _ := fs.ReadDir(fsys, "dir0")
	fmt.Println(len(ents), "files in dir0")
	// Output:
	// fxsingle/tree@s1
	// file 7 in dir 3
	// 100 files in dir0
}

// Restore one directory of a backup.
func ExampleExtract() {
	f, err := os.Open("backup.zsend")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	s, err := streamfs.Read(f, streamfs.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	fsys, err := s.FS()
	if err != nil {
		log.Fatal(err)
	}
	if err := streamfs.Extract(fsys, "home/alice", "/restore", streamfs.ExtractOptions{Owner: true}); err != nil {
		log.Fatal(err)
	}
}
