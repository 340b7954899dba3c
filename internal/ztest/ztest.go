// Package ztest helps integration tests (build tag zfs) run against real ZFS:
// it skips tests that cannot run here, and creates uniquely named throwaway
// pools on files in a tmpfs directory, destroyed when the test ends.
//
// Integration test functions are named TestIntegrationXxx; `make test` runs
// them inside the lab VM (internal/zfslab), or directly with GOZFS_DIRECT=1.
package ztest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Require skips t unless real ZFS can be used: running as root, with the zfs
// and zpool programs and the /dev/zfs device present.
func Require(t testing.TB) {
	t.Helper()
	if os.Getenv("GOZFS_LAB") != "1" && os.Getenv("GOZFS_DIRECT") != "1" {
		t.Skip("real ZFS tests run in the lab (make test) or with GOZFS_DIRECT=1")
	}
	if os.Geteuid() != 0 {
		t.Skip("real ZFS tests need root")
	}
	for _, p := range []string{"zfs", "zpool"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("real ZFS tests need %s: %v", p, err)
		}
	}
	if _, err := os.Stat("/dev/zfs"); err != nil {
		t.Skipf("real ZFS tests need the zfs module: %v", err)
	}
}

// Dir returns a directory for pool files and mountpoints that is private to
// this test: under GOZFS_LAB_DIR (a tmpfs in the lab) when set, else under the
// test's temporary directory.
func Dir(t testing.TB) string {
	t.Helper()
	base := os.Getenv("GOZFS_LAB_DIR")
	if base == "" {
		return t.TempDir()
	}
	d, err := os.MkdirTemp(base, "t")
	require.NoError(t, err, "ztest")
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// Pool is a throwaway pool made by NewPool.
type Pool struct {
	// Name is the pool's unique name.
	Name string
	// AltRoot is the altroot every mountpoint of the pool lives under.
	AltRoot string
	// Vdevs are the backing files.
	Vdevs []string
}

// PoolOptions shape a throwaway pool. The zero value makes one 256 MiB file vdev.
type PoolOptions struct {
	// Files is the number of backing files (default 1).
	Files int
	// Size of each file in bytes (default 256 MiB).
	Size int64
	// Layout precedes the files in the vdev specification, e.g. "mirror".
	Layout string
	// Args are extra `zpool create` arguments before the pool name, e.g.
	// []string{"-O", "compression=lz4"}.
	Args []string
}

// NewPool creates a pool with a unique name on file vdevs under Dir(t) and
// destroys it when the test ends. Mountpoints are under the pool's altroot,
// and the pool is not recorded in any cache file.
func NewPool(t testing.TB, o PoolOptions) *Pool {
	t.Helper()
	Require(t)
	if o.Files <= 0 {
		o.Files = 1
	}
	if o.Size <= 0 {
		o.Size = 256 << 20
	}
	dir := Dir(t)
	p := &Pool{Name: UniqueName("gz"), AltRoot: filepath.Join(dir, "root")}
	for i := 0; i < o.Files; i++ {
		f := filepath.Join(dir, fmt.Sprintf("vdev%d", i))
		require.NoError(t, os.WriteFile(f, nil, 0o600), "ztest")
		require.NoError(t, os.Truncate(f, o.Size), "ztest")
		p.Vdevs = append(p.Vdevs, f)
	}
	args := []string{"create", "-f", "-R", p.AltRoot, "-o", "cachefile=none"}
	args = append(args, o.Args...)
	args = append(args, p.Name)
	if o.Layout != "" {
		args = append(args, o.Layout)
	}
	args = append(args, p.Vdevs...)
	Run(t, "zpool", args...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "zpool", "destroy", "-f", p.Name).CombinedOutput()
		if !bytes.Contains(out, []byte("no such pool")) {
			assert.NoError(t, err, "ztest: zpool destroy %s: %s", p.Name, out)
		}
	})
	return p
}

// UniqueName returns prefix followed by random hex digits: a name no other
// test uses.
func UniqueName(prefix string) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// Run runs a command with LC_ALL=C and fails the test if it fails; it returns
// standard output. It is for test set-up, not for the code under test.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := Try(name, args...)
	require.NoError(t, err, "ztest: %s %s", name, strings.Join(args, " "))
	return out
}

// Try runs a command with LC_ALL=C and returns its standard output, or an
// error that includes its standard error.
func Try(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
