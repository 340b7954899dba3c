package poolimage

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memDisk is an in-memory leaf device.
type memDisk struct {
	b   []byte
	bad bool
}

func (m *memDisk) ReadAt(p []byte, off int64) (int, error) {
	if m.bad {
		return 0, errors.New("unreadable")
	}
	return copy(p, m.b[off:]), nil
}

// writeRaidz writes data at offset off of a RAID-Z vdev, computing parity
// from the definition (sum over data columns of g^(n-1-j) * D_j) rather
// than by Horner's rule as the reader does.
func writeRaidz(z *raidz, disks []*memDisk, off uint64, data []byte) {
	asize := (len(data) + 1<<z.ashift - 1) &^ (1<<z.ashift - 1)
	padded := make([]byte, asize)
	copy(padded, data)
	cols := z.layout(off, asize)
	np := z.nparity
	nd := len(cols) - np
	dcols := make([][]byte, nd)
	pos := 0
	for j := range nd {
		dcols[j] = padded[pos : pos+cols[np+j].size]
		pos += cols[np+j].size
	}
	plen := cols[0].size
	for p := range np {
		par := make([]byte, plen)
		for j, d := range dcols {
			c := gfPow(parityGen[p], nd-1-j)
			for i := range d {
				par[i] ^= gfMul(c, d[i])
			}
		}
		c := cols[p]
		copy(disks[c.dev].b[int64(c.off)+LabelStartSize:], par)
	}
	for j, d := range dcols {
		c := cols[np+j]
		copy(disks[c.dev].b[int64(c.off)+LabelStartSize:], d)
	}
}

func newTestRaidz(width, nparity int, ashift uint) (*raidz, []*memDisk) {
	z := &raidz{name: "test", nparity: nparity, ashift: ashift}
	disks := make([]*memDisk, width)
	for i := range disks {
		disks[i] = &memDisk{b: make([]byte, 8<<20)}
		z.children = append(z.children, &leaf{r: disks[i], size: int64(len(disks[i].b)), name: fmt.Sprintf("d%d", i)})
	}
	return z, disks
}

func TestRaidzReconstructsAnyErasures(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, tc := range []struct{ width, parity int }{
		{3, 1}, {4, 1}, {5, 2}, {6, 2}, {7, 3}, {8, 3}, {12, 3}, {17, 2},
	} {
		t.Run(fmt.Sprintf("raidz%d-%d", tc.parity, tc.width), func(t *testing.T) {
			z, disks := newTestRaidz(tc.width, tc.parity, 9)
			sizes := []int{512, 1024, 4096, 7 * 512, 128 << 10, 3000}
			if raceEnabled {
				sizes = []int{1024, 7 * 512, 40 << 10}
			}
			for _, size := range sizes {
				off := uint64(r.IntN(1000)) << 9
				if r.IntN(2) == 0 {
					off += 1 << 20 // raidz1 swaps its first columns every other MiB
				}
				data := make([]byte, size)
				for i := range data {
					data[i] = byte(r.Uint32())
				}
				writeRaidz(z, disks, off, data)
				verify := func(b []byte) error {
					if !bytes.Equal(b, data) {
						return errors.New("checksum mismatch")
					}
					return nil
				}
				got, err := z.read(off, size, verify)
				require.NoError(t, err)
				require.Equal(t, data, got)

				// Every set of up to nparity unreadable disks.
				idx := make([]int, tc.width)
				for i := range idx {
					idx[i] = i
				}
				for k := 1; k <= tc.parity; k++ {
					combinations(idx, k, func(set []int) bool {
						for _, d := range set {
							disks[d].bad = true
						}
						got, err := z.read(off, size, verify)
						for _, d := range set {
							disks[d].bad = false
						}
						require.NoError(t, err, "disks %v unreadable, size %d", set, size)
						require.Equal(t, data, got)
						return false
					})
				}
				// Silent damage to up to nparity columns (of the
				// block's own columns): found by the checksum and
				// repaired.
				cols := z.layout(off, (size+511)&^511)
				for k := 1; k <= tc.parity; k++ {
					set := r.Perm(len(cols))[:min(k, len(cols))]
					saved := map[int][]byte{}
					for _, ci := range set {
						c := cols[ci]
						p := int64(c.off) + LabelStartSize
						saved[ci] = append([]byte(nil), disks[c.dev].b[p:p+int64(c.size)]...)
						disks[c.dev].b[p] ^= 0x5a
					}
					got, err := z.read(off, size, verify)
					require.NoError(t, err, "columns %v damaged", set)
					require.Equal(t, data, got)
					for ci, b := range saved {
						c := cols[ci]
						copy(disks[c.dev].b[int64(c.off)+LabelStartSize:], b)
					}
				}
				// One more unreadable column than parity: an error.
				if len(cols)-tc.parity > tc.parity {
					for _, c := range cols[tc.parity : 2*tc.parity+1] {
						disks[c.dev].bad = true
					}
					_, err = z.read(off, size, verify)
					for _, d := range disks {
						d.bad = false
					}
					assert.Error(t, err)
				}
			}
		})
	}
}

func TestGF(t *testing.T) {
	for a := 1; a < 256; a++ {
		assert.Equal(t, byte(1), gfMul(byte(a), gfInv(byte(a))))
	}
	// Multiplying by 2 is ZFS's VDEV_RAIDZ_MUL_2: shift, then reduce by
	// 0x1d.
	for a := range 256 {
		want := byte(a << 1)
		if a&0x80 != 0 {
			want ^= 0x1d
		}
		assert.Equal(t, want, gfMul(byte(a), 2))
	}
}
