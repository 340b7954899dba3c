package ondisk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gozfs/gozfs/format/nvlist"
)

// ObjectReader reads the objects of one object set. FS reads a file
// system through it; package poolimage implements it over pool images and
// package streamfs over send streams.
type ObjectReader interface {
	// Dnode returns the dnode of object id. An unallocated object is an
	// error wrapping ErrNotFound.
	Dnode(id uint64) (*Dnode, error)
	// ReadBlock returns the logical level-0 block blkid of object id,
	// whose dnode is d: d.DataBlockSize() bytes, zeros for a hole. The
	// caller must not modify the returned slice, which stays valid until
	// the next call.
	ReadBlock(id uint64, d *Dnode, blkid uint64) ([]byte, error)
	// ReadSpill returns the spill block of object id (d.Spill is set, or
	// the reader knows of one), or nil if it has none.
	ReadSpill(id uint64, d *Dnode) ([]byte, error)
}

// BlockIntoReader is implemented by ObjectReaders that can decompress a
// block straight into the caller's buffer; FS uses it when a read covers a
// whole block, saving a copy.
type BlockIntoReader interface {
	// ReadBlockInto fills dst (d.DataBlockSize() bytes) with block blkid
	// of object id, as ReadBlock would return it.
	ReadBlockInto(id uint64, d *Dnode, blkid uint64, dst []byte) error
}

// ZPL master node entries.
const (
	masterRoot    = "ROOT"
	masterSAAttrs = "SA_ATTRS"
	masterVersion = "VERSION"
)

// FSOptions tunes an FS. The zero value gives the defaults.
type FSOptions struct {
	// DirCacheEntries bounds how many directory entries FS keeps in its
	// lookup cache; 0 means 1,000,000.
	DirCacheEntries int
}

// FS is a read-only ZFS file system (a ZPL object set) as an io/fs file
// system. Paths are slash-separated and relative to the file system's root,
// as io/fs requires. FS does not follow symbolic links: Open, Stat and
// ReadDir report them as they are, and ReadLink returns their targets.
// The Sys method of its FileInfo values returns a *Znode.
//
// FS is safe for concurrent use if its ObjectReader is.
type FS struct {
	r       ObjectReader
	root    uint64
	sa      *SATable
	version uint64

	// blockBuffers holds data-block buffers (*[]byte) for WriteTo.
	blockBuffers sync.Pool

	mu        sync.Mutex
	dirs      map[uint64]map[string]dirent
	dirsCount int
	maxCache  int
}

type dirent struct {
	obj uint64
	typ uint8
}

// NewFS opens the file system of an object set: it reads the master node
// (object 1) and the system-attribute tables.
func NewFS(r ObjectReader, opts FSOptions) (*FS, error) {
	f := &FS{r: r, dirs: make(map[uint64]map[string]dirent), maxCache: opts.DirCacheEntries}
	if f.maxCache <= 0 {
		f.maxCache = 1_000_000
	}
	master, err := f.zap(1)
	if err != nil {
		return nil, fmt.Errorf("zfs: reading the master node: %w", err)
	}
	ents, err := master.Entries()
	if err != nil {
		return nil, fmt.Errorf("zfs: reading the master node: %w", err)
	}
	vals := make(map[string]uint64)
	for _, e := range ents {
		if v, ok := e.Uint64(); ok {
			vals[e.Name] = v
		}
	}
	root, ok := vals[masterRoot]
	if !ok {
		return nil, corruptf("master node without %s", masterRoot)
	}
	f.root = root
	f.version = vals[masterVersion]
	if sa, ok := vals[masterSAAttrs]; ok {
		if f.sa, err = f.loadSA(sa); err != nil {
			return nil, fmt.Errorf("zfs: reading the system attribute tables: %w", err)
		}
	}
	return f, nil
}

// Version returns the ZPL version recorded in the master node.
func (f *FS) Version() uint64 { return f.version }

// Root returns the object number of the root directory.
func (f *FS) Root() uint64 { return f.root }

// SATable returns the system-attribute tables, or nil for a file system
// without them (ZPL version < 5).
func (f *FS) SATable() *SATable { return f.sa }

func (f *FS) loadSA(obj uint64) (*SATable, error) {
	z, err := f.zap(obj)
	if err != nil {
		return nil, err
	}
	ents, err := z.Entries()
	if err != nil {
		return nil, err
	}
	var reg, lay []ZAPEntry
	for _, e := range ents {
		v, ok := e.Uint64()
		if !ok {
			continue
		}
		switch e.Name {
		case "REGISTRY":
			if reg, err = f.zapEntries(v); err != nil {
				return nil, err
			}
		case "LAYOUTS":
			if lay, err = f.zapEntries(v); err != nil {
				return nil, err
			}
		}
	}
	return NewSATable(reg, lay)
}

func (f *FS) zapEntries(obj uint64) ([]ZAPEntry, error) {
	z, err := f.zap(obj)
	if err != nil {
		return nil, err
	}
	return z.Entries()
}

// zap opens object obj as a ZAP.
func (f *FS) zap(obj uint64) (*ZAP, error) {
	d, err := f.r.Dnode(obj)
	if err != nil {
		return nil, err
	}
	return f.zapOf(obj, d)
}

func (f *FS) zapOf(obj uint64, d *Dnode) (*ZAP, error) {
	return OpenZAP(func(blkid uint64) ([]byte, error) {
		if blkid > d.MaxBlkID {
			return nil, corruptf("ZAP object %d has no block %d", obj, blkid)
		}
		b, err := f.r.ReadBlock(obj, d, blkid)
		if err != nil {
			return nil, err
		}
		return append([]byte(nil), b...), nil
	})
}

// Znode returns the attributes of object obj.
func (f *FS) Znode(obj uint64) (*Znode, error) {
	d, err := f.r.Dnode(obj)
	if err != nil {
		return nil, err
	}
	return f.znodeOf(obj, d)
}

func (f *FS) znodeOf(obj uint64, d *Dnode) (*Znode, error) {
	var z Znode
	var err error
	order := d.Order
	if order == nil {
		order = binary.LittleEndian
	}
	switch d.BonusType {
	case TypeZnode:
		z, err = DecodeLegacyZnode(d.Bonus, order)
	case TypeSA:
		if f.sa == nil {
			return nil, corruptf("object %d has system attributes but the file system has no SA tables", obj)
		}
		spill, serr := f.r.ReadSpill(obj, d)
		if serr != nil {
			return nil, serr
		}
		z, err = f.sa.Znode(d.Bonus, spill)
	default:
		return nil, corruptf("object %d (%s) has bonus type %s, not a file", obj, d.Type, d.BonusType)
	}
	if err != nil {
		return nil, fmt.Errorf("object %d: %w", obj, err)
	}
	z.Object = obj
	return &z, nil
}

// DirEntry is one entry of a directory as ZFS stores it.
type DirEntry struct {
	Name   string
	Object uint64
	// Type is the file type ZFS keeps in the entry (IFTODT of the mode:
	// 4 directory, 8 regular, 10 symlink, ...).
	Type uint8
}

// ReadDirObject returns the entries of directory object obj, sorted by
// name.
func (f *FS) ReadDirObject(obj uint64) ([]DirEntry, error) {
	m, err := f.dirMap(obj)
	if err != nil {
		return nil, err
	}
	out := make([]DirEntry, 0, len(m))
	for name, e := range m {
		out = append(out, DirEntry{Name: name, Object: e.obj, Type: e.typ})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// dirMap returns (and caches) the entries of directory obj.
func (f *FS) dirMap(obj uint64) (map[string]dirent, error) {
	f.mu.Lock()
	m, ok := f.dirs[obj]
	f.mu.Unlock()
	if ok {
		return m, nil
	}
	d, err := f.r.Dnode(obj)
	if err != nil {
		return nil, err
	}
	if d.Type != TypeDirectoryContents && !d.Type.ZAP() {
		return nil, fmt.Errorf("zfs: object %d (%s) is not a directory: %w", obj, d.Type, errNotDir)
	}
	z, err := f.zapOf(obj, d)
	if err != nil {
		return nil, err
	}
	m = make(map[string]dirent)
	err = z.Walk(func(e ZAPEntry) error {
		v, ok := e.Uint64()
		if !ok {
			return corruptf("directory %d entry %q is not one integer", obj, e.Name)
		}
		m[e.Name] = dirent{obj: v & (1<<48 - 1), typ: uint8(v >> 60)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	if f.dirsCount+len(m) > f.maxCache {
		f.dirs = make(map[uint64]map[string]dirent)
		f.dirsCount = 0
	}
	f.dirs[obj] = m
	f.dirsCount += len(m)
	f.mu.Unlock()
	return m, nil
}

var errNotDir = errors.New("not a directory")

// Lookup returns the object number of name in directory dir.
func (f *FS) Lookup(dir uint64, name string) (uint64, error) {
	m, err := f.dirMap(dir)
	if err != nil {
		return 0, err
	}
	e, ok := m[name]
	if !ok {
		return 0, ErrNotFound
	}
	return e.obj, nil
}

// resolve returns the object of a path (no symbolic links followed).
func (f *FS) resolve(op, name string) (uint64, error) {
	if !fs.ValidPath(name) {
		return 0, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	obj := f.root
	if name == "." {
		return obj, nil
	}
	for _, part := range strings.Split(name, "/") {
		next, err := f.Lookup(obj, part)
		if err != nil {
			return 0, &fs.PathError{Op: op, Path: name, Err: pathErr(err)}
		}
		obj = next
	}
	return obj, nil
}

func pathErr(err error) error {
	switch {
	case errors.Is(err, ErrNotFound):
		return fs.ErrNotExist
	case errors.Is(err, errNotDir):
		return fmt.Errorf("%w (%w)", err, fs.ErrNotExist)
	}
	return err
}

// fileInfo implements fs.FileInfo.
type fileInfo struct {
	name string
	z    *Znode
}

func (i *fileInfo) Name() string       { return i.name }
func (i *fileInfo) Size() int64        { return int64(i.z.Size) }
func (i *fileInfo) Mode() fs.FileMode  { return FileMode(i.z.Mode) }
func (i *fileInfo) ModTime() time.Time { return i.z.Mtime }
func (i *fileInfo) IsDir() bool        { return i.z.Type() == ModeDir }
func (i *fileInfo) Sys() any           { return i.z }

// FileMode converts a Unix mode to an io/fs FileMode.
func FileMode(mode uint64) fs.FileMode {
	m := fs.FileMode(mode & 0o777)
	switch mode & ModeTypeMask {
	case ModeDir:
		m |= fs.ModeDir
	case ModeSymlink:
		m |= fs.ModeSymlink
	case ModeFIFO:
		m |= fs.ModeNamedPipe
	case ModeSocket:
		m |= fs.ModeSocket
	case ModeChar:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case ModeBlock:
		m |= fs.ModeDevice
	case ModeRegular:
	default:
		m |= fs.ModeIrregular
	}
	if mode&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if mode&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if mode&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// Stat returns the FileInfo of name, without following a final symbolic
// link (it is the same as Lstat).
func (f *FS) Stat(name string) (fs.FileInfo, error) { return f.stat("stat", name) }

// Lstat returns the FileInfo of name without following symbolic links.
func (f *FS) Lstat(name string) (fs.FileInfo, error) { return f.stat("lstat", name) }

func (f *FS) stat(op, name string) (fs.FileInfo, error) {
	obj, err := f.resolve(op, name)
	if err != nil {
		return nil, err
	}
	z, err := f.Znode(obj)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return &fileInfo{name: path.Base(name), z: z}, nil
}

// ReadLink returns the target of the symbolic link name.
func (f *FS) ReadLink(name string) (string, error) {
	obj, err := f.resolve("readlink", name)
	if err != nil {
		return "", err
	}
	t, err := f.readLinkObject(obj)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	return t, nil
}

func (f *FS) readLinkObject(obj uint64) (string, error) {
	d, err := f.r.Dnode(obj)
	if err != nil {
		return "", err
	}
	z, err := f.znodeOf(obj, d)
	if err != nil {
		return "", err
	}
	if z.Type() != ModeSymlink {
		return "", fs.ErrInvalid
	}
	if z.Symlink != nil {
		return string(z.Symlink), nil
	}
	if z.Size > 1<<16 {
		return "", corruptf("symbolic link target of %d bytes", z.Size)
	}
	b := make([]byte, z.Size)
	if _, err := f.readAt(obj, d, z.Size, b, 0, nil); err != nil && err != io.EOF {
		return "", err
	}
	return string(b), nil
}

// ReadDir returns the entries of directory name, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	obj, err := f.resolve("readdir", name)
	if err != nil {
		return nil, err
	}
	ents, err := f.ReadDirObject(obj)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: pathErr(err)}
	}
	out := make([]fs.DirEntry, len(ents))
	for i, e := range ents {
		out[i] = &dirEntry{f: f, e: e}
	}
	return out, nil
}

type dirEntry struct {
	f *FS
	e DirEntry
}

func (d *dirEntry) Name() string { return d.e.Name }
func (d *dirEntry) IsDir() bool  { return d.e.Type == 4 }
func (d *dirEntry) Type() fs.FileMode {
	return FileMode(uint64(d.e.Type)<<12) & fs.ModeType
}
func (d *dirEntry) Info() (fs.FileInfo, error) {
	z, err := d.f.Znode(d.e.Object)
	if err != nil {
		return nil, err
	}
	return &fileInfo{name: d.e.Name, z: z}, nil
}

// Open opens name. Regular files read their contents; directories also
// implement fs.ReadDirFile; other files (symbolic links, devices) read as
// empty. The returned file also implements io.ReaderAt and io.Seeker.
func (f *FS) Open(name string) (fs.File, error) {
	obj, err := f.resolve("open", name)
	if err != nil {
		return nil, err
	}
	return f.OpenObject(obj, path.Base(name))
}

// OpenObject opens object obj as a file named name.
func (f *FS) OpenObject(obj uint64, name string) (*File, error) {
	d, err := f.r.Dnode(obj)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: pathErr(err)}
	}
	z, err := f.znodeOf(obj, d)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &File{f: f, obj: obj, d: d, z: z, name: name}, nil
}

// ReadFile returns the contents of the regular file name.
func (f *FS) ReadFile(name string) ([]byte, error) {
	file, err := f.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	fl := file.(*File)
	if fl.z.Type() != ModeRegular {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrInvalid}
	}
	if fl.z.Size > 1<<40 {
		return nil, &fs.PathError{Op: "read", Path: name, Err: corruptf("file of %d bytes", fl.z.Size)}
	}
	b := make([]byte, fl.z.Size)
	if _, err := fl.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, err
	}
	return b, nil
}

// Xattrs returns the extended attributes of name, from its system
// attributes (xattr=sa) and its hidden xattr directory (xattr=dir), with
// names as Linux shows them ("user.color").
func (f *FS) Xattrs(name string) (map[string][]byte, error) {
	obj, err := f.resolve("getxattr", name)
	if err != nil {
		return nil, err
	}
	x, err := f.XattrsObject(obj)
	if err != nil {
		return nil, &fs.PathError{Op: "getxattr", Path: name, Err: err}
	}
	return x, nil
}

// XattrsObject returns the extended attributes of object obj.
func (f *FS) XattrsObject(obj uint64) (map[string][]byte, error) {
	z, err := f.Znode(obj)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte)
	if z.DXattr != nil {
		l, err := nvlist.Decode(z.DXattr)
		if err != nil {
			return nil, fmt.Errorf("%w: SA xattrs: %v", ErrCorrupt, err)
		}
		for _, p := range l.Pairs {
			if v, ok := p.Value.([]byte); ok {
				out[xattrName(p.Name)] = v
			}
		}
	}
	if z.XattrDir != 0 {
		ents, err := f.ReadDirObject(z.XattrDir)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			file, err := f.OpenObject(e.Object, e.Name)
			if err != nil {
				return nil, err
			}
			if file.z.Size > 1<<26 {
				return nil, corruptf("xattr %q of %d bytes", e.Name, file.z.Size)
			}
			b := make([]byte, file.z.Size)
			if _, err := file.ReadAt(b, 0); err != nil && err != io.EOF {
				return nil, err
			}
			out[xattrName(e.Name)] = b
		}
	}
	return out, nil
}

// xattrName returns the name Linux shows for a stored xattr name: names
// outside the known namespaces are in "user.".
func xattrName(n string) string {
	for _, p := range []string{"user.", "trusted.", "security.", "system."} {
		if strings.HasPrefix(n, p) {
			return n
		}
	}
	return "user." + n
}

// lastBlock remembers the last partly read data block of a file, so that
// small sequential reads decompress each block once.
type lastBlock struct {
	mu    sync.Mutex
	valid bool
	blkid uint64
	data  []byte
}

// readAt reads file data of object obj (size bytes long) into p at off,
// through the one-block cache last if it is not nil.
func (f *FS) readAt(obj uint64, d *Dnode, size uint64, p []byte, off int64, last *lastBlock) (int, error) {
	if off < 0 {
		return 0, fs.ErrInvalid
	}
	if uint64(off) >= size {
		return 0, io.EOF
	}
	bs := d.DataBlockSize()
	n := 0
	want := len(p)
	if uint64(off)+uint64(want) > size {
		want = int(size - uint64(off))
	}
	for n < want {
		pos := uint64(off) + uint64(n)
		blkid := pos / bs
		in := pos % bs
		chunk := min(uint64(want-n), bs-in)
		if bi, ok := f.r.(BlockIntoReader); ok && in == 0 && chunk == bs && blkid <= d.MaxBlkID {
			if err := bi.ReadBlockInto(obj, d, blkid, p[n:n+int(bs)]); err != nil {
				return n, err
			}
			n += int(chunk)
			continue
		}
		var blk []byte
		switch {
		case blkid > d.MaxBlkID:
		case last != nil:
			last.mu.Lock()
			if !last.valid || last.blkid != blkid {
				var err error
				if bi, ok := f.r.(BlockIntoReader); ok {
					if uint64(cap(last.data)) < bs {
						last.data = make([]byte, bs)
					}
					last.data = last.data[:bs]
					err = bi.ReadBlockInto(obj, d, blkid, last.data)
				} else {
					var b []byte
					if b, err = f.r.ReadBlock(obj, d, blkid); err == nil {
						last.data = append(last.data[:0], b...)
					}
				}
				if err != nil {
					last.valid = false
					last.mu.Unlock()
					return n, err
				}
				last.blkid, last.valid = blkid, true
			}
			err := copyBlock(p[n:n+int(chunk)], last.data, in, obj, blkid)
			last.mu.Unlock()
			if err != nil {
				return n, err
			}
			n += int(chunk)
			continue
		default:
			b, err := f.r.ReadBlock(obj, d, blkid)
			if err != nil {
				return n, err
			}
			blk = b
		}
		if blk == nil {
			clear(p[n : n+int(chunk)])
		} else if err := copyBlock(p[n:n+int(chunk)], blk, in, obj, blkid); err != nil {
			return n, err
		}
		n += int(chunk)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// copyBlock copies len(dst) bytes of blk from offset in.
func copyBlock(dst, blk []byte, in, obj, blkid uint64) error {
	if uint64(len(blk)) < in+uint64(len(dst)) {
		return corruptf("object %d block %d of %d bytes", obj, blkid, len(blk))
	}
	copy(dst, blk[in:])
	return nil
}

// File is an open file of an FS.
type File struct {
	f    *FS
	obj  uint64
	d    *Dnode
	z    *Znode
	name string
	off  int64
	dir  []DirEntry
	diri int
	read bool
	last lastBlock
}

// Stat returns the file's FileInfo.
func (fl *File) Stat() (fs.FileInfo, error) { return &fileInfo{name: fl.name, z: fl.z}, nil }

// Znode returns the file's attributes.
func (fl *File) Znode() *Znode { return fl.z }

// Dnode returns the file's dnode.
func (fl *File) Dnode() *Dnode { return fl.d }

// Close does nothing; it exists for fs.File.
func (fl *File) Close() error { return nil }

func (fl *File) size() uint64 {
	if fl.z.Type() != ModeRegular {
		return 0
	}
	return fl.z.Size
}

// Read reads the file's contents at the current offset.
func (fl *File) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := fl.ReadAt(p, fl.off)
	fl.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// ReadAt reads len(p) bytes at off.
func (fl *File) ReadAt(p []byte, off int64) (int, error) {
	if fl.z.Type() == ModeDir {
		return 0, &fs.PathError{Op: "read", Path: fl.name, Err: fs.ErrInvalid}
	}
	n, err := fl.f.readAt(fl.obj, fl.d, fl.size(), p, off, &fl.last)
	if err != nil && err != io.EOF {
		return n, &fs.PathError{Op: "read", Path: fl.name, Err: err}
	}
	return n, err
}

// WriteTo writes the rest of the file to w, a block at a time: each block
// is decompressed once, straight into a buffer the FS reuses, and written
// from there (io.Copy uses it).
func (fl *File) WriteTo(w io.Writer) (int64, error) {
	if fl.z.Type() == ModeDir {
		return 0, &fs.PathError{Op: "read", Path: fl.name, Err: fs.ErrInvalid}
	}
	size := fl.size()
	bs := fl.d.DataBlockSize()
	bufp := fl.f.blockBuffer(bs)
	defer fl.f.blockBuffers.Put(bufp)
	buf := (*bufp)[:bs]
	var total int64
	for fl.off >= 0 && uint64(fl.off) < size {
		pos := uint64(fl.off)
		blkid, in := pos/bs, pos%bs
		end := min(bs, size-blkid*bs)
		if err := fl.f.readBlockInto(fl.obj, fl.d, blkid, buf); err != nil {
			return total, &fs.PathError{Op: "read", Path: fl.name, Err: err}
		}
		m, err := w.Write(buf[in:end])
		total += int64(m)
		fl.off += int64(m)
		if err != nil {
			return total, err
		}
		if m < int(end-in) {
			return total, io.ErrShortWrite
		}
	}
	return total, nil
}

// blockBuffer returns a pooled buffer of at least size bytes; put it back
// in f.blockBuffers.
func (f *FS) blockBuffer(size uint64) *[]byte {
	bp, _ := f.blockBuffers.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	if uint64(cap(*bp)) < size {
		*bp = make([]byte, size)
	}
	return bp
}

// readBlockInto fills dst (the object's block size) with data block blkid
// of object obj, zeros past the object's last block.
func (f *FS) readBlockInto(obj uint64, d *Dnode, blkid uint64, dst []byte) error {
	if blkid > d.MaxBlkID {
		clear(dst)
		return nil
	}
	if bi, ok := f.r.(BlockIntoReader); ok {
		return bi.ReadBlockInto(obj, d, blkid, dst)
	}
	b, err := f.r.ReadBlock(obj, d, blkid)
	if err != nil {
		return err
	}
	return copyBlock(dst, b, 0, obj, blkid)
}

// Seek sets the offset for the next Read.
func (fl *File) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += fl.off
	case io.SeekEnd:
		offset += int64(fl.size())
	default:
		return 0, fs.ErrInvalid
	}
	if offset < 0 {
		return 0, fs.ErrInvalid
	}
	fl.off = offset
	return offset, nil
}

// ReadDir reads directory entries, as fs.ReadDirFile specifies.
func (fl *File) ReadDir(n int) ([]fs.DirEntry, error) {
	if fl.z.Type() != ModeDir {
		return nil, &fs.PathError{Op: "readdir", Path: fl.name, Err: errNotDir}
	}
	if !fl.read {
		ents, err := fl.f.ReadDirObject(fl.obj)
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: fl.name, Err: err}
		}
		fl.dir, fl.read = ents, true
	}
	rest := fl.dir[fl.diri:]
	if n > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	if n > 0 && n < len(rest) {
		rest = rest[:n]
	}
	fl.diri += len(rest)
	out := make([]fs.DirEntry, len(rest))
	for i, e := range rest {
		out[i] = &dirEntry{f: fl.f, e: e}
	}
	return out, nil
}
