//go:build zfs

package zpool

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/ztest"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lab is a directory of sparse vdev files and an altroot for pools made by
// the code under test.
type lab struct {
	dir, root string
}

func newLab(t *testing.T) *lab {
	t.Helper()
	ztest.Require(t)
	d := ztest.Dir(t)
	return &lab{dir: d, root: filepath.Join(d, "root")}
}

// files makes n sparse files of 128 MiB and returns their paths.
func (l *lab) files(t *testing.T, prefix string, n int) []string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		p := filepath.Join(l.dir, fmt.Sprintf("%s%d", prefix, i))
		require.NoError(t, os.WriteFile(p, nil, 0o600))
		require.NoError(t, os.Truncate(p, 128<<20))
		out = append(out, p)
	}
	return out
}

// create makes a pool with the client under test and destroys it at the
// end of the test.
func (l *lab) create(t *testing.T, c *Client, layout Layout) string {
	t.Helper()
	name := ztest.UniqueName("gzp")
	err := c.Create(context.Background(), name, layout, CreateOptions{
		AltRoot: l.root, Properties: map[string]string{"cachefile": "none"},
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		if _, err := ztest.Try("zpool", "destroy", "-f", name); err != nil && !strings.Contains(err.Error(), "no such pool") {
			assert.NoError(t, err, "destroy %s", name)
		}
	})
	return name
}

// clients returns a client with JSON output and one with text output,
// sharing one runner.
func clients() map[string]*Client {
	return map[string]*Client{
		"json": New(zfs.New(zfs.ClientOptions{})),
		"text": New(zfs.New(zfs.ClientOptions{TextOutput: true})),
	}
}

// shape summarizes a vdev tree for comparing the two output paths.
func shape(vs []*Vdev) []string {
	var out []string
	var walk func(v *Vdev, depth int)
	walk = func(v *Vdev, depth int) {
		out = append(out, fmt.Sprintf("%s%s %s %s %s", strings.Repeat(" ", depth), v.Name, v.Type, v.Class, v.State))
		for _, c := range v.Children {
			walk(c, depth+1)
		}
	}
	for _, v := range vs {
		walk(v, 0)
	}
	return out
}

func TestIntegrationMirrorLifecycle(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	c := New(nil)
	devs := l.files(t, "m", 2)
	pool := l.create(t, c, Layout{Vdevs: []VdevSpec{Mirror(devs...)}})

	// Properties and status agree on both output paths.
	var guid uint64
	for name, cl := range clients() {
		p, err := cl.Pool(ctx, pool)
		require.NoError(t, err, name)
		assert.Equal(t, Online, p.Health, name)
		assert.Greater(t, p.Size, uint64(64<<20), name)
		assert.Equal(t, p.Size, p.Allocated+p.Free, name)
		assert.Equal(t, l.root, p.AltRoot, name)
		assert.False(t, p.ReadOnly, name)
		assert.Equal(t, 1.0, p.DedupRatio, name)
		assert.Equal(t, FeatureActive, p.Features["lz4_compress"], name)
		assert.NotZero(t, p.GUID, name)
		if guid == 0 {
			guid = p.GUID
		}
		assert.Equal(t, guid, p.GUID, "%s: the same GUID on both paths", name)

		st, err := cl.Status(ctx, pool)
		require.NoError(t, err, name)
		assert.Equal(t, Online, st.State)
		assert.Equal(t, []string{
			pool + " root normal ONLINE",
			" mirror-0 mirror normal ONLINE",
			"  " + devs[0] + " file normal ONLINE",
			"  " + devs[1] + " file normal ONLINE",
		}, shape([]*Vdev{st.Root}), name)
		assert.Equal(t, devs[0], st.Root.Children[0].Children[0].Path, name)
		assert.Equal(t, ProgressNone, st.Root.Children[0].Children[0].Trim.State, name)
		assert.Nil(t, st.Scan, name)
		assert.Zero(t, st.ErrorCount, name)
	}

	// Offline one side: DEGRADED; online again: ONLINE after resilver.
	require.NoError(t, c.Offline(ctx, pool, OfflineOptions{Temporary: true}, devs[0]))
	for name, cl := range clients() {
		st, err := cl.Status(ctx, pool)
		require.NoError(t, err)
		assert.Equal(t, Degraded, st.State, name)
		assert.Equal(t, Offline, st.Vdev(devs[0]).State, name)
		assert.Equal(t, Degraded, st.Vdev("mirror-0").State, name)
		assert.NotEmpty(t, st.Status, name)
		assert.NotEmpty(t, st.Action, name)
	}
	h, err := c.Health(ctx, pool)
	require.NoError(t, err)
	assert.Equal(t, Degraded, h)
	require.NoError(t, c.Online(ctx, pool, OnlineOptions{}, devs[0]))
	require.NoError(t, c.Wait(ctx, pool, ActivityResilver))
	h, err = c.Health(ctx, pool)
	require.NoError(t, err)
	assert.Equal(t, Online, h)

	// Scrub and wait.
	require.NoError(t, c.Scrub(ctx, pool, ScrubOptions{}))
	require.NoError(t, c.Wait(ctx, pool, ActivityScrub))
	for name, cl := range clients() {
		st, err := cl.Status(ctx, pool)
		require.NoError(t, err)
		require.NotNil(t, st.Scan, name)
		assert.Equal(t, ScanScrub, st.Scan.Function, name)
		assert.Equal(t, ScanFinished, st.Scan.State, name)
		assert.Equal(t, 100.0, st.Scan.Percent, name)
		assert.WithinDuration(t, time.Now(), st.Scan.End, 10*time.Minute, name)
	}
	// Pausing a finished scrub succeeds (2.1 says there is no active scrub);
	// stopping one fails.
	v, err := c.ZFS().Version(ctx)
	require.NoError(t, err)
	var se *errors.Error
	if v.AtLeast(2, 2) {
		assert.NoError(t, c.PauseScrub(ctx, pool))
	} else {
		err = c.PauseScrub(ctx, pool)
		require.ErrorAs(t, err, &se)
		assert.Contains(t, se.Stderr, "there is no active scrub")
	}
	err = c.StopScrub(ctx, pool)
	require.Error(t, err)
	require.ErrorAs(t, err, &se)
	assert.Contains(t, se.Stderr, "there is no active scrub")

	// Checkpoint.
	require.NoError(t, c.Checkpoint(ctx, pool))
	assert.ErrorIs(t, c.Checkpoint(ctx, pool), errors.ErrExist)
	for name, cl := range clients() {
		st, err := cl.Status(ctx, pool)
		require.NoError(t, err)
		require.NotNil(t, st.Checkpoint, name)
		assert.False(t, st.Checkpoint.Discarding, name)
		assert.WithinDuration(t, time.Now(), st.Checkpoint.Created, 10*time.Minute, name)
		p, err := cl.Pool(ctx, pool)
		require.NoError(t, err)
		assert.NotZero(t, p.Checkpoint, name)
	}
	require.NoError(t, c.DiscardCheckpoint(ctx, pool, true))
	assert.ErrorIs(t, c.DiscardCheckpoint(ctx, pool, false), errors.ErrNotExist)

	// Properties: set and get, user properties included (2.2 and later; 2.1
	// has no pool user properties: Set refuses them before running zpool,
	// which would say "invalid property").
	require.NoError(t, c.Set(ctx, pool, "comment", "gozfs test"))
	userProps := v.AtLeast(2, 2)
	if userProps {
		require.NoError(t, c.Set(ctx, pool, "org.gozfs:tag", "blue"))
	} else {
		assert.ErrorIs(t, c.Set(ctx, pool, "org.gozfs:tag", "blue"), errors.ErrNotSupported)
	}
	names := []string{"comment"}
	if userProps {
		names = append(names, "org.gozfs:tag")
	}
	for name, cl := range clients() {
		props, err := cl.Get(ctx, pool, names...)
		require.NoError(t, err)
		assert.Equal(t, zfs.Property{Name: "comment", Value: "gozfs test", Source: zfs.Source{Kind: zfs.SourceLocal}}, props.Property("comment"), name)
		if userProps {
			assert.Equal(t, "blue", props.Property("org.gozfs:tag").Value, name)
		}
	}
	assert.ErrorIs(t, c.Set(ctx, pool, "nosuchprop", "1"), errors.ErrInvalidArgument)

	// TRIM of file vdevs, waited for.
	require.NoError(t, c.Trim(ctx, pool, TrimOptions{Wait: true}))
	st, err := c.Status(ctx, pool)
	require.NoError(t, err)
	assert.Equal(t, ProgressComplete, st.Vdev(devs[1]).Trim.State)

	// Attach a third side, then detach it.
	extra := l.files(t, "x", 1)[0]
	require.NoError(t, c.Attach(ctx, pool, devs[1], extra, AttachOptions{Wait: true}))
	st, err = c.Status(ctx, pool)
	require.NoError(t, err)
	assert.Len(t, st.Vdev("mirror-0").Children, 3)
	require.NoError(t, c.Detach(ctx, pool, extra))

	// One iostat sample, with vdevs.
	s, err := c.Iostat(ctx, 0, IostatOptions{Pools: []string{pool}, Vdevs: true})
	require.NoError(t, err)
	p := s.Pool(pool)
	require.NotNil(t, p)
	assert.NotZero(t, p.Alloc+p.Free)
	require.Len(t, p.Vdevs, 1)
	assert.Equal(t, "mirror-0", p.Vdevs[0].Name)
	assert.Len(t, p.Vdevs[0].Children, 2)

	// History.
	evs, err := c.History(ctx, pool, HistoryOptions{Internal: true})
	require.NoError(t, err)
	require.NotEmpty(t, evs)
	var sawCreate, sawInternal bool
	for _, ev := range evs {
		sawCreate = sawCreate || (ev.Kind == HistoryCommand && strings.HasPrefix(ev.Text, "zpool create"))
		sawInternal = sawInternal || ev.Kind == HistoryInternal
	}
	assert.True(t, sawCreate)
	assert.True(t, sawInternal)

	// Export, find by directory search, import by GUID under a new name,
	// read-only.
	require.NoError(t, c.Export(ctx, pool, ExportOptions{}))
	_, err = c.Status(ctx, pool)
	assert.ErrorIs(t, err, errors.ErrNotExist)
	found, err := c.ImportList(ctx, ImportSource{Dirs: []string{l.dir}})
	require.NoError(t, err)
	var ip *ImportablePool
	for _, f := range found {
		if f.Name == pool {
			ip = f
		}
	}
	require.NotNil(t, ip, "pool found by directory search")
	assert.Equal(t, guid, ip.GUID)
	assert.Equal(t, Online, ip.State)
	require.NotNil(t, ip.Root)
	assert.Equal(t, "mirror-0", ip.Root.Children[0].Name)
	renamed := pool + "r"
	require.NoError(t, c.Import(ctx, fmt.Sprint(guid), ImportOptions{
		Source: ImportSource{Dirs: []string{l.dir}}, NewName: renamed,
		ReadOnly: true, AltRoot: l.root, NoCacheFile: true, NoMount: true,
	}))
	t.Cleanup(func() { _, _ = ztest.Try("zpool", "destroy", "-f", renamed) })
	rp, err := c.Pool(ctx, renamed)
	require.NoError(t, err)
	assert.True(t, rp.ReadOnly)
	assert.Equal(t, guid, rp.GUID)
	require.NoError(t, c.Export(ctx, renamed, ExportOptions{}))
	err = c.Import(ctx, pool, ImportOptions{Source: ImportSource{Dirs: []string{l.dir}}, AltRoot: l.root, NoCacheFile: true})
	require.NoError(t, err)
	require.NoError(t, c.Destroy(ctx, pool, DestroyOptions{}))
	_, err = c.Pool(ctx, pool)
	assert.ErrorIs(t, err, errors.ErrNotExist)
}

func TestIntegrationLayoutsAndClasses(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	c := New(nil)
	r := l.files(t, "r", 3)
	logs := l.files(t, "l", 2)
	cache := l.files(t, "c", 1)
	spare := l.files(t, "s", 1)
	special := l.files(t, "sp", 2)
	pool := l.create(t, c, Layout{
		Vdevs:   []VdevSpec{RAIDZ(1, r...)},
		Logs:    []VdevSpec{Mirror(logs...)},
		Special: []VdevSpec{Mirror(special...)},
		Cache:   cache,
		Spares:  spare,
	})
	want := map[string][]string{}
	for name, cl := range clients() {
		st, err := cl.Status(ctx, pool)
		require.NoError(t, err, name)
		assert.Equal(t, TypeRAIDZ, st.Root.Children[0].Type, name)
		assert.Equal(t, "raidz1-0", st.Root.Children[0].Name, name)
		require.Len(t, st.Logs, 1, name)
		assert.Equal(t, TypeMirror, st.Logs[0].Type, name)
		require.Len(t, st.Special, 1, name)
		require.Len(t, st.Cache, 1, name)
		assert.Equal(t, cache[0], st.Cache[0].Name, name)
		require.Len(t, st.Spares, 1, name)
		assert.Equal(t, Avail, st.Spares[0].State, name)
		all := shape(st.Vdevs())
		want[name] = all
	}
	assert.Equal(t, want["json"], want["text"], "both output paths give the same tree")

	// A dRAID pool.
	d := l.files(t, "d", 5)
	dpool := l.create(t, c, Layout{Vdevs: []VdevSpec{DRAID(DRAIDConfig{Parity: 1, Data: 2, Children: 5, Spares: 1}, d...)}})
	for name, cl := range clients() {
		st, err := cl.Status(ctx, dpool)
		require.NoError(t, err, name)
		assert.Equal(t, TypeDRAID, st.Root.Children[0].Type, name)
		assert.Equal(t, "draid1:2d:5c:1s-0", st.Root.Children[0].Name, name)
		require.Len(t, st.Spares, 1, name)
		assert.Equal(t, TypeDistributedSpare, st.Spares[0].Type, name)
	}

	// Dry run.
	n := l.files(t, "n", 2)
	out, err := c.CreateDryRun(ctx, ztest.UniqueName("gzdry"), Layout{Vdevs: []VdevSpec{Mirror(n...)}}, CreateOptions{})
	require.NoError(t, err)
	assert.Contains(t, out, "mirror")
	assert.Contains(t, out, n[0])

	// Every pool, listed in one command.
	pools, err := c.Pools(ctx)
	require.NoError(t, err)
	names := map[string]bool{}
	for _, p := range pools {
		names[p.Name] = true
	}
	assert.True(t, names[pool] && names[dpool])
}

func TestIntegrationErrors(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	c := New(nil)
	f := l.files(t, "f", 2)
	pool := l.create(t, c, Layout{Vdevs: []VdevSpec{Disk(f[0])}})

	_, err := c.Status(ctx, "gznosuchpool")
	assert.ErrorIs(t, err, errors.ErrNotExist)
	_, err = c.Pool(ctx, "gznosuchpool")
	assert.ErrorIs(t, err, errors.ErrNotExist)
	assert.ErrorIs(t, c.Destroy(ctx, "gznosuchpool", DestroyOptions{}), errors.ErrNotExist)
	_, err = c.Iostat(ctx, 0, IostatOptions{Pools: []string{"gznosuchpool"}})
	assert.ErrorIs(t, err, errors.ErrNotExist)
	err = c.Import(ctx, "gznosuchpool", ImportOptions{Source: ImportSource{Dirs: []string{l.dir}}})
	assert.ErrorIs(t, err, errors.ErrNotExist)

	err = c.Create(ctx, pool, Layout{Vdevs: []VdevSpec{Disk(f[1])}}, CreateOptions{Mountpoint: "none", Properties: map[string]string{"cachefile": "none"}})
	assert.ErrorIs(t, err, errors.ErrExist)

	err = c.Offline(ctx, pool, OfflineOptions{}, f[0])
	require.Error(t, err, "no valid replicas")
	var e *errors.Error
	require.ErrorAs(t, err, &e)
	assert.Contains(t, e.Stderr, "no valid replicas")

	err = c.Create(ctx, "bad name!", Layout{Vdevs: []VdevSpec{Disk(f[1])}}, CreateOptions{})
	assert.ErrorIs(t, err, errors.ErrInvalidName)
	require.ErrorAs(t, err, &e)
	assert.Nil(t, e.Argv, "nothing ran")

	// Wait returns at once when nothing is going on, and a cancelled
	// context stops it.
	require.NoError(t, c.Wait(ctx, pool, ActivityScrub, ActivityTrim))
	require.NoError(t, c.Sync(ctx, pool))
	require.NoError(t, c.Sync(ctx))
	assert.ErrorIs(t, c.Sync(ctx, "nosuchpool"), errors.ErrNotExist)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, c.Wait(cctx, pool), context.Canceled)
}

func TestIntegrationIostatStream(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	c := New(nil)
	pool := l.create(t, c, Layout{Vdevs: []VdevSpec{Disk(l.files(t, "f", 1)[0])}})
	var got []*IostatSample
	start := time.Now()
	for s, err := range c.IostatStream(ctx, time.Second, 0, IostatOptions{Pools: []string{pool}}) {
		require.NoError(t, err)
		got = append(got, s)
		if len(got) == 2 {
			break
		}
	}
	require.Len(t, got, 2)
	assert.Less(t, time.Since(start), time.Minute)
	for _, s := range got {
		require.NotNil(t, s.Pool(pool))
		assert.NotZero(t, s.Pool(pool).Free)
		assert.False(t, s.Time.IsZero())
	}
	// The zpool process is gone: the pool can be exported at once.
	require.NoError(t, c.Export(ctx, pool, ExportOptions{}))
}
