package ondisk

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// ZAP block types and magic numbers.
const (
	zbtLeaf    = 1<<63 + 0
	zbtHeader  = 1<<63 + 1
	zbtMicro   = 1<<63 + 3
	zapMagic   = 0x2F52AB2AB
	leafMagic  = 0x2AB1EAF
	mzapEntLen = 64
	mzapName   = mzapEntLen - 8 - 4 - 2
	chainEnd   = 0xffff

	chunkSize   = 24
	chunkFree   = 253
	chunkEntry  = 252
	chunkArray  = 251
	arrayBytes  = chunkSize - 3
	leafHdrSize = 2 * chunkSize

	zapFlagHash64     = 1 << 0
	zapFlagUint64Key  = 1 << 1
	zapFlagPreHashed  = 1 << 2
	maxZAPBlockShift  = 17 // fat ZAP blocks are at most 128 KiB
	minZAPBlockShift  = 9
	maxZAPValueLength = 1 << 20
	// maxPtrTableShift bounds an external pointer table to 65536 blocks
	// (over a hundred million leaves), so that a corrupt header cannot
	// make a walk read billions of blocks.
	maxPtrTableShift = 16
)

// ZAPEntry is one attribute of a ZAP object: a name and an array of
// integers.
type ZAPEntry struct {
	// Name is the key of a ZAP with string keys.
	Name string
	// Key holds the key of a ZAP with integer keys (ZAP_FLAG_UINT64_KEY),
	// such as the dedup tables; Name is empty then.
	Key []uint64
	// IntegerSize is the size of each integer of the value: 1, 2, 4 or 8.
	IntegerSize int
	// Value holds the integers, each big-endian, IntegerSize bytes apiece.
	Value []byte
}

// Len returns the number of integers in the value.
func (e *ZAPEntry) Len() int {
	if e.IntegerSize == 0 {
		return 0
	}
	return len(e.Value) / e.IntegerSize
}

// Uint64 returns the value as one 64-bit integer; ok is false if the value
// is not exactly one 8-byte integer.
func (e *ZAPEntry) Uint64() (v uint64, ok bool) {
	if e.IntegerSize != 8 || len(e.Value) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(e.Value), true
}

// Uint64s returns the value's integers widened to 64 bits.
func (e *ZAPEntry) Uint64s() []uint64 {
	n := e.Len()
	out := make([]uint64, n)
	for i := range n {
		p := e.Value[i*e.IntegerSize:]
		switch e.IntegerSize {
		case 1:
			out[i] = uint64(p[0])
		case 2:
			out[i] = uint64(binary.BigEndian.Uint16(p))
		case 4:
			out[i] = uint64(binary.BigEndian.Uint32(p))
		case 8:
			out[i] = binary.BigEndian.Uint64(p)
		}
	}
	return out
}

// String returns a byte-array value as a string, without the terminating
// NUL that ZFS stores with string properties.
func (e *ZAPEntry) String() string {
	v := e.Value
	if i := bytes.IndexByte(v, 0); i >= 0 {
		v = v[:i]
	}
	return string(v)
}

// BlockFunc returns the logical block blkid of an object; all blocks of a
// ZAP object have the object's data block size. A hole may be returned as
// a zero-filled block.
type BlockFunc func(blkid uint64) ([]byte, error)

// ZAP reads a ZAP object through the blocks of its object.
type ZAP struct {
	read  BlockFunc
	first []byte
	order binary.ByteOrder
	micro bool
	// fat ZAP header fields
	blockShift int
	ptrBlk     uint64
	ptrNumBlks uint64
	ptrShift   uint64
	numEntries uint64
	salt       uint64
	normFlags  uint64
	flags      uint64
}

// OpenZAP reads block 0 of a ZAP object and returns a ZAP for reading it.
func OpenZAP(read BlockFunc) (*ZAP, error) {
	b, err := read(0)
	if err != nil {
		return nil, err
	}
	if len(b) < 128 {
		return nil, corruptf("ZAP block of %d bytes", len(b))
	}
	z := &ZAP{read: read, first: b}
	switch {
	case binary.LittleEndian.Uint64(b) == zbtMicro:
		z.order, z.micro = binary.LittleEndian, true
	case binary.BigEndian.Uint64(b) == zbtMicro:
		z.order, z.micro = binary.BigEndian, true
	case binary.LittleEndian.Uint64(b) == zbtHeader:
		z.order = binary.LittleEndian
	case binary.BigEndian.Uint64(b) == zbtHeader:
		z.order = binary.BigEndian
	default:
		return nil, corruptf("not a ZAP block (type %#x)", binary.LittleEndian.Uint64(b))
	}
	if z.micro {
		z.salt = z.order.Uint64(b[8:])
		z.normFlags = z.order.Uint64(b[16:])
		return z, nil
	}
	o := z.order
	if o.Uint64(b[8:]) != zapMagic {
		return nil, corruptf("fat ZAP header with bad magic %#x", o.Uint64(b[8:]))
	}
	z.blockShift = bits.TrailingZeros(uint(len(b)))
	if len(b)&(len(b)-1) != 0 || z.blockShift < minZAPBlockShift || z.blockShift > maxZAPBlockShift {
		return nil, corruptf("fat ZAP block of %d bytes", len(b))
	}
	z.ptrBlk = o.Uint64(b[16:])
	z.ptrNumBlks = o.Uint64(b[24:])
	z.ptrShift = o.Uint64(b[32:])
	z.numEntries = o.Uint64(b[72:])
	z.salt = o.Uint64(b[80:])
	z.normFlags = o.Uint64(b[88:])
	z.flags = o.Uint64(b[96:])
	if z.ptrNumBlks == 0 {
		if z.ptrShift > uint64(z.blockShift-3-1) {
			return nil, corruptf("embedded ZAP pointer table of shift %d", z.ptrShift)
		}
	} else {
		perBlock := uint64(z.blockShift - 3)
		if z.ptrShift < perBlock || z.ptrShift-perBlock > maxPtrTableShift || z.ptrNumBlks != 1<<(z.ptrShift-perBlock) {
			return nil, corruptf("ZAP pointer table of %d blocks and shift %d", z.ptrNumBlks, z.ptrShift)
		}
	}
	return z, nil
}

// Micro reports whether the ZAP is a micro ZAP (a single block of
// fixed-size entries).
func (z *ZAP) Micro() bool { return z.micro }

// NumEntries returns the entry count a fat ZAP's header records (0 for a
// micro ZAP).
func (z *ZAP) NumEntries() uint64 { return z.numEntries }

// Walk calls fn for every entry, in on-disk order, until fn returns an
// error, which Walk returns.
func (z *ZAP) Walk(fn func(ZAPEntry) error) error {
	if z.micro {
		return z.walkMicro(fn)
	}
	leaves, err := z.leafBlocks()
	if err != nil {
		return err
	}
	for _, blk := range leaves {
		b, err := z.read(blk)
		if err != nil {
			return err
		}
		if err := z.walkLeaf(b, 0, false, fn); err != nil {
			return err
		}
	}
	return nil
}

// Entries returns every entry.
func (z *ZAP) Entries() ([]ZAPEntry, error) {
	var out []ZAPEntry
	err := z.Walk(func(e ZAPEntry) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

// Lookup returns the entry named name, or an error wrapping ErrNotFound.
// On fat ZAPs without name normalization it reads only the leaf the name
// hashes to.
func (z *ZAP) Lookup(name string) (ZAPEntry, error) {
	var found *ZAPEntry
	stop := errStop
	match := func(e ZAPEntry) error {
		if e.Name == name {
			found = &e
			return stop
		}
		return nil
	}
	var err error
	if z.micro || z.normFlags != 0 || z.flags&(zapFlagUint64Key|zapFlagPreHashed) != 0 {
		err = z.Walk(match)
	} else {
		h := z.hash(name)
		var blk uint64
		blk, err = z.leafFor(h)
		if err == nil {
			var b []byte
			b, err = z.read(blk)
			if err == nil {
				err = z.walkLeaf(b, h, true, match)
			}
		}
	}
	if err != nil && err != stop {
		return ZAPEntry{}, err
	}
	if found == nil {
		return ZAPEntry{}, ErrNotFound
	}
	return *found, nil
}

type stopError struct{}

func (stopError) Error() string { return "stop" }

var errStop error = stopError{}

func (z *ZAP) walkMicro(fn func(ZAPEntry) error) error {
	b := z.first
	for off := mzapEntLen; off+mzapEntLen <= len(b); off += mzapEntLen {
		ent := b[off : off+mzapEntLen]
		name := ent[14:]
		if name[0] == 0 {
			continue
		}
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, z.order.Uint64(ent))
		if err := fn(ZAPEntry{Name: string(name), IntegerSize: 8, Value: v}); err != nil {
			return err
		}
	}
	return nil
}

// ptrEntry returns entry idx of the pointer table.
func (z *ZAP) ptrEntry(idx uint64) (uint64, error) {
	if z.ptrNumBlks == 0 {
		off := len(z.first)/2 + int(idx)*8
		return z.order.Uint64(z.first[off:]), nil
	}
	per := uint64(1) << (z.blockShift - 3)
	b, err := z.read(z.ptrBlk + idx/per)
	if err != nil {
		return 0, err
	}
	if len(b) != len(z.first) {
		return 0, corruptf("ZAP pointer block of %d bytes", len(b))
	}
	return z.order.Uint64(b[(idx%per)*8:]), nil
}

// leafBlocks returns the distinct leaf block numbers of the pointer table,
// in table order.
func (z *ZAP) leafBlocks() ([]uint64, error) {
	n := uint64(1) << z.ptrShift
	seen := make(map[uint64]bool)
	var out []uint64
	if z.ptrNumBlks == 0 {
		for i := range n {
			v, _ := z.ptrEntry(i)
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
		return out, nil
	}
	per := uint64(1) << (z.blockShift - 3)
	for blk := range z.ptrNumBlks {
		b, err := z.read(z.ptrBlk + blk)
		if err != nil {
			return nil, err
		}
		if uint64(len(b)) < per*8 {
			return nil, corruptf("ZAP pointer block of %d bytes", len(b))
		}
		for i := range per {
			v := z.order.Uint64(b[i*8:])
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out, nil
}

func (z *ZAP) leafFor(h uint64) (uint64, error) {
	idx := uint64(0)
	if z.ptrShift > 0 {
		idx = h >> (64 - z.ptrShift)
	}
	return z.ptrEntry(idx)
}

// hash computes zap_hash for a string key.
func (z *ZAP) hash(name string) uint64 {
	h := z.salt
	for i := 0; i < len(name); i++ {
		h = h>>8 ^ crc64Table[byte(h)^name[i]]
	}
	bits := 28
	if z.flags&zapFlagHash64 != 0 {
		bits = 48
	}
	return h &^ (1<<(64-bits) - 1)
}

var crc64Table = func() (t [256]uint64) {
	const poly = 0xC96C5795D7870F42
	for i := range t {
		c := uint64(i)
		for range 8 {
			c = c>>1 ^ (-(c & 1) & poly)
		}
		t[i] = c
	}
	return t
}()

// walkLeaf calls fn for the entries of one leaf block (only those with
// hash h if onlyHash).
func (z *ZAP) walkLeaf(b []byte, h uint64, onlyHash bool, fn func(ZAPEntry) error) error {
	if len(b) != len(z.first) {
		return corruptf("ZAP leaf of %d bytes", len(b))
	}
	o := z.order
	if o.Uint64(b) != zbtLeaf || o.Uint32(b[24:]) != leafMagic {
		return corruptf("bad ZAP leaf header")
	}
	hashEntries := 1 << (z.blockShift - 5)
	start := leafHdrSize + 2*hashEntries
	nchunks := (len(b)-2*hashEntries)/chunkSize - 2
	chunk := func(i int) []byte { return b[start+i*chunkSize : start+(i+1)*chunkSize] }
	for i := range nchunks {
		c := chunk(i)
		if c[0] != chunkEntry {
			continue
		}
		eh := o.Uint64(c[16:])
		if onlyHash && eh != h {
			continue
		}
		intlen := int(c[1])
		nameChunk := int(o.Uint16(c[4:]))
		nameInts := int(o.Uint16(c[6:]))
		valChunk := int(o.Uint16(c[8:]))
		valInts := int(o.Uint16(c[10:]))
		if intlen != 1 && intlen != 2 && intlen != 4 && intlen != 8 {
			return corruptf("ZAP entry with integer size %d", intlen)
		}
		keyLen := 1
		if z.flags&zapFlagUint64Key != 0 {
			keyLen = 8
		}
		name, err := readArray(o, chunk, nchunks, nameChunk, nameInts*keyLen)
		if err != nil {
			return err
		}
		val, err := readArray(o, chunk, nchunks, valChunk, valInts*intlen)
		if err != nil {
			return err
		}
		e := ZAPEntry{IntegerSize: intlen, Value: val}
		if keyLen == 8 {
			e.Key = make([]uint64, len(name)/8)
			for j := range e.Key {
				e.Key[j] = binary.BigEndian.Uint64(name[8*j:])
			}
		} else {
			if k := bytes.IndexByte(name, 0); k >= 0 {
				name = name[:k]
			}
			e.Name = string(name)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// readArray reads n bytes from a chain of array chunks.
func readArray(order binary.ByteOrder, chunk func(int) []byte, nchunks, first, n int) ([]byte, error) {
	if n > maxZAPValueLength || n > nchunks*arrayBytes {
		return nil, corruptf("ZAP array of %d bytes", n)
	}
	out := make([]byte, 0, n)
	c := first
	for len(out) < n {
		if c < 0 || c >= nchunks {
			return nil, corruptf("ZAP array chunk %d out of range", c)
		}
		a := chunk(c)
		if a[0] != chunkArray {
			return nil, corruptf("ZAP chunk %d is not an array chunk", c)
		}
		take := min(n-len(out), arrayBytes)
		out = append(out, a[1:1+take]...)
		c = int(order.Uint16(a[22:]))
		if len(out) < n && c == chainEnd {
			return nil, corruptf("ZAP array ends early")
		}
	}
	return out, nil
}

// WalkZAPLeaf calls fn for the entries of one fat-ZAP leaf block read on
// its own, without the ZAP's header block (as an incremental send stream
// may carry only the leaves that changed). Keys are read as strings.
func WalkZAPLeaf(b []byte, fn func(ZAPEntry) error) error {
	z := &ZAP{first: b}
	switch {
	case len(b) < 64:
		return corruptf("ZAP leaf of %d bytes", len(b))
	case binary.LittleEndian.Uint64(b) == zbtLeaf:
		z.order = binary.LittleEndian
	case binary.BigEndian.Uint64(b) == zbtLeaf:
		z.order = binary.BigEndian
	default:
		return corruptf("not a ZAP leaf")
	}
	z.blockShift = bits.TrailingZeros(uint(len(b)))
	if len(b)&(len(b)-1) != 0 || z.blockShift < minZAPBlockShift || z.blockShift > maxZAPBlockShift {
		return corruptf("ZAP leaf of %d bytes", len(b))
	}
	return z.walkLeaf(b, 0, false, fn)
}
