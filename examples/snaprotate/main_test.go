package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const snapList = "tank/a@auto-20240101-000000\tsnapshot\t1\t10\t1704067200\n" +
	"tank/a@manual\tsnapshot\t2\t11\t1704067300\n" +
	"tank/a@auto-20240101-010000\tsnapshot\t3\t12\t1704070800\n" +
	"tank/a@auto-20240101-020000\tsnapshot\t4\t13\t1704074400\n"

func TestRotate(t *testing.T) {
	now := time.Date(2024, 1, 1, 3, 0, 0, 0, time.UTC)
	f := commandtest.New(t).InOrder()
	list := []string{"zfs", "list", "-H", "-p", "-d", "1", "-t", "snapshot", "-o", "name,type,guid,createtxg,creation", "-s", "createtxg", "tank/a"}
	f.Expect(list...).Stdout(snapList)
	f.Expect("zfs", "snapshot", "-r", "tank/a@auto-20240101-030000")
	f.Expect("zfs", "list", "-H", "-p", "-t", "snapshot", "-o", "name,type,guid,createtxg,creation", "tank/a@auto-20240101-030000").
		Stdout("tank/a@auto-20240101-030000\tsnapshot\t5\t14\t1704078000\n")
	// Keep 2: the new one and the newest old one; one batch for the rest,
	// in which one snapshot is held.
	f.Expect("zfs", "destroy", "-r", "tank/a@auto-20240101-000000,auto-20240101-010000").
		Stderr("cannot destroy snapshot tank/a@auto-20240101-000000: it's being held. Run 'zfs holds -r tank/a@auto-20240101-000000' to see holders.\n").Exit(1)
	f.Expect("zfs", "destroy", "-r", "tank/a@auto-20240101-010000")
	c := zfs.New(zfs.ClientOptions{Runner: f, TextOutput: true, Version: zfs.Version{Major: 2, Minor: 3}})
	var out, errb bytes.Buffer
	rc := run(context.Background(), c, now, []string{"-keep", "2", "-r", "tank/a"}, &out, &errb)
	require.Equal(t, 1, rc, "exit code, want 1 (a held snapshot)")
	want := "created tank/a@auto-20240101-030000\ndestroyed tank/a@auto-20240101-010000\n"
	assert.Equal(t, want, out.String())
	assert.Contains(t, errb.String(), "auto-20240101-000000", "held snapshot not reported")

	// Dry run: nothing is created or destroyed.
	f.Expect(list...).Stdout(snapList)
	f.Expect("zfs", "destroy", "-n", "-v", "-p", "tank/a@auto-20240101-000000,auto-20240101-010000,auto-20240101-020000").
		Stdout("destroy\ttank/a@auto-20240101-000000\ndestroy\ttank/a@auto-20240101-010000\ndestroy\ttank/a@auto-20240101-020000\nreclaim\t4096\n")
	out.Reset()
	rc = run(context.Background(), c, now, []string{"-n", "-keep", "1", "tank/a"}, &out, &errb)
	require.Equal(t, 0, rc, "dry run: %s", errb.String())
	want = "would create tank/a@auto-20240101-030000\nwould destroy tank/a@auto-20240101-000000\nwould destroy tank/a@auto-20240101-010000\nwould destroy tank/a@auto-20240101-020000\nwould reclaim 4096 bytes\n"
	assert.Equal(t, want, out.String())
	assert.Equal(t, 2, run(context.Background(), c, now, []string{"-keep", "0", "tank/a"}, &out, &errb), "keep 0: exit code")
}
