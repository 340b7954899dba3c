//go:build zfs

package zfs_test

import (
	"testing"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIntegrationExtraArgs passes a flag through ExtraArgs to real zfs: a
// user property set at snapshot creation with -o, which SnapshotOptions
// also models (Properties), so the result can be compared.
func TestIntegrationExtraArgs(t *testing.T) {
	ctx := ctxT(t)
	p := smallPool(t)
	n := &counting{r: &command.Exec{}}
	c := zfs.New(zfs.ClientOptions{Runner: n})
	fs, err := c.CreateFilesystem(ctx, p.Name+"/fs", zfs.CreateOptions{ExtraArgs: zfs.ExtraArgs{"-o", "com.example:made=extra"}})
	require.NoError(t, err)
	ps, err := fs.Get(ctx, "com.example:made")
	require.NoError(t, err)
	assert.Equal(t, "extra", ps.Property("com.example:made").Value)
	assert.Equal(t, zfs.SourceLocal, ps.Property("com.example:made").Source.Kind)

	snap, err := fs.CreateSnapshot(ctx, "s", zfs.SnapshotOptions{
		Properties: map[string]string{"com.example:y": "2"},
		ExtraArgs:  zfs.ExtraArgs{"-o", "com.example:x=1"},
	})
	require.NoError(t, err)
	ps, err = snap.Get(ctx, "com.example:x", "com.example:y")
	require.NoError(t, err)
	assert.Equal(t, "1", ps.Property("com.example:x").Value)
	assert.Equal(t, "2", ps.Property("com.example:y").Value)

	// A flag zfs does not know makes the command fail, with zfs's usage
	// message on standard error.
	_, err = fs.CreateSnapshot(ctx, "t", zfs.SnapshotOptions{ExtraArgs: zfs.ExtraArgs{"--no-such-flag"}})
	var e *errors.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 2, e.ExitCode)
	_, err = c.Snapshot(ctx, p.Name+"/fs@t")
	assert.ErrorIs(t, err, errors.ErrNotExist)

	// A malformed one is rejected before anything runs.
	before := n.n.Load()
	_, err = fs.CreateSnapshot(ctx, "u", zfs.SnapshotOptions{ExtraArgs: zfs.ExtraArgs{p.Name + "/fs@v"}})
	assert.ErrorIs(t, err, errors.ErrInvalidArgument)
	assert.Equal(t, before, n.n.Load())
}
