package poolimage

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"io/fs"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/format/ondisk"
)

// seal writes an embedded checksum (zio_eck_t) at the end of b, as ZFS
// does for labels and uberblocks at device offset off.
func seal(b []byte, off int64) {
	tail := len(b) - ondisk.EmbeddedChecksumSize
	binary.LittleEndian.PutUint64(b[tail:], 0x210da7ab10c7a11)
	for i := range 4 {
		binary.LittleEndian.PutUint64(b[tail+8+8*i:], 0)
	}
	binary.LittleEndian.PutUint64(b[tail+8:], uint64(off))
	sum := sha256.Sum256(b)
	for i := range 4 {
		binary.LittleEndian.PutUint64(b[tail+8+8*i:], binary.BigEndian.Uint64(sum[8*i:]))
	}
}

// FuzzReadLabels reads labels built around an arbitrary configuration
// nvlist and uberblock, with valid embedded checksums so that the input
// reaches the decoders (seeded with a real label's).
func FuzzReadLabels(f *testing.F) {
	if b, err := os.ReadFile(imagePaths(f, "fxmirror")[0]); err == nil {
		phys := b[vdevPhysOffset : vdevPhysOffset+vdevPhysSize]
		n := bytes.LastIndexFunc(phys[:len(phys)-ondisk.EmbeddedChecksumSize], func(r rune) bool { return r != 0 })
		f.Add(phys[:n+1], b[ringOffset:ringOffset+1024-ondisk.EmbeddedChecksumSize])
	}
	f.Fuzz(func(t *testing.T, config, ub []byte) {
		img := make([]byte, 4*LabelSize)
		for l := range NumLabels {
			off := LabelOffset(int64(len(img)), l)
			phys := img[off+vdevPhysOffset : off+vdevPhysOffset+vdevPhysSize]
			copy(phys[:len(phys)-ondisk.EmbeddedChecksumSize], config)
			seal(phys, off+vdevPhysOffset)
			slot := img[off+ringOffset : off+ringOffset+1024]
			copy(slot[:len(slot)-ondisk.EmbeddedChecksumSize], ub)
			seal(slot, off+ringOffset)
		}
		ls, err := ReadLabels(bytes.NewReader(img), int64(len(img)))
		if err == nil {
			if u := ls.Active(); u != nil {
				u.MMP()
				_ = u.RootBP.String()
			}
			ls.Config()
		}
	})
}

// FuzzPool patches the blocks of a real pool image, with checksums not
// checked so that the damage reaches the decoders, then opens the pool and
// reads everything: no panics, no unbounded allocation.
func FuzzPool(f *testing.F) {
	paths := imagePaths(f, "fxgang")
	orig, err := os.ReadFile(paths[0])
	require.NoError(f, err)
	// Seeds: patches of the MOS root block and around it.
	p, err := OpenFiles(paths, Options{})
	require.NoError(f, err)
	root := p.Uberblock().RootBP.DVA[0].Offset()
	p.Close()
	f.Add(uint32(root), []byte{0xff})
	f.Add(uint32(root+64), []byte{1, 2, 3, 4})
	f.Add(uint32(0x20000), []byte{0x80})
	img := make([]byte, len(orig))
	f.Fuzz(func(t *testing.T, off uint32, patch []byte) {
		copy(img, orig)
		pos := int(LabelStartSize) + int(off)%(len(img)-LabelStartSize-LabelEndSize)
		copy(img[pos:min(len(img)-LabelEndSize, pos+len(patch))], patch)
		pool, err := Open([]Device{{Name: "fuzz", ReaderAt: bytes.NewReader(img), Size: int64(len(img))}}, Options{})
		if err != nil {
			return
		}
		defer pool.Close()
		pool.noVerify = true
		pool.Features()
		ds, err := pool.Datasets()
		if err != nil {
			return
		}
		for _, d := range ds {
			fsys, err := pool.FS(d.Name)
			if err != nil {
				continue
			}
			n := 0
			fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
				if err != nil || n > 200 {
					return fs.SkipAll
				}
				n++
				if e.Type().IsRegular() {
					if fl, err := fsys.Open(p); err == nil {
						io.Copy(io.Discard, io.LimitReader(fl.(io.Reader), 1<<20))
					}
				}
				fsys.ReadLink(p)
				fsys.Xattrs(p)
				return nil
			})
		}
		_ = ondisk.ErrCorrupt
	})
}
