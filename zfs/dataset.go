package zfs

import (
	"strings"
	"time"

	"github.com/gozfs/gozfs/internal/names"
)

// Type is the type of a ZFS dataset: filesystem, volume, snapshot or bookmark.
type Type uint8

// The dataset types. The zero Type is not a valid type.
const (
	TypeFilesystem Type = iota + 1
	TypeVolume
	TypeSnapshot
	TypeBookmark
)

// String returns the name zfs uses for t ("filesystem", "volume", "snapshot",
// "bookmark"), as accepted by `zfs list -t`.
func (t Type) String() string {
	switch t {
	case TypeFilesystem:
		return "filesystem"
	case TypeVolume:
		return "volume"
	case TypeSnapshot:
		return "snapshot"
	case TypeBookmark:
		return "bookmark"
	}
	return "unknown"
}

// parseType maps the type column of `zfs list -H` ("filesystem") or of the
// JSON output ("FILESYSTEM") to a Type; it returns 0 for anything else.
func parseType(s string) Type {
	switch s {
	case "filesystem", "FILESYSTEM":
		return TypeFilesystem
	case "volume", "VOLUME":
		return TypeVolume
	case "snapshot", "SNAPSHOT":
		return TypeSnapshot
	case "bookmark", "BOOKMARK":
		return TypeBookmark
	}
	return 0
}

// typeOfName guesses the type from the name alone: snapshot for "a@b",
// bookmark for "a#b" and filesystem otherwise (a volume cannot be told apart
// from a filesystem by name).
func typeOfName(name string) Type {
	switch {
	case strings.IndexByte(name, '@') >= 0:
		return TypeSnapshot
	case strings.IndexByte(name, '#') >= 0:
		return TypeBookmark
	}
	return TypeFilesystem
}

// dataset is the identity every handle shares: the client it belongs to, the
// full name, the type and the values that do not change over a dataset's
// life (GUID, creation TXG and time).
type dataset struct {
	c         *Client
	name      string
	guid      uint64
	createTXG uint64
	creation  int64 // Unix seconds
	typ       Type
}

// Name returns the full name, e.g. "tank/home", "tank/home@monday" or
// "tank/home#monday".
func (d *dataset) Name() string { return d.name }

// String returns the full name.
func (d *dataset) String() string { return d.name }

// Pool returns the name of the pool the dataset is in.
func (d *dataset) Pool() string { return names.PoolOf(d.name) }

// Type returns the dataset's type.
func (d *dataset) Type() Type { return d.typ }

// GUID returns the dataset's globally unique identifier (the guid property).
// A snapshot and the bookmarks created from it share a GUID. It is 0 when
// unknown.
func (d *dataset) GUID() uint64 { return d.guid }

// CreateTXG returns the transaction group in which the dataset was created
// (the createtxg property). Snapshots of one dataset are ordered by it. It is
// 0 when unknown.
func (d *dataset) CreateTXG() uint64 { return d.createTXG }

// Creation returns the time the dataset was created (the creation property,
// to the second), or the zero Time when unknown.
func (d *dataset) Creation() time.Time {
	if d.creation == 0 {
		return time.Time{}
	}
	return time.Unix(d.creation, 0)
}

// Filesystem is a handle on a ZFS filesystem. A handle is a cheap reference:
// it holds the client, the name and the identity read when it was made (GUID,
// creation TXG and time), and its methods run zfs commands on that name.
// Property values are not cached in it; Get returns point-in-time values. A
// handle goes stale when the filesystem is renamed or destroyed behind its
// back.
type Filesystem struct{ settable }

// Volume is a handle on a ZFS volume (zvol), a block device backed by the
// pool. See Filesystem for what a handle holds.
type Volume struct{ settable }

// Snapshot is a handle on a ZFS snapshot, "pool/a@name". See Filesystem for
// what a handle holds.
type Snapshot struct{ settable }

// Bookmark is a handle on a ZFS bookmark, "pool/a#name": it records the GUID
// and creation TXG of the snapshot it was made from, so it can serve as the
// source of an incremental send after that snapshot is gone. See Filesystem
// for what a handle holds.
type Bookmark struct{ handle }

// Dataset returns the name of the filesystem or volume the snapshot belongs
// to: "tank/a" for "tank/a@s".
func (s *Snapshot) Dataset() string { d, _, _ := names.Split(s.name); return d }

// ShortName returns the part after '@': "s" for "tank/a@s".
func (s *Snapshot) ShortName() string { _, n, _ := names.Split(s.name); return n }

// Dataset returns the name of the filesystem or volume the bookmark belongs
// to: "tank/a" for "tank/a#b".
func (b *Bookmark) Dataset() string { d, _, _ := names.Split(b.name); return d }

// ShortName returns the part after '#': "b" for "tank/a#b".
func (b *Bookmark) ShortName() string { _, _, n := names.Split(b.name); return n }

// Dataset is one entry of a listing: the identity of a filesystem, volume,
// snapshot or bookmark and the properties that were asked for, as they were
// when zfs printed them. It is data, like an fs.FileInfo: its methods run no
// command. To act on the dataset, get a handle with AsFilesystem, AsVolume,
// AsSnapshot or AsBookmark.
type Dataset struct {
	dataset
	props Properties
}

// Properties returns the properties zfs reported, in the order they were
// asked for. The slice must not be modified.
func (d *Dataset) Properties() Properties { return d.props }

// Property returns the named property; a property zfs did not report has
// Value "-" (no value). Use Properties().Lookup to tell the two apart.
func (d *Dataset) Property(name string) Property { return d.props.Property(name) }

// AsFilesystem returns a handle on the dataset if it is a filesystem, else
// nil.
func (d *Dataset) AsFilesystem() *Filesystem {
	if d.typ != TypeFilesystem {
		return nil
	}
	return newFilesystem(d.dataset)
}

// AsVolume returns a handle on the dataset if it is a volume, else nil.
func (d *Dataset) AsVolume() *Volume {
	if d.typ != TypeVolume {
		return nil
	}
	return newVolume(d.dataset)
}

// AsSnapshot returns a handle on the dataset if it is a snapshot, else nil.
func (d *Dataset) AsSnapshot() *Snapshot {
	if d.typ != TypeSnapshot {
		return nil
	}
	return newSnapshot(d.dataset)
}

// AsBookmark returns a handle on the dataset if it is a bookmark, else nil.
func (d *Dataset) AsBookmark() *Bookmark {
	if d.typ != TypeBookmark {
		return nil
	}
	return newBookmark(d.dataset)
}

func newFilesystem(d dataset) *Filesystem { return &Filesystem{settable{handle{d}}} }
func newVolume(d dataset) *Volume         { return &Volume{settable{handle{d}}} }
func newSnapshot(d dataset) *Snapshot     { return &Snapshot{settable{handle{d}}} }
func newBookmark(d dataset) *Bookmark     { return &Bookmark{handle{d}} }
