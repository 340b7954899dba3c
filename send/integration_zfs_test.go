//go:build zfs

package send_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/proc"
	"github.com/gozfs/gozfs/internal/ztest"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func labSetup(t *testing.T) (c *zfs.Client, fs string) {
	t.Helper()
	p := ztest.NewPool(t, ztest.PoolOptions{Size: 128 << 20})
	fs = p.Name + "/src"
	ztest.Run(t, "zfs", "create", fs)
	mnt := strings.TrimSpace(ztest.Run(t, "zfs", "get", "-H", "-o", "value", "mountpoint", fs))
	for i, size := range []int{2 << 20, 1 << 20, 512 << 10} {
		b := make([]byte, size)
		rand.Read(b)
		require.NoError(t, os.WriteFile(filepath.Join(mnt, "f"+string(rune('a'+i))), b, 0o644))
		ztest.Run(t, "zfs", "snapshot", fs+"@s"+string(rune('1'+i)))
	}
	ztest.Run(t, "zfs", "bookmark", fs+"@s1", fs+"#b1")
	return zfs.New(zfs.ClientOptions{}), fs
}

func TestIntegrationEstimateMatchesStream(t *testing.T) {
	c, fs := labSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tests := []struct {
		name string
		snap string
		opts send.Options
	}{
		{"full", "@s1", send.Options{}},
		{"from snapshot", "@s2", send.Options{From: fs + "@s1"}},
		{"from bookmark", "@s2", send.Options{From: fs + "#b1"}},
		{"intermediates", "@s3", send.Options{From: fs + "@s1", Intermediates: true}},
		{"replication", "@s3", send.Options{Replicate: true, Properties: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			est, err := send.Estimate(ctx, c, fs+tt.snap, tt.opts)
			require.NoError(t, err)
			s, err := send.Reader(ctx, c, fs+tt.snap, tt.opts)
			require.NoError(t, err)
			n, err := io.Copy(io.Discard, s)
			s.Close()
			require.NoError(t, err)
			t.Logf("estimate %d, stream %d", est, n)
			assert.GreaterOrEqual(t, est, n*9/10, "estimate %d is not within 10%% of the stream's %d bytes", est, n)
			assert.LessOrEqual(t, est, n*11/10, "estimate %d is not within 10%% of the stream's %d bytes", est, n)
		})
	}
}

func TestIntegrationErrors(t *testing.T) {
	c, fs := labSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	err := send.To(ctx, c, io.Discard, fs+"@nope", send.Options{})
	var e *errors.Error
	if assert.ErrorAs(t, err, &e, "missing snapshot") {
		assert.ErrorIs(t, err, errors.ErrNotExist, "missing snapshot")
		assert.NotEmpty(t, e.Stderr, "missing snapshot")
	}
	err = send.To(ctx, c, io.Discard, fs+"@s3", send.Options{From: fs + "@nope"})
	if errors.KindOf(err) == errors.Other {
		t.Logf("missing source: %v (kind Other)", err)
	} else {
		t.Logf("missing source: %v (kind %v)", err, errors.KindOf(err))
	}
	assert.Error(t, err, "missing incremental source accepted")
}

func TestIntegrationCloseStopsSend(t *testing.T) {
	c, fs := labSetup(t)
	s, err := send.Reader(context.Background(), c, fs+"@s3", send.Options{Replicate: true})
	require.NoError(t, err)
	_, err = io.ReadFull(s, make([]byte, 300<<10))
	require.NoError(t, err)
	start := time.Now()
	assert.NoError(t, s.Close(), "Close")
	t.Logf("Close took %v", time.Since(start))
	left, err := proc.Descendants(os.Getpid())
	require.NoError(t, err)
	for _, p := range left {
		assert.NotEqual(t, "zfs", p.Executable, "zfs process %d still running after Close", p.PID)
	}
}

// TestIntegrationFilesystemAndVolume sends the current state of a
// filesystem (unmounted) and of a volume, and shows what zfs says of a
// mounted one, read-only or not.
func TestIntegrationFilesystemAndVolume(t *testing.T) {
	c, fs := labSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pool, _, _ := strings.Cut(fs, "/")

	// Mounted, read-write then read-only: Busy.
	for _, ro := range []string{"off", "on"} {
		ztest.Run(t, "zfs", "set", "readonly="+ro, fs)
		err := send.To(ctx, c, io.Discard, fs, send.Options{})
		assert.ErrorIs(t, err, errors.ErrBusy, "mounted, readonly=%s", ro)
	}
	ztest.Run(t, "zfs", "set", "readonly=off", fs)

	// Unmounted: the current state, received under the name we choose.
	mnt := strings.TrimSpace(ztest.Run(t, "zfs", "get", "-H", "-o", "value", "mountpoint", fs))
	require.NoError(t, os.WriteFile(filepath.Join(mnt, "after-s3"), []byte("head state"), 0o644))
	ztest.Run(t, "zfs", "unmount", fs)
	var full, inc bytes.Buffer
	require.NoError(t, send.To(ctx, c, &full, fs, send.Options{}))
	require.NoError(t, send.To(ctx, c, &inc, fs, send.Options{From: "@s3"}))
	assert.Less(t, inc.Len(), full.Len(), "incremental vs full bytes")
	res, err := recv.Into(ctx, c, pool+"/copy@now", bytes.NewReader(full.Bytes()), recv.Options{})
	require.NoError(t, err)
	t.Logf("received %q", res.Snapshots)
	got, err := os.ReadFile(filepath.Join(strings.TrimSpace(ztest.Run(t, "zfs", "get", "-H", "-o", "value", "mountpoint", pool+"/copy")), "after-s3"))
	assert.NoError(t, err, "received file")
	assert.Equal(t, "head state", string(got), "received file")
	res, err = recv.Into(ctx, c, pool+"/copy2", bytes.NewReader(full.Bytes()), recv.Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{pool + "/copy2@--head--"}, res.Snapshots, "default name")
	ztest.Run(t, "zfs", "mount", fs)

	// A volume.
	ztest.Run(t, "zfs", "create", "-V", "4M", pool+"/vol")
	// A new volume's device is opened for a while (udev probes it); zfs
	// says it is busy meanwhile.
	var vol bytes.Buffer
	for start := time.Now(); ; {
		vol.Reset()
		err := send.To(ctx, c, &vol, pool+"/vol", send.Options{})
		if err == nil {
			t.Logf("volume sent after %v", time.Since(start))
			break
		}
		require.ErrorIs(t, err, errors.ErrBusy)
		require.LessOrEqual(t, time.Since(start), 2*time.Minute, "volume still busy: %v", err)
		time.Sleep(time.Second)
	}
	_, err = recv.Into(ctx, c, pool+"/volcopy@now", &vol, recv.Options{})
	require.NoError(t, err)

	// A file open only for reading is refused before zfs runs.
	ro := filepath.Join(ztest.Dir(t), "readonly")
	require.NoError(t, os.WriteFile(ro, nil, 0o644))
	f, err := os.Open(ro)
	require.NoError(t, err)
	err = send.To(ctx, c, f, fs+"@s1", send.Options{})
	f.Close()
	assert.ErrorIs(t, err, errors.ErrInvalidArgument, "read-only file")
}
