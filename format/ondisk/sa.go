package ondisk

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"time"
)

const saMagic = 0x2F505A

// SAAttr is one registered system attribute.
type SAAttr struct {
	Name string
	Num  uint16
	// Length is the attribute's fixed length, or 0 for variable-length
	// attributes (whose lengths each SA header records).
	Length int
}

// SATable holds an object set's system-attribute registry and layouts: how
// to read the SA bonus buffers and spill blocks of its objects.
type SATable struct {
	byNum   map[uint16]SAAttr
	layouts map[uint64]saLayout
}

// saLayout is a layout with its attributes resolved.
type saLayout struct {
	attrs []SAAttr
	nvar  int   // variable-length attributes
	err   error // an attribute that is not registered
}

// NewSATable builds a table from the entries of the SA registry ZAP (name
// to encoded number, byte-swap type and length) and the SA layouts ZAP
// (layout number to the list of attribute numbers).
func NewSATable(registry, layouts []ZAPEntry) (*SATable, error) {
	t := &SATable{byNum: make(map[uint16]SAAttr), layouts: make(map[uint64]saLayout)}
	for _, e := range registry {
		v, ok := e.Uint64()
		if !ok {
			return nil, corruptf("SA registry entry %q is not one integer", e.Name)
		}
		a := SAAttr{Name: e.Name, Num: uint16(v), Length: int(v >> 24 & 0xffff)}
		t.byNum[a.Num] = a
	}
	for _, e := range layouts {
		n, err := strconv.ParseUint(e.Name, 10, 64)
		if err != nil || e.IntegerSize != 2 {
			return nil, corruptf("SA layout entry %q", e.Name)
		}
		var l saLayout
		for i := range e.Len() {
			num := binary.BigEndian.Uint16(e.Value[2*i:])
			a, ok := t.byNum[num]
			if !ok {
				l.err = corruptf("SA attribute %d of layout %d is not registered", num, n)
				break
			}
			if a.Length == 0 {
				l.nvar++
			}
			l.attrs = append(l.attrs, a)
		}
		t.layouts[n] = l
	}
	return t, nil
}

// Attr returns the registered attribute numbered num.
func (t *SATable) Attr(num uint16) (SAAttr, bool) {
	a, ok := t.byNum[num]
	return a, ok
}

// Decode reads an SA buffer (a dnode's bonus of type TypeSA, or a spill
// block) and adds its attributes to attrs, by name. Values alias buf.
func (t *SATable) Decode(buf []byte, attrs map[string][]byte) error {
	return t.walk(buf, func(a *SAAttr, v []byte, _ binary.ByteOrder) error {
		attrs[a.Name] = v
		return nil
	})
}

// Znode decodes a file's attributes from its SA buffers: the dnode's
// bonus buffer, then its spill block if it has one (nil otherwise), each
// read in its own byte order.
func (t *SATable) Znode(bonus, spill []byte) (Znode, error) {
	var z Znode
	mode := false
	set := func(a *SAAttr, v []byte, order binary.ByteOrder) error {
		if a.Name == "ZPL_MODE" {
			mode = true
		}
		return z.setSA(a.Name, v, order)
	}
	if err := t.walk(bonus, set); err != nil {
		return z, err
	}
	if spill != nil {
		if err := t.walk(spill, set); err != nil {
			return z, err
		}
		z.HasSpill = true
	}
	if !mode {
		return z, corruptf("system attributes without ZPL_MODE")
	}
	return z, nil
}

// walk calls fn with each attribute of an SA buffer, its value (aliasing
// buf) and the buffer's byte order.
func (t *SATable) walk(buf []byte, fn func(a *SAAttr, v []byte, order binary.ByteOrder) error) error {
	if len(buf) < 8 {
		return corruptf("SA buffer of %d bytes", len(buf))
	}
	var order binary.ByteOrder = binary.LittleEndian
	switch {
	case binary.LittleEndian.Uint32(buf) == saMagic:
	case binary.BigEndian.Uint32(buf) == saMagic:
		order = binary.BigEndian
	default:
		return corruptf("SA buffer with bad magic %#x", binary.LittleEndian.Uint32(buf))
	}
	info := order.Uint16(buf[4:])
	layoutNum := uint64(info & 0x3ff)
	if layoutNum == 0 {
		layoutNum = 1 // as SA_LAYOUT_NUM reads SA bonus buffers
	}
	hdrSize := int(info>>10) * 8
	layout, ok := t.layouts[layoutNum]
	if !ok {
		return corruptf("SA layout %d is not registered", layoutNum)
	}
	if layout.err != nil {
		return layout.err
	}
	want := (6 + 2*layout.nvar + 7) &^ 7
	if hdrSize != want || hdrSize > len(buf) {
		return corruptf("SA header of %d bytes for %d variable-length attributes", hdrSize, layout.nvar)
	}
	off, vi := hdrSize, 0
	for i := range layout.attrs {
		a := &layout.attrs[i]
		l := a.Length
		if l == 0 {
			l = int(order.Uint16(buf[6+2*vi:]))
			vi++
		}
		if off+l > len(buf) {
			return corruptf("SA attribute %s overruns its buffer", a.Name)
		}
		if err := fn(a, buf[off:off+l], order); err != nil {
			return err
		}
		off = (off + l + 7) &^ 7
	}
	return nil
}

// Unix file types in a znode's mode (S_IFMT bits).
const (
	ModeTypeMask = 0o170000
	ModeFIFO     = 0o010000
	ModeChar     = 0o020000
	ModeDir      = 0o040000
	ModeBlock    = 0o060000
	ModeRegular  = 0o100000
	ModeSymlink  = 0o120000
	ModeSocket   = 0o140000
)

// Znode holds a file's ZPL attributes, from its system attributes or from
// a legacy znode_phys_t.
type Znode struct {
	// Object is the file's object number (its inode number).
	Object uint64
	// Mode is the Unix mode: file type and permission bits.
	Mode   uint64
	Size   uint64
	UID    uint64
	GID    uint64
	Links  uint64
	Parent uint64
	// Gen is the txg the file was created in.
	Gen   uint64
	Flags uint64
	RDev  uint64
	// XattrDir is the object number of the hidden directory holding
	// directory-style extended attributes, or 0.
	XattrDir  uint64
	ProjectID uint64
	Atime     time.Time
	Mtime     time.Time
	Ctime     time.Time
	Crtime    time.Time
	// Symlink is the target of a symbolic link when it is stored among
	// the attributes; otherwise (legacy znodes with long targets) it is
	// nil and the target is the file's data.
	Symlink []byte
	// DXattr is the packed nvlist of system-attribute extended attributes
	// (xattr=sa), or nil.
	DXattr []byte
	// Legacy reports a pre-SA znode (ZPL version < 5).
	Legacy bool
	// HasSpill reports that some attributes came from a spill block.
	HasSpill bool
}

// Device returns the major and minor numbers of a device file's RDev. ZFS
// stores the writer's device number: Linux's kernel encoding (12-bit major
// above a 20-bit minor) or, from FreeBSD and illumos, a 32-bit major above a
// 32-bit minor; Device tells them apart by whether the top 32 bits are set.
func (z *Znode) Device() (major, minor uint64) {
	if z.RDev>>32 != 0 {
		return z.RDev >> 32, z.RDev & 0xffffffff
	}
	return z.RDev >> 20, z.RDev & 0xfffff
}

// Type returns the S_IFMT bits of Mode.
func (z *Znode) Type() uint64 { return z.Mode & ModeTypeMask }

// DirentType returns the type ZFS keeps in the top bits of a directory
// entry for this file (its IFTODT value).
func (z *Znode) DirentType() uint8 { return uint8(z.Mode >> 12 & 0xf) }

func zplTime(b []byte, order binary.ByteOrder) time.Time {
	if len(b) < 16 {
		return time.Time{}
	}
	return time.Unix(int64(order.Uint64(b)), int64(order.Uint64(b[8:]))).UTC()
}

// ZnodeFromSA builds a Znode from the attributes Decode returned. order is
// the byte order of the buffers.
func ZnodeFromSA(attrs map[string][]byte, order binary.ByteOrder) (Znode, error) {
	var z Znode
	for name, v := range attrs {
		if err := z.setSA(name, v, order); err != nil {
			return z, err
		}
	}
	if _, ok := attrs["ZPL_MODE"]; !ok {
		return z, corruptf("system attributes without ZPL_MODE")
	}
	return z, nil
}

// setSA sets the field that system attribute name holds; attributes
// without one are ignored.
func (z *Znode) setSA(name string, v []byte, order binary.ByteOrder) error {
	var dst *uint64
	switch name {
	case "ZPL_MODE":
		dst = &z.Mode
	case "ZPL_SIZE":
		dst = &z.Size
	case "ZPL_UID":
		dst = &z.UID
	case "ZPL_GID":
		dst = &z.GID
	case "ZPL_LINKS":
		dst = &z.Links
	case "ZPL_PARENT":
		dst = &z.Parent
	case "ZPL_GEN":
		dst = &z.Gen
	case "ZPL_FLAGS":
		dst = &z.Flags
	case "ZPL_RDEV":
		dst = &z.RDev
	case "ZPL_XATTR":
		dst = &z.XattrDir
	case "ZPL_PROJID":
		dst = &z.ProjectID
	case "ZPL_ATIME":
		z.Atime = zplTime(v, order)
	case "ZPL_MTIME":
		z.Mtime = zplTime(v, order)
	case "ZPL_CTIME":
		z.Ctime = zplTime(v, order)
	case "ZPL_CRTIME":
		z.Crtime = zplTime(v, order)
	case "ZPL_SYMLINK":
		z.Symlink = append([]byte(nil), v...)
	case "ZPL_DXATTR":
		z.DXattr = append([]byte(nil), v...)
	}
	if dst != nil {
		if len(v) != 8 {
			return corruptf("SA attribute %s of %d bytes", name, len(v))
		}
		*dst = order.Uint64(v)
	}
	return nil
}

// LegacyZnodeSize is the size of a znode_phys_t (ZFS_OLD_ZNODE_PHYS_SIZE);
// a short symbolic link target follows it in the bonus buffer.
const LegacyZnodeSize = 0x108

// DecodeLegacyZnode decodes a znode_phys_t bonus buffer (bonus type
// TypeZnode).
func DecodeLegacyZnode(b []byte, order binary.ByteOrder) (Znode, error) {
	if len(b) < 176 {
		return Znode{}, corruptf("znode of %d bytes", len(b))
	}
	u := func(off int) uint64 { return order.Uint64(b[off:]) }
	z := Znode{
		Atime:  zplTime(b[0:], order),
		Mtime:  zplTime(b[16:], order),
		Ctime:  zplTime(b[32:], order),
		Crtime: zplTime(b[48:], order),
		Gen:    u(64), Mode: u(72), Size: u(80), Parent: u(88), Links: u(96),
		XattrDir: u(104), RDev: u(112), Flags: u(120), UID: u(128), GID: u(136),
		Legacy: true,
	}
	if z.Type() == ModeSymlink && len(b) >= LegacyZnodeSize && z.Size <= uint64(len(b)-LegacyZnodeSize) {
		z.Symlink = append([]byte(nil), b[LegacyZnodeSize:LegacyZnodeSize+int(z.Size)]...)
	}
	return z, nil
}

// String describes the znode briefly.
func (z *Znode) String() string {
	return fmt.Sprintf("object %d mode %o size %d uid %d gid %d links %d mtime %s",
		z.Object, z.Mode, z.Size, z.UID, z.GID, z.Links, z.Mtime.Format(time.RFC3339Nano))
}
