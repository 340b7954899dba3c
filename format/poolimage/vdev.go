package poolimage

import (
	"errors"
	"fmt"
	"io"
	"sort"
)

// ErrMissingDevice means a read needed a device that was not given (or
// could not be read).
var ErrMissingDevice = errors.New("poolimage: missing device")

// verifyFunc checks a block's physical data (its checksum); nil accepts
// anything.
type verifyFunc func([]byte) error

// vdev reads from the allocatable space of one vdev.
type vdev interface {
	// read returns size bytes at offset off of the vdev's space. If
	// verify is set, read tries every way it has of producing the data
	// (mirror sides, RAID-Z reconstruction) until verify accepts it, and
	// returns verify's last error if none does.
	read(off uint64, size int, verify verifyFunc) ([]byte, error)
	// readInto is read into buf if it is large enough (only leaves and
	// mirrors of leaves use it; others allocate).
	readInto(off uint64, size int, verify verifyFunc, buf []byte) ([]byte, error)
	// describe names the vdev for error messages.
	describe() string
}

// leaf is a disk or file: reads add the leading labels and boot area.
type leaf struct {
	r    io.ReaderAt
	size int64
	name string
}

func (l *leaf) describe() string { return l.name }

func (l *leaf) read(off uint64, size int, verify verifyFunc) ([]byte, error) {
	return l.readInto(off, size, verify, nil)
}

func (l *leaf) readInto(off uint64, size int, verify verifyFunc, buf []byte) ([]byte, error) {
	if l.r == nil {
		return nil, fmt.Errorf("%w: %s", ErrMissingDevice, l.name)
	}
	pos := int64(off) + LabelStartSize
	if off > 1<<62 || pos+int64(size) > l.size-LabelEndSize {
		return nil, fmt.Errorf("poolimage: read of %d bytes at %#x beyond the end of %s", size, off, l.name)
	}
	var b []byte
	if cap(buf) >= size {
		b = buf[:size]
	} else {
		b = make([]byte, size)
	}
	if _, err := l.r.ReadAt(b, pos); err != nil {
		return nil, fmt.Errorf("poolimage: %s: %w", l.name, err)
	}
	if verify != nil {
		if err := verify(b); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// mirror reads any child whose data verifies (also used for replacing and
// spare vdevs, whose children hold the same data).
type mirror struct {
	name     string
	children []vdev
}

func (m *mirror) describe() string { return m.name }

func (m *mirror) read(off uint64, size int, verify verifyFunc) ([]byte, error) {
	return m.readInto(off, size, verify, nil)
}

func (m *mirror) readInto(off uint64, size int, verify verifyFunc, buf []byte) ([]byte, error) {
	var errs []error
	for _, c := range m.children {
		b, err := c.readInto(off, size, verify, buf)
		if err == nil {
			return b, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// missing stands for a vdev that was not found.
type missing struct{ name string }

func (m *missing) describe() string { return m.name }
func (m *missing) read(uint64, int, verifyFunc) ([]byte, error) {
	return nil, fmt.Errorf("%w: %s", ErrMissingDevice, m.name)
}

func (m *missing) readInto(off uint64, size int, verify verifyFunc, _ []byte) ([]byte, error) {
	return m.read(off, size, verify)
}

// raidz is a RAID-Z vdev of any width and parity 1 to 3.
type raidz struct {
	name     string
	children []vdev
	nparity  int
	ashift   uint
}

func (z *raidz) describe() string { return z.name }

// column is one column of a RAID-Z row.
type column struct {
	dev  int
	off  uint64
	size int
}

// layout maps a block (offset and size in the RAID-Z vdev's space) to its
// columns, as vdev_raidz_map_alloc does: parity columns first.
func (z *raidz) layout(off uint64, size int) []column {
	dcols := uint64(len(z.children))
	np := uint64(z.nparity)
	ashift := z.ashift
	b := off >> ashift
	s := uint64(size) >> ashift
	f := b % dcols
	o := (b / dcols) << ashift
	q := s / (dcols - np)
	r := s - q*(dcols-np)
	bc := uint64(0)
	if r != 0 {
		bc = r + np
	}
	acols := dcols
	if q == 0 {
		acols = bc
	}
	cols := make([]column, acols)
	for c := range acols {
		col := f + c
		coff := o
		if col >= dcols {
			col -= dcols
			coff += 1 << ashift
		}
		sz := q << ashift
		if c < bc {
			sz = (q + 1) << ashift
		}
		cols[c] = column{dev: int(col), off: coff, size: int(sz)}
	}
	if np == 1 && off&(1<<20) != 0 && len(cols) >= 2 {
		cols[0].dev, cols[1].dev = cols[1].dev, cols[0].dev
		cols[0].off, cols[1].off = cols[1].off, cols[0].off
	}
	return cols
}

func (z *raidz) readInto(off uint64, size int, verify verifyFunc, _ []byte) ([]byte, error) {
	return z.read(off, size, verify)
}

func (z *raidz) read(off uint64, size int, verify verifyFunc) ([]byte, error) {
	asize := (size + 1<<z.ashift - 1) &^ (1<<z.ashift - 1)
	cols := z.layout(off, asize)
	np := z.nparity
	if len(cols) <= np {
		return nil, fmt.Errorf("poolimage: %s: block of %d bytes maps to %d columns", z.name, size, len(cols))
	}
	nd := len(cols) - np
	data := make([][]byte, nd)
	bad := map[int]bool{} // data columns that failed to read
	var firstErr error
	for j := range nd {
		c := cols[np+j]
		b, err := z.children[c.dev].read(c.off, c.size, nil)
		if err != nil {
			bad[j] = true
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		data[j] = b
	}
	assemble := func(d [][]byte) []byte {
		out := make([]byte, 0, asize)
		for j, c := range cols[np:] {
			out = append(out, d[j][:c.size]...)
		}
		return out[:size]
	}
	check := func(b []byte) error {
		if verify == nil {
			return nil
		}
		return verify(b)
	}
	var lastErr error
	if len(bad) == 0 {
		out := assemble(data)
		if lastErr = check(out); lastErr == nil {
			return out, nil
		}
	}
	if len(bad) > np {
		return nil, fmt.Errorf("poolimage: %s: %d columns unreadable, more than parity %d: %w", z.name, len(bad), np, firstErr)
	}
	// Read the parity columns and try the erasure sets, smallest first,
	// that include every unreadable column.
	parity := make([][]byte, np)
	var prows []int
	for p := range np {
		c := cols[p]
		b, err := z.children[c.dev].read(c.off, c.size, nil)
		if err == nil {
			parity[p] = b
			prows = append(prows, p)
		}
	}
	var badList, goodList []int
	for j := range nd {
		if bad[j] {
			badList = append(badList, j)
		} else {
			goodList = append(goodList, j)
		}
	}
	sort.Ints(badList)
	var result []byte
	for k := max(len(badList), 1); k <= np && k <= len(prows); k++ {
		found := combinations(goodList, k-len(badList), func(extra []int) bool {
			erased := append(append([]int(nil), badList...), extra...)
			return combinations(prows, k, func(rows []int) bool {
				rec, ok := reconstruct(data, parity, erased, rows)
				if !ok {
					return false
				}
				d := make([][]byte, nd)
				copy(d, data)
				for i, e := range erased {
					d[e] = rec[i][:cols[np+e].size]
				}
				out := assemble(d)
				if err := check(out); err != nil {
					lastErr = err
					return false
				}
				result = out
				return true
			})
		})
		if found {
			return result, nil
		}
	}
	if lastErr == nil {
		lastErr = firstErr
	}
	if lastErr == nil {
		lastErr = fmt.Errorf("poolimage: %s: not enough parity to reconstruct", z.name)
	}
	return nil, lastErr
}
