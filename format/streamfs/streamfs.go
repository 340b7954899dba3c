package streamfs

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"github.com/gozfs/gozfs/format/ondisk"
	"github.com/gozfs/gozfs/format/sendstream"
)

// Sentinel errors.
var (
	// ErrEncrypted means the stream is a raw send of an encrypted
	// dataset: its blocks are ciphertext, and nothing but the object
	// numbers can be read without the key.
	ErrEncrypted = fmt.Errorf("streamfs: raw stream of an encrypted dataset: %w", ondisk.ErrEncrypted)
	// ErrNotFileSystem means the stream carries a volume, not a file
	// system.
	ErrNotFileSystem = errors.New("streamfs: stream is not of a file system")
	// ErrIncremental means a file tree was asked of an incremental
	// stream, which holds only what changed; use Changes.
	ErrIncremental = errors.New("streamfs: incremental stream holds only changes")
	// ErrNoSubstream means the stream has no substream of the dataset
	// asked for.
	ErrNoSubstream = errors.New("streamfs: no such substream")
)

// Options tunes Read. The zero value gives the defaults.
type Options struct {
	// Dataset selects the substream of a compound (zfs send -R) stream
	// whose snapshot name (pool/fs@snap) or dataset name (pool/fs) it
	// is; empty selects the first substream.
	Dataset string
	// TempDir is where Read keeps the stream's data blocks when the
	// input is not a regular file it can read again; empty means the
	// system's temporary directory.
	TempDir string
	// Stream passes options to the stream reader (sendstream.Reader).
	Stream sendstream.Options
}

// spillOffset is where writes of the spill block start: block id
// DMU_SPILL_BLKID (2^64-2) times the block size wraps to near the top of
// the offset space; no data block lies that high.
const spillOffset = 1 << 62

// extent is where the bytes of one WRITE (or WRITE_EMBEDDED) record are.
type extent struct {
	off   uint64 // logical offset in the object
	lsize uint64 // logical length
	// where the payload is: in the spill file or the input (pos, psize),
	// or inline (small embedded payloads).
	pos    int64
	psize  uint32
	comp   ondisk.Compression
	inline []byte
}

// object is what the stream says about one object.
type object struct {
	dnode   ondisk.Dnode
	extents []extent
	spill   []byte
	sorted  bool
	// lastBlk is the highest block the stream writes.
	lastBlk uint64
}

// Stream is the object set a send stream carries, rebuilt: its objects'
// dnodes (types, sizes, bonus buffers) in memory, their data blocks in a
// temporary file or, for a regular-file input, where they are in the input.
// A Stream is safe for concurrent use once Read has returned it.
type Stream struct {
	begin       sendstream.Begin
	objects     map[uint64]*object
	freedRanges [][2]uint64
	dec         ondisk.Decompressor

	data     io.ReaderAt
	tmp      *os.File
	dataSize int64

	mu     sync.Mutex
	fsOnce sync.Once
	fsys   *ondisk.FS
	fsErr  error
}

// Read reads a whole send stream from r and rebuilds the object set of its
// (selected) substream. Memory use is bounded by the stream's metadata (one
// dnode and a few dozen bytes of index per block); the data blocks go to a
// temporary file, unless r is a regular *os.File, which is then read again
// when files are read (keep it open until Close). Raw streams of encrypted
// datasets fail with ErrEncrypted.
func Read(r io.Reader, opts Options) (*Stream, error) {
	s := &Stream{objects: make(map[uint64]*object)}
	var w *bufio.Writer
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			if off, err := f.Seek(0, io.SeekCurrent); err == nil {
				s.data = io.NewSectionReader(f, off, st.Size()-off)
			}
		}
	}
	if s.data == nil {
		tmp, err := os.CreateTemp(opts.TempDir, "gozfs-streamfs-*")
		if err != nil {
			return nil, err
		}
		os.Remove(tmp.Name())
		s.tmp = tmp
		s.data = tmp
		w = bufio.NewWriterSize(tmp, 1<<20)
	}
	if err := s.read(r, opts, w); err != nil {
		s.Close()
		return nil, err
	}
	if w != nil {
		if err := w.Flush(); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *Stream) read(r io.Reader, opts Options, w *bufio.Writer) error {
	sr := sendstream.NewReader(r, opts.Stream)
	selected := -1
	done := false
	for {
		rec, err := sr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if done || rec.Substream == nil {
			continue
		}
		if selected < 0 {
			if rec.Type != sendstream.TypeBegin {
				continue
			}
			b := &rec.Begin
			if opts.Dataset != "" && b.ToName != opts.Dataset && b.Dataset() != opts.Dataset {
				continue
			}
			selected = rec.Substream.Index
			s.begin = *b
			if b.NVList != nil && b.NVList.Has("crypt_keydata") {
				return ErrEncrypted
			}
			if b.ObjsetType != sendstream.ObjsetZFS {
				return fmt.Errorf("%w (object set type %d)", ErrNotFileSystem, b.ObjsetType)
			}
			continue
		}
		if rec.Substream.Index != selected {
			continue
		}
		if err := s.record(rec, w); err != nil {
			return fmt.Errorf("streamfs: record %d (%s) at offset %d: %w", rec.Index, rec.Type, rec.Offset, err)
		}
		if rec.Type == sendstream.TypeEnd {
			done = true
		}
	}
	if selected < 0 {
		if opts.Dataset != "" {
			return fmt.Errorf("%w: %s", ErrNoSubstream, opts.Dataset)
		}
		return ErrNoSubstream
	}
	return nil
}

func (s *Stream) obj(id uint64) *object {
	o := s.objects[id]
	if o == nil {
		o = &object{}
		s.objects[id] = o
	}
	return o
}

func (s *Stream) record(rec *sendstream.Record, w *bufio.Writer) error {
	switch rec.Type {
	case sendstream.TypeObject:
		r := &rec.Object
		if r.Object >= ondisk.MaxObject {
			return fmt.Errorf("%w: object %d", ondisk.ErrCorrupt, r.Object)
		}
		if r.BlockSize == 0 || r.BlockSize > ondisk.MaxBlockSize || r.BlockSize%512 != 0 {
			return fmt.Errorf("%w: object %d with block size %d", ondisk.ErrCorrupt, r.Object, r.BlockSize)
		}
		bonusLen := int(r.BonusLen)
		if bonusLen > len(rec.Payload) {
			return fmt.Errorf("%w: bonus of %d bytes in a payload of %d", ondisk.ErrCorrupt, bonusLen, len(rec.Payload))
		}
		o := s.obj(r.Object)
		old := o.dnode
		o.dnode = ondisk.Dnode{
			Type:         ondisk.ObjectType(r.Type),
			BonusType:    ondisk.ObjectType(r.BonusType),
			Checksum:     ondisk.ChecksumType(r.ChecksumType),
			Compress:     ondisk.Compression(r.Compress),
			DataBlkSzSec: uint16(r.BlockSize >> 9),
			BonusLen:     uint16(bonusLen),
			ExtraSlots:   max(r.DnodeSlots, 1) - 1,
			NLevels:      max(r.NLevels, 1),
			IndBlkShift:  r.IndBlkShift,
			NBlkPtr:      max(r.NBlkPtr, 1),
			MaxBlkID:     max(r.MaxBlkID, old.MaxBlkID),
			Bonus:        append([]byte(nil), rec.Payload[:bonusLen]...),
			Order:        streamOrder(&s.begin),
		}
		if old.Type != ondisk.TypeNone && old.DataBlockSize() != o.dnode.DataBlockSize() {
			o.extents, o.lastBlk = nil, 0 // a new object reusing the number
		}
		if bs := o.dnode.DataBlockSize(); old.Type == ondisk.TypeNone {
			// Writes that came before the OBJECT record.
			for _, e := range o.extents {
				if e.lsize > 0 {
					o.lastBlk = max(o.lastBlk, (e.off+e.lsize-1)/bs)
				}
			}
		}
	case sendstream.TypeFreeObjects:
		r := &rec.FreeObjects
		if r.NumObjs > 0 {
			end := r.FirstObj + r.NumObjs
			if end < r.FirstObj {
				end = ^uint64(0)
			}
			s.freedRanges = append(s.freedRanges, [2]uint64{r.FirstObj, end})
			for id := range s.objects {
				if id >= r.FirstObj && id < end {
					delete(s.objects, id)
				}
			}
		}
	case sendstream.TypeWrite:
		r := &rec.Write
		ext := extent{off: r.Offset, lsize: r.LogicalSize, psize: uint32(len(rec.Payload)), comp: ondisk.Compression(r.CompressionType)}
		if ext.comp == 0 {
			ext.comp = ondisk.CompressOff
		}
		if r.LogicalSize > ondisk.MaxBlockSize || len(rec.Payload) == 0 {
			return fmt.Errorf("%w: write of %d bytes (payload %d)", ondisk.ErrCorrupt, r.LogicalSize, len(rec.Payload))
		}
		if r.Offset >= spillOffset {
			// The spill block, sent as a write at block id
			// DMU_SPILL_BLKID.
			ext.inline = rec.Payload
			b, err := s.extentData(&ext)
			if err != nil {
				return err
			}
			s.obj(r.Object).spill = append([]byte(nil), b...)
			break
		}
		if w != nil {
			ext.pos = s.dataSize
			if _, err := w.Write(rec.Payload); err != nil {
				return err
			}
			s.dataSize += int64(len(rec.Payload))
		} else {
			ext.pos = rec.Offset + sendstream.HeaderSize
		}
		s.addExtent(r.Object, ext)
	case sendstream.TypeWriteEmbedded:
		r := &rec.WriteEmbedded
		if int(r.PSize) > len(rec.Payload) || r.LSize > ondisk.MaxBlockSize {
			return fmt.Errorf("%w: embedded write of %d/%d bytes", ondisk.ErrCorrupt, r.PSize, r.LSize)
		}
		ext := extent{
			off: r.Offset, lsize: uint64(r.LSize), psize: r.PSize,
			comp: ondisk.Compression(r.Compression), inline: append([]byte(nil), rec.Payload[:r.PSize]...),
		}
		if r.Offset >= spillOffset {
			b, err := s.extentData(&ext)
			if err != nil {
				return err
			}
			s.obj(r.Object).spill = b
			break
		}
		s.addExtent(r.Object, ext)
	case sendstream.TypeFree:
		r := &rec.Free
		o := s.objects[r.Object]
		if o == nil {
			break
		}
		end := r.Offset + r.Length
		if r.Length == ^uint64(0) || end < r.Offset {
			end = ^uint64(0)
		}
		kept := o.extents[:0]
		for _, e := range o.extents {
			if e.off >= r.Offset && e.off+e.lsize <= end {
				continue
			}
			kept = append(kept, e)
		}
		o.extents = kept
	case sendstream.TypeSpill:
		r := &rec.Spill
		if r.CompressionType != 0 {
			return fmt.Errorf("%w: compressed spill block", ondisk.ErrUnsupported)
		}
		s.obj(r.Object).spill = append([]byte(nil), rec.Payload...)
	case sendstream.TypeObjectRange:
		if rec.ObjectRange.Flags != 0 || rec.ObjectRange.MAC != [16]byte{} {
			return ErrEncrypted
		}
	case sendstream.TypeWriteByRef:
		return fmt.Errorf("%w: deduplicated stream (WRITE_BYREF)", ondisk.ErrUnsupported)
	}
	return nil
}

func (s *Stream) addExtent(id uint64, e extent) {
	o := s.obj(id)
	o.extents = append(o.extents, e)
	o.sorted = false
	if bs := o.dnode.DataBlockSize(); bs > 0 && e.lsize > 0 {
		o.lastBlk = max(o.lastBlk, (e.off+e.lsize-1)/bs)
	}
}

func streamOrder(b *sendstream.Begin) binary.ByteOrder {
	if b.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// Close removes the temporary file.
func (s *Stream) Close() error {
	s.dec.Close()
	if s.tmp != nil {
		err := s.tmp.Close()
		s.tmp = nil
		return err
	}
	return nil
}

// Begin returns the substream's BEGIN record.
func (s *Stream) Begin() *sendstream.Begin { return &s.begin }

// Incremental reports whether the substream is incremental.
func (s *Stream) Incremental() bool { return s.begin.Incremental() }

// Objects returns the numbers of the objects the stream describes, sorted.
func (s *Stream) Objects() []uint64 {
	out := make([]uint64, 0, len(s.objects))
	for id := range s.objects {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Dnode returns what the stream says about object id's dnode: type, bonus
// buffer, block size, highest block. It implements ondisk.ObjectReader.
func (s *Stream) Dnode(id uint64) (*ondisk.Dnode, error) {
	o := s.objects[id]
	if o == nil || o.dnode.Type == ondisk.TypeNone {
		return nil, fmt.Errorf("%w: object %d is not in the stream", ondisk.ErrNotFound, id)
	}
	d := o.dnode
	// Only blocks the stream wrote hold data: reads past the last one
	// are zeros anyway, and a hostile record's huge maxblkid must not make
	// a ZAP walk visit billions of empty blocks.
	d.MaxBlkID = o.lastBlk
	if o.spill != nil {
		d.Flags |= ondisk.DnodeFlagSpillBlkptr
	}
	return &d, nil
}

// ReadSpill returns object id's spill block, if the stream has one.
func (s *Stream) ReadSpill(id uint64, _ *ondisk.Dnode) ([]byte, error) {
	if o := s.objects[id]; o != nil {
		return o.spill, nil
	}
	return nil, nil
}

// ReadBlock returns block blkid of object id: the stream's writes that
// fall in it, zeros elsewhere.
func (s *Stream) ReadBlock(id uint64, d *ondisk.Dnode, blkid uint64) ([]byte, error) {
	o := s.objects[id]
	bs := d.DataBlockSize()
	out := make([]byte, bs)
	if o == nil {
		return out, nil
	}
	s.mu.Lock()
	if !o.sorted {
		sort.SliceStable(o.extents, func(i, j int) bool { return o.extents[i].off < o.extents[j].off })
		o.sorted = true
	}
	exts := o.extents
	s.mu.Unlock()
	start := blkid * bs
	end := start + bs
	// The first extent that may overlap: extents are at most one block
	// long and do not overlap each other.
	i := sort.Search(len(exts), func(i int) bool { return exts[i].off+exts[i].lsize > start })
	for ; i < len(exts) && exts[i].off < end; i++ {
		e := &exts[i]
		data, err := s.extentData(e)
		if err != nil {
			return nil, &ondisk.BlockError{Object: id, BlockID: blkid, Offset: e.off, Err: err}
		}
		// Copy the overlap of [e.off, e.off+lsize) with [start, end).
		from := max(e.off, start)
		to := min(e.off+e.lsize, end)
		copy(out[from-start:to-start], data[from-e.off:to-e.off])
	}
	return out, nil
}

// extentData returns the logical bytes of an extent.
func (s *Stream) extentData(e *extent) ([]byte, error) {
	var raw []byte
	if e.inline != nil {
		raw = e.inline
	} else {
		raw = make([]byte, e.psize)
		if _, err := s.data.ReadAt(raw, e.pos); err != nil {
			return nil, fmt.Errorf("streamfs: reading back a block: %w", err)
		}
	}
	if e.comp == ondisk.CompressOff && uint64(len(raw)) >= e.lsize {
		return raw[:e.lsize], nil
	}
	out := make([]byte, e.lsize)
	if err := s.dec.Decompress(e.comp, raw, out); err != nil {
		return nil, err
	}
	return out, nil
}

// FS returns the file system of a full stream as an io/fs file system.
// Incremental streams give ErrIncremental.
func (s *Stream) FS() (*ondisk.FS, error) {
	if s.begin.Incremental() {
		return nil, ErrIncremental
	}
	s.fsOnce.Do(func() {
		s.fsys, s.fsErr = ondisk.NewFS(s, ondisk.FSOptions{})
	})
	return s.fsys, s.fsErr
}
