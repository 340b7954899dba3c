package poolimage_test

import (
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"

	"github.com/gozfs/gozfs/format/poolimage"
)

// Which pool is this disk part of? (zpool.Labels does the same from a
// path.)
func ExampleReadLabels() {
	f, err := os.Open("/dev/sdb")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		log.Fatal(err)
	}
	ls, err := poolimage.ReadLabels(f, size)
	if err != nil {
		log.Fatal(err)
	}
	c := ls.Config()
	fmt.Println(c.Name, c.GUID, c.State, "damaged labels:", ls.Damaged())
	fmt.Println("active txg", ls.Active().TXG)
}

// List the datasets of a RAID-Z pool from its image files and read a file,
// without ZFS.
func ExampleOpenFiles() {
	p, err := poolimage.OpenFiles([]string{"disk0.img", "disk1.img", "disk2.img"}, poolimage.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	ds, err := p.Datasets()
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range ds {
		fmt.Println(d.Name, d.Type, d.Referenced, d.Encrypted)
	}
	fsys, err := p.FS("tank/home@monday")
	if err != nil {
		log.Fatal(err)
	}
	b, err := fs.ReadFile(fsys, "alice/notes.txt")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s", b)
}
