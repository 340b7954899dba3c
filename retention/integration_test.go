//go:build zfs

package retention_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

// snapNames lists the short names of a dataset's snapshots, oldest first.
func snapNames(t *testing.T, ds string) []string {
	out := ztest.Run(t, "zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-s", "createtxg", "-d", "1", ds)
	var names []string
	for _, l := range slices.DeleteFunc(splitLines(out), func(s string) bool { return s == "" }) {
		names = append(names, l[len(ds)+1:])
	}
	return names
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// Pruning a dataset with 200 snapshots with a grid policy destroys exactly
// what the plan says, with one zfs destroy.
func TestIntegrationPruneGrid200(t *testing.T) {
	p := ztest.NewPool(t, ztest.PoolOptions{})
	fs := p.Name + "/data"
	ztest.Run(t, "zfs", "create", fs)
	mnt := filepath.Join(p.AltRoot, fs)
	start := time.Now()
	for i := range 200 {
		require.NoError(t, os.WriteFile(filepath.Join(mnt, "f"), []byte(fmt.Sprint(i)), 0o644))
		ztest.Run(t, "zfs", "snapshot", fmt.Sprintf("%s@auto-%03d", fs, i))
	}
	ztest.Run(t, "zfs", "snapshot", fs+"@manual")
	t.Logf("200 snapshots taken in %v", time.Since(start).Round(time.Second))
	ctx := integrationCtx(t)
	rec := &recorder{}
	c := zfs.New(zfs.ClientOptions{Runner: rec})
	policy := retention.Policy{
		Filter: retention.Filter{Prefix: "auto-"},
		Rules:  []retention.Rule{retention.KeepGrid{Grid: retention.MustParseGrid("1x10s(keep=all) | 60x1m | 24x1h")}},
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
	assert.Contains(t, kept, "manual")
	assert.Contains(t, kept, "auto-199")
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
