//go:build zfs

package errors_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/format/resumetoken"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lab runs zfs and zpool commands against a scratch pool on a file vdev.
type lab struct {
	t      *testing.T
	runner command.Runner
	pool   string
}

// run runs the program with args and returns FromCommand's error, with the
// subcommand as the operation and the last argument as the name.
func (l *lab) run(stdin []byte, stdout *bytes.Buffer, prog string, args ...string) error {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := &command.Cmd{Name: prog, Args: args}
	if stdin != nil {
		c.Stdin = bytes.NewReader(stdin)
	}
	if stdout != nil {
		c.Stdout = stdout
	}
	err := l.runner.Run(ctx, c)
	return errors.FromCommand(args[0], args[len(args)-1], err)
}

// must runs a command that has to succeed.
func (l *lab) must(prog string, args ...string) {
	l.t.Helper()
	require.NoError(l.t, l.run(nil, nil, prog, args...), "%s %s", prog, strings.Join(args, " "))
}

// newLab creates the scratch pool, or skips the test when ZFS is not usable.
func newLab(t *testing.T) *lab {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("integration tests need root")
	}
	for _, p := range []string{"zfs", "zpool"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s not installed", p)
		}
	}
	l := &lab{t: t, runner: &command.Exec{}, pool: fmt.Sprintf("gozfserr%d", os.Getpid())}
	if err := l.run(nil, nil, "zpool", "list", "-H"); err != nil {
		if errors.Is(err, errors.ErrModuleNotLoaded) {
			t.Skipf("ZFS not usable here: %v", err)
		}
		require.NoError(t, err, "zpool list")
	}
	var ver bytes.Buffer
	if err := l.run(nil, &ver, "zfs", "version"); err == nil {
		t.Logf("zfs version: %s", strings.Join(strings.Fields(ver.String()), " "))
	}
	// Inside the lab VM, pool files and mountpoints belong in its tmpfs.
	dir := t.TempDir()
	if base := os.Getenv("GOZFS_LAB_DIR"); base != "" {
		d, err := os.MkdirTemp(base, "errors")
		require.NoError(t, err)
		t.Cleanup(func() { os.RemoveAll(d) })
		dir = d
	}
	vdev := filepath.Join(dir, "vdev")
	require.NoError(t, os.WriteFile(vdev, nil, 0o600))
	require.NoError(t, os.Truncate(vdev, 256<<20))
	l.must("zpool", "create", "-f", "-R", filepath.Join(dir, "mnt"), l.pool, vdev)
	t.Cleanup(func() {
		assert.NoError(t, l.run(nil, nil, "zpool", "destroy", "-f", l.pool), "cleanup")
	})
	return l
}

// TestIntegrationClassify provokes real failures and checks that their
// standard error is classified as expected, against the installed OpenZFS.
func TestIntegrationClassify(t *testing.T) {
	l := newLab(t)
	p := l.pool
	l.must("zfs", "create", p+"/a")
	l.must("zfs", "create", p+"/a/child")
	l.must("zfs", "snapshot", p+"/a@s1")
	l.must("zfs", "snapshot", p+"/a@s2")
	l.must("zfs", "snapshot", p+"/a@s3")
	l.must("zfs", "clone", p+"/a@s1", p+"/clone")
	l.must("zfs", "hold", "keep", p+"/a@s2")
	key := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(key, []byte("gozfs-test-passphrase\n"), 0o600))
	l.must("zfs", "create", "-o", "encryption=on", "-o", "keyformat=passphrase",
		"-o", "keylocation=file://"+key, p+"/enc")
	l.must("zfs", "unmount", p+"/enc")
	l.must("zfs", "unload-key", p+"/enc")
	t.Cleanup(func() { _ = l.run(nil, nil, "zfs", "release", "keep", p+"/a@s2") })

	tests := []struct {
		name   string
		prog   string
		args   []string
		target error
	}{
		{"list missing", "zfs", []string{"list", p + "/nope"}, errors.ErrNotExist},
		{"create exists", "zfs", []string{"create", p + "/a"}, errors.ErrExist},
		{"destroy missing snapshot", "zfs", []string{"destroy", p + "/a/child@none"}, errors.ErrNotExist},
		{"destroy parent", "zfs", []string{"destroy", p + "/a"}, errors.ErrHasDependents},
		{"destroy cloned snapshot", "zfs", []string{"destroy", p + "/a@s1"}, errors.ErrHasClones},
		{"destroy held snapshot", "zfs", []string{"destroy", p + "/a@s2"}, errors.ErrBusy},
		{"rollback not latest", "zfs", []string{"rollback", p + "/a@s2"}, errors.ErrSnapshotNotLatest},
		{"invalid name", "zfs", []string{"create", p + "/bad*name"}, errors.ErrInvalidName},
		{"no such pool", "zpool", []string{"list", "gozfsnosuchpool"}, errors.ErrNotExist},
		{"no such pool dataset", "zfs", []string{"list", "gozfsnosuchpool/a"}, errors.ErrNotExist},
		{"release missing tag", "zfs", []string{"release", "nope", p + "/a@s3"}, errors.ErrNotExist},
		{"usage", "zfs", []string{"list", "-Q"}, errors.ErrInvalidArgument},
		{"mount without key", "zfs", []string{"mount", p + "/enc"}, errors.ErrKeyNotLoaded},
		{"unload unloaded key", "zfs", []string{"unload-key", p + "/enc"}, errors.ErrKeyNotLoaded},
		{"unmount unmounted", "zfs", []string{"unmount", p + "/enc"}, errors.ErrNotMounted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := l.run(nil, nil, tc.prog, tc.args...)
			t.Logf("%v\nstderr: %q", err, stderrOf(err))
			assert.ErrorIs(t, err, tc.target, "%s %v: kind %v\nstderr: %q", tc.prog, tc.args, errors.KindOf(err), stderrOf(err))
		})
	}
}

// TestIntegrationReceive checks receive failures: existing destination,
// mismatched incremental source, and an interrupted resumable receive whose
// token FromCommand must extract.
func TestIntegrationReceive(t *testing.T) {
	l := newLab(t)
	p := l.pool
	l.must("zfs", "create", p+"/src")
	var mnt bytes.Buffer
	require.NoError(t, l.run(nil, &mnt, "zfs", "get", "-H", "-o", "value", "mountpoint", p+"/src"))
	data := bytes.Repeat([]byte("gozfs resumable receive test data\n"), 1<<15) // about 1 MiB
	require.NoError(t, os.WriteFile(filepath.Join(strings.TrimSpace(mnt.String()), "f"), data, 0o600))
	l.must("zfs", "snapshot", p+"/src@s1")
	// New data for the incremental stream, so that cutting it in half stops
	// the receive part-way.
	require.NoError(t, os.WriteFile(filepath.Join(strings.TrimSpace(mnt.String()), "g"), data, 0o600))
	l.must("zfs", "snapshot", p+"/src@s2")

	var full, incr bytes.Buffer
	require.NoError(t, l.run(nil, &full, "zfs", "send", p+"/src@s1"))
	require.NoError(t, l.run(nil, &incr, "zfs", "send", "-i", "@s1", p+"/src@s2"))

	check := func(what string, err, target error) {
		t.Helper()
		t.Logf("%s: %v\nstderr: %q", what, err, stderrOf(err))
		assert.ErrorIs(t, err, target, "%s: kind %v", what, errors.KindOf(err))
	}
	l.must("zfs", "create", p+"/empty")
	require.NoError(t, l.run(full.Bytes(), nil, "zfs", "receive", p+"/dst"))

	// A full stream onto an existing dataset without -F.
	check("receive onto existing", l.run(full.Bytes(), nil, "zfs", "receive", p+"/dst"), errors.ErrExist)

	// An incremental stream whose source the destination does not have.
	check("mismatched incremental", l.run(incr.Bytes(), nil, "zfs", "receive", p+"/empty"), errors.ErrStreamMismatch)

	// An incremental stream onto a destination changed since its snapshot.
	mnt.Reset()
	require.NoError(t, l.run(nil, &mnt, "zfs", "get", "-H", "-o", "value", "mountpoint", p+"/dst"))
	require.NoError(t, os.WriteFile(filepath.Join(strings.TrimSpace(mnt.String()), "new"), []byte("x"), 0o600))
	check("modified destination", l.run(incr.Bytes(), nil, "zfs", "receive", p+"/dst"), errors.ErrDestinationModified)
	l.must("zfs", "rollback", p+"/dst@s1")

	// A truncated incremental stream into a resumable receive, then the
	// whole stream without resuming.
	half := incr.Bytes()[:incr.Len()/2]
	err := l.run(half, nil, "zfs", "receive", "-s", p+"/dst")
	check("truncated incremental", err, errors.ErrInterrupted)
	checkToken(t, l, err, p+"/dst")
	check("receive over partial state", l.run(incr.Bytes(), nil, "zfs", "receive", p+"/dst"), errors.ErrResumableStatePresent)

	// A truncated full stream into a resumable receive.
	half = full.Bytes()[:full.Len()/2]
	err = l.run(half, nil, "zfs", "receive", "-s", p+"/part")
	check("truncated full", err, errors.ErrInterrupted)
	checkToken(t, l, err, p+"/part")
}

// checkToken checks that err is a *ResumableError whose token is the
// receive_resume_token of dataset.
func checkToken(t *testing.T, l *lab, err error, dataset string) {
	t.Helper()
	var re *errors.ResumableError
	if !assert.ErrorAs(t, err, &re) {
		return
	}
	var tok bytes.Buffer
	require.NoError(t, l.run(nil, &tok, "zfs", "get", "-H", "-o", "value", "receive_resume_token", dataset))
	want := strings.TrimSpace(tok.String())
	assert.Equal(t, want, re.Token, "Token")
	assert.True(t, validToken(re.Token), "Token")
}

// stderrOf returns the standard error recorded in err, if any.
func stderrOf(err error) string {
	var e *errors.Error
	if errors.As(err, &e) {
		return e.Stderr
	}
	return ""
}

// validToken reports whether a resume token decodes.
func validToken(tok string) bool {
	_, err := resumetoken.Decode(tok)
	return err == nil
}
