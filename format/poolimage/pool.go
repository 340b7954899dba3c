package poolimage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/gozfs/gozfs/format/ondisk"
)

// Options tunes Open. The zero value gives the defaults.
type Options struct {
	// StrictChecksums makes reads of blocks whose checksum algorithm this
	// package cannot verify (edonr) fail with an error wrapping
	// ondisk.ErrUnsupported. By default such blocks are read unverified.
	StrictChecksums bool
	// TXG opens the pool as of the newest uberblock whose txg is at most
	// TXG (a read-only rewind); 0 opens the newest.
	TXG uint64
	// CacheBytes bounds the cache of metadata blocks; 0 means 64 MiB.
	CacheBytes int
}

// Device is one vdev member: a disk or an image file, read-only.
type Device struct {
	// Name identifies the device in errors (a path, say).
	Name string
	// ReaderAt reads the device; Size is its size in bytes.
	ReaderAt io.ReaderAt
	Size     int64
}

// Pool is a pool opened from the images or devices of its vdevs. It only
// ever reads them. A Pool is safe for concurrent use.
type Pool struct {
	opts    Options
	devices []Device
	labels  []*Labels
	config  *Config
	ub      *Uberblock
	tops    map[uint64]vdev
	closers []io.Closer

	dec   ondisk.Decompressor
	cache *blockCache
	mos   *Objset
	salt  []byte

	objdir map[string]ondisk.ZAPEntry

	mu       sync.Mutex
	datasets []*Dataset

	// rawBufs holds buffers for physical block data that is decompressed
	// at once (*[]byte).
	rawBufs sync.Pool

	// noVerify skips checksum verification (for fuzzing the decoders
	// with data that checksums would otherwise reject).
	noVerify bool
}

// OpenFiles opens the pool whose vdevs are the given image files or device
// nodes, read-only. Close closes them.
func OpenFiles(paths []string, opts Options) (*Pool, error) {
	var devs []Device
	var closers []io.Closer
	closeAll := func() {
		for _, c := range closers {
			c.Close()
		}
	}
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			closeAll()
			return nil, err
		}
		closers = append(closers, f)
		size, err := deviceSize(f)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("poolimage: %s: %w", path, err)
		}
		devs = append(devs, Device{Name: path, ReaderAt: f, Size: size})
	}
	p, err := Open(devs, opts)
	if err != nil {
		closeAll()
		return nil, err
	}
	p.closers = closers
	return p, nil
}

// deviceSize returns the size of a file or block device.
func deviceSize(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if st.Mode().IsRegular() {
		return st.Size(), nil
	}
	return f.Seek(0, io.SeekEnd)
}

// Open opens the pool whose vdev members are devs. The members must belong
// to one pool; members may be missing as long as the pool's redundancy
// covers them.
func Open(devs []Device, opts Options) (*Pool, error) {
	if len(devs) == 0 {
		return nil, errors.New("poolimage: no devices")
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = 64 << 20
	}
	p := &Pool{opts: opts, devices: devs, tops: make(map[uint64]vdev), cache: newBlockCache(opts.CacheBytes)}
	p.rawBufs.New = func() any { return new([]byte) }
	byGUID := make(map[uint64]Device)
	topCfg := make(map[uint64]*Config)
	var poolGUID uint64
	for _, d := range devs {
		ls, err := ReadLabels(d.ReaderAt, d.Size)
		if err != nil {
			return nil, fmt.Errorf("poolimage: %s: %w", d.Name, err)
		}
		p.labels = append(p.labels, ls)
		c := ls.Config()
		if c == nil {
			return nil, fmt.Errorf("poolimage: %s: %w: every label's configuration is damaged", d.Name, ErrNoLabel)
		}
		if poolGUID == 0 {
			poolGUID = c.GUID
		} else if c.GUID != poolGUID {
			return nil, fmt.Errorf("poolimage: %s belongs to pool %s (%d), not %d", d.Name, c.Name, c.GUID, poolGUID)
		}
		if c.Tree == nil {
			return nil, fmt.Errorf("poolimage: %s: label without a vdev tree (state %s)", d.Name, c.State)
		}
		byGUID[c.VdevGUID] = d
		if old, ok := topCfg[c.Tree.ID]; !ok || c.TXG > old.TXG {
			topCfg[c.Tree.ID] = c
		}
		if p.config == nil || c.TXG > p.config.TXG {
			p.config = c
		}
		for i := range ls.Labels {
			for j := range ls.Labels[i].Uberblocks {
				u := &ls.Labels[i].Uberblocks[j]
				if opts.TXG != 0 && u.TXG > opts.TXG {
					continue
				}
				if p.ub == nil || compareUberblocks(u, p.ub) > 0 {
					p.ub = u
				}
			}
		}
	}
	if p.ub == nil {
		return nil, fmt.Errorf("poolimage: %w: no valid uberblock", ErrNoLabel)
	}
	for id, c := range topCfg {
		v, err := buildVdev(c.Tree, c.Tree, byGUID)
		if err != nil {
			return nil, err
		}
		p.tops[id] = v
	}
	mos, err := p.openObjset(&p.ub.RootBP, "MOS")
	if err != nil {
		return nil, fmt.Errorf("poolimage: reading the MOS: %w", err)
	}
	p.mos = mos
	if err := p.loadObjectDirectory(); err != nil {
		return nil, fmt.Errorf("poolimage: reading the MOS object directory: %w", err)
	}
	return p, nil
}

// buildVdev builds the reader of vdev v of top-level vdev top.
func buildVdev(v, top *Vdev, devs map[uint64]Device) (vdev, error) {
	name := fmt.Sprintf("%s-%d", v.Type, v.ID)
	if v.Path != "" {
		name = v.Path
	}
	switch v.Type {
	case "disk", "file":
		d, ok := devs[v.GUID]
		if !ok {
			return &leaf{name: name}, nil
		}
		return &leaf{r: d.ReaderAt, size: d.Size &^ (LabelSize - 1), name: d.Name}, nil
	case "mirror", "replacing", "spare":
		m := &mirror{name: name}
		for _, c := range v.Children {
			cv, err := buildVdev(c, top, devs)
			if err != nil {
				return nil, err
			}
			m.children = append(m.children, cv)
		}
		return m, nil
	case "raidz":
		if v.RaidzExpanding {
			return nil, fmt.Errorf("poolimage: %s: %w: expanded RAID-Z vdevs", name, ondisk.ErrUnsupported)
		}
		if v.NParity < 1 || v.NParity > 3 || len(v.Children) <= int(v.NParity) {
			return nil, fmt.Errorf("poolimage: %s: %w: raidz with %d children and parity %d", name, ondisk.ErrCorrupt, len(v.Children), v.NParity)
		}
		if v.Ashift < 9 || v.Ashift > 16 {
			return nil, fmt.Errorf("poolimage: %s: %w: ashift %d", name, ondisk.ErrCorrupt, v.Ashift)
		}
		z := &raidz{name: name, nparity: int(v.NParity), ashift: uint(v.Ashift)}
		for _, c := range v.Children {
			cv, err := buildVdev(c, top, devs)
			if err != nil {
				return nil, err
			}
			z.children = append(z.children, cv)
		}
		return z, nil
	case "hole", "missing":
		return &missing{name: name}, nil
	}
	return nil, fmt.Errorf("poolimage: %s: %w: vdev type %q", name, ondisk.ErrUnsupported, v.Type)
}

// Close releases the pool's resources and closes the files OpenFiles
// opened.
func (p *Pool) Close() error {
	p.dec.Close()
	var errs []error
	for _, c := range p.closers {
		if err := c.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	p.closers = nil
	return errors.Join(errs...)
}

// Config returns the newest label configuration of the given devices.
func (p *Pool) Config() *Config { return p.config }

// Uberblock returns the uberblock the pool was opened from.
func (p *Pool) Uberblock() *Uberblock { return p.ub }

// Labels returns what ReadLabels found on each device, in the order given
// to Open.
func (p *Pool) Labels() []*Labels { return p.labels }

// MOS returns the meta-object set.
func (p *Pool) MOS() *Objset { return p.mos }

// Features returns the features for read the MOS records (name to
// reference count), or nil if the pool has none.
func (p *Pool) Features() (map[string]uint64, error) {
	e, ok := p.objdir["features_for_read"]
	if !ok {
		return nil, nil
	}
	obj, _ := e.Uint64()
	ents, err := p.mos.zapEntries(obj)
	if err != nil {
		return nil, err
	}
	out := make(map[string]uint64, len(ents))
	for _, e := range ents {
		v, _ := e.Uint64()
		out[e.Name] = v
	}
	return out, nil
}

func (p *Pool) loadObjectDirectory() error {
	ents, err := p.mos.zapEntries(1)
	if err != nil {
		return err
	}
	p.objdir = make(map[string]ondisk.ZAPEntry, len(ents))
	for _, e := range ents {
		p.objdir[e.Name] = e
	}
	if e, ok := p.objdir["org.illumos:checksum_salt"]; ok && e.IntegerSize == 1 {
		p.salt = e.Value
	}
	return nil
}

// readBP returns the logical contents of the block bp points to,
// lsize bytes, after checking its checksum and decompressing it.
func (p *Pool) readBP(bp *ondisk.BlockPointer) ([]byte, binary.ByteOrder, error) {
	order := bp.DataOrder()
	lsize := bp.LSize()
	if lsize > ondisk.MaxBlockSize {
		return nil, nil, fmt.Errorf("%w: block of logical size %d", ondisk.ErrCorrupt, lsize)
	}
	switch {
	case bp.Embedded():
		if bp.EmbeddedType() != ondisk.EmbeddedData {
			return nil, nil, fmt.Errorf("%w: embedded block pointer of type %d", ondisk.ErrUnsupported, bp.EmbeddedType())
		}
		payload, err := bp.EmbeddedPayload()
		if err != nil {
			return nil, nil, err
		}
		out := make([]byte, lsize)
		if err := p.dec.Decompress(bp.Compression(), payload, out); err != nil {
			return nil, nil, err
		}
		return out, order, nil
	case bp.Hole():
		return make([]byte, lsize), order, nil
	case bp.Encrypted():
		return nil, nil, fmt.Errorf("%w: block of type %s", ondisk.ErrEncrypted, bp.Type())
	}
	psize := int(bp.PSize())
	verify := p.verifier(bp)
	var errs []error
	for i := range bp.NDVAs() {
		dva := bp.DVA[i]
		if !dva.Valid() {
			continue
		}
		raw, err := p.readDVA(bp, dva, psize, verify)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if bp.Compression() == ondisk.CompressOff && uint64(psize) == lsize {
			return raw, order, nil
		}
		out := make([]byte, lsize)
		if err := p.dec.Decompress(bp.Compression(), raw[:psize], out); err != nil {
			errs = append(errs, err)
			continue
		}
		return out, order, nil
	}
	if len(errs) == 0 {
		return nil, nil, fmt.Errorf("%w: block pointer without a valid DVA", ondisk.ErrCorrupt)
	}
	return nil, nil, errors.Join(errs...)
}

// readBPInto is readBP writing the logical data into dst (zero-filled past
// the block's logical size).
func (p *Pool) readBPInto(bp *ondisk.BlockPointer, dst []byte) error {
	lsize := bp.LSize()
	if bp.Embedded() || bp.Hole() || bp.Encrypted() || lsize > uint64(len(dst)) {
		b, _, err := p.readBP(bp)
		if err != nil {
			return err
		}
		n := copy(dst, b)
		clear(dst[n:])
		return nil
	}
	psize := int(bp.PSize())
	verify := p.verifier(bp)
	bufp := p.rawBufs.Get().(*[]byte)
	defer p.rawBufs.Put(bufp)
	if cap(*bufp) < psize {
		*bufp = make([]byte, psize)
	}
	var errs []error
	for i := range bp.NDVAs() {
		dva := bp.DVA[i]
		if !dva.Valid() {
			continue
		}
		raw, err := p.readDVA(bp, dva, psize, verify, *bufp)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := p.dec.Decompress(bp.Compression(), raw[:psize], dst[:lsize]); err != nil {
			errs = append(errs, err)
			continue
		}
		clear(dst[lsize:])
		return nil
	}
	if len(errs) == 0 {
		return fmt.Errorf("%w: block pointer without a valid DVA", ondisk.ErrCorrupt)
	}
	return errors.Join(errs...)
}

// readDVA reads psize bytes of one copy of a block, verified, into buf
// when it can (buf may be nil).
func (p *Pool) readDVA(bp *ondisk.BlockPointer, dva ondisk.DVA, psize int, verify verifyFunc, buf ...[]byte) ([]byte, error) {
	top, ok := p.tops[dva.Vdev()]
	if !ok {
		return nil, fmt.Errorf("%w: top-level vdev %d", ErrMissingDevice, dva.Vdev())
	}
	if !dva.Gang() {
		if len(buf) > 0 {
			return top.readInto(dva.Offset(), psize, verify, buf[0])
		}
		return top.read(dva.Offset(), psize, verify)
	}
	hdr, err := top.read(dva.Offset(), gangHeaderSize, func(b []byte) error {
		_, err := ondisk.VerifyEmbedded(b, ondisk.Checksum{dva.Vdev(), dva.Offset(), bp.Birth(), 0})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("gang header: %w", err)
	}
	horder, _ := ondisk.VerifyEmbedded(hdr, ondisk.Checksum{dva.Vdev(), dva.Offset(), bp.Birth(), 0})
	out := make([]byte, 0, psize)
	for i := range gangBlkptrs {
		child := ondisk.DecodeBlockPointer(hdr[i*ondisk.BlockPointerSize:], horder)
		if child.Hole() || child.Embedded() {
			continue
		}
		b, _, err := p.readRaw(&child)
		if err != nil {
			return nil, fmt.Errorf("gang member %d: %w", i, err)
		}
		out = append(out, b...)
		if len(out) > psize {
			break
		}
	}
	if len(out) < psize {
		return nil, fmt.Errorf("%w: gang members hold %d bytes of %d", ondisk.ErrCorrupt, len(out), psize)
	}
	out = out[:psize]
	if verify != nil {
		if err := verify(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readRaw reads a block's physical data (for gang members), verified but
// not decompressed.
func (p *Pool) readRaw(bp *ondisk.BlockPointer) ([]byte, binary.ByteOrder, error) {
	psize := int(bp.PSize())
	verify := p.verifier(bp)
	var errs []error
	for i := range bp.NDVAs() {
		b, err := p.readDVA(bp, bp.DVA[i], psize, verify)
		if err == nil {
			return b, bp.DataOrder(), nil
		}
		errs = append(errs, err)
	}
	return nil, nil, errors.Join(errs...)
}

const (
	gangHeaderSize = 512
	gangBlkptrs    = 3
)

// verifier returns the checksum check of a block's physical data.
func (p *Pool) verifier(bp *ondisk.BlockPointer) verifyFunc {
	ct := bp.ChecksumType()
	if ct == ondisk.ChecksumOff || ct == ondisk.ChecksumNoParity || p.noVerify {
		return nil
	}
	if !ct.Supported() {
		if p.opts.StrictChecksums {
			return func([]byte) error {
				return fmt.Errorf("%w: checksum %s", ondisk.ErrUnsupported, ct)
			}
		}
		return nil
	}
	want := bp.Checksum
	order := bp.DataOrder()
	crypt := bp.Crypt() && bp.Type() != ondisk.TypeObjset
	dedupCapable := ct == ondisk.ChecksumSHA256 || ct == ondisk.ChecksumSHA512 || ct == ondisk.ChecksumSkein || ct == ondisk.ChecksumBLAKE3
	psize := int(bp.PSize())
	return func(b []byte) error {
		if len(b) < psize {
			return fmt.Errorf("%w: %d bytes read of %d", ondisk.ErrCorrupt, len(b), psize)
		}
		got, err := ondisk.Compute(ct, b[:psize], order, p.salt)
		if err != nil {
			return err
		}
		w := want
		if crypt {
			if !dedupCapable {
				got[0] ^= got[2]
				got[1] ^= got[3]
			}
			got[2], got[3], w[2], w[3] = 0, 0, 0, 0
		}
		if got != w {
			return fmt.Errorf("%w: %s checksum %s, data sums to %s", ondisk.ErrChecksum, ct, w, got)
		}
		return nil
	}
}

// sortDatasets sorts as zfs list does: a dataset, its snapshots, then its
// children.
func sortDatasets(ds []*Dataset) {
	key := func(n string) string {
		return strings.NewReplacer("@", "\x00", "/", "\x01").Replace(n)
	}
	sort.SliceStable(ds, func(i, j int) bool { return key(ds[i].Name) < key(ds[j].Name) })
}
