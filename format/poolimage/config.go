package poolimage

import (
	"fmt"
	"sort"

	"github.com/gozfs/gozfs/format/nvlist"
)

// PoolState is a label's pool state (pool_state_t).
type PoolState uint64

// Pool states.
const (
	StateActive            PoolState = 0
	StateExported          PoolState = 1
	StateDestroyed         PoolState = 2
	StateSpare             PoolState = 3
	StateL2Cache           PoolState = 4
	StateUninitialized     PoolState = 5
	StateUnavail           PoolState = 6
	StatePotentiallyActive PoolState = 7
)

// String returns the state's name as zdb prints it.
func (s PoolState) String() string {
	names := [...]string{"ACTIVE", "EXPORTED", "DESTROYED", "SPARE", "L2CACHE", "UNINITIALIZED", "UNAVAIL", "POTENTIALLY_ACTIVE"}
	if s < PoolState(len(names)) {
		return names[s]
	}
	return fmt.Sprintf("state(%d)", uint64(s))
}

// Config is a label's configuration nvlist, decoded into typed fields. The
// whole list is in NVList.
type Config struct {
	Name          string
	GUID          uint64 // pool_guid
	State         PoolState
	TXG           uint64
	Version       uint64
	Hostname      string
	HostID        uint64
	Comment       string
	Compatibility string
	Errata        uint64
	// TopGUID is the GUID of the top-level vdev this device belongs to,
	// VdevGUID the device's own.
	TopGUID      uint64
	VdevGUID     uint64
	VdevChildren uint64
	SplitGUID    uint64
	// Tree is the top-level vdev this device belongs to, with its
	// children.
	Tree *Vdev
	// FeaturesForRead lists the features a reader must support, sorted.
	FeaturesForRead []string
	// NVList is the whole configuration.
	NVList *nvlist.List
}

// Vdev is a node of a vdev tree.
type Vdev struct {
	Type      string // "disk", "file", "mirror", "raidz", "draid", "root", ...
	ID        uint64
	GUID      uint64
	Path      string
	DevID     string
	PhysPath  string
	WholeDisk bool
	// Ashift is log2 of the smallest block the vdev allocates.
	Ashift uint64
	// Asize is the allocatable size of a top-level vdev.
	Asize   uint64
	NParity uint64
	IsLog   bool
	// IsSpare and IsL2Cache mark spare and cache devices.
	IsSpare        bool
	IsL2Cache      bool
	MetaslabArray  uint64
	MetaslabShift  uint64
	CreateTXG      uint64
	Offline        bool
	Faulted        bool
	Degraded       bool
	Removed        bool
	NotPresent     bool
	RaidzExpanding bool
	Children       []*Vdev
	// NVList is the vdev's whole list.
	NVList *nvlist.List
}

// Leaves returns the leaf vdevs under v (v itself if it has no children).
func (v *Vdev) Leaves() []*Vdev {
	if len(v.Children) == 0 {
		return []*Vdev{v}
	}
	var out []*Vdev
	for _, c := range v.Children {
		out = append(out, c.Leaves()...)
	}
	return out
}

func u64(l *nvlist.List, name string) uint64 {
	if l == nil {
		return 0
	}
	p, ok := l.Lookup(name)
	if !ok {
		return 0
	}
	switch v := p.Value.(type) {
	case uint64:
		return v
	case int64:
		return uint64(v)
	case uint32:
		return uint64(v)
	case int32:
		return uint64(v)
	case bool:
		if v {
			return 1
		}
	}
	return 0
}

func str(l *nvlist.List, name string) string {
	if l == nil {
		return ""
	}
	s, _ := l.String(name)
	return s
}

func decodeConfig(l *nvlist.List) *Config {
	c := &Config{
		Name:          str(l, "name"),
		GUID:          u64(l, "pool_guid"),
		State:         PoolState(u64(l, "state")),
		TXG:           u64(l, "txg"),
		Version:       u64(l, "version"),
		Hostname:      str(l, "hostname"),
		HostID:        u64(l, "hostid"),
		Comment:       str(l, "comment"),
		Compatibility: str(l, "compatibility"),
		Errata:        u64(l, "errata"),
		TopGUID:       u64(l, "top_guid"),
		VdevGUID:      u64(l, "guid"),
		VdevChildren:  u64(l, "vdev_children"),
		SplitGUID:     u64(l, "split_guid"),
		NVList:        l,
	}
	if t, ok := l.List("vdev_tree"); ok {
		c.Tree = decodeVdev(t, 0)
	}
	if f, ok := l.List("features_for_read"); ok {
		c.FeaturesForRead = f.Names()
		sort.Strings(c.FeaturesForRead)
	}
	return c
}

func decodeVdev(l *nvlist.List, depth int) *Vdev {
	v := &Vdev{
		Type:           str(l, "type"),
		ID:             u64(l, "id"),
		GUID:           u64(l, "guid"),
		Path:           str(l, "path"),
		DevID:          str(l, "devid"),
		PhysPath:       str(l, "phys_path"),
		WholeDisk:      u64(l, "whole_disk") != 0,
		Ashift:         u64(l, "ashift"),
		Asize:          u64(l, "asize"),
		NParity:        u64(l, "nparity"),
		IsLog:          u64(l, "is_log") != 0,
		IsSpare:        u64(l, "is_spare") != 0,
		MetaslabArray:  u64(l, "metaslab_array"),
		MetaslabShift:  u64(l, "metaslab_shift"),
		CreateTXG:      u64(l, "create_txg"),
		Offline:        u64(l, "offline") != 0,
		Faulted:        u64(l, "faulted") != 0,
		Degraded:       u64(l, "degraded") != 0,
		Removed:        u64(l, "removed") != 0,
		NotPresent:     u64(l, "not_present") != 0,
		RaidzExpanding: l.Has("raidz_expand_txg"),
		NVList:         l,
	}
	if kids, ok := l.Lists("children"); ok && depth < 8 {
		for _, k := range kids {
			v.Children = append(v.Children, decodeVdev(k, depth+1))
		}
	}
	return v
}
