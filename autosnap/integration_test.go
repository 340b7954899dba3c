//go:build zfs

package autosnap_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/autosnap"
	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/internal/ztest"
	"github.com/gozfs/gozfs/retention"
	"github.com/gozfs/gozfs/zfs"
)

// recorder runs commands with command.Exec and records their argv.
type recorder struct {
	mu    sync.Mutex
	calls [][]string
}

func (r *recorder) Run(ctx context.Context, c *command.Cmd) error {
	r.mu.Lock()
	r.calls = append(r.calls, c.Argv())
	r.mu.Unlock()
	return (&command.Exec{}).Run(ctx, c)
}

func (r *recorder) snapshotCalls() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]string
	for _, c := range r.calls {
		if c[1] == "snapshot" {
			out = append(out, c)
		}
	}
	return out
}

// snapTXGs returns the snapshots under root named short, with their
// createtxg.
func snapTXGs(t *testing.T, root, short string) map[string]string {
	out := ztest.Run(t, "zfs", "list", "-H", "-p", "-o", "name,createtxg", "-t", "snapshot", "-r", root)
	m := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		name, txg, _ := strings.Cut(l, "\t")
		if strings.HasSuffix(name, "@"+short) {
			m[strings.TrimSuffix(name, "@"+short)] = txg
		}
	}
	return m
}

func treePool(t *testing.T) (string, *recorder, *zfs.Client) {
	p := ztest.NewPool(t, ztest.PoolOptions{})
	for _, ds := range []string{"a", "a/x", "a/y", "b", "b/z"} {
		ztest.Run(t, "zfs", "create", p.Name+"/"+ds)
	}
	ztest.Run(t, "zfs", "create", "-V", "16M", p.Name+"/vol")
	rec := &recorder{}
	return p.Name, rec, zfs.New(zfs.ClientOptions{Runner: rec})
}

// A tree opted in as a whole is snapshotted with one zfs snapshot -r, in
// one transaction group.
func TestIntegrationAutosnapRecursive(t *testing.T) {
	pool, rec, c := treePool(t)
	ctx := context.Background()
	now := time.Now()
	res, err := autosnap.Run(ctx, c, autosnap.Options{
		Roots: []string{pool}, Recursive: true, Now: now,
		Labels: []autosnap.Label{{Name: "hourly", Keep: []retention.Rule{retention.KeepLast{N: 2}}}},
	})
	require.NoError(t, err)
	short := autosnap.ZFSAutoSnapshot().Name("hourly", now.UTC())
	assert.Equal(t, [][]string{{"zfs", "snapshot", "-r", pool + "@" + short}}, rec.snapshotCalls())
	txgs := snapTXGs(t, pool, short)
	assert.Len(t, txgs, 7)
	for ds, txg := range txgs {
		assert.Equal(t, txgs[pool], txg, "%s: atomic", ds)
	}
	assert.Len(t, res.Created, 7)
}

// Opt-in and opt-out by property, inherited: one atomic command per label
// naming every dataset taken; subtrees opted in as a whole with -r.
func TestIntegrationAutosnapOptInOut(t *testing.T) {
	pool, rec, c := treePool(t)
	ztest.Run(t, "zfs", "set", "com.sun:auto-snapshot=false", pool+"/b")          // b and b/z
	ztest.Run(t, "zfs", "set", "com.sun:auto-snapshot:hourly=true", pool+"/b/z")  // ... but b/z for hourly
	ztest.Run(t, "zfs", "set", "com.sun:auto-snapshot:hourly=false", pool+"/a/y") // a/y not hourly
	ztest.Run(t, "zfs", "set", "com.sun:auto-snapshot=false", pool+"/vol")
	ctx := context.Background()
	now := time.Now()
	res, err := autosnap.Run(ctx, c, autosnap.Options{
		Roots: []string{pool}, Recursive: true, Now: now, Naming: autosnap.Sanoid(),
		Labels: []autosnap.Label{{Name: "hourly"}, {Name: "daily"}},
	})
	require.NoError(t, err)
	hourly := autosnap.Sanoid().Name("hourly", now.UTC())
	daily := autosnap.Sanoid().Name("daily", now.UTC())
	calls := rec.snapshotCalls()
	require.Len(t, calls, 2)
	assert.Equal(t, []string{"zfs", "snapshot", pool + "@" + hourly, pool + "/a@" + hourly, pool + "/a/x@" + hourly, pool + "/b/z@" + hourly}, calls[0])
	assert.Equal(t, []string{"zfs", "snapshot", pool + "@" + daily, pool + "/a@" + daily, pool + "/a/x@" + daily, pool + "/a/y@" + daily}, calls[1])
	h := snapTXGs(t, pool, hourly)
	assert.ElementsMatch(t, []string{pool, pool + "/a", pool + "/a/x", pool + "/b/z"}, keys(h))
	for _, txg := range h {
		assert.Equal(t, h[pool], txg, "atomic")
	}
	d := snapTXGs(t, pool, daily)
	assert.ElementsMatch(t, []string{pool, pool + "/a", pool + "/a/x", pool + "/a/y"}, keys(d))
	assert.Len(t, res.Created, 8)
	assert.Contains(t, res.Plan.String(), "skip "+pool+"/b: opted out (com.sun:auto-snapshot=false)")
}

// Subtrees opted in as a whole, under a root that is not: -r on their tops.
func TestIntegrationAutosnapSubtrees(t *testing.T) {
	pool, rec, c := treePool(t)
	ztest.Run(t, "zfs", "set", "com.sun:auto-snapshot=false", pool)
	ztest.Run(t, "zfs", "set", "com.sun:auto-snapshot=true", pool+"/a")
	ztest.Run(t, "zfs", "set", "com.sun:auto-snapshot=true", pool+"/b")
	now := time.Now()
	_, err := autosnap.Run(context.Background(), c, autosnap.Options{
		Roots: []string{pool}, Recursive: true, Now: now, Labels: []autosnap.Label{{Name: "daily"}},
	})
	require.NoError(t, err)
	short := autosnap.ZFSAutoSnapshot().Name("daily", now.UTC())
	assert.Equal(t, [][]string{{"zfs", "snapshot", "-r", pool + "/a@" + short, pool + "/b@" + short}}, rec.snapshotCalls())
	txgs := snapTXGs(t, pool, short)
	assert.ElementsMatch(t, []string{pool + "/a", pool + "/a/x", pool + "/a/y", pool + "/b", pool + "/b/z"}, keys(txgs))
	for _, txg := range txgs {
		assert.Equal(t, txgs[pool+"/a"], txg, "atomic")
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
