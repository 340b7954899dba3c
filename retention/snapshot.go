package retention

import (
	"regexp"
	"strings"
	"time"
)

// Snapshot is what a retention policy knows about one snapshot: the columns
// of one listing ("zfs list -t snapshot -o name,creation,createtxg,guid,userrefs"
// and any user properties). It is plain data, independent of the zfs
// package, so policies can be evaluated and tested without ZFS.
type Snapshot struct {
	// Name is the full snapshot name, "pool/dataset@short".
	Name string
	// Creation is the snapshot's creation time (the creation property), an
	// instant; its location does not matter.
	Creation time.Time
	// CreateTXG is the transaction group in which the snapshot was created.
	// Within a dataset it orders snapshots by when they were really taken,
	// even when the clock jumped; 0 means unknown, and Creation orders instead.
	CreateTXG uint64
	// GUID is the snapshot's guid property (what replication matches on).
	GUID uint64
	// Holds is the number of user holds on the snapshot (the userrefs
	// property). A snapshot with holds is never destroyed.
	Holds int
	// Properties holds the snapshot's user properties ("module:name" to
	// value), for Needed hooks and reports. A policy does not read it.
	Properties map[string]string
}

// Dataset returns the part of the name before '@': "pool/dataset".
func (s Snapshot) Dataset() string {
	if i := strings.IndexByte(s.Name, '@'); i >= 0 {
		return s.Name[:i]
	}
	return s.Name
}

// ShortName returns the part of the name after '@'. Filters match it.
func (s Snapshot) ShortName() string {
	if i := strings.IndexByte(s.Name, '@'); i >= 0 {
		return s.Name[i+1:]
	}
	return ""
}

// Held reports whether the snapshot has user holds.
func (s Snapshot) Held() bool { return s.Holds > 0 }

// Filter selects snapshots by their short name (the part after '@'). The
// zero Filter matches every snapshot; with both fields set a snapshot must
// satisfy both.
type Filter struct {
	// Prefix, if not empty, must begin the short name, as "autosnap_" begins
	// "autosnap_2026-12-03_06:00:00_hourly".
	Prefix string
	// Regexp, if not nil, must match the short name (use ^ and $ to anchor
	// it).
	Regexp *regexp.Regexp
}

// Match reports whether the filter selects a snapshot with the given short
// name.
func (f Filter) Match(short string) bool {
	if !strings.HasPrefix(short, f.Prefix) {
		return false
	}
	return f.Regexp == nil || f.Regexp.MatchString(short)
}

// IsZero reports whether f matches every snapshot.
func (f Filter) IsZero() bool { return f.Prefix == "" && f.Regexp == nil }

// String describes the filter: `prefix "autosnap_"`, `regexp "^daily-"`,
// both joined by " and ", or "all" for the zero Filter.
func (f Filter) String() string {
	var parts []string
	if f.Prefix != "" {
		parts = append(parts, "prefix "+quote(f.Prefix))
	}
	if f.Regexp != nil {
		parts = append(parts, "regexp "+quote(f.Regexp.String()))
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, " and ")
}

// NeededGUIDs returns a Needed hook for [EvaluateOptions] that marks the
// snapshots with the given GUIDs as needed, for example the base of the next
// incremental replication. Snapshots share a GUID with their bookmarks and
// with their received copies, so the GUID names the base on either side.
func NeededGUIDs(guids ...uint64) func(Snapshot) bool {
	set := make(map[uint64]struct{}, len(guids))
	for _, g := range guids {
		set[g] = struct{}{}
	}
	return func(s Snapshot) bool {
		_, ok := set[s.GUID]
		return ok
	}
}
