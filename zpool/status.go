package zpool

import (
	"context"
	"time"
)

// Status is the state of a pool as `zpool status` reports it: health,
// explanations, scrub and resilver progress, and the vdev tree.
//
// Status is read from `zpool status -j --json-int` on OpenZFS 2.3 and later
// and parsed from the text output before that. The two carry the same
// information with a few differences, noted on the fields: text output
// prints scan byte counts rounded to three significant digits, and has no
// GUIDs.
type Status struct {
	// Name is the pool's name.
	Name string
	// GUID is the pool's GUID (JSON output only; 0 from text).
	GUID uint64
	// State is the pool's health.
	State State
	// Status explains a problem, and Action what to do about it; both are
	// empty for a healthy pool. Line breaks of zpool's output are joined
	// into spaces.
	Status, Action string
	// MsgID is the message identifier ("ZFS-8000-2Q") and MoreInfo the URL
	// that explains it, when zpool gives one.
	MsgID, MoreInfo string

	// Scan is the last or current scrub or resilver, nil if there never
	// was one.
	Scan *Scan
	// Rebuilds are the sequential resilvers (rebuilds) of top-level vdevs.
	// JSON output lists all of them; text output shows only the one
	// zpool chooses to print.
	Rebuilds []Rebuild
	// Checkpoint describes the pool's checkpoint, nil if it has none.
	Checkpoint *Checkpoint

	// Root is the root of the vdev tree: its Name is the pool's name, its
	// Type TypeRoot, and its Children the top-level data vdevs.
	Root *Vdev
	// Logs, Special, Dedup and Cache are the top-level vdevs of those
	// allocation classes; Spares are the hot spares.
	Logs, Special, Dedup, Cache, Spares []*Vdev

	// ErrorCount is the number of data errors (0: "No known data errors").
	ErrorCount uint64
	// Errors lists the files or objects with permanent errors (`zpool
	// status -v`): paths, or "dataset:<0x..>" for objects without one.
	Errors []string
}

// Vdevs returns every vdev of the pool in the order zpool prints them:
// the root and its descendants, then the dedup, special, log, cache and
// spare vdevs and their descendants, depth first.
func (s *Status) Vdevs() []*Vdev {
	var all []*Vdev
	var walk func(v *Vdev)
	walk = func(v *Vdev) {
		all = append(all, v)
		for _, c := range v.Children {
			walk(c)
		}
	}
	if s.Root != nil {
		walk(s.Root)
	}
	for _, class := range [][]*Vdev{s.Dedup, s.Special, s.Logs, s.Cache, s.Spares} {
		for _, v := range class {
			walk(v)
		}
	}
	return all
}

// Vdev finds a vdev by name (as zpool prints it) or by path. It returns nil
// if there is none.
func (s *Status) Vdev(name string) *Vdev {
	for _, v := range s.Vdevs() {
		if v.Name == name || (v.Path != "" && v.Path == name) {
			return v
		}
	}
	return nil
}

// Vdev is one node of a pool's vdev tree.
type Vdev struct {
	// Name is the vdev's name as zpool prints it: "mirror-0", "raidz1-1",
	// a device name or path, or the GUID of a missing device.
	Name string
	// Type is the vdev's type.
	Type VdevType
	// Path is the device path of a leaf (JSON output; from text output, the
	// name when it is an absolute path).
	Path string
	// GUID is the vdev's GUID (JSON output only).
	GUID uint64
	// Class is the allocation class of the vdev's top-level vdev.
	Class Class
	// State is the vdev's state.
	State State
	// Aux tells why the vdev is unhealthy, if zpool says.
	Aux Aux
	// Was is the last known path of a device that is not present.
	Was string
	// ReadErrors, WriteErrors and ChecksumErrors count I/O errors since the
	// errors were last cleared. Spares have none.
	ReadErrors, WriteErrors, ChecksumErrors uint64
	// SlowIOs counts slow I/Os of a leaf (0 for other vdevs).
	SlowIOs uint64
	// Repairing reports that the current scrub or resilver is writing to
	// this leaf ("(resilvering)" or "(repairing)" in text output).
	Repairing bool
	// Initialize and Trim are the leaf's initialization and TRIM progress.
	Initialize, Trim Progress
	// Note is whatever else zpool printed after the vdev's counters in text
	// output, such as "block size: 512B configured, 4096B native".
	Note string
	// Children are the vdev's children, in zpool's order.
	Children []*Vdev
}

// Leaves returns the leaf devices under v (v itself if it is a leaf).
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

// ProgressState is the state of a vdev's initialization or TRIM.
type ProgressState string

// Progress states. zpool reports them for leaves only, and only when asked
// (Status always asks).
const (
	// ProgressNone: never run on this device ("(untrimmed)",
	// "(uninitialized)"). Text output also shows a cancelled run this way.
	ProgressNone ProgressState = "none"
	// ProgressActive: running.
	ProgressActive ProgressState = "active"
	// ProgressSuspended: suspended; it resumes when started again.
	ProgressSuspended ProgressState = "suspended"
	// ProgressComplete: done.
	ProgressComplete ProgressState = "complete"
	// ProgressCanceled: cancelled (JSON output only).
	ProgressCanceled ProgressState = "canceled"
	// ProgressUnsupported: the device does not support TRIM.
	ProgressUnsupported ProgressState = "unsupported"
)

// Progress is the initialization or TRIM progress of a leaf vdev.
type Progress struct {
	// State is "" when zpool reported nothing (interior vdevs).
	State ProgressState
	// Percent is the percentage done (100 when complete).
	Percent int
	// Time is when the run started (active, suspended) or completed.
	Time time.Time
	// Done and Total are the bytes done and to do (JSON output only).
	Done, Total uint64
}

// ScanFunction is what a scan does.
type ScanFunction string

// Scan functions.
const (
	ScanScrub    ScanFunction = "scrub"
	ScanResilver ScanFunction = "resilver"
	// ScanErrorScrub is a scrub of the blocks with known errors only
	// (`zpool scrub -e`).
	ScanErrorScrub ScanFunction = "errorscrub"
)

// ScanState is the state of a scan.
type ScanState string

// Scan states.
const (
	ScanScanning ScanState = "scanning"
	ScanFinished ScanState = "finished"
	ScanCanceled ScanState = "canceled"
)

// Scan is a scrub or (healing) resilver: the one in progress or the last one.
type Scan struct {
	// Function is scrub, resilver or errorscrub.
	Function ScanFunction
	// State is scanning, finished or canceled.
	State ScanState
	// Paused reports a scrub paused with `zpool scrub -p`; PausedSince is
	// when it was paused.
	Paused      bool
	PausedSince time.Time
	// Start and End are when the scan started and ended (End is zero while
	// scanning).
	Start, End time.Time
	// ToExamine is the number of bytes the scan examines in all; Examined
	// is how many it has examined ("scanned").
	ToExamine, Examined uint64
	// ToIssue is the number of bytes to issue I/O for (ToExamine less what
	// is skipped); Issued is how many have been issued.
	ToIssue, Issued uint64
	// Processed is the number of bytes repaired (scrub) or resilvered.
	Processed uint64
	// Errors is the number of errors found.
	Errors uint64
	// Percent is the percentage done (Issued of ToIssue); 100 when finished.
	Percent float64
	// Exact reports whether the byte counts are exact (JSON output) rather
	// than rounded to three significant digits (text output).
	Exact bool
}

// Done reports whether the scan is over (finished or cancelled).
func (s *Scan) Done() bool { return s.State == ScanFinished || s.State == ScanCanceled }

// Rebuild is a sequential resilver ("rebuild") of one top-level vdev, as
// started by `zpool replace -s` or onto a dRAID distributed spare.
type Rebuild struct {
	// Vdev names the top-level vdev being rebuilt ("draid1:2d:5c:1s-0").
	Vdev string
	// State is scanning, finished or canceled.
	State ScanState
	// Start and End are when it started and ended.
	Start, End time.Time
	// ToScan, Scanned, Issued and Rebuilt count bytes: the estimated total,
	// scanned, issued and written.
	ToScan, Scanned, Issued, Rebuilt uint64
	// Errors counts errors.
	Errors uint64
	// Percent is the percentage scanned.
	Percent float64
}

// Checkpoint describes a pool checkpoint.
type Checkpoint struct {
	// Discarding reports that the checkpoint is being discarded.
	Discarding bool
	// Created is when it was created (zero while discarding in text
	// output).
	Created time.Time
	// Space is the space it consumes (or that remains to free while
	// discarding), in bytes; rounded in text output.
	Space uint64
}

// Status returns the status of a pool, with its list of files with
// permanent errors (`zpool status -v`), slow I/O counts and the
// initialization and TRIM state of its leaves. A pool that does not exist
// gives an error matching errors.ErrNotExist.
func (c *Client) Status(ctx context.Context, pool string) (*Status, error) {
	if err := checkPool("zpool status", pool); err != nil {
		return nil, err
	}
	all, err := c.Statuses(ctx, pool)
	if err != nil {
		return nil, err
	}
	return find("zpool status", pool, all, func(s *Status) string { return s.Name })
}

// Statuses returns the status of the named pools, or of every imported pool
// when no names are given, in one command.
func (c *Client) Statuses(ctx context.Context, pools ...string) ([]*Status, error) {
	return report(ctx, c, "zpool status", pools,
		form[*Status]{[]string{"status", "-j", "--json-int", "-v", "-s", "-t", "-i"}, ParseStatusJSON},
		form[*Status]{[]string{"status", "-v", "-p", "-s", "-t", "-i"}, ParseStatus})
}
