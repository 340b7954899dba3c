//go:build unix

package command_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/zfs"
)

// TestSSHClient drives a zfs client through the SSH runner, with a script in
// place of the remote zfs: answers are parsed and failures classified as for
// local commands.
func TestSSHClient(t *testing.T) {
	opts, dir := command.SSHTestServer(t)
	fake := filepath.Join(dir, "zfs")
	require.NoError(t, os.WriteFile(fake, []byte(`#!/bin/sh
for last; do :; done
if [ "$last" = tank/home ]; then
	printf 'tank/home\tfilesystem\t8811309453520941434\t17\t1764748800\n'
	exit 0
fi
echo "cannot open '$last': dataset does not exist" >&2
exit 1
`), 0o755))
	opts.Paths = map[string]string{"zfs": fake}
	r, err := command.NewSSH(t.Context(), opts)
	require.NoError(t, err)
	defer r.Close()

	c := zfs.New(zfs.ClientOptions{Runner: r, Version: zfs.Version{Major: 2, Minor: 3, Patch: 2}})
	fs, err := c.Filesystem(t.Context(), "tank/home")
	require.NoError(t, err)
	assert.Equal(t, uint64(8811309453520941434), fs.GUID())

	_, err = c.Filesystem(t.Context(), "tank/gone")
	require.ErrorIs(t, err, errors.ErrNotExist)
	assert.Equal(t, errors.NotExist, errors.KindOf(err))
	var e *errors.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 1, e.ExitCode)
	assert.Contains(t, e.Stderr, "dataset does not exist")
}
