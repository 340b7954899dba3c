package zfs

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeDevices is a device tree in a temporary directory: regular files stand
// in for device nodes, and names maps a node's path to its zvol name.
type fakeDevices struct {
	*devices
	root string

	mu     sync.Mutex
	names  map[string]string
	opened []string
}

func newFakeDevices(t *testing.T, udev bool) *fakeDevices {
	t.Helper()
	root := t.TempDir()
	fd := &fakeDevices{root: root, names: map[string]string{}}
	for _, d := range []string{"dev/zvol", "sys/block", "sys/module/zfs/parameters", "proc/1", "proc/42"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	comm := "bash\n"
	if udev {
		comm = "systemd-udevd\n"
	}
	require.NoError(t, os.WriteFile(filepath.Join(root, "proc/1/comm"), []byte("init\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "proc/42/comm"), []byte(comm), 0o644))
	fd.devices = &devices{
		dev: filepath.Join(root, "dev"), sys: filepath.Join(root, "sys"), proc: filepath.Join(root, "proc"),
		zname: func(p string) (string, error) {
			fd.mu.Lock()
			defer fd.mu.Unlock()
			fd.opened = append(fd.opened, filepath.Base(p))
			n, ok := fd.names[p]
			if !ok {
				return "", &fs.PathError{Op: "ioctl BLKZNAME", Path: p, Err: os.ErrInvalid}
			}
			return n, nil
		},
		isDevice:      func(fi fs.FileInfo) bool { return fi.Mode().IsRegular() },
		fallbackAfter: time.Hour,
		recheck:       time.Hour,
		minPoll:       time.Millisecond,
		maxPoll:       5 * time.Millisecond,
	}
	return fd
}

// addDisk makes the node /dev/<dev> and /sys/block/<dev>/size for a zvol.
func (fd *fakeDevices) addDisk(t *testing.T, dev, name string, size uint64) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(fd.sys, "block", dev), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(fd.sys, "block", dev, "size"), []byte(strconv.FormatUint(size/512, 10)+"\n"), 0o644))
	p := filepath.Join(fd.dev, dev)
	require.NoError(t, os.WriteFile(p, nil, 0o600))
	fd.mu.Lock()
	fd.names[p] = name
	fd.mu.Unlock()
}

// addLink makes the udev link /dev/zvol/<name> -> ../../<dev>.
func (fd *fakeDevices) addLink(t *testing.T, name, dev string) {
	t.Helper()
	l := filepath.Join(fd.dev, "zvol", name)
	require.NoError(t, os.MkdirAll(filepath.Dir(l), 0o755))
	rel, err := filepath.Rel(filepath.Dir(l), filepath.Join(fd.dev, dev))
	require.NoError(t, err)
	require.NoError(t, os.Symlink(rel, l))
}

func (fd *fakeDevices) param(t *testing.T, name, value string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(fd.sys, "module/zfs/parameters", name), []byte(value+"\n"), 0o644))
}

func (fd *fakeDevices) openedNodes() []string {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	return append([]string(nil), fd.opened...)
}

const volGetArgs = "type,guid,volsize,volmode,keystatus"

// expectVolState scripts the `zfs get` WaitDevice runs.
func expectVolState(f *commandtest.Fake, name, typ, guid, size, volmode, keystatus string) *commandtest.Expectation {
	return f.Expect("zfs", "get", "-j", "-p", volGetArgs, name).
		Stdout(getJSON(name, [2]string{"type", typ}, [2]string{"guid", guid}, [2]string{"volsize", size}, [2]string{"volmode", volmode}, [2]string{"keystatus", keystatus}))
}

func volHandle(c *Client, name string) *Volume {
	return newVolume(dataset{c: c, name: name, typ: TypeVolume, guid: 77})
}

func TestDevicePath(t *testing.T) {
	_, c := newFake(t)
	assert.Equal(t, "/dev/zvol/tank/a/v", volHandle(c, "tank/a/v").DevicePath())
}

func TestWaitDeviceLinkPresent(t *testing.T) {
	f, c := newFake(t)
	fd := newFakeDevices(t, true)
	fd.addDisk(t, "zd0", "tank/v", 8<<20)
	fd.addLink(t, "tank/v", "zd0")
	expectVolState(f, "tank/v", "volume", "77", "8388608", "default", "available")
	p, err := volHandle(c, "tank/v").waitDevice(context.Background(), fd.devices)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(fd.dev, "zvol/tank/v"), p)
	assert.Empty(t, fd.openedNodes(), "the link is trusted without opening the device")
}

func TestWaitDeviceLinkAppears(t *testing.T) {
	f, c := newFake(t)
	fd := newFakeDevices(t, true)
	fd.addDisk(t, "zd16", "tank/v", 8<<20) // the kernel's node is there; udev is slow
	expectVolState(f, "tank/v", "volume", "77", "8388608", "default", "-")
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(20 * time.Millisecond)
		fd.addLink(t, "tank/v", "zd16")
	}()
	p, err := volHandle(c, "tank/v").waitDevice(context.Background(), fd.devices)
	<-done
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(fd.dev, "zvol/tank/v"), p)
	assert.Empty(t, fd.openedNodes(), "no scan while udev runs and the grace period lasts")
}

func TestWaitDeviceWithoutUdev(t *testing.T) {
	f, c := newFake(t)
	fd := newFakeDevices(t, false)
	fd.addDisk(t, "zd0", "tank/other", 4<<20) // wrong size: never opened
	fd.addDisk(t, "zd16", "tank/same", 8<<20) // right size, other volume
	fd.addDisk(t, "zd32", "tank/v", 8<<20)    // the one
	fd.addDisk(t, "zd32p1", "tank/v", 8<<20)  // a partition: skipped
	fd.addDisk(t, "sda", "not a zvol", 8<<20) // not a zvol: skipped
	expectVolState(f, "tank/v", "volume", "77", "8388608", "full", "-")
	p, err := volHandle(c, "tank/v").waitDevice(context.Background(), fd.devices)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(fd.dev, "zd32"), p)
	assert.ElementsMatch(t, []string{"zd16", "zd32"}, fd.openedNodes())
}

func TestWaitDeviceFallbackAfterGrace(t *testing.T) {
	f, c := newFake(t)
	fd := newFakeDevices(t, true) // udev runs but never makes the link
	fd.fallbackAfter = 20 * time.Millisecond
	fd.addDisk(t, "zd0", "tank/v", 8<<20)
	expectVolState(f, "tank/v", "volume", "77", "8388608", "dev", "-")
	start := time.Now()
	p, err := volHandle(c, "tank/v").waitDevice(context.Background(), fd.devices)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(fd.dev, "zd0"), p)
	assert.GreaterOrEqual(t, time.Since(start), fd.fallbackAfter)
}

func TestWaitDeviceNodeAppearsLater(t *testing.T) {
	f, c := newFake(t)
	fd := newFakeDevices(t, false)
	expectVolState(f, "tank/v", "volume", "77", "8388608", "default", "available")
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(20 * time.Millisecond)
		fd.addDisk(t, "zd48", "tank/v", 8<<20)
	}()
	p, err := volHandle(c, "tank/v").waitDevice(context.Background(), fd.devices)
	<-done
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(fd.dev, "zd48"), p)
}

func TestWaitDeviceErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, f *commandtest.Fake, fd *fakeDevices)
		want  error
	}{
		{"not exist", func(_ *testing.T, f *commandtest.Fake, _ *fakeDevices) {
			f.Expect("zfs", "get", "-j", "-p", volGetArgs, "tank/v").
				Stderr("cannot open 'tank/v': dataset does not exist\n").Exit(1)
		}, errors.ErrNotExist},
		{"re-created", func(_ *testing.T, f *commandtest.Fake, _ *fakeDevices) {
			expectVolState(f, "tank/v", "volume", "78", "8388608", "default", "-")
		}, errors.ErrNotExist},
		{"now a filesystem", func(_ *testing.T, f *commandtest.Fake, _ *fakeDevices) {
			expectVolState(f, "tank/v", "filesystem", "77", "-", "-", "-")
		}, errors.ErrNotExist},
		{"key not loaded", func(t *testing.T, f *commandtest.Fake, fd *fakeDevices) {
			fd.addDisk(t, "zd0", "tank/v", 8<<20) // not yet removed
			fd.addLink(t, "tank/v", "zd0")
			expectVolState(f, "tank/v", "volume", "77", "8388608", "default", "unavailable")
		}, errors.ErrKeyNotLoaded},
		{"volmode none", func(_ *testing.T, f *commandtest.Fake, _ *fakeDevices) {
			expectVolState(f, "tank/v", "volume", "77", "8388608", "none", "-")
		}, errors.ErrNotSupported},
		{"module volmode none", func(t *testing.T, f *commandtest.Fake, fd *fakeDevices) {
			expectVolState(f, "tank/v", "volume", "77", "8388608", "default", "-")
			fd.param(t, "zvol_volmode", "3")
		}, errors.ErrNotSupported},
		{"devices inhibited", func(t *testing.T, f *commandtest.Fake, fd *fakeDevices) {
			expectVolState(f, "tank/v", "volume", "77", "8388608", "full", "-")
			fd.param(t, "zvol_inhibit_dev", "1")
		}, errors.ErrNotSupported},
		{"destroyed while waiting", func(_ *testing.T, f *commandtest.Fake, fd *fakeDevices) {
			fd.recheck = 10 * time.Millisecond
			expectVolState(f, "tank/v", "volume", "77", "8388608", "default", "-")
			f.Expect("zfs", "get", "-j", "-p", volGetArgs, "tank/v").
				Stderr("cannot open 'tank/v': dataset does not exist\n").Exit(1)
		}, errors.ErrNotExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFake(t)
			fd := newFakeDevices(t, true)
			tc.setup(t, f, fd)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			p, err := volHandle(c, "tank/v").waitDevice(ctx, fd.devices)
			assert.Empty(t, p)
			assert.ErrorIs(t, err, tc.want)
			var e *errors.Error
			if assert.ErrorAs(t, err, &e) {
				assert.Contains(t, []string{"wait-device", "get"}, e.Op)
				assert.Equal(t, "tank/v", e.Name)
			}
			assert.NoError(t, ctx.Err(), "the error came before the deadline")
		})
	}
}

func TestWaitDeviceDeadline(t *testing.T) {
	f, c := newFake(t)
	fd := newFakeDevices(t, true)
	expectVolState(f, "tank/v", "volume", "77", "8388608", "default", "-")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	p, err := volHandle(c, "tank/v").waitDevice(ctx, fd.devices)
	assert.Empty(t, p)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, errors.ErrCanceled)
	assert.Equal(t, errors.Canceled, errors.KindOf(err))
	assert.Contains(t, err.Error(), "tank/v")
}

func TestIsZvolDisk(t *testing.T) {
	for s, want := range map[string]bool{
		"zd0": true, "zd16": true, "zd4080": true,
		"zd": false, "zd0p1": false, "zdx": false, "sda": false, "nvme0n1": false, "": false,
	} {
		assert.Equal(t, want, isZvolDisk(s), s)
	}
}

func TestBLKZNAME(t *testing.T) {
	// _IOR(0x12, 125, char[256]) as the Linux headers encode it.
	assert.Equal(t, uint32(0x8100127d), uint32(blkzname))
}
