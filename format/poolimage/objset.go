package poolimage

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gozfs/gozfs/format/ondisk"
)

// Objset is an object set of the pool (the MOS, a file system, a volume or
// a snapshot). It implements ondisk.ObjectReader.
type Objset struct {
	p    *Pool
	name string
	phys ondisk.Objset
	// Encrypted reports that the object set belongs to an encrypted
	// dataset; its objects cannot be read.
	encrypted bool
}

// Name returns the name the object set was opened under.
func (os *Objset) Name() string { return os.name }

// Type returns the object set type (ondisk.ObjsetTypeZFS, ...).
func (os *Objset) Type() uint64 { return os.phys.Type }

// Phys returns the decoded objset_phys_t.
func (os *Objset) Phys() *ondisk.Objset { return &os.phys }

func (p *Pool) openObjset(bp *ondisk.BlockPointer, name string) (*Objset, error) {
	b, order, err := p.readBP(bp)
	if err != nil {
		return nil, &ondisk.BlockError{Objset: name, Object: 0, Level: -1, Err: err}
	}
	phys, err := ondisk.DecodeObjset(b, order)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	os := &Objset{p: p, name: name, phys: phys, encrypted: bp.Crypt()}
	return os, nil
}

// blockError wraps err with the location of a block.
func (os *Objset) blockError(obj uint64, level int, blkid uint64, d *ondisk.Dnode, err error) error {
	var be *ondisk.BlockError
	if errors.As(err, &be) {
		return err
	}
	e := &ondisk.BlockError{Objset: os.name, Object: obj, Level: level, BlockID: blkid, Err: err}
	if level == 0 && d != nil {
		e.Offset = blkid * d.DataBlockSize()
	}
	return e
}

// blockPointer returns the block pointer of block blkid at the given
// level of object obj.
func (os *Objset) blockPointer(obj uint64, d *ondisk.Dnode, level int, blkid uint64) (ondisk.BlockPointer, bool, error) {
	nl := int(d.NLevels)
	if level >= nl {
		return ondisk.BlockPointer{}, false, fmt.Errorf("%w: level %d of a %d-level object", ondisk.ErrCorrupt, level, nl)
	}
	epbs := uint(0)
	if nl > 1 {
		epbs = uint(d.IndBlkShift) - 7
	}
	top := blkid
	if sh := epbs * uint(nl-1-level); sh >= 64 {
		top = 0
	} else {
		top >>= sh
	}
	if top >= uint64(len(d.BlkPtr)) {
		return ondisk.BlockPointer{}, false, nil
	}
	bp := d.BlkPtr[top]
	for l := nl - 1; l > level; l-- {
		if bp.Hole() {
			return ondisk.BlockPointer{}, false, nil
		}
		id := blkid >> (epbs * uint(l-level))
		ind, order, err := os.indirect(obj, l, id, &bp)
		if err != nil {
			return ondisk.BlockPointer{}, false, os.blockError(obj, l, id, d, err)
		}
		idx := (blkid >> (epbs * uint(l-1-level))) & (1<<epbs - 1)
		if int(idx+1)*ondisk.BlockPointerSize > len(ind) {
			return ondisk.BlockPointer{}, false, os.blockError(obj, l, id, d, fmt.Errorf("%w: indirect block of %d bytes", ondisk.ErrCorrupt, len(ind)))
		}
		bp = ondisk.DecodeBlockPointer(ind[idx*ondisk.BlockPointerSize:], order)
	}
	if bp.Hole() {
		return ondisk.BlockPointer{}, false, nil
	}
	return bp, true, nil
}

// indirect reads (through the cache) the indirect block id at level l.
func (os *Objset) indirect(obj uint64, l int, id uint64, bp *ondisk.BlockPointer) ([]byte, binary.ByteOrder, error) {
	k := blockKey{objset: os, object: obj, level: l, blkid: id}
	if b, order, ok := os.p.cache.get(k); ok {
		return b, order, nil
	}
	if bp.Level() != l {
		// A pointer's level is that of the block it points to.
		return nil, nil, fmt.Errorf("%w: block pointer of level %d where %d belongs", ondisk.ErrCorrupt, bp.Level(), l)
	}
	b, order, err := os.p.readBP(bp)
	if err != nil {
		return nil, nil, err
	}
	os.p.cache.put(k, b, order)
	return b, order, nil
}

// ReadBlock returns the logical data block blkid of object obj.
func (os *Objset) ReadBlock(obj uint64, d *ondisk.Dnode, blkid uint64) ([]byte, error) {
	b, _, err := os.readBlock(obj, d, blkid, false)
	return b, err
}

func (os *Objset) readBlock(obj uint64, d *ondisk.Dnode, blkid uint64, cache bool) ([]byte, binary.ByteOrder, error) {
	bs := int(d.DataBlockSize())
	if blkid > d.MaxBlkID {
		return make([]byte, bs), d.Order, nil
	}
	k := blockKey{objset: os, object: obj, level: 0, blkid: blkid}
	if cache {
		if b, order, ok := os.p.cache.get(k); ok {
			return b, order, nil
		}
	}
	bp, ok, err := os.blockPointer(obj, d, 0, blkid)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return make([]byte, bs), d.Order, nil
	}
	b, order, err := os.p.readBP(&bp)
	if err != nil {
		return nil, nil, os.blockError(obj, 0, blkid, d, err)
	}
	if len(b) < bs {
		b = append(b, make([]byte, bs-len(b))...)
	}
	if cache {
		os.p.cache.put(k, b, order)
	}
	return b, order, nil
}

// ReadBlockInto fills dst with data block blkid of object obj,
// decompressing straight into it.
func (os *Objset) ReadBlockInto(obj uint64, d *ondisk.Dnode, blkid uint64, dst []byte) error {
	if blkid > d.MaxBlkID {
		clear(dst)
		return nil
	}
	bp, ok, err := os.blockPointer(obj, d, 0, blkid)
	if err != nil {
		return err
	}
	if !ok {
		clear(dst)
		return nil
	}
	if err := os.p.readBPInto(&bp, dst); err != nil {
		return os.blockError(obj, 0, blkid, d, err)
	}
	return nil
}

// Dnode returns the dnode of object obj.
func (os *Objset) Dnode(obj uint64) (*ondisk.Dnode, error) {
	if obj >= ondisk.MaxObject {
		return nil, fmt.Errorf("%w: object %d", ondisk.ErrNotFound, obj)
	}
	meta := &os.phys.MetaDnode
	perBlock := meta.DataBlockSize() / ondisk.DnodeSize
	if perBlock == 0 {
		return nil, fmt.Errorf("%w: meta-dnode block size %d", ondisk.ErrCorrupt, meta.DataBlockSize())
	}
	blkid := obj / perBlock
	if blkid > meta.MaxBlkID {
		return nil, fmt.Errorf("%w: object %d in %s", ondisk.ErrNotFound, obj, os.name)
	}
	b, order, err := os.readBlock(0, meta, blkid, true)
	if err != nil {
		return nil, err
	}
	slot := int(obj % perBlock)
	d, err := ondisk.DecodeDnode(b[slot*ondisk.DnodeSize:], order)
	if err != nil {
		return nil, fmt.Errorf("%s object %d: %w", os.name, obj, err)
	}
	if d.Type == ondisk.TypeNone {
		return nil, fmt.Errorf("%w: object %d in %s", ondisk.ErrNotFound, obj, os.name)
	}
	return &d, nil
}

// ReadSpill returns the spill block of object obj, or nil.
func (os *Objset) ReadSpill(obj uint64, d *ondisk.Dnode) ([]byte, error) {
	if d.Spill == nil || d.Spill.Hole() {
		return nil, nil
	}
	b, _, err := os.p.readBP(d.Spill)
	if err != nil {
		return nil, os.blockError(obj, 0, ^uint64(0), d, fmt.Errorf("spill block: %w", err))
	}
	return b, nil
}

// ZAP opens object obj as a ZAP object.
func (os *Objset) ZAP(obj uint64) (*ondisk.ZAP, error) {
	d, err := os.Dnode(obj)
	if err != nil {
		return nil, err
	}
	return ondisk.OpenZAP(func(blkid uint64) ([]byte, error) {
		if blkid > d.MaxBlkID {
			return nil, fmt.Errorf("%w: ZAP object %d has no block %d", ondisk.ErrCorrupt, obj, blkid)
		}
		b, _, err := os.readBlock(obj, d, blkid, false)
		return b, err
	})
}

func (os *Objset) zapEntries(obj uint64) ([]ondisk.ZAPEntry, error) {
	z, err := os.ZAP(obj)
	if err != nil {
		return nil, err
	}
	return z.Entries()
}

// ReadObject returns the whole contents of object obj (its blocks up to
// MaxBlkID), for small objects such as packed nvlists; at most max bytes.
func (os *Objset) ReadObject(obj uint64, max int) ([]byte, error) {
	d, err := os.Dnode(obj)
	if err != nil {
		return nil, err
	}
	bs := d.DataBlockSize()
	total := (d.MaxBlkID + 1) * bs
	if total > uint64(max) {
		return nil, fmt.Errorf("%w: object %d of %d bytes", ondisk.ErrCorrupt, obj, total)
	}
	out := make([]byte, 0, total)
	for blk := uint64(0); blk <= d.MaxBlkID; blk++ {
		b, _, err := os.readBlock(obj, d, blk, false)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}
