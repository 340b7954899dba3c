//go:build unix

package command_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/names"
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

// TestSSHRejectedNamesDoNotInject: names that internal/names rejects never
// reach a runner through the clients, but if one did, the remote program
// would receive it as one argument, unchanged, and nothing would run.
func TestSSHRejectedNamesDoNotInject(t *testing.T) {
	opts, dir := command.SSHTestServer(t)
	canary := filepath.Join(dir, "canary")
	rec := filepath.Join(dir, "rec")
	require.NoError(t, os.WriteFile(rec, []byte("#!/bin/sh\nprintf '%s\\0' \"$@\"\n"), 0o755))
	opts.Paths = map[string]string{"zfs": rec}
	r, err := command.NewSSH(t.Context(), opts)
	require.NoError(t, err)
	defer r.Close()

	hostile := []string{
		"tank/a;touch " + canary,
		"tank/$(touch " + canary + ")",
		"tank/`touch " + canary + "`",
		"tank/a|touch " + canary,
		"tank/a&touch " + canary,
		"tank/a\ntouch " + canary,
		"tank/a>" + canary,
		"tank/a'b",
		`tank/a"b`,
		`tank/a\b`,
		"tank/*",
		"-o",
		"--help",
		"tank/a@s@t;id",
		"tank/$HOME",
	}
	for _, n := range hostile {
		require.Error(t, names.Any(n), "%q is accepted by internal/names", n)
	}
	// Accepted names and values that a shell would still take apart.
	accepted := []string{"tank/with space", "tank/a b@snap 1", "tank/a#mark 2"}
	for _, n := range accepted {
		require.NoError(t, names.Any(n), n)
	}
	args := append(append([]string{"set", "user:note=it's \"$(touch " + canary + ")\"\n`id`"}, hostile...), accepted...)
	var out bytes.Buffer
	require.NoError(t, r.Run(t.Context(), &command.Cmd{Name: "zfs", Args: args, Stdout: &out}))
	assert.Equal(t, args, strings.Split(strings.TrimSuffix(out.String(), "\x00"), "\x00"))
	assert.NoFileExists(t, canary)
}
