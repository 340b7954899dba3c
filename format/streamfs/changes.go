package streamfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/gozfs/gozfs/format/ondisk"
)

// ChangeKind says how an incremental stream changes a path.
type ChangeKind int

// Change kinds, named after zfs diff's markers.
const (
	// Modified (M): the object is in the stream; with a base to compare
	// against, its attributes or contents differ.
	Modified ChangeKind = iota
	// Added (+): a name that the base does not have.
	Added
	// Removed (-): a name of the base that the stream's directory no
	// longer has.
	Removed
	// Renamed (R): an object that left one name of the base for another;
	// OldPath is the name it had.
	Renamed
)

// String returns zfs diff's marker: "M", "+", "-" or "R".
func (k ChangeKind) String() string { return [...]string{"M", "+", "-", "R"}[k] }

// Change is one object an incremental stream changes.
type Change struct {
	Kind   ChangeKind
	Object uint64
	Type   ondisk.ObjectType
	// Path is the object's path relative to the file system's root ("."
	// for the root itself), when the stream's directories (or the base's)
	// name it and its parents; empty if unknown. Paths are best effort: a directory whose entries the stream
	// carries only in part can leave names unknown.
	Path string
	// Znode holds the object's attributes when they could be decoded
	// (the stream, or the base, has the system-attribute tables).
	Znode *ondisk.Znode
	// OldPath is the previous path of a Renamed object.
	OldPath string
	// DataWritten reports that the stream writes some of its data.
	DataWritten bool
}

// Changes lists what an incremental stream changes: the objects it
// carries, with their paths where the stream's own directories, or base,
// name them. base is optional: the file system the stream applies to (the
// tree of the stream's from-snapshot, from a full stream or a pool image).
// Without a base, every object the stream carries is reported as Modified,
// including unchanged objects that share a dnode block with changed ones;
// with one, objects whose attributes did not change are left out, new names
// are Added, names gone from a directory Removed, and objects that moved
// Renamed. It is a zfs diff
// without ZFS, best effort.
func (s *Stream) Changes(base *ondisk.FS) ([]Change, error) {
	if !s.begin.Incremental() {
		return nil, errors.New("streamfs: Changes needs an incremental stream")
	}
	sa, err := s.saTable()
	if err != nil {
		return nil, err
	}
	if sa == nil && base != nil {
		sa = base.SATable()
	}
	root := uint64(0)
	if d, err := s.Dnode(1); err == nil && d.Type == ondisk.TypeMasterNode {
		if z, err := s.zap(1, d); err == nil {
			if e, err := z.Lookup("ROOT"); err == nil {
				root, _ = e.Uint64()
			}
		}
	}
	if root == 0 && base != nil {
		root = base.Root()
	}
	if root == 0 {
		// The root directory is its own parent.
		for _, id := range s.Objects() {
			d, err := s.Dnode(id)
			if err != nil || d.Type != ondisk.TypeDirectoryContents {
				continue
			}
			if z, err := decodeZnode(id, d, sa, s); err == nil && z.Parent == id {
				root = id
				break
			}
		}
	}
	// Names from the stream's directories.
	type name struct {
		parent uint64
		name   string
	}
	names := map[uint64]name{}
	dirEntries := map[uint64]map[string]uint64{} // complete directories only
	for _, id := range s.Objects() {
		d, err := s.Dnode(id)
		if err != nil || d.Type != ondisk.TypeDirectoryContents {
			continue
		}
		ents, complete := s.dirEntries(id, d)
		for n, child := range ents {
			names[child] = name{id, n}
		}
		if complete {
			dirEntries[id] = ents
		}
	}
	if root == 0 {
		// Without attributes: the one directory that no directory of
		// the stream names is taken for the root.
		var cands []uint64
		for _, id := range s.Objects() {
			d, err := s.Dnode(id)
			if err != nil || d.Type != ondisk.TypeDirectoryContents {
				continue
			}
			if _, named := names[id]; !named {
				cands = append(cands, id)
			}
		}
		if len(cands) == 1 {
			root = cands[0]
		}
	}
	znode := func(id uint64) *ondisk.Znode {
		d, err := s.Dnode(id)
		if err != nil {
			return nil
		}
		z, err := decodeZnode(id, d, sa, s)
		if err != nil {
			return nil
		}
		return z
	}
	var pathOf func(id uint64, depth int) (string, bool)
	pathOf = func(id uint64, depth int) (string, bool) {
		if id == root {
			return ".", true
		}
		if depth > 256 {
			return "", false
		}
		n, ok := names[id]
		if !ok && base != nil {
			// The parent from the stream's attributes, or the base's.
			var parent uint64
			if z := znode(id); z != nil {
				parent = z.Parent
			} else if bz, err := base.Znode(id); err == nil {
				parent = bz.Parent
			}
			if parent != 0 {
				if ents, err := base.ReadDirObject(parent); err == nil {
					for _, e := range ents {
						if e.Object == id {
							n, ok = name{parent, e.Name}, true
							break
						}
					}
				}
			}
		}
		if !ok {
			return "", false
		}
		pp, ok := pathOf(n.parent, depth+1)
		if !ok {
			return "", false
		}
		return join(pp, n.name), true
	}
	var out []Change
	for _, id := range s.Objects() {
		o := s.objects[id]
		d := &o.dnode
		if d.Type == ondisk.TypeNone || (d.BonusType != ondisk.TypeSA && d.BonusType != ondisk.TypeZnode) {
			continue
		}
		c := Change{Kind: Modified, Object: id, Type: d.Type, Znode: znode(id), DataWritten: len(o.extents) > 0}
		if base != nil {
			bz, err := base.Znode(id)
			switch {
			case err != nil:
				c.Kind = Added
			case c.Znode != nil && sameZnode(bz, c.Znode) && !c.DataWritten:
				continue
			case c.Znode != nil && bz.Gen != c.Znode.Gen:
				c.Kind = Added // the object number was reused
			}
		}
		c.Path, _ = pathOf(id, 0)
		out = append(out, c)
	}
	if base != nil {
		for dir, ents := range dirEntries {
			old, err := base.ReadDirObject(dir)
			if err != nil {
				continue
			}
			for _, e := range old {
				if _, ok := ents[e.Name]; ok {
					continue
				}
				p, ok := pathOf(dir, 0)
				if ok {
					p = join(p, e.Name)
				}
				c := Change{Kind: Removed, Object: e.Object, Path: p}
				if z, err := base.Znode(e.Object); err == nil {
					c.Znode = z
				}
				out = append(out, c)
			}
		}
	}
	// A name removed from one directory whose object the stream names
	// elsewhere was renamed (zfs diff's R).
	byObj := map[uint64]int{}
	for i, c := range out {
		if c.Kind != Removed && c.Path != "" {
			byObj[c.Object] = i
		}
	}
	kept := out[:0]
	for _, c := range out {
		if c.Kind == Removed && c.Path != "" {
			if i, ok := byObj[c.Object]; ok && out[i].Kind == Modified {
				out[i].Kind, out[i].OldPath = Renamed, c.Path
				continue
			}
		}
		kept = append(kept, c)
	}
	out = kept
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Object < out[j].Object
	})
	return out, nil
}

// join appends a name to a path relative to the root (".").
func join(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

func sameZnode(a, b *ondisk.Znode) bool {
	return a.Mode == b.Mode && a.Size == b.Size && a.UID == b.UID && a.GID == b.GID &&
		a.Mtime.Equal(b.Mtime) && a.Ctime.Equal(b.Ctime) && a.Links == b.Links && a.Gen == b.Gen
}

func (s *Stream) zap(id uint64, d *ondisk.Dnode) (*ondisk.ZAP, error) {
	return ondisk.OpenZAP(func(blk uint64) ([]byte, error) { return s.ReadBlock(id, d, blk) })
}

// saTable loads the system-attribute tables if the stream carries them.
func (s *Stream) saTable() (*ondisk.SATable, error) {
	d, err := s.Dnode(1)
	if err != nil {
		return nil, nil
	}
	z, err := s.zap(1, d)
	if err != nil {
		return nil, nil
	}
	e, err := z.Lookup("SA_ATTRS")
	if err != nil {
		return nil, nil
	}
	obj, _ := e.Uint64()
	sd, err := s.Dnode(obj)
	if err != nil {
		return nil, nil
	}
	sz, err := s.zap(obj, sd)
	if err != nil {
		return nil, nil
	}
	ents, err := sz.Entries()
	if err != nil {
		return nil, err
	}
	var reg, lay []ondisk.ZAPEntry
	for _, e := range ents {
		v, _ := e.Uint64()
		od, err := s.Dnode(v)
		if err != nil {
			return nil, nil
		}
		oz, err := s.zap(v, od)
		if err != nil {
			return nil, nil
		}
		list, err := oz.Entries()
		if err != nil {
			return nil, err
		}
		switch e.Name {
		case "REGISTRY":
			reg = list
		case "LAYOUTS":
			lay = list
		}
	}
	return ondisk.NewSATable(reg, lay)
}

// decodeZnode reads an object's attributes from its bonus buffer.
func decodeZnode(id uint64, d *ondisk.Dnode, sa *ondisk.SATable, s *Stream) (*ondisk.Znode, error) {
	order := d.Order
	if order == nil {
		order = binary.LittleEndian
	}
	var z ondisk.Znode
	var err error
	switch d.BonusType {
	case ondisk.TypeZnode:
		z, err = ondisk.DecodeLegacyZnode(d.Bonus, order)
	case ondisk.TypeSA:
		if sa == nil {
			return nil, fmt.Errorf("%w: no system-attribute tables", ondisk.ErrNotFound)
		}
		sp, _ := s.ReadSpill(id, d)
		z, err = sa.Znode(d.Bonus, sp)
	default:
		return nil, fmt.Errorf("%w: bonus type %s", ondisk.ErrCorrupt, d.BonusType)
	}
	if err != nil {
		return nil, err
	}
	z.Object = id
	return &z, nil
}

// dirEntries returns the entries the stream carries for directory id, and
// whether they are all of them (a micro ZAP, or a fat ZAP whose every block
// is in the stream).
func (s *Stream) dirEntries(id uint64, d *ondisk.Dnode) (map[string]uint64, bool) {
	out := map[string]uint64{}
	o := s.objects[id]
	if len(o.extents) == 0 {
		return out, false
	}
	add := func(e ondisk.ZAPEntry) error {
		if v, ok := e.Uint64(); ok {
			out[e.Name] = v & (1<<48 - 1)
		}
		return nil
	}
	if z, err := s.zap(id, d); err == nil {
		if err := z.Walk(add); err == nil {
			return out, true
		}
	}
	// A fat ZAP with only some blocks in the stream: read the leaves that
	// are there.
	bs := d.DataBlockSize()
	for _, e := range o.extents {
		blk := e.off / bs
		b, err := s.ReadBlock(id, d, blk)
		if err != nil {
			continue
		}
		ondisk.WalkZAPLeaf(b, add)
	}
	return out, false
}
