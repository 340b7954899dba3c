package zfs

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
)

// zvolDir is where udev links volumes by name (ZVOL_DIR in OpenZFS).
const zvolDir = "zvol"

// DevicePath returns the path of the volume's device node as udev links it:
// /dev/zvol/<name>. The link appears asynchronously after the volume is
// created (or its key loaded, or the pool imported) and only where udev (or,
// on FreeBSD, the kernel) makes it; WaitDevice waits for it.
func (v *Volume) DevicePath() string { return "/dev/" + zvolDir + "/" + v.name }

// WaitDevice waits until the volume's device node exists and returns its
// path: DevicePath when the /dev/zvol link is there, else the kernel's own
// node /dev/zdN. On Linux the kernel creates /dev/zdN (devtmpfs) and udev
// adds the link a moment later; without udev no link ever appears, so when
// no udev daemon runs, or the link is still missing after a couple of
// seconds, WaitDevice also looks for the /dev/zdN node whose size is the
// volume's and that the kernel names as this volume (the BLKZNAME ioctl,
// which briefly opens the candidate device read-only).
//
// It first reads the volume's properties with one `zfs get`, then polls
// with a growing interval, re-reading them every few seconds. It returns an error of Kind NotExist when the volume
// does not exist (or was destroyed and re-created), KeyNotLoaded when it is
// encrypted and its key is not loaded (no device exists then),
// NotSupported when it will not get a device node (volmode=none, or device
// nodes disabled in the kernel module), and, when ctx ends first, an error
// of Kind Canceled matching ctx.Err() with errors.Is. Bound the wait with a
// deadline on ctx.
func (v *Volume) WaitDevice(ctx context.Context) (string, error) {
	return v.waitDevice(ctx, hostDevices())
}

// devices is where WaitDevice looks for device nodes. Tests substitute
// temporary directories and fakes for the system's.
type devices struct {
	dev, sys, proc string // usually /dev, /sys and /proc
	// zname returns the dataset name of the zvol device node at path.
	zname func(path string) (string, error)
	// isDevice reports whether fi is a device node.
	isDevice func(fi fs.FileInfo) bool
	// fallbackAfter is how long to wait for the /dev/zvol link before also
	// scanning /dev/zdN nodes, when a udev daemon runs.
	fallbackAfter time.Duration
	// recheck is how often the volume's properties are read again.
	recheck time.Duration
	// minPoll and maxPoll bound the polling interval, which doubles.
	minPoll, maxPoll time.Duration
}

func hostDevices() *devices {
	return &devices{
		dev: "/dev", sys: "/sys", proc: "/proc",
		zname:         zvolName,
		isDevice:      isBlockDevice,
		fallbackAfter: 2 * time.Second,
		recheck:       3 * time.Second,
		minPoll:       10 * time.Millisecond,
		maxPoll:       250 * time.Millisecond,
	}
}

func isBlockDevice(fi fs.FileInfo) bool {
	return fi.Mode()&fs.ModeDevice != 0 && fi.Mode()&fs.ModeCharDevice == 0
}

// blkzname is the BLKZNAME ioctl, _IOR(0x12, 125, char[256]): the kernel
// copies the zvol's dataset name into a 256-byte buffer.
const (
	blkzname     = 2<<30 | zvolNameLen<<16 | 0x12<<8 | 125
	zvolNameLen  = 256
	sectorLength = 512 // unit of /sys/block/*/size
)

// zvolName asks the zvol device node at path for its dataset name.
func zvolName(path string) (string, error) {
	if runtime.GOOS != "linux" {
		return "", errors.ErrUnsupported
	}
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return "", &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var buf [zvolNameLen]byte
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), blkzname, uintptr(unsafe.Pointer(&buf[0]))); e != 0 {
		return "", &fs.PathError{Op: "ioctl BLKZNAME", Path: path, Err: e}
	}
	n := bytes.IndexByte(buf[:], 0)
	if n < 0 {
		n = len(buf)
	}
	return string(buf[:n]), nil
}

// volumeState is what WaitDevice needs to know about the volume.
type volumeState struct {
	size uint64 // volsize in bytes
}

// waitDevice implements WaitDevice with the device tree d.
func (v *Volume) waitDevice(ctx context.Context, d *devices) (string, error) {
	const op = "wait-device"
	link := filepath.Join(d.dev, zvolDir, v.name)
	start := time.Now()
	// The state first, even when the link is there: links and nodes of a
	// volume just destroyed, or whose key was just unloaded, go away
	// asynchronously.
	st, err := v.deviceState(ctx, d)
	if err != nil {
		return "", err
	}
	checked := time.Now()
	udev := d.udevRunning()
	poll := d.minPoll
	for {
		if d.hasNode(link) {
			return link, nil
		}
		if !udev || time.Since(start) >= d.fallbackAfter {
			if p, ok := d.findNode(v.name, st.size); ok {
				return p, nil
			}
		}
		if time.Since(checked) >= d.recheck {
			if st, err = v.deviceState(ctx, d); err != nil {
				return "", err
			}
			checked = time.Now()
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", &errors.Error{Op: op, Name: v.name, Kind: errors.Canceled, ExitCode: -1,
				Err: fmt.Errorf("no device node for %s yet: %w", v.name, ctx.Err())}
		case <-t.C:
		}
		poll = min(2*poll, d.maxPoll)
	}
}

// hasNode reports whether path is (or links to) a device node.
func (d *devices) hasNode(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && d.isDevice(fi)
}

// deviceState reads the volume's properties with one `zfs get` and tells
// whether a device node can appear.
func (v *Volume) deviceState(ctx context.Context, d *devices) (volumeState, error) {
	const op = "wait-device"
	ps, err := v.c.getProperties(ctx, v.name, []string{"type", "guid", "volsize", "volmode", "keystatus"})
	if err != nil {
		return volumeState{}, errs.WithOp(err, op)
	}
	if typ := parseType(ps.Property("type").Value); typ != TypeVolume {
		return volumeState{}, errs.Newf(errors.NotExist, op, v.name, "%s is no longer a volume", v.name)
	}
	if g, err := strconv.ParseUint(ps.Property("guid").Value, 10, 64); err == nil && v.guid != 0 && g != v.guid {
		return volumeState{}, errs.Newf(errors.NotExist, op, v.name, "volume %s was destroyed (a new dataset has its name)", v.name)
	}
	if ps.Property("keystatus").Value == string(KeyUnavailable) {
		return volumeState{}, errs.Newf(errors.KeyNotLoaded, op, v.name, "the key of %s is not loaded, so it has no device", v.name)
	}
	mode := ps.Property("volmode").Value
	if mode == "default" {
		// The zvol_volmode module parameter: 1 full, 2 dev, 3 none.
		if b, err := os.ReadFile(filepath.Join(d.sys, "module/zfs/parameters/zvol_volmode")); err == nil && strings.TrimSpace(string(b)) == "3" {
			mode = "none"
		}
	}
	if mode == "none" {
		return volumeState{}, errs.Newf(errors.NotSupported, op, v.name, "%s has volmode=none: it has no device node", v.name)
	}
	if b, err := os.ReadFile(filepath.Join(d.sys, "module/zfs/parameters/zvol_inhibit_dev")); err == nil && strings.TrimSpace(string(b)) == "1" {
		return volumeState{}, errs.Newf(errors.NotSupported, op, v.name, "zvol device nodes are disabled (zvol_inhibit_dev=1)")
	}
	size, _ := strconv.ParseUint(ps.Property("volsize").Value, 10, 64)
	return volumeState{size: size}, nil
}

// udevRunning reports whether a udev daemon runs, by looking for its process
// (its control socket outlives it, so that is no sign).
func (d *devices) udevRunning() bool {
	ents, err := os.ReadDir(d.proc)
	if err != nil {
		return true // cannot tell: wait for the link before scanning
	}
	for _, e := range ents {
		if c := e.Name()[0]; c < '0' || c > '9' {
			continue
		}
		comm, err := os.ReadFile(filepath.Join(d.proc, e.Name(), "comm"))
		if err != nil {
			continue
		}
		switch strings.TrimSpace(string(comm)) {
		case "systemd-udevd", "udevd":
			return true
		}
	}
	return false
}

// findNode looks for the zvol device node of the named volume among the
// whole-disk zd devices the kernel lists in /sys/block, opening only those
// whose size is the volume's.
func (d *devices) findNode(name string, size uint64) (string, bool) {
	ents, err := os.ReadDir(filepath.Join(d.sys, "block"))
	if err != nil {
		return "", false
	}
	for _, e := range ents {
		dev := e.Name()
		if !isZvolDisk(dev) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d.sys, "block", dev, "size"))
		if err != nil {
			continue
		}
		sectors, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
		if err != nil || sectors*sectorLength != size {
			continue
		}
		p := filepath.Join(d.dev, dev)
		if !d.hasNode(p) {
			continue
		}
		if n, err := d.zname(p); err == nil && n == name {
			return p, true
		}
	}
	return "", false
}

// isZvolDisk reports whether s names a whole zvol disk, "zd" and digits
// (partitions are "zd0p1").
func isZvolDisk(s string) bool {
	if len(s) < 3 || !strings.HasPrefix(s, "zd") {
		return false
	}
	for _, c := range s[2:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
