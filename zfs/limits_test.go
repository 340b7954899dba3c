package zfs

import (
	"context"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/errors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHoldTagLimit: a tag of MaxHoldTagLen+1 (256) bytes never reaches zfs
// (OpenZFS 2.3.2 hangs on it). This test runs on the fake runner only: a
// 256-byte tag must never be sent to real zfs.
func TestHoldTagLimit(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t) // a command not expected fails the test
	snap := snapHandle(c, "tank/a@s")
	long := strings.Repeat("t", MaxHoldTagLen+1)
	assert.ErrorIs(t, c.Hold(ctx, long, []string{"tank/a@s"}, HoldOptions{}), errors.ErrInvalidArgument)
	assert.ErrorIs(t, snap.Hold(ctx, long, HoldOptions{Recursive: true}), errors.ErrInvalidArgument)
	assert.ErrorIs(t, c.Release(ctx, long, []string{"tank/a@s"}, HoldOptions{}), errors.ErrInvalidArgument)
	assert.ErrorIs(t, snap.Hold(ctx, strings.Repeat("é", 128), HoldOptions{}), errors.ErrInvalidArgument, "bytes, not characters")

	// 255 bytes is the longest tag; on the fake only.
	ok := strings.Repeat("t", MaxHoldTagLen)
	f.Expect("zfs", "hold", ok, "tank/a@s")
	require.NoError(t, snap.Hold(ctx, ok, HoldOptions{}))

	// Tags zfs hold refuses: '.' is reserved for libzfs's temporary holds.
	for _, bad := range []string{"", "-r", ".tmp", "a\nb", "a\x00b"} {
		assert.ErrorIs(t, snap.Hold(ctx, bad, HoldOptions{}), errors.ErrInvalidArgument, "%q", bad)
	}
	f.Expect("zfs", "release", ".tmp", "tank/a@s")
	require.NoError(t, snap.Release(ctx, ".tmp", HoldOptions{}))
	assert.Empty(t, filterArgv(f.Calls(), long))
}

// filterArgv returns the calls that hold arg.
func filterArgv(calls [][]string, arg string) [][]string {
	var out [][]string
	for _, c := range calls {
		for _, a := range c {
			if strings.Contains(a, arg) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

func TestPropertyLimits(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	fs := fsHandle(c, "tank/a")
	name255 := "com:" + strings.Repeat("n", MaxUserPropertyNameLen-4)
	val8191 := strings.Repeat("v", MaxPropertyValueLen)

	for _, tc := range []struct {
		name  string
		props map[string]string
	}{
		{"user property name of 256 bytes", map[string]string{name255 + "n": "x"}},
		{"value of 8192 bytes", map[string]string{"com.example:v": val8191 + "v"}},
		{"native value of 8192 bytes", map[string]string{"sharenfs": val8191 + "v"}},
		{"upper case user property", map[string]string{"Com.Example:v": "1"}},
		{"user property with a space", map[string]string{"com.example:a b": "1"}},
		{"NUL in a value", map[string]string{"com.example:v": "a\x00b"}},
		{"NUL in a name", map[string]string{"com.example:v\x00": "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, fs.Set(ctx, tc.props), errors.ErrInvalidArgument)
			_, err := c.CreateFilesystem(ctx, "tank/b", CreateOptions{Properties: tc.props})
			assert.ErrorIs(t, err, errors.ErrInvalidArgument)
			_, err = fs.CreateSnapshot(ctx, "s", SnapshotOptions{Properties: tc.props})
			assert.ErrorIs(t, err, errors.ErrInvalidArgument)
			_, err = snapHandle(c, "tank/a@s").Clone(ctx, "tank/c", CloneOptions{Properties: tc.props})
			assert.ErrorIs(t, err, errors.ErrInvalidArgument)
		})
	}

	// The longest name and value pass.
	f.Expect("zfs", "set", name255+"="+val8191, "tank/a")
	require.NoError(t, fs.Set(ctx, map[string]string{name255: val8191}))
	// Per-user and per-snapshot properties are not user properties.
	f.Expect("zfs", "set", "userquota@Bob=1G", "tank/a")
	require.NoError(t, fs.Set(ctx, map[string]string{"userquota@Bob": "1G"}))
}

// TestSnapshotProperties: only user properties can be set on snapshots,
// which zfs says only after running ("this property can not be modified
// for snapshots").
func TestSnapshotProperties(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	fs := fsHandle(c, "tank/a")
	_, err := fs.CreateSnapshot(ctx, "s", SnapshotOptions{Properties: map[string]string{"compression": "lz4"}})
	assert.ErrorIs(t, err, errors.ErrInvalidArgument)
	_, err = c.CreateSnapshots(ctx, []string{"tank/a@s"}, SnapshotOptions{Properties: map[string]string{"com.example:x": "1", "atime": "off"}})
	assert.ErrorIs(t, err, errors.ErrInvalidArgument)
	snap := snapHandle(c, "tank/a@s")
	assert.ErrorIs(t, snap.Set(ctx, map[string]string{"compression": "lz4"}), errors.ErrInvalidArgument)
	f.Expect("zfs", "set", "com.example:x=1", "tank/a@s")
	require.NoError(t, snap.Set(ctx, map[string]string{"com.example:x": "1"}))
}

// TestAtomicSnapshotsOnePool: zfs snapshot takes one snapshot per dataset,
// all in one pool, and says "multiple snapshots of same fs not allowed" for
// both; the SDK says which rule was broken, before running.
func TestAtomicSnapshotsOnePool(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t)
	_, err := c.CreateSnapshots(ctx, []string{"tank/a@x", "other/a@x"}, SnapshotOptions{})
	require.ErrorIs(t, err, errors.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "one pool")
	_, err = c.CreateSnapshots(ctx, []string{"tank/a@x", "tank/b@x", "tank/a@y"}, SnapshotOptions{})
	require.ErrorIs(t, err, errors.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "only one snapshot of a dataset")
}

func TestNewDatasetNames(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	for _, name := range []string{"trail ", "tank"} {
		_, err := c.CreateFilesystem(ctx, name, CreateOptions{})
		assert.ErrorIs(t, err, errors.ErrInvalidName, name)
		_, err = c.CreateVolume(ctx, name, VolumeOptions{Size: 1 << 20})
		assert.ErrorIs(t, err, errors.ErrInvalidName, name)
	}
	// A trailing space is a valid character below the root.
	f.Expect("zfs", "create", "tank/trail ")
	expectIdentity(f, "tank/trail ", "filesystem")
	_, err := c.CreateFilesystem(ctx, "tank/trail ", CreateOptions{})
	require.NoError(t, err)

	// Renames and clones stay in their pool and below its root.
	fs := fsHandle(c, "tank/a")
	_, err = fs.Rename(ctx, "other/a", RenameOptions{})
	assert.ErrorIs(t, err, errors.ErrInvalidArgument)
	_, err = fs.Rename(ctx, "tank2", RenameOptions{})
	assert.ErrorIs(t, err, errors.ErrInvalidName)
	snap := snapHandle(c, "tank/a@s")
	_, err = snap.Clone(ctx, "other/c", CloneOptions{})
	assert.ErrorIs(t, err, errors.ErrInvalidArgument)
	_, err = snap.Clone(ctx, "tank", CloneOptions{})
	assert.ErrorIs(t, err, errors.ErrInvalidName)
}

func TestBookmarkShortForm(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	snap := snapHandle(c, "tank/a@s")
	for _, name := range []string{"#bm", "bm", "tank/a#bm"} {
		f.Expect("zfs", "bookmark", "tank/a@s", "tank/a#bm")
		bm, err := snap.CreateBookmark(ctx, name)
		require.NoError(t, err, name)
		assert.Equal(t, "tank/a#bm", bm.Name())
		assert.Equal(t, snap.GUID(), bm.GUID())
	}
	for _, bad := range []string{"#", "##bm", "tank/b#bm", "#b@m"} {
		_, err := snap.CreateBookmark(ctx, bad)
		assert.Error(t, err, bad)
	}
}

// TestCloneByType: Clone gives a *Filesystem, CloneVolume a *Volume; the
// wrong one fails before cloning.
func TestCloneByType(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	expectIdentity(f, "tank/v", "volume")
	_, err := snapHandle(c, "tank/v@s").Clone(ctx, "tank/c", CloneOptions{})
	require.ErrorIs(t, err, errors.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "CloneVolume")

	expectIdentity(f, "tank/v", "volume")
	f.Expect("zfs", "clone", "tank/v@s", "tank/vc")
	expectIdentity(f, "tank/vc", "volume")
	v, err := snapHandle(c, "tank/v@s").CloneVolume(ctx, "tank/vc", CloneOptions{})
	require.NoError(t, err)
	assert.Equal(t, "tank/vc", v.Name())
	assert.Equal(t, TypeVolume, v.Type())

	expectIdentity(f, "tank/a", "filesystem")
	_, err = snapHandle(c, "tank/a@s").CloneVolume(ctx, "tank/c", CloneOptions{})
	assert.ErrorIs(t, err, errors.ErrInvalidArgument)
}

func TestProgramLimits(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	script := func() *strings.Reader { return strings.NewReader("return 1") }
	for _, o := range []ProgramOptions{
		{InstructionLimit: MaxProgramInstructionLimit + 1},
		{MemoryLimit: MaxProgramMemoryLimit + 1},
		{Args: []string{"a\x00b"}},
		{Args: []string{strings.Repeat("a", maxArgLen+1)}},
		{Args: []string{strings.Repeat("a", maxArgLen), strings.Repeat("a", maxArgLen), strings.Repeat("a", maxArgLen),
			strings.Repeat("a", maxArgLen), strings.Repeat("a", maxArgLen), strings.Repeat("a", maxArgLen),
			strings.Repeat("a", maxArgLen), strings.Repeat("a", maxArgLen), strings.Repeat("a", maxArgLen),
			strings.Repeat("a", maxArgLen), strings.Repeat("a", maxArgLen)}},
	} {
		_, err := c.Program(ctx, "tank", script(), o)
		assert.ErrorIs(t, err, errors.ErrInvalidArgument)
	}
	f.Expect("zfs", "program", "-j", "-t", "100000000", "-m", "104857600", "tank", "-").Stdout(`{"return": 1}`)
	v, err := c.Program(ctx, "tank", script(), ProgramOptions{InstructionLimit: MaxProgramInstructionLimit, MemoryLimit: MaxProgramMemoryLimit})
	require.NoError(t, err)
	assert.Equal(t, int64(1), v)
}
