package poolimage

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gozfs/gozfs/format/ondisk"
)

// benchPool opens a fixture pool for a benchmark, or skips it if the
// fixture is missing.
func benchPool(b *testing.B, pool string) *Pool {
	if _, err := os.Stat(filepath.Join("testdata", pool, "blocks.txt")); err != nil {
		b.Skipf("no fixture %s", pool)
	}
	return openFixture(b, pool, Options{})
}

// BenchmarkReadLZ4File reads a large lz4-compressed file (fxsingle/big,
// 1 MiB records) from the pool image through the file system — block
// pointers, checksums, decompression, copying — versus decompressing the
// same blocks alone, already in memory. "ratio" is baseline time / our
// time: the share of the work that is decompression; higher is better.
func BenchmarkReadLZ4File(b *testing.B) {
	p := benchPool(b, "fxsingle")
	const ds, name = "fxsingle/big", "big.txt"
	fsys, err := p.FS(ds)
	if err != nil {
		b.Fatal(err)
	}
	os, err := p.Objset(ds)
	if err != nil {
		b.Fatal(err)
	}
	info, err := fsys.Lstat(name)
	if err != nil {
		b.Fatal(err)
	}
	z := info.Sys().(*ondisk.Znode)
	d, err := os.Dnode(z.Object)
	if err != nil {
		b.Fatal(err)
	}
	// The baseline's input: every data block's physical bytes.
	type block struct {
		raw   []byte
		lsize int
		comp  ondisk.Compression
	}
	var blocks []block
	for blk := uint64(0); blk <= d.MaxBlkID; blk++ {
		bp, ok, err := os.blockPointer(z.Object, d, 0, blk)
		if err != nil || !ok {
			b.Fatal("block", blk, ok, err)
		}
		if bp.Compression() != ondisk.CompressLZ4 {
			b.Fatalf("block %d is %s", blk, bp.Compression())
		}
		raw, _, err := p.readRaw(&bp)
		if err != nil {
			b.Fatal(err)
		}
		blocks = append(blocks, block{raw, int(bp.LSize()), bp.Compression()})
	}
	var dec ondisk.Decompressor
	defer dec.Close()
	out := make([]byte, ondisk.MaxBlockSize)
	buf := make([]byte, 1<<20)
	readFile := func() {
		f, err := fsys.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, f.(io.Reader), buf)
		if err != nil || n != int64(z.Size) {
			b.Fatal(n, err)
		}
	}
	readFile() // the image into the page cache, the metadata into ours
	b.SetBytes(int64(z.Size))
	var base, ours time.Duration
	for b.Loop() {
		// Alternating rounds, so that make bench's single iteration
		// does not leave the ratio to one noisy measurement.
		for range 3 {
			t0 := time.Now()
			for _, bl := range blocks {
				if err := dec.Decompress(bl.comp, bl.raw, out[:bl.lsize]); err != nil {
					b.Fatal(err)
				}
			}
			base += time.Since(t0)

			t0 = time.Now()
			readFile()
			ours += time.Since(t0)
		}
	}
	b.ReportMetric(float64(base)/float64(ours), "ratio")
	b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "ours-ns/op")
	b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "base-ns/op")
}

// BenchmarkListFatDir lists the 10,000-entry directory (a fat ZAP) of
// fxsingle/fat from a freshly opened file system each time, names only and
// with every entry's attributes.
func BenchmarkListFatDir(b *testing.B) {
	p := benchPool(b, "fxsingle")
	for _, long := range []bool{false, true} {
		name := "names"
		if long {
			name = "stat"
		}
		b.Run(name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				fsys, err := p.FS("fxsingle/fat")
				if err != nil {
					b.Fatal(err)
				}
				ents, err := fsys.ReadDir(".")
				if err != nil {
					b.Fatal(err)
				}
				if long {
					for _, e := range ents {
						if _, err := e.Info(); err != nil {
							b.Fatal(err)
						}
					}
				}
				n = len(ents)
			}
			if n != 10000 {
				b.Fatalf("%d entries", n)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}
