package poolimage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gozfs/gozfs/format/nvlist"
	"github.com/gozfs/gozfs/format/ondisk"
)

// Label geometry (vdev_label_t).
const (
	// LabelSize is the size of one vdev label.
	LabelSize = 256 << 10
	// NumLabels is the number of labels on a device: two at the start,
	// two at the end.
	NumLabels = 4
	// LabelStartSize is the space before a leaf vdev's allocatable area:
	// two labels and the 3.5 MiB boot area. DVA offsets count from there.
	LabelStartSize = 2*LabelSize + bootSize
	// LabelEndSize is the space after it: two labels.
	LabelEndSize = 2 * LabelSize

	bootSize       = 7 << 19
	vdevPhysOffset = 16 << 10
	vdevPhysSize   = 112 << 10
	ringOffset     = 128 << 10
	ringSize       = 128 << 10

	uberblockMagic = 0x00bab10c
	mmpMagic       = 0xa11cea11
)

// ErrNoLabel means no label of a device could be read: it is not a ZFS
// pool member, or all four labels are damaged.
var ErrNoLabel = errors.New("poolimage: no valid vdev label")

// LabelError says why a label could not be used.
type LabelError struct {
	// Label is the label's index (0 to 3) and Offset its byte offset on
	// the device.
	Label  int
	Offset int64
	// Reason says what is wrong.
	Reason string
	// Err wraps ondisk.ErrChecksum, ondisk.ErrCorrupt, nvlist's errors or
	// an I/O error.
	Err error
}

// Error formats the error.
func (e *LabelError) Error() string {
	return fmt.Sprintf("poolimage: label %d at offset %d: %s: %v", e.Label, e.Offset, e.Reason, e.Err)
}

// Unwrap returns e.Err.
func (e *LabelError) Unwrap() error { return e.Err }

// Labels holds what ReadLabels found on a device.
type Labels struct {
	// Size is the device size the label offsets were computed from (the
	// given size rounded down to a multiple of LabelSize).
	Size int64
	// Labels are the four labels in device order.
	Labels [NumLabels]Label
}

// Label is one of a device's four labels.
type Label struct {
	// Index is 0 to 3; Offset is the label's byte offset on the device.
	Index  int
	Offset int64
	// Err is nil if the label's configuration passed its checksum and
	// decoded, else a *LabelError.
	Err error
	// Config is the decoded configuration, nil if Err is set.
	Config *Config
	// Uberblocks holds the valid uberblocks of the label's ring (those
	// whose magic and checksum are good), in slot order.
	Uberblocks []Uberblock
	// BadUberblocks counts ring slots that held an uberblock magic number
	// but failed their checksum.
	BadUberblocks int
}

// Good reports whether the label's configuration is usable.
func (l *Label) Good() bool { return l.Err == nil }

// Config returns the configuration of the good label with the highest
// txg, or nil if no label is good.
func (ls *Labels) Config() *Config {
	var best *Config
	for i := range ls.Labels {
		c := ls.Labels[i].Config
		if c != nil && (best == nil || c.TXG > best.TXG) {
			best = c
		}
	}
	return best
}

// Damaged returns the indexes of the labels whose configuration is not
// usable.
func (ls *Labels) Damaged() []int {
	var out []int
	for i := range ls.Labels {
		if ls.Labels[i].Err != nil {
			out = append(out, i)
		}
	}
	return out
}

// Active returns the uberblock ZFS would import the pool from, as far as
// this device shows it: the valid uberblock with the highest txg (then
// timestamp, then MMP sequence) in any label's ring, or nil if there is
// none.
func (ls *Labels) Active() *Uberblock {
	var best *Uberblock
	for i := range ls.Labels {
		for j := range ls.Labels[i].Uberblocks {
			u := &ls.Labels[i].Uberblocks[j]
			if best == nil || compareUberblocks(u, best) > 0 {
				best = u
			}
		}
	}
	return best
}

// compareUberblocks orders uberblocks as vdev_uberblock_compare does.
func compareUberblocks(a, b *Uberblock) int {
	switch {
	case a.TXG != b.TXG:
		return cmpU(a.TXG, b.TXG)
	case a.Timestamp != b.Timestamp:
		return cmpU(a.Timestamp, b.Timestamp)
	}
	return cmpU(a.MMP().seqOrZero(), b.MMP().seqOrZero())
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// LabelOffset returns the byte offset of label l on a device of size
// bytes (size is rounded down to a multiple of LabelSize, as ZFS does).
func LabelOffset(size int64, l int) int64 {
	size &^= LabelSize - 1
	if l < NumLabels/2 {
		return int64(l) * LabelSize
	}
	return size - int64(NumLabels-l)*LabelSize
}

// ReadLabels reads the four labels of a device or image file of the given
// size. Damaged labels are reported in their Label.Err instead of failing
// the call; the error is non-nil only if reading failed, or (wrapping
// ErrNoLabel) no label is good and no uberblock is valid — the Labels are
// returned then too, to show what was found.
func ReadLabels(r io.ReaderAt, size int64) (*Labels, error) {
	aligned := size &^ (LabelSize - 1)
	if aligned < NumLabels*LabelSize {
		return nil, fmt.Errorf("%w: device of %d bytes is too small for labels", ErrNoLabel, size)
	}
	ls := &Labels{Size: aligned}
	bufs := make([][]byte, NumLabels)
	for l := range NumLabels {
		off := LabelOffset(aligned, l)
		ls.Labels[l] = Label{Index: l, Offset: off}
		buf := make([]byte, LabelSize)
		if _, err := r.ReadAt(buf, off); err != nil && !(err == io.EOF && l == NumLabels-1) {
			ls.Labels[l].Err = &LabelError{Label: l, Offset: off, Reason: "read", Err: err}
			continue
		}
		bufs[l] = buf
		cfg, err := decodeLabelConfig(buf, off)
		if err != nil {
			ls.Labels[l].Err = err
			ls.Labels[l].Err.(*LabelError).Label = l
			continue
		}
		ls.Labels[l].Config = cfg
	}
	// The ring's slot size follows the top-level vdev's ashift, which the
	// configuration gives; without one, try every possible size.
	shifts := []int{10, 11, 12, 13}
	if c := ls.Config(); c != nil && c.Tree != nil {
		shifts = []int{min(max(int(c.Tree.Ashift), 10), 13)}
	}
	any := false
	for l := range NumLabels {
		if bufs[l] == nil {
			continue
		}
		for _, shift := range shifts {
			ubs, bad := readRing(bufs[l], ls.Labels[l].Offset, l, shift)
			if len(ubs) > 0 || len(shifts) == 1 {
				ls.Labels[l].Uberblocks, ls.Labels[l].BadUberblocks = ubs, bad
				break
			}
		}
		if len(ls.Labels[l].Uberblocks) > 0 || ls.Labels[l].Config != nil {
			any = true
		}
	}
	if !any {
		return ls, fmt.Errorf("%w: all %d labels damaged or absent", ErrNoLabel, NumLabels)
	}
	return ls, nil
}

func decodeLabelConfig(buf []byte, labelOff int64) (*Config, error) {
	phys := buf[vdevPhysOffset : vdevPhysOffset+vdevPhysSize]
	physOff := labelOff + vdevPhysOffset
	lerr := func(reason string, err error) error {
		return &LabelError{Offset: labelOff, Reason: reason, Err: err}
	}
	if _, err := ondisk.VerifyEmbedded(phys, ondisk.Checksum{uint64(physOff)}); err != nil {
		return nil, lerr("configuration checksum", err)
	}
	l, err := nvlist.Decode(phys[:len(phys)-ondisk.EmbeddedChecksumSize])
	if err != nil {
		return nil, lerr("configuration nvlist", err)
	}
	return decodeConfig(l), nil
}

// readRing reads the uberblock ring of one label with slots of 1<<shift
// bytes.
func readRing(buf []byte, labelOff int64, l, shift int) (ubs []Uberblock, bad int) {
	slot := 1 << shift
	for i := 0; i < ringSize/slot; i++ {
		b := buf[ringOffset+i*slot : ringOffset+(i+1)*slot]
		var order binary.ByteOrder
		switch {
		case binary.LittleEndian.Uint64(b) == uberblockMagic:
			order = binary.LittleEndian
		case binary.BigEndian.Uint64(b) == uberblockMagic:
			order = binary.BigEndian
		default:
			continue
		}
		off := labelOff + ringOffset + int64(i*slot)
		if _, err := ondisk.VerifyEmbedded(b, ondisk.Checksum{uint64(off)}); err != nil {
			bad++
			continue
		}
		u := decodeUberblock(b, order)
		u.Label, u.Slot, u.Offset = l, i, off
		if u.TXG == 0 {
			continue
		}
		ubs = append(ubs, u)
	}
	return ubs, bad
}

// Uberblock is a decoded uberblock: the root of the pool at one txg.
type Uberblock struct {
	// Label and Slot locate it in the device's rings; Offset is its byte
	// offset on the device.
	Label  int
	Slot   int
	Offset int64
	// BigEndian reports that it was written by a big-endian host.
	BigEndian bool

	Magic     uint64
	Version   uint64 // SPA version (5000 for pools with feature flags)
	TXG       uint64
	GUIDSum   uint64 // sum of all vdev GUIDs
	Timestamp uint64 // seconds since the epoch
	// RootBP points to the meta-object set.
	RootBP          ondisk.BlockPointer
	SoftwareVersion uint64
	MMPMagic        uint64
	MMPDelay        uint64
	MMPConfig       uint64
	CheckpointTXG   uint64
	// RaidzReflowInfo is the state of an in-progress RAID-Z expansion.
	RaidzReflowInfo uint64
}

func decodeUberblock(b []byte, order binary.ByteOrder) Uberblock {
	u := func(off int) uint64 { return order.Uint64(b[off:]) }
	return Uberblock{
		BigEndian: order == binary.BigEndian,
		Magic:     u(0), Version: u(8), TXG: u(16), GUIDSum: u(24), Timestamp: u(32),
		RootBP:          ondisk.DecodeBlockPointer(b[40:], order),
		SoftwareVersion: u(168), MMPMagic: u(176), MMPDelay: u(184), MMPConfig: u(192),
		CheckpointTXG: u(200), RaidzReflowInfo: u(208),
	}
}

// Time returns Timestamp as a time.
func (u *Uberblock) Time() time.Time { return time.Unix(int64(u.Timestamp), 0).UTC() }

// MMP holds the multihost fields of an uberblock.
type MMP struct {
	// Valid reports that the uberblock carries MMP fields at all (its
	// writer knows MMP).
	Valid bool
	// Delay is the nanoseconds between the last two MMP writes; 0 with
	// Valid means multihost is off.
	Delay uint64
	// Interval is the multihost write interval in milliseconds, Seq the
	// sequence number within a second, FailIntervals the
	// multihost_fail_intervals setting; each only if its *Valid is true.
	Interval, Seq, FailIntervals                uint64
	IntervalValid, SeqValid, FailIntervalsValid bool
}

func (m MMP) seqOrZero() uint64 {
	if m.Valid && m.SeqValid {
		return m.Seq
	}
	return 0
}

// MMP returns the uberblock's multihost fields.
func (u *Uberblock) MMP() MMP {
	m := MMP{Valid: u.MMPMagic == mmpMagic}
	if !m.Valid {
		return m
	}
	m.Delay = u.MMPDelay
	c := u.MMPConfig
	m.IntervalValid = c&1 != 0
	m.SeqValid = c&2 != 0
	m.FailIntervalsValid = c&4 != 0
	if m.IntervalValid {
		m.Interval = c >> 8 & 0xffffff
	}
	if m.SeqValid {
		m.Seq = c >> 32 & 0xffff
	}
	if m.FailIntervalsValid {
		m.FailIntervals = c >> 48
	}
	return m
}
