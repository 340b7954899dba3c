//go:build zfs

package retention_test

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/ztest"
	"github.com/gozfs/gozfs/retention"
	"github.com/gozfs/gozfs/zfs"
)

// recorder runs commands with command.Exec, records their argv and calls
// before (if set) first.
type recorder struct {
	mu     sync.Mutex
	calls  [][]string
	before func(argv []string)
}

func (r *recorder) Run(ctx context.Context, c *command.Cmd) error {
	r.mu.Lock()
	r.calls = append(r.calls, c.Argv())
	before := r.before
	r.mu.Unlock()
	if before != nil {
		before(c.Argv())
	}
	return (&command.Exec{}).Run(ctx, c)
}

func (r *recorder) count(sub string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.calls {
		if len(c) > 1 && c[1] == sub {
			n++
		}
	}
	return n
}

func integrationCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// snapNames lists the short names of a dataset's snapshots, oldest first:
// by createtxg, then creation, then name, as the policy orders them
// (snapshots taken concurrently share a transaction group).
func snapNames(t *testing.T, ds string) []string {
	out := ztest.Run(t, "zfs", "list", "-H", "-p", "-o", "name,createtxg,creation", "-t", "snapshot", "-d", "1", ds)
	type row struct {
		name          string
		txg, creation uint64
	}
	var rows []row
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		f := strings.Split(l, "\t")
		require.Len(t, f, 3, "%q", l)
		txg, err := strconv.ParseUint(f[1], 10, 64)
		require.NoError(t, err)
		creation, err := strconv.ParseUint(f[2], 10, 64)
		require.NoError(t, err)
		rows = append(rows, row{f[0], txg, creation})
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.txg, b.txg), cmp.Compare(a.creation, b.creation), strings.Compare(a.name, b.name))
	})
	var names []string
	for _, r := range rows {
		names = append(names, r.name[len(ds)+1:])
	}
	return names
}

// Pruning a dataset with 200 snapshots with a grid policy destroys exactly
// what the plan says, with one zfs destroy.
//
// The snapshots are taken by a few zfs snapshot commands at a time: in the
// emulated lab each command costs about a second, mostly starting zfs and
// waiting for its transaction group, and 200 of them one after another took
// minutes. The grid has no keep=all entry and buckets of a second and a
// minute, so it thins the snapshots out however fast they were taken (a fast
// machine takes all 200 within a few seconds, the lab under load within
// minutes) and destroys well over half of them.
func TestIntegrationPruneGrid200(t *testing.T) {
	p := ztest.NewPool(t, ztest.PoolOptions{})
	fs := p.Name + "/data"
	ztest.Run(t, "zfs", "create", fs)
	mnt := filepath.Join(p.AltRoot, fs)
	start := time.Now()
	const n, workers = 200, 4
	next := make(chan int)
	errc := make(chan error, workers)
	for range workers {
		go func() {
			var err error
			for i := range next {
				if err != nil {
					continue
				}
				if err = os.WriteFile(filepath.Join(mnt, fmt.Sprintf("f%03d", i)), []byte(fmt.Sprint(i)), 0o644); err != nil {
					continue
				}
				_, err = ztest.Try("zfs", "snapshot", fmt.Sprintf("%s@auto-%03d", fs, i))
			}
			errc <- err
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	for range workers {
		require.NoError(t, <-errc)
	}
	ztest.Run(t, "zfs", "snapshot", fs+"@manual")
	t.Logf("%d snapshots taken in %v", n, time.Since(start).Round(time.Second))
	require.Len(t, snapNames(t, fs), n+1)
	ctx := integrationCtx(t)
	rec := &recorder{}
	c := zfs.New(zfs.ClientOptions{Runner: rec})
	policy := retention.Policy{
		Filter: retention.Filter{Prefix: "auto-"},
		Rules:  []retention.Rule{retention.KeepGrid{Grid: retention.MustParseGrid("60x1s | 60x1m | 24x1h")}},
	}
	now := time.Now()
	// The plan, from a listing of our own.
	snaps, err := retention.ListSnapshots(ctx, c, fs, retention.ListOptions{})
	require.NoError(t, err)
	require.Len(t, snaps, 201)
	plan, err := policy.Evaluate(snaps, retention.EvaluateOptions{Now: now})
	require.NoError(t, err)
	var kept []string
	for _, s := range plan.Kept() {
		kept = append(kept, s.ShortName())
	}
	require.Greater(t, len(plan.Destroy()), 100, "%s", plan)

	// A dry run, through the text path too, destroys nothing.
	text := zfs.New(zfs.ClientOptions{Runner: rec, TextOutput: true})
	dry, err := retention.Prune(ctx, text, fs, policy, retention.PruneOptions{Now: now, DryRun: true})
	require.NoError(t, err)
	assert.Len(t, snapNames(t, fs), 201)
	assert.Len(t, dry.Destroyed, len(plan.Destroy()))
	assert.True(t, dry.ReclaimExact)

	before := rec.count("destroy")
	res, err := retention.Prune(ctx, c, fs, policy, retention.PruneOptions{Now: now})
	require.NoError(t, err)
	assert.Equal(t, 1, rec.count("destroy")-before, "one zfs destroy for the dataset")
	assert.Len(t, res.Destroyed, len(plan.Destroy()))
	assert.Equal(t, kept, snapNames(t, fs), "what remains is what the plan keeps")
	assert.Contains(t, kept, "manual", "not the policy's (and the newest)")
}

// A snapshot held at listing time is kept; one held between the listing
// and the destroy is reported, and the others are destroyed.
func TestIntegrationPruneHeld(t *testing.T) {
	p := ztest.NewPool(t, ztest.PoolOptions{})
	ctx := integrationCtx(t)
	fs := p.Name + "/data"
	ztest.Run(t, "zfs", "create", fs)
	for i := range 6 {
		ztest.Run(t, "zfs", "snapshot", fmt.Sprintf("%s@auto-%d", fs, i))
	}
	ztest.Run(t, "zfs", "hold", "early", fs+"@auto-0")
	t.Cleanup(func() {
		ztest.Try("zfs", "release", "early", fs+"@auto-0")
		ztest.Try("zfs", "release", "late", fs+"@auto-1")
	})
	rec := &recorder{}
	rec.before = func(argv []string) {
		if argv[1] == "destroy" && !slices.Contains(argv, "-n") {
			ztest.Run(t, "zfs", "hold", "late", fs+"@auto-1")
			rec.before = nil
		}
	}
	c := zfs.New(zfs.ClientOptions{Runner: rec})
	policy := retention.Policy{Rules: []retention.Rule{retention.KeepLast{N: 2}}}
	res, err := retention.Prune(ctx, c, fs, policy, retention.PruneOptions{})
	require.Error(t, err)
	assert.True(t, errors.Is(err, errors.ErrBusy), "%v", err)
	require.Len(t, res.Failed, 1)
	assert.Equal(t, fs+"@auto-1", res.Failed[0].Snapshot)
	assert.Equal(t, []string{fs + "@auto-2", fs + "@auto-3"}, res.Destroyed)
	assert.Equal(t, []string{"auto-0", "auto-1", "auto-4", "auto-5"}, snapNames(t, fs))
	assert.Equal(t, retention.Held, res.Plan.Decisions[0].Reason)
	assert.Contains(t, res.Plan.String(), "held (1 hold)")
}

// A dry run reports what would go and the space freed, and destroys
// nothing.
func TestIntegrationPruneDryRun(t *testing.T) {
	p := ztest.NewPool(t, ztest.PoolOptions{})
	ctx := integrationCtx(t)
	fs := p.Name + "/data"
	ztest.Run(t, "zfs", "create", "-o", "compression=off", fs)
	mnt := filepath.Join(p.AltRoot, fs)
	for i := range 5 {
		require.NoError(t, os.WriteFile(filepath.Join(mnt, "f"), make([]byte, 1<<20+i), 0o644))
		ztest.Run(t, "zfs", "snapshot", fmt.Sprintf("%s@auto-%d", fs, i))
	}
	ztest.Run(t, "zpool", "sync", p.Name)
	c := zfs.New(zfs.ClientOptions{})
	policy := retention.Policy{Rules: []retention.Rule{retention.KeepLast{N: 2}}}
	res, err := retention.Prune(ctx, c, p.Name, policy, retention.PruneOptions{Recursive: true, DryRun: true})
	require.NoError(t, err)
	assert.True(t, res.DryRun)
	assert.Equal(t, []string{fs + "@auto-0", fs + "@auto-1", fs + "@auto-2"}, res.Destroyed)
	assert.True(t, res.ReclaimExact)
	assert.Greater(t, res.Reclaim, uint64(3<<20-1<<18), "each snapshot holds a 1 MiB file of its own")
	assert.Len(t, snapNames(t, fs), 5, "nothing destroyed")
}
