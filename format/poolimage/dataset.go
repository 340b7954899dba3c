package poolimage

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gozfs/gozfs/format/ondisk"
)

// DatasetType says what a dataset is.
type DatasetType int

// Dataset types.
const (
	Filesystem DatasetType = iota + 1
	Volume
	Snapshot
)

// String returns "filesystem", "volume" or "snapshot".
func (t DatasetType) String() string {
	switch t {
	case Filesystem:
		return "filesystem"
	case Volume:
		return "volume"
	case Snapshot:
		return "snapshot"
	}
	return "unknown"
}

// Dataset is a file system, volume or snapshot as the MOS records it.
type Dataset struct {
	// Name is the full name: pool/fs or pool/fs@snap.
	Name string
	Type DatasetType
	// Object is the DSL dataset object and DirObject its DSL directory.
	Object    uint64
	DirObject uint64
	GUID      uint64
	CreateTXG uint64
	Creation  time.Time
	// Referenced, Compressed and Uncompressed count the bytes the
	// dataset refers to; Used is what zfs list shows as used (the DSL
	// directory's total for file systems and volumes, the unique bytes
	// of a snapshot).
	Referenced   uint64
	Used         uint64
	Compressed   uint64
	Uncompressed uint64
	// Origin names the snapshot a clone was made from.
	Origin string
	// Encrypted reports an encrypted dataset: it is listed, its contents
	// are not read.
	Encrypted bool
	// Inconsistent marks a dataset a receive left partial.
	Inconsistent bool
	// Props holds the properties set on the dataset itself (source
	// local), as zfs get prints their values.
	Props map[string]string
	// ObjsetType is the object set type (ondisk.ObjsetTypeZFS, ...); 0
	// if the object set could not be read.
	ObjsetType uint64

	phys ondisk.DSLDataset
	dir  ondisk.DSLDir
}

// Phys returns the decoded dsl_dataset_phys_t.
func (d *Dataset) Phys() *ondisk.DSLDataset { return &d.phys }

// Datasets returns every dataset of the pool (file systems, volumes and
// snapshots) in zfs list's order: each dataset, then its snapshots, then
// its children. Hidden internal datasets ($MOS, $FREE,
// $ORIGIN and temporary %clones) are left out.
func (p *Pool) Datasets() ([]*Dataset, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.datasets != nil {
		return p.datasets, nil
	}
	e, ok := p.objdir["root_dataset"]
	if !ok {
		return nil, fmt.Errorf("poolimage: %w: object directory without root_dataset", ondisk.ErrCorrupt)
	}
	root, _ := e.Uint64()
	var out []*Dataset
	seen := map[uint64]bool{}
	if err := p.walkDir(root, p.config.Name, 0, seen, &out); err != nil {
		return nil, err
	}
	sortDatasets(out)
	p.datasets = out
	return out, nil
}

// Dataset returns the dataset called name.
func (p *Pool) Dataset(name string) (*Dataset, error) {
	ds, err := p.Datasets()
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.Name == name {
			return d, nil
		}
	}
	return nil, fmt.Errorf("poolimage: dataset %q: %w", name, ondisk.ErrNotFound)
}

const maxDatasetDepth = 64

func (p *Pool) bonus(obj uint64, want ondisk.ObjectType) (*ondisk.Dnode, error) {
	d, err := p.mos.Dnode(obj)
	if err != nil {
		return nil, err
	}
	if d.BonusType != want {
		return nil, fmt.Errorf("%w: MOS object %d has bonus %s, want %s", ondisk.ErrCorrupt, obj, d.BonusType, want)
	}
	return d, nil
}

func (p *Pool) walkDir(dirObj uint64, name string, depth int, seen map[uint64]bool, out *[]*Dataset) error {
	if depth > maxDatasetDepth || seen[dirObj] {
		return fmt.Errorf("poolimage: %w: DSL directory tree loops at %s", ondisk.ErrCorrupt, name)
	}
	seen[dirObj] = true
	dn, err := p.bonus(dirObj, ondisk.TypeDSLDir)
	if err != nil {
		return fmt.Errorf("poolimage: DSL directory of %s: %w", name, err)
	}
	dir, err := ondisk.DecodeDSLDir(dn.Bonus, dn.Order)
	if err != nil {
		return err
	}
	encrypted := false
	if dn.Type.ZAP() {
		if ents, err := p.mos.zapEntries(dirObj); err == nil {
			for _, e := range ents {
				if e.Name == "com.datto:crypto_key_obj" {
					encrypted = true
				}
			}
		}
	}
	props, err := p.props(dir.PropsZAPObj)
	if err != nil {
		return fmt.Errorf("poolimage: properties of %s: %w", name, err)
	}
	if dir.HeadDatasetObj != 0 {
		head, err := p.dataset(dir.HeadDatasetObj, name, dirObj, dir, props, encrypted)
		if err != nil {
			return err
		}
		*out = append(*out, head)
		if head.phys.SnapNamesZAPObj != 0 {
			snaps, err := p.mos.zapEntries(head.phys.SnapNamesZAPObj)
			if err != nil {
				return fmt.Errorf("poolimage: snapshots of %s: %w", name, err)
			}
			for _, s := range snaps {
				obj, _ := s.Uint64()
				sd, err := p.dataset(obj, name+"@"+s.Name, dirObj, dir, nil, encrypted)
				if err != nil {
					return err
				}
				sd.Type = Snapshot
				sd.Used = sd.phys.UniqueBytes
				*out = append(*out, sd)
			}
		}
	}
	if dir.ChildDirZAPObj != 0 {
		kids, err := p.mos.zapEntries(dir.ChildDirZAPObj)
		if err != nil {
			return fmt.Errorf("poolimage: children of %s: %w", name, err)
		}
		sort.Slice(kids, func(i, j int) bool { return kids[i].Name < kids[j].Name })
		for _, k := range kids {
			if strings.HasPrefix(k.Name, "$") || strings.HasPrefix(k.Name, "%") {
				continue
			}
			obj, _ := k.Uint64()
			if err := p.walkDir(obj, name+"/"+k.Name, depth+1, seen, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *Pool) dataset(obj uint64, name string, dirObj uint64, dir ondisk.DSLDir, props map[string]string, encrypted bool) (*Dataset, error) {
	dn, err := p.bonus(obj, ondisk.TypeDSLDataset)
	if err != nil {
		return nil, fmt.Errorf("poolimage: dataset %s: %w", name, err)
	}
	phys, err := ondisk.DecodeDSLDataset(dn.Bonus, dn.Order)
	if err != nil {
		return nil, fmt.Errorf("poolimage: dataset %s: %w", name, err)
	}
	d := &Dataset{
		Name: name, Type: Filesystem, Object: obj, DirObject: dirObj,
		GUID: phys.GUID, CreateTXG: phys.CreationTxg, Creation: phys.Created(),
		Referenced: phys.ReferencedBytes, Used: dir.UsedBytes,
		Compressed: phys.CompressedBytes, Uncompressed: phys.UncompressedBytes,
		Encrypted: encrypted || phys.BP.Crypt(), Inconsistent: phys.Flags&ondisk.DSFlagInconsistent != 0,
		Props: props, phys: phys, dir: dir,
	}
	if d.Props == nil && phys.PropsObj != 0 {
		if d.Props, err = p.props(phys.PropsObj); err != nil {
			return nil, err
		}
	}
	if d.Props == nil {
		d.Props = map[string]string{}
	}
	if dir.OriginObj != 0 && dir.HeadDatasetObj == obj {
		// Every dataset made after the pool's root descends from the
		// hidden $ORIGIN snapshot; only real clones show an origin.
		if o := p.snapshotName(dir.OriginObj); !strings.Contains(o, "$ORIGIN") {
			d.Origin = o
		}
	}
	if !phys.BP.Hole() {
		if os, err := p.openObjset(&phys.BP, name); err == nil {
			d.ObjsetType = os.phys.Type
			if os.phys.Type == ondisk.ObjsetTypeZvol {
				d.Type = Volume
				// A volume's size lives in its own ZAP (object 2).
				if ents, err := os.zapEntries(2); err == nil && dir.HeadDatasetObj == obj {
					for _, e := range ents {
						if v, ok := e.Uint64(); ok && e.Name == "size" {
							d.Props["volsize"] = strconv.FormatUint(v, 10)
						}
					}
				}
			}
		}
	}
	return d, nil
}

// snapshotName returns the full name of snapshot dataset obj, or "" if it
// cannot be found (the hidden $ORIGIN snapshot of the pool's root gives
// "pool/$ORIGIN@$ORIGIN").
func (p *Pool) snapshotName(obj uint64) string {
	dn, err := p.bonus(obj, ondisk.TypeDSLDataset)
	if err != nil {
		return ""
	}
	phys, err := ondisk.DecodeDSLDataset(dn.Bonus, dn.Order)
	if err != nil {
		return ""
	}
	dirName := p.dirName(phys.DirObj, 0)
	dd, err := p.bonus(phys.DirObj, ondisk.TypeDSLDir)
	if err != nil {
		return ""
	}
	dir, err := ondisk.DecodeDSLDir(dd.Bonus, dd.Order)
	if err != nil || dir.HeadDatasetObj == 0 {
		return ""
	}
	hd, err := p.bonus(dir.HeadDatasetObj, ondisk.TypeDSLDataset)
	if err != nil {
		return ""
	}
	head, err := ondisk.DecodeDSLDataset(hd.Bonus, hd.Order)
	if err != nil || head.SnapNamesZAPObj == 0 {
		return ""
	}
	snaps, err := p.mos.zapEntries(head.SnapNamesZAPObj)
	if err != nil {
		return ""
	}
	for _, s := range snaps {
		if v, _ := s.Uint64(); v == obj {
			return dirName + "@" + s.Name
		}
	}
	return ""
}

// dirName returns the full name of DSL directory obj.
func (p *Pool) dirName(obj uint64, depth int) string {
	if depth > maxDatasetDepth {
		return ""
	}
	dd, err := p.bonus(obj, ondisk.TypeDSLDir)
	if err != nil {
		return ""
	}
	dir, err := ondisk.DecodeDSLDir(dd.Bonus, dd.Order)
	if err != nil {
		return ""
	}
	if dir.ParentObj == 0 {
		return p.config.Name
	}
	pd, err := p.bonus(dir.ParentObj, ondisk.TypeDSLDir)
	if err != nil {
		return ""
	}
	parent, err := ondisk.DecodeDSLDir(pd.Bonus, pd.Order)
	if err != nil {
		return ""
	}
	kids, err := p.mos.zapEntries(parent.ChildDirZAPObj)
	if err != nil {
		return ""
	}
	for _, k := range kids {
		if v, _ := k.Uint64(); v == obj {
			return p.dirName(dir.ParentObj, depth+1) + "/" + k.Name
		}
	}
	return ""
}

// props reads a DSL properties ZAP into zfs get's value strings; received
// values and inheritance markers (names with '$') are left out.
func (p *Pool) props(obj uint64) (map[string]string, error) {
	out := map[string]string{}
	if obj == 0 {
		return out, nil
	}
	ents, err := p.mos.zapEntries(obj)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if strings.Contains(e.Name, "$") {
			continue
		}
		if e.IntegerSize == 1 {
			out[e.Name] = e.String()
			continue
		}
		v, ok := e.Uint64()
		if !ok {
			continue
		}
		out[e.Name] = PropertyValue(e.Name, v)
	}
	return out, nil
}

var indexProps = map[string]map[uint64]string{
	"checksum": {1: "on", 2: "off", 6: "fletcher2", 7: "fletcher4", 8: "sha256", 10: "noparity",
		11: "sha512", 12: "skein", 13: "edonr", 14: "blake3"},
	"encryption": {1: "on", 2: "off", 3: "aes-128-ccm", 4: "aes-192-ccm", 5: "aes-256-ccm",
		6: "aes-128-gcm", 7: "aes-192-gcm", 8: "aes-256-gcm"},
	"keyformat":          {0: "none", 1: "raw", 2: "hex", 3: "passphrase"},
	"snapdir":            {0: "hidden", 1: "visible", 2: "disabled"},
	"snapdev":            {0: "hidden", 1: "visible"},
	"canmount":           {0: "off", 1: "on", 2: "noauto"},
	"xattr":              {0: "off", 1: "dir", 2: "on"}, // zfs get prints "on" for sa
	"dnodesize":          {0: "legacy", 1: "auto", 1024: "1k", 2048: "2k", 4096: "4k", 8192: "8k", 16384: "16k"},
	"sync":               {0: "standard", 1: "always", 2: "disabled"},
	"logbias":            {0: "latency", 1: "throughput"},
	"primarycache":       {0: "none", 1: "metadata", 2: "all"},
	"secondarycache":     {0: "none", 1: "metadata", 2: "all"},
	"redundant_metadata": {0: "all", 1: "most", 2: "some", 3: "none"},
	"acltype":            {0: "off", 1: "nfsv4", 2: "posix"},
	"volmode":            {0: "default", 1: "full", 2: "dev", 3: "none"},
	"casesensitivity":    {0: "sensitive", 1: "insensitive", 2: "mixed"},
	"normalization":      {0: "none", 1: "formC", 2: "formD", 3: "formKC", 4: "formKD"},
	"dedup":              {0: "off", 1: "on", 2: "off", 8: "sha256", 11: "sha512", 12: "skein", 14: "blake3"},
}

var onOffProps = map[string]bool{
	"atime": true, "relatime": true, "devices": true, "exec": true, "setuid": true, "readonly": true,
	"zoned": true, "vscan": true, "nbmand": true, "overlay": true, "utf8only": true, "volthreading": true,
}

// PropertyValue formats a numeric property value as zfs get -p prints it
// for index properties (compression=15 is "lz4") and as a decimal number
// for the others.
func PropertyValue(name string, v uint64) string {
	if name == "compression" {
		return compressionName(v)
	}
	if t, ok := indexProps[name]; ok {
		if s, ok := t[v]; ok {
			return s
		}
	}
	if onOffProps[name] {
		if v != 0 {
			return "on"
		}
		return "off"
	}
	return strconv.FormatUint(v, 10)
}

func compressionName(v uint64) string {
	alg := ondisk.Compression(v & 127)
	level := v >> 7
	if alg == ondisk.CompressZstd && level != 0 {
		switch {
		case level <= 19:
			return fmt.Sprintf("zstd-%d", level)
		case level >= 1001 && level <= 1010:
			return fmt.Sprintf("zstd-fast-%d", level-1000)
		case level >= 1011 && level <= 1019:
			return fmt.Sprintf("zstd-fast-%d", (level-1009)*10)
		case level == 1020:
			return "zstd-fast-500"
		case level == 1021:
			return "zstd-fast-1000"
		}
	}
	if alg == ondisk.CompressGzip1+5 {
		return "gzip"
	}
	return alg.String()
}

// Objset opens the object set of the named dataset. Encrypted datasets
// give an error wrapping ondisk.ErrEncrypted.
func (p *Pool) Objset(name string) (*Objset, error) {
	d, err := p.Dataset(name)
	if err != nil {
		return nil, err
	}
	if d.Encrypted {
		return nil, fmt.Errorf("poolimage: dataset %s: %w", name, ondisk.ErrEncrypted)
	}
	if d.phys.BP.Hole() {
		return nil, fmt.Errorf("poolimage: dataset %s: %w: no object set", name, ondisk.ErrCorrupt)
	}
	return p.openObjset(&d.phys.BP, name)
}

// FS opens the file system (or snapshot of one) called name for reading
// its files.
func (p *Pool) FS(name string) (*ondisk.FS, error) {
	os, err := p.Objset(name)
	if err != nil {
		return nil, err
	}
	if os.phys.Type != ondisk.ObjsetTypeZFS {
		return nil, fmt.Errorf("poolimage: dataset %s is not a file system (object set type %d)", name, os.phys.Type)
	}
	fsys, err := ondisk.NewFS(os, ondisk.FSOptions{})
	if err != nil {
		return nil, fmt.Errorf("poolimage: dataset %s: %w", name, err)
	}
	return fsys, nil
}
