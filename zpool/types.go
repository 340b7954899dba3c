package zpool

import (
	"strings"

	"github.com/gozfs/gozfs/zfs"
)

// State is the health of a pool or the state of a vdev, as zpool prints it:
// "ONLINE", "DEGRADED" and so on. Hot spares have the extra states AVAIL and
// INUSE.
type State string

// Pool and vdev states.
const (
	// Online: healthy and in use.
	Online State = "ONLINE"
	// Degraded: working, but a device failed or is missing and redundancy
	// is reduced.
	Degraded State = "DEGRADED"
	// Faulted: unusable because of too many errors or missing devices.
	Faulted State = "FAULTED"
	// Offline: taken offline by the administrator.
	Offline State = "OFFLINE"
	// Unavail: the device or pool could not be opened.
	Unavail State = "UNAVAIL"
	// Removed: the device was physically removed while in use.
	Removed State = "REMOVED"
	// Suspended: the pool's I/O is suspended after failures.
	Suspended State = "SUSPENDED"
	// Split: the device went to a new pool made by `zpool split`.
	Split State = "SPLIT"
	// Unknown: zpool could not tell.
	Unknown State = "UNKNOWN"
	// Avail: a hot spare that is available.
	Avail State = "AVAIL"
	// InUse: a hot spare that is replacing a device.
	InUse State = "INUSE"
)

// Healthy reports whether s is a state without a problem: ONLINE, or
// AVAIL or INUSE for a spare.
func (s State) Healthy() bool { return s == Online || s == Avail || s == InUse }

// parseSource maps zpool's source column ("-", "default", "local") or the
// source type of its JSON output ("NONE", "DEFAULT", "LOCAL", ...) to a
// zfs.Source; from is the JSON source's data, the dataset an inherited value
// comes from.
func parseSource(s, from string) zfs.Source {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "-", "none":
		return zfs.Source{Kind: zfs.SourceNone}
	case "default":
		return zfs.Source{Kind: zfs.SourceDefault}
	case "local":
		return zfs.Source{Kind: zfs.SourceLocal}
	case "temporary":
		return zfs.Source{Kind: zfs.SourceTemporary}
	case "received":
		return zfs.Source{Kind: zfs.SourceReceived}
	case "inherited":
		if from == "-" {
			from = ""
		}
		return zfs.Source{Kind: zfs.SourceInherited, From: from}
	}
	if f, ok := strings.CutPrefix(s, "inherited from "); ok {
		return zfs.Source{Kind: zfs.SourceInherited, From: f}
	}
	return zfs.Source{Kind: zfs.SourceUnknown, From: s}
}

// FeatureState is the state of a pool feature flag (a feature@ property).
type FeatureState string

// Feature flag states.
const (
	// FeatureDisabled: the feature is not enabled; `zpool upgrade` or
	// setting the feature@ property to "enabled" enables it.
	FeatureDisabled FeatureState = "disabled"
	// FeatureEnabled: the feature may be used but nothing on disk depends
	// on it yet.
	FeatureEnabled FeatureState = "enabled"
	// FeatureActive: the on-disk format depends on the feature.
	FeatureActive FeatureState = "active"
)

// VdevType is the type of a vdev: a container such as "mirror" or "raidz",
// or a leaf such as "disk" or "file".
type VdevType string

// Vdev types. In JSON output zpool names the type of every vdev; in text
// output it is inferred from the vdev's name and position, and a leaf is
// TypeFile when its name is an absolute path and TypeDisk otherwise.
const (
	TypeRoot      VdevType = "root"
	TypeMirror    VdevType = "mirror"
	TypeRAIDZ     VdevType = "raidz"
	TypeDRAID     VdevType = "draid"
	TypeSpare     VdevType = "spare"
	TypeReplacing VdevType = "replacing"
	TypeDisk      VdevType = "disk"
	TypeFile      VdevType = "file"
	// TypeDistributedSpare is a dRAID distributed spare, "draid1-0-0".
	TypeDistributedSpare VdevType = "dspare"
	// TypeMissing is a device that is not present; its Name is its GUID.
	TypeMissing  VdevType = "missing"
	TypeHole     VdevType = "hole"
	TypeIndirect VdevType = "indirect"
)

// Class is the allocation class a top-level vdev belongs to.
type Class string

// Allocation classes, named as in the sections of `zpool status`.
const (
	ClassNormal  Class = "normal"
	ClassLog     Class = "log"
	ClassSpecial Class = "special"
	ClassDedup   Class = "dedup"
	ClassCache   Class = "cache"
	ClassSpare   Class = "spare"
)

// Aux explains why a vdev is not healthy, with the names of OpenZFS's
// vdev_aux_t values as printed by `zpool status -j` ("OPEN_FAILED"). Text
// output prints a phrase instead ("cannot open"), which is mapped to the same
// value; an unknown phrase is kept as it is.
type Aux string

// Vdev aux states.
const (
	AuxNone            Aux = ""
	AuxOpenFailed      Aux = "OPEN_FAILED"
	AuxCorruptData     Aux = "CORRUPT_DATA"
	AuxNoReplicas      Aux = "NO_REPLICAS"
	AuxBadGUIDSum      Aux = "BAD_GUID_SUM"
	AuxTooSmall        Aux = "TOO_SMALL"
	AuxBadLabel        Aux = "BAD_LABEL"
	AuxVersionNewer    Aux = "VERSION_NEWER"
	AuxVersionOlder    Aux = "VERSION_OLDER"
	AuxUnsupFeat       Aux = "UNSUP_FEAT"
	AuxSpared          Aux = "SPARED"
	AuxErrExceeded     Aux = "ERR_EXCEEDED"
	AuxIOFailure       Aux = "IO_FAILURE"
	AuxBadLog          Aux = "BAD_LOG"
	AuxExternal        Aux = "EXTERNAL"
	AuxSplitPool       Aux = "SPLIT_POOL"
	AuxBadAshift       Aux = "BAD_ASHIFT"
	AuxActive          Aux = "ACTIVE"
	AuxChildrenOffline Aux = "CHILDREN_OFFLINE"
	AuxAshiftTooBig    Aux = "ASHIFT_TOO_BIG"
)

// auxPhrases maps the phrases of text output to Aux values.
var auxPhrases = []struct {
	phrase string
	aux    Aux
}{
	{"cannot open", AuxOpenFailed},
	{"missing device", AuxBadGUIDSum},
	{"insufficient replicas", AuxNoReplicas},
	{"newer version", AuxVersionNewer},
	{"unsupported feature(s)", AuxUnsupFeat},
	{"unsupported minimum blocksize", AuxAshiftTooBig},
	{"in use by pool", AuxSpared},
	{"too many slow I/Os", AuxErrExceeded},
	{"too many errors", AuxErrExceeded},
	{"experienced I/O failures", AuxIOFailure},
	{"bad intent log", AuxBadLog},
	{"external device fault", AuxExternal},
	{"split into new pool", AuxSplitPool},
	{"all children offline", AuxChildrenOffline},
	{"invalid label", AuxBadLabel},
	{"corrupted data", AuxCorruptData},
}

// Activity is something `zpool wait` can wait for.
type Activity string

// Activities for Wait.
const (
	ActivityDiscard     Activity = "discard"
	ActivityFree        Activity = "free"
	ActivityInitialize  Activity = "initialize"
	ActivityReplace     Activity = "replace"
	ActivityRemove      Activity = "remove"
	ActivityResilver    Activity = "resilver"
	ActivityScrub       Activity = "scrub"
	ActivityTrim        Activity = "trim"
	ActivityRAIDZExpand Activity = "raidz_expand"
)

func (a Activity) valid() bool {
	switch a {
	case ActivityDiscard, ActivityFree, ActivityInitialize, ActivityReplace, ActivityRemove,
		ActivityResilver, ActivityScrub, ActivityTrim, ActivityRAIDZExpand:
		return true
	}
	return false
}
