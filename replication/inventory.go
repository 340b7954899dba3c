package replication

import (
	"context"
	"slices"
	"strings"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/zfs"
)

// PlaceholderProperty is the user property that marks a filesystem Run
// created on the target only so that the datasets below it have a parent: the
// source dataset had no snapshot to send. A placeholder holds no data, so the
// first full stream of its source dataset is received over it (zfs receive
// -F) without Force.
const PlaceholderProperty = "gozfs:placeholder"

// The properties each side's listing asks for, beyond identity (name, type,
// guid, createtxg, creation). Only what planning needs: every extra column
// costs zfs time on pools with many snapshots.
var (
	sourceProps = []string{"userrefs"}
	targetProps = []string{"receive_resume_token", "written", PlaceholderProperty}
)

// version is a snapshot or bookmark as planning sees it.
type version struct {
	short    string // after '@' or '#'
	guid     uint64
	txg      uint64
	bookmark bool
	userrefs uint64 // snapshots: number of user holds
}

// fsInfo is a filesystem or volume with its snapshots and bookmarks.
type fsInfo struct {
	name        string
	typ         zfs.Type
	exists      bool // listed itself (not only inferred from its snapshots)
	token       string
	written     uint64
	placeholder bool
	versions    []version // sorted by txg, bookmarks before snapshots of the same txg
}

// inventory is one side's listing.
type inventory struct {
	root     string
	datasets map[string]*fsInfo
	order    []string // dataset names, parents before children
	missing  bool     // the root does not exist
}

// listSide reads root (with its descendants when recursive) with one zfs
// list: filesystems, volumes, snapshots and bookmarks, and props.
func listSide(ctx context.Context, c *zfs.Client, root string, recursive bool, props []string) (*inventory, error) {
	opts := zfs.ListOptions{
		Roots:      []string{root},
		Types:      []zfs.Type{zfs.TypeFilesystem, zfs.TypeVolume, zfs.TypeSnapshot, zfs.TypeBookmark},
		Properties: props,
		NoSources:  true,
	}
	if recursive {
		opts.Recursive = true
	} else {
		opts.Depth = 1
	}
	inv := &inventory{root: root, datasets: map[string]*fsInfo{}}
	get := func(name string) *fsInfo {
		fi := inv.datasets[name]
		if fi == nil {
			fi = &fsInfo{name: name}
			inv.datasets[name] = fi
		}
		return fi
	}
	for d, err := range c.Datasets(ctx, opts) {
		if err != nil {
			if errors.Is(err, errors.ErrNotExist) && len(inv.datasets) == 0 {
				inv.missing = true
				return inv, nil
			}
			return nil, err
		}
		if err := inv.add(d, get, recursive); err != nil {
			return nil, err
		}
	}
	if len(inv.datasets) == 0 {
		inv.missing = true
	}
	inv.finish()
	return inv, nil
}

// add records one row of the listing.
func (inv *inventory) add(d *zfs.Dataset, get func(string) *fsInfo, recursive bool) error {
	name := d.Name()
	switch d.Type() {
	case zfs.TypeFilesystem, zfs.TypeVolume:
		if !recursive && name != inv.root {
			return nil // -d 1 also lists the root's children
		}
		fi := get(strings.Clone(name))
		fi.typ, fi.exists = d.Type(), true
		if p, ok := d.Properties().Lookup("receive_resume_token"); ok && p.IsSet() {
			fi.token = strings.Clone(p.Value)
		}
		if p, ok := d.Properties().Lookup("written"); ok && p.IsSet() {
			fi.written, _ = p.Bytes()
		}
		if p, ok := d.Properties().Lookup(PlaceholderProperty); ok {
			fi.placeholder = p.Value == "on"
		}
	case zfs.TypeSnapshot, zfs.TypeBookmark:
		i := strings.IndexAny(name, "@#")
		if i <= 0 {
			return nil
		}
		ds := name[:i]
		if !recursive && ds != inv.root {
			return nil
		}
		fi := inv.datasets[ds]
		if fi == nil {
			fi = get(strings.Clone(ds))
		}
		v := version{short: name[i+1:], guid: d.GUID(), txg: d.CreateTXG(), bookmark: d.Type() == zfs.TypeBookmark}
		if !v.bookmark {
			if p, ok := d.Properties().Lookup("userrefs"); ok && p.IsSet() {
				v.userrefs, _ = p.Uint()
			}
		}
		fi.versions = append(fi.versions, v)
	}
	return nil
}

// finish sorts datasets (parents first) and each dataset's versions.
func (inv *inventory) finish() {
	inv.order = make([]string, 0, len(inv.datasets))
	for name, fi := range inv.datasets {
		inv.order = append(inv.order, name)
		if !slices.IsSortedFunc(fi.versions, cmpVersion) {
			slices.SortStableFunc(fi.versions, cmpVersion)
		}
	}
	slices.SortFunc(inv.order, cmpDatasetNames)
}

// cmpVersion orders versions by creation TXG, a bookmark before the snapshot
// of the same TXG (its own snapshot, usually).
func cmpVersion(a, b version) int {
	switch {
	case a.txg < b.txg:
		return -1
	case a.txg > b.txg:
		return 1
	case a.bookmark && !b.bookmark:
		return -1
	case !a.bookmark && b.bookmark:
		return 1
	}
	return 0
}

// cmpDatasetNames orders dataset names so that a parent comes before its
// children: component by component.
func cmpDatasetNames(a, b string) int {
	for {
		ai, bi := strings.IndexByte(a, '/'), strings.IndexByte(b, '/')
		ac, bc := a, b
		if ai >= 0 {
			ac = a[:ai]
		}
		if bi >= 0 {
			bc = b[:bi]
		}
		if c := strings.Compare(ac, bc); c != 0 {
			return c
		}
		switch {
		case ai < 0 && bi < 0:
			return 0
		case ai < 0:
			return -1
		case bi < 0:
			return 1
		}
		a, b = a[ai+1:], b[bi+1:]
	}
}
