//go:build zfs

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/internal/ztest"
)

// TestIntegrationReplicateTool drives the tool as a user would, local to
// local: a dry run, a recursive run with a progress bar, a run with nothing
// to do, a diverged target refused then forced with -F, and the daemon
// serving its status.
func TestIntegrationReplicateTool(t *testing.T) {
	sp := ztest.NewPool(t, ztest.PoolOptions{Size: 256 << 20})
	dp := ztest.NewPool(t, ztest.PoolOptions{Size: 256 << 20})
	src, dst := sp.Name+"/data", dp.Name+"/backup"
	zfs := func(args ...string) string { return strings.TrimSpace(ztest.Run(t, "zfs", args...)) }
	zfs("create", src)
	zfs("create", src+"/child")
	for i := 1; i <= 3; i++ {
		zfs("snapshot", "-r", fmt.Sprintf("%s@s%d", src, i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	replicate := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(ctx, args, &out, &errb)
		t.Logf("replicate %s: %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
		return code, out.String(), errb.String()
	}

	code, out, _ := replicate("-r", "-n", src, dst)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "+ "+dst+"/child")
	_, err := ztest.Try("zfs", "list", dst)
	require.Error(t, err, "a dry run creates nothing")

	code, out, _ = replicate("-r", "-progress", "-o", "canmount=off", src, dst)
	require.Equal(t, 0, code)
	assert.Contains(t, out, dst+"/child: received 3 snapshots")
	assert.Equal(t, "off", zfs("get", "-H", "-o", "value", "canmount", dst+"/child"))

	code, out, _ = replicate("-r", src, dst)
	require.Equal(t, 0, code)
	assert.Contains(t, out, dst+": skipped: the target has @s3")

	zfs("snapshot", dst+"/child@mine")
	zfs("snapshot", "-r", src+"@s4")
	code, _, stderr := replicate("-r", src, dst)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "target has snapshots after the common base")
	assert.Contains(t, zfs("list", "-H", "-o", "name", "-t", "snapshot", dst+"/child"), dst+"/child@mine", "left alone")
	code, out, _ = replicate("-r", "-F", src, dst)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "forced: rolled back to "+dst+"/child@s3")

	// The daemon: one run at once, then every hour; its status over HTTP.
	zfs("snapshot", "-r", src+"@s5")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	dctx, stop := context.WithCancel(ctx)
	done := make(chan int, 1)
	go func() {
		done <- run(dctx, []string{"-r", "-every", "1h", "-http", addr, src, dst}, &bytes.Buffer{}, &bytes.Buffer{})
	}()
	var st status
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/status")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		st = status{}
		return json.NewDecoder(resp.Body).Decode(&st) == nil && st.Runs >= 1
	}, 2*time.Minute, 200*time.Millisecond)
	stop()
	assert.Equal(t, 0, <-done)
	assert.Equal(t, 0, st.Failed, st.LastError)
	require.Len(t, st.Datasets, 2)
	assert.Equal(t, []string{dst + "@s5"}, st.Datasets[0].Sent)
}
