//go:build zfs

package zfs_test

import (
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/ztest"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// counting wraps the exec runner and counts the commands it runs.
type counting struct {
	n atomic.Int64
	r command.Runner
}

func (c *counting) Run(ctx context.Context, cmd *command.Cmd) error {
	c.n.Add(1)
	return c.r.Run(ctx, cmd)
}

// clients returns a JSON client (when the installed zfs offers JSON) and a
// text client, each with its command counter.
func clients(t *testing.T) (map[string]*zfs.Client, map[string]*counting) {
	t.Helper()
	ctx := context.Background()
	v, err := zfs.New(zfs.ClientOptions{}).Version(ctx)
	require.NoError(t, err)
	cs := map[string]*zfs.Client{}
	ns := map[string]*counting{}
	for _, mode := range []string{"json", "text"} {
		if mode == "json" && !v.SupportsJSON() {
			continue
		}
		n := &counting{r: &command.Exec{}}
		cs[mode], ns[mode] = zfs.New(zfs.ClientOptions{Runner: n, Version: v, TextOutput: mode == "text"}), n
	}
	return cs, ns
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// byName indexes datasets by name.
func byName(ds []*zfs.Dataset) map[string]*zfs.Dataset {
	m := map[string]*zfs.Dataset{}
	for _, d := range ds {
		m[d.Name()] = d
	}
	return m
}

func smallPool(t *testing.T) *ztest.Pool {
	return ztest.NewPool(t, ztest.PoolOptions{Size: 128 << 20})
}

func TestIntegrationListing(t *testing.T) {
	ctx := ctxT(t)
	p := smallPool(t)
	P := p.Name
	ztest.Run(t, "zfs", "create", "-o", "com.example:note=hello", P+"/fs")
	ztest.Run(t, "zfs", "create", "-p", P+"/fs/a/b")
	ztest.Run(t, "zfs", "set", "com.example:tab=x\ty\nz", P+"/fs")
	ztest.Run(t, "zfs", "create", "-s", "-V", "8M", P+"/vol")
	ztest.Run(t, "zfs", "snapshot", "-r", P+"/fs@s1")
	ztest.Run(t, "zfs", "snapshot", P+"/fs@s2")
	ztest.Run(t, "zfs", "snapshot", P+"/fs@s0") // later, but sorts first by name
	ztest.Run(t, "zfs", "bookmark", P+"/fs@s1", P+"/fs#b1")
	guidOut := ztest.Run(t, "zfs", "get", "-H", "-p", "-o", "name,value", "-r", "-t", "all", "guid", P)
	guids := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(guidOut), "\n") {
		n, g, _ := strings.Cut(line, "\t")
		guids[n] = g
	}

	cs, ns := clients(t)
	for mode, c := range cs {
		t.Run(mode, func(t *testing.T) {
			before := ns[mode].n.Load()
			ds, err := c.List(ctx, zfs.ListOptions{
				Roots: []string{P}, Recursive: true,
				Types:      []zfs.Type{zfs.TypeFilesystem, zfs.TypeVolume, zfs.TypeSnapshot, zfs.TypeBookmark},
				Properties: []string{"used", "com.example:tab", "compressratio", "mounted", "creation"},
			})
			require.NoError(t, err)
			assert.Equal(t, int64(1), ns[mode].n.Load()-before, "one command per listing")
			assert.Len(t, ds, len(guids))
			m := map[string]*zfs.Dataset{}
			for _, d := range ds {
				m[d.Name()] = d
				assert.Equal(t, guids[d.Name()], stringOf(d.GUID()), d.Name())
				assert.NotZero(t, d.CreateTXG(), d.Name())
				assert.False(t, d.Creation().IsZero(), d.Name())
			}
			fs := m[P+"/fs"]
			require.NotNil(t, fs)
			tab := fs.Property("com.example:tab")
			assert.Equal(t, "x\ty\nz", tab.Value)
			assert.Equal(t, zfs.SourceLocal, tab.Source.Kind)
			child := m[P+"/fs/a/b"].Property("com.example:tab")
			assert.Equal(t, zfs.Source{Kind: zfs.SourceInherited, From: P + "/fs"}, child.Source)
			mounted, err := fs.Property("mounted").Bool()
			require.NoError(t, err)
			assert.True(t, mounted)
			_, err = fs.Property("used").Bytes()
			assert.NoError(t, err)
			_, err = fs.Property("compressratio").Ratio()
			assert.NoError(t, err)
			assert.Equal(t, zfs.TypeVolume, m[P+"/vol"].Type())
			assert.Equal(t, zfs.TypeBookmark, m[P+"/fs#b1"].Type())
			assert.Equal(t, m[P+"/fs@s1"].GUID(), m[P+"/fs#b1"].GUID())
			assert.Equal(t, zfs.SourceNone, m[P+"/vol"].Property("com.example:tab").Source.Kind)

			// Snapshots in creation order, whatever their names.
			fh := fs.AsFilesystem()
			snaps, err := fh.Snapshots(ctx)
			require.NoError(t, err)
			var short []string
			for _, s := range snaps {
				short = append(short, s.ShortName())
			}
			assert.Equal(t, []string{"s1", "s2", "s0"}, short)
			bms, err := fh.Bookmarks(ctx)
			require.NoError(t, err)
			require.Len(t, bms, 1)
			assert.Equal(t, snaps[0].GUID(), bms[0].GUID())

			// Depth and type filters.
			ds, err = c.List(ctx, zfs.ListOptions{Roots: []string{P}, Depth: 1})
			require.NoError(t, err)
			var got []string
			for _, d := range ds {
				got = append(got, d.Name())
			}
			assert.Equal(t, []string{P, P + "/fs", P + "/vol"}, got)

			// A sorted listing.
			ds, err = c.List(ctx, zfs.ListOptions{Roots: []string{P}, Recursive: true, Types: []zfs.Type{zfs.TypeSnapshot}, Properties: []string{"createtxg"}, Sort: []zfs.SortKey{{Property: "createtxg", Descending: true}}})
			require.NoError(t, err)
			require.NotEmpty(t, ds)
			assert.Equal(t, P+"/fs@s0", ds[0].Name())
			assert.True(t, slices.IsSortedFunc(ds, func(a, b *zfs.Dataset) int { return int(b.CreateTXG()) - int(a.CreateTXG()) }))

			// Without sources: on the text path one `zfs list` line per
			// dataset, parsed on the one-line path (no free-text column), with
			// the same values as the listing with sources.
			before = ns[mode].n.Load()
			ds, err = c.List(ctx, zfs.ListOptions{Roots: []string{P}, Recursive: true, Types: []zfs.Type{zfs.TypeFilesystem, zfs.TypeSnapshot}, Properties: []string{"used", "referenced", "mounted"}, NoSources: true})
			require.NoError(t, err)
			assert.Equal(t, int64(1), ns[mode].n.Load()-before, "one command per listing")
			require.Len(t, ds, 9) // P, fs, fs/a, fs/a/b and five snapshots
			for _, d := range ds {
				assert.Equal(t, guids[d.Name()], stringOf(d.GUID()), d.Name())
				_, err := d.Property("referenced").Bytes()
				assert.NoError(t, err, d.Name())
				if mode == "text" {
					assert.Equal(t, zfs.SourceUnknown, d.Property("used").Source.Kind, d.Name())
				}
			}
			assert.Equal(t, m[P+"/fs@s2"].Property("used").Value, byName(ds)[P+"/fs@s2"].Property("used").Value)

			// All properties.
			d, err := c.Dataset(ctx, P+"/fs", "all")
			require.NoError(t, err)
			assert.Greater(t, len(d.Properties()), 40)
			assert.True(t, d.Property("compression").IsSet())
			assert.Equal(t, zfs.SourceLocal, d.Property("com.example:note").Source.Kind)

			// Breaking out early stops the command; the client keeps working.
			n := 0
			for _, err := range c.Datasets(ctx, zfs.ListOptions{Roots: []string{P}, Recursive: true, Types: []zfs.Type{zfs.TypeSnapshot}}) {
				require.NoError(t, err)
				n++
				break
			}
			assert.Equal(t, 1, n)

			// Errors.
			_, err = c.Dataset(ctx, P+"/nope")
			assert.ErrorIs(t, err, errors.ErrNotExist)
			_, err = c.Filesystem(ctx, P+"/vol")
			assert.ErrorIs(t, err, errors.ErrInvalidArgument)
			before = ns[mode].n.Load()
			_, err = c.List(ctx, zfs.ListOptions{Roots: []string{"-rf"}})
			assert.ErrorIs(t, err, errors.ErrInvalidName)
			assert.Equal(t, before, ns[mode].n.Load(), "invalid names are rejected before running")
		})
	}
}

func stringOf(v uint64) string { return strconv.FormatUint(v, 10) }

func TestIntegrationLifecycle(t *testing.T) {
	ctx := ctxT(t)
	p := smallPool(t)
	P := p.Name
	cs, _ := clients(t)
	c := cs["text"]
	if jc, ok := cs["json"]; ok {
		c = jc
	}

	fs, err := c.CreateFilesystem(ctx, P+"/a/b", zfs.CreateOptions{Parents: true, Properties: map[string]string{"com.example:k": "v", "atime": "off"}})
	require.NoError(t, err)
	assert.NotZero(t, fs.GUID())
	ps, err := fs.Get(ctx, "atime", "com.example:k")
	require.NoError(t, err)
	assert.Equal(t, zfs.Property{Name: "atime", Value: "off", Source: zfs.Source{Kind: zfs.SourceLocal}}, ps.Property("atime"))
	_, err = c.CreateFilesystem(ctx, P+"/a/b", zfs.CreateOptions{})
	assert.ErrorIs(t, err, errors.ErrExist)

	vol, err := c.CreateVolume(ctx, P+"/v", zfs.VolumeOptions{Size: 4 << 20, Sparse: true, BlockSize: 16384})
	require.NoError(t, err)
	vps, err := vol.Get(ctx, "volsize", "volblocksize", "refreservation")
	require.NoError(t, err)
	assert.Equal(t, "4194304", vps.Property("volsize").Value)
	assert.Equal(t, "16384", vps.Property("volblocksize").Value)
	assert.Equal(t, "0", vps.Property("refreservation").Value)

	// Properties: set many at once, inherit recursively.
	require.NoError(t, fs.Set(ctx, map[string]string{"com.example:a": "1", "com.example:b": "two words"}))
	parent, err := c.Filesystem(ctx, P+"/a")
	require.NoError(t, err)
	require.NoError(t, parent.Set(ctx, map[string]string{"com.example:a": "p"}))
	require.NoError(t, parent.Inherit(ctx, zfs.InheritOptions{Recursive: true}, "com.example:a"))
	ps, err = fs.Get(ctx, "com.example:a", "com.example:b")
	require.NoError(t, err)
	assert.False(t, ps.Property("com.example:a").IsSet())
	assert.Equal(t, "two words", ps.Property("com.example:b").Value)
	var se *errors.Error
	require.ErrorAs(t, fs.Set(ctx, map[string]string{"atime": "maybe"}), &se)
	assert.Contains(t, se.Stderr, "must be one of")

	// Snapshots: single, recursive, atomic multi-dataset.
	s1, err := fs.CreateSnapshot(ctx, "s1", zfs.SnapshotOptions{Properties: map[string]string{"com.example:snap": "yes"}})
	require.NoError(t, err)
	assert.NotZero(t, s1.GUID())
	_, err = fs.CreateSnapshot(ctx, "s1", zfs.SnapshotOptions{})
	assert.ErrorIs(t, err, errors.ErrExist)
	multi, err := c.CreateSnapshots(ctx, []string{P + "/a/b@m", P + "/v@m"}, zfs.SnapshotOptions{})
	require.NoError(t, err)
	require.Len(t, multi, 2)
	assert.Equal(t, multi[0].CreateTXG(), multi[1].CreateTXG(), "one transaction group")
	_, err = c.CreateSnapshots(ctx, []string{P + "/a/b@n", P + "/nope@n"}, zfs.SnapshotOptions{})
	assert.ErrorIs(t, err, errors.ErrNotExist)
	_, err = c.Snapshot(ctx, P+"/a/b@n")
	assert.ErrorIs(t, err, errors.ErrNotExist, "nothing created")
	rec, err := parent.CreateSnapshot(ctx, "r", zfs.SnapshotOptions{Recursive: true})
	require.NoError(t, err)
	_, err = c.Snapshot(ctx, P+"/a/b@r")
	require.NoError(t, err)

	// Written since a snapshot.
	mnt := filepath.Join(p.AltRoot, P, "a", "b")
	data := make([]byte, 256<<10)
	_, _ = rand.Read(data) // incompressible
	require.NoError(t, os.WriteFile(filepath.Join(mnt, "f"), data, 0o644))
	ztest.Run(t, "zpool", "sync", P)
	w, err := fs.Written(ctx, "s1")
	require.NoError(t, err)
	assert.Greater(t, w, uint64(100<<10))
	s3, err := fs.CreateSnapshot(ctx, "s3", zfs.SnapshotOptions{})
	require.NoError(t, err)

	// Dry-run destroy of a range reports the snapshots and the space.
	plan, err := c.DestroyDryRun(ctx, P+"/a/b@s1%s3", zfs.DestroyOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{P + "/a/b@s1", P + "/a/b@m", P + "/a/b@r", P + "/a/b@s3"}, plan.Destroy)
	assert.True(t, plan.ReclaimKnown)
	plan, err = c.DestroyDryRun(ctx, P+"/a", zfs.DestroyOptions{Recursive: true})
	require.NoError(t, err)
	assert.Contains(t, plan.Destroy, P+"/a/b")
	assert.False(t, plan.ReclaimKnown)
	_, err = c.Filesystem(ctx, P+"/a/b")
	require.NoError(t, err, "dry run destroyed nothing")

	// Holds.
	require.NoError(t, rec.Hold(ctx, "keep", zfs.HoldOptions{Recursive: true}))
	holds, err := rec.Holds(ctx, zfs.HoldOptions{Recursive: true})
	require.NoError(t, err)
	assert.Len(t, holds, 2)
	assert.Equal(t, "keep", holds[0].Tag)
	assert.WithinDuration(t, time.Now(), holds[0].Created, time.Hour)
	assert.ErrorIs(t, rec.Hold(ctx, "keep", zfs.HoldOptions{}), errors.ErrExist)
	// 2.1 says only "dataset is busy" of a held snapshot (Busy); 2.2 and later
	// say it is held (Held, which is also Busy).
	heldErr := errors.ErrHeld
	if v, err := c.Version(ctx); err == nil && !v.AtLeast(2, 2) {
		heldErr = errors.ErrBusy
	}
	err = rec.Destroy(ctx, zfs.DestroyOptions{})
	assert.ErrorIs(t, err, heldErr)
	assert.ErrorIs(t, err, errors.ErrBusy)

	// Batch destroy: the held snapshot is reported, the others go.
	err = c.DestroySnapshots(ctx, []string{P + "/a/b@m", P + "/a/b@r", P + "/v@m"}, zfs.DestroyOptions{})
	require.Error(t, err)
	assert.ErrorIs(t, err, heldErr)
	assert.Len(t, errors.Errors(err), 1)
	left, err := c.List(ctx, zfs.ListOptions{Roots: []string{P}, Recursive: true, Types: []zfs.Type{zfs.TypeSnapshot}})
	require.NoError(t, err)
	var leftNames []string
	for _, d := range left {
		leftNames = append(leftNames, d.Name())
	}
	assert.ElementsMatch(t, []string{P + "/a@r", P + "/a/b@s1", P + "/a/b@r", P + "/a/b@s3"}, leftNames)
	require.NoError(t, rec.Release(ctx, "keep", zfs.HoldOptions{Recursive: true}))
	assert.ErrorIs(t, rec.Release(ctx, "keep", zfs.HoldOptions{}), errors.ErrNotExist)
	require.NoError(t, rec.Destroy(ctx, zfs.DestroyOptions{Recursive: true}))

	// Rollback: not latest, then destroying later snapshots.
	assert.ErrorIs(t, s1.Rollback(ctx, zfs.RollbackOptions{}), errors.ErrSnapshotNotLatest)
	require.NoError(t, s1.Rollback(ctx, zfs.RollbackOptions{DestroyLater: true}))
	_, err = os.Stat(filepath.Join(mnt, "f"))
	assert.True(t, os.IsNotExist(err), "rolled back")
	_, err = c.Snapshot(ctx, s3.Name())
	assert.ErrorIs(t, err, errors.ErrNotExist)
	require.NoError(t, fs.Rollback(ctx, zfs.RollbackOptions{}))

	// Clone and promote.
	cfs, err := s1.Clone(ctx, P+"/c", zfs.CloneOptions{Properties: map[string]string{"com.example:k": "clone"}})
	require.NoError(t, err)
	require.NotNil(t, cfs)
	err = fs.Destroy(ctx, zfs.DestroyOptions{})
	assert.ErrorIs(t, err, errors.ErrHasDependents)
	assert.ErrorIs(t, s1.Destroy(ctx, zfs.DestroyOptions{}), errors.ErrHasClones)
	assert.Error(t, fs.Promote(ctx), "not a clone")
	require.NoError(t, cfs.Promote(ctx))
	ops, err := fs.Get(ctx, "origin")
	require.NoError(t, err)
	assert.Equal(t, P+"/c@s1", ops.Property("origin").Value)

	// Rename: filesystem with parents, snapshot recursively.
	cfs2, err := cfs.Rename(ctx, P+"/x/y/c", zfs.RenameOptions{Parents: true})
	require.NoError(t, err)
	assert.Equal(t, cfs.GUID(), cfs2.GUID())
	_, err = c.Filesystem(ctx, P+"/x/y/c")
	require.NoError(t, err)
	cs1, err := c.Snapshot(ctx, P+"/x/y/c@s1")
	require.NoError(t, err)
	renamed, err := cs1.Rename(ctx, "s1r", zfs.RenameOptions{})
	require.NoError(t, err)
	assert.Equal(t, P+"/x/y/c@s1r", renamed.Name())
	_, err = c.Snapshot(ctx, P+"/x/y/c@s1r")
	require.NoError(t, err)
	assert.ErrorIs(t, c.Rename(ctx, P+"/x", P+"/v", zfs.RenameOptions{}), errors.ErrExist)

	// Mount state, busy unmount, and destroying.
	m, where, err := fs.Mounted(ctx)
	require.NoError(t, err)
	assert.True(t, m)
	assert.Equal(t, mnt, where)
	f, err := os.Open(filepath.Join(mnt))
	require.NoError(t, err)
	busy, err := os.Create(filepath.Join(mnt, "busy"))
	require.NoError(t, err)
	err = fs.Unmount(ctx, zfs.UnmountOptions{})
	assert.ErrorIs(t, err, errors.ErrBusy)
	busy.Close()
	f.Close()
	require.NoError(t, fs.Unmount(ctx, zfs.UnmountOptions{}))
	m, _, err = fs.Mounted(ctx)
	require.NoError(t, err)
	assert.False(t, m)
	require.NoError(t, fs.Mount(ctx, zfs.MountOptions{Options: []string{"ro"}}))
	ro, err := fs.Get(ctx, "readonly")
	require.NoError(t, err)
	assert.Equal(t, zfs.SourceTemporary, ro.Property("readonly").Source.Kind)

	assert.ErrorIs(t, parent.Destroy(ctx, zfs.DestroyOptions{}), errors.ErrHasChildren)
	require.NoError(t, fs.Destroy(ctx, zfs.DestroyOptions{Recursive: true}))
	_, err = c.Filesystem(ctx, fs.Name())
	assert.ErrorIs(t, err, errors.ErrNotExist)
	require.NoError(t, vol.Destroy(ctx, zfs.DestroyOptions{Recursive: true}))
	assert.ErrorIs(t, c.Destroy(ctx, P+"/nope", zfs.DestroyOptions{}), errors.ErrNotExist)
}

func TestIntegrationBookmarks(t *testing.T) {
	ctx := ctxT(t)
	p := smallPool(t)
	P := p.Name
	cs, _ := clients(t)
	for mode, c := range cs {
		t.Run(mode, func(t *testing.T) {
			fs, err := c.CreateFilesystem(ctx, P+"/"+mode, zfs.CreateOptions{})
			require.NoError(t, err)
			s1, err := fs.CreateSnapshot(ctx, "s1", zfs.SnapshotOptions{})
			require.NoError(t, err)
			s2, err := fs.CreateSnapshot(ctx, "s2", zfs.SnapshotOptions{})
			require.NoError(t, err)
			bm, err := s1.CreateBookmark(ctx, "b")
			require.NoError(t, err)
			assert.Equal(t, s1.GUID(), bm.GUID())
			assert.Equal(t, s1.CreateTXG(), bm.CreateTXG())
			again, err := s1.CreateBookmark(ctx, fs.Name()+"#b")
			require.NoError(t, err, "idempotent")
			assert.Equal(t, bm.GUID(), again.GUID())
			_, err = s2.CreateBookmark(ctx, "b")
			assert.ErrorIs(t, err, errors.ErrExist)
			cp, err := bm.CreateBookmark(ctx, "b2")
			require.NoError(t, err)
			assert.Equal(t, bm.GUID(), cp.GUID())
			bms, err := fs.Bookmarks(ctx)
			require.NoError(t, err)
			assert.Len(t, bms, 2)
			require.NoError(t, s1.Destroy(ctx, zfs.DestroyOptions{}))
			got, err := c.Bookmark(ctx, bm.Name())
			require.NoError(t, err, "bookmark outlives its snapshot")
			assert.Equal(t, bm.GUID(), got.GUID())
			require.NoError(t, bm.Destroy(ctx))
			_, err = c.Bookmark(ctx, bm.Name())
			assert.ErrorIs(t, err, errors.ErrNotExist)
		})
	}
}

func TestIntegrationEncryption(t *testing.T) {
	ctx := ctxT(t)
	p := smallPool(t)
	P := p.Name
	cs, _ := clients(t)
	c := cs["text"]
	fs, err := c.CreateFilesystem(ctx, P+"/enc", zfs.CreateOptions{Encryption: &zfs.Encryption{Format: zfs.KeyPassphrase, Key: strings.NewReader("correct horse battery")}})
	require.NoError(t, err)
	st, err := fs.KeyStatus(ctx)
	require.NoError(t, err)
	assert.Equal(t, zfs.KeyAvailable, st)
	require.NoError(t, fs.Unmount(ctx, zfs.UnmountOptions{UnloadKey: true}))
	st, err = fs.KeyStatus(ctx)
	require.NoError(t, err)
	assert.Equal(t, zfs.KeyUnavailable, st)
	assert.ErrorIs(t, fs.Mount(ctx, zfs.MountOptions{}), errors.ErrKeyNotLoaded)
	assert.Error(t, fs.LoadKey(ctx, strings.NewReader("wrong passphrase"), zfs.LoadKeyOptions{}))
	require.NoError(t, fs.LoadKey(ctx, strings.NewReader("correct horse battery"), zfs.LoadKeyOptions{Verify: true}))
	require.NoError(t, fs.LoadKey(ctx, strings.NewReader("correct horse battery\n"), zfs.LoadKeyOptions{}))
	require.NoError(t, fs.ChangeKey(ctx, zfs.ChangeKeyOptions{Format: zfs.KeyHex, Key: strings.NewReader(strings.Repeat("0f", 32))}))
	require.NoError(t, fs.UnloadKey(ctx, false))
	require.NoError(t, fs.LoadKey(ctx, strings.NewReader(strings.Repeat("0f", 32)), zfs.LoadKeyOptions{}))
	require.NoError(t, fs.Mount(ctx, zfs.MountOptions{}))
	plain, err := c.CreateFilesystem(ctx, P+"/plain", zfs.CreateOptions{})
	require.NoError(t, err)
	st, err = plain.KeyStatus(ctx)
	require.NoError(t, err)
	assert.Equal(t, zfs.KeyNone, st)

	vol, err := c.CreateVolume(ctx, P+"/encvol", zfs.VolumeOptions{Size: 4 << 20, Sparse: true, Encryption: &zfs.Encryption{Format: zfs.KeyRaw, Key: strings.NewReader(strings.Repeat("k", 32))}})
	require.NoError(t, err)
	st, err = vol.KeyStatus(ctx)
	require.NoError(t, err)
	assert.Equal(t, zfs.KeyAvailable, st)
}

func TestIntegrationDiff(t *testing.T) {
	ctx := ctxT(t)
	p := smallPool(t)
	P := p.Name
	cs, _ := clients(t)
	c := cs["text"]
	fs, err := c.CreateFilesystem(ctx, P+"/d", zfs.CreateOptions{})
	require.NoError(t, err)
	mnt := filepath.Join(p.AltRoot, P, "d")
	require.NoError(t, os.WriteFile(filepath.Join(mnt, "old"), []byte("x"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(mnt, "gone"), []byte("x"), 0o644))
	a, err := fs.CreateSnapshot(ctx, "a", zfs.SnapshotOptions{})
	require.NoError(t, err)
	weird := "we\tird \\ n\name caf\u00e9"
	require.NoError(t, os.WriteFile(filepath.Join(mnt, weird), []byte("x"), 0o644))
	require.NoError(t, os.Rename(filepath.Join(mnt, "old"), filepath.Join(mnt, "new name")))
	require.NoError(t, os.Remove(filepath.Join(mnt, "gone")))
	_, err = fs.CreateSnapshot(ctx, "b", zfs.SnapshotOptions{})
	require.NoError(t, err)
	chs, err := a.Diff(ctx, "b")
	require.NoError(t, err)
	got := map[string]zfs.Change{}
	for _, ch := range chs {
		got[ch.Path] = ch
	}
	assert.Equal(t, zfs.Created, got[filepath.Join(mnt, weird)].Type)
	assert.Equal(t, zfs.Removed, got[filepath.Join(mnt, "gone")].Type)
	assert.Equal(t, zfs.Renamed, got[filepath.Join(mnt, "old")].Type)
	assert.Equal(t, filepath.Join(mnt, "new name"), got[filepath.Join(mnt, "old")].NewPath)
	require.NoError(t, os.WriteFile(filepath.Join(mnt, "live"), []byte("x"), 0o644))
	chs, err = a.Diff(ctx, "")
	require.NoError(t, err)
	var live bool
	for _, ch := range chs {
		live = live || ch.Path == filepath.Join(mnt, "live")
	}
	assert.True(t, live)
}

func TestIntegrationProgram(t *testing.T) {
	ctx := ctxT(t)
	p := smallPool(t)
	P := p.Name
	ztest.Run(t, "zfs", "create", P+"/fs")
	ztest.Run(t, "zfs", "snapshot", P+"/fs@a")
	ztest.Run(t, "zfs", "snapshot", P+"/fs@b")
	cs, _ := clients(t)
	script := `
args = ...
local n = 0
for s in zfs.list.snapshots(args["argv"][1]) do n = n + 1 end
return {count = n, name = args["argv"][1], ok = true}
`
	for mode, c := range cs {
		t.Run(mode, func(t *testing.T) {
			v, err := c.Program(ctx, P, strings.NewReader(script), zfs.ProgramOptions{NoSync: true, Args: []string{P + "/fs"}})
			require.NoError(t, err)
			assert.Equal(t, map[string]any{"count": int64(2), "name": P + "/fs", "ok": true}, v)
			_, err = c.Program(ctx, P, strings.NewReader("while true do end"), zfs.ProgramOptions{NoSync: true, InstructionLimit: 1000})
			var ze *errors.Error
			require.ErrorAs(t, err, &ze)
			assert.Contains(t, ze.Stderr, "timed out")
		})
	}
	c := cs["text"]
	v, err := c.Program(ctx, P, strings.NewReader(`return zfs.sync.destroy((...)["argv"][1])`), zfs.ProgramOptions{Args: []string{P + "/fs@a"}})
	require.NoError(t, err)
	assert.Equal(t, int64(0), v)
	_, err = c.Snapshot(ctx, P+"/fs@a")
	assert.ErrorIs(t, err, errors.ErrNotExist)
}

// keyOK reports whether key is the current key of d (`zfs load-key -n`,
// which works whether or not the key is loaded).
func keyOK(ctx context.Context, t *testing.T, load func(context.Context, io.Reader, zfs.LoadKeyOptions) error, key string) bool {
	t.Helper()
	err := load(ctx, strings.NewReader(key), zfs.LoadKeyOptions{Verify: true})
	if !errors.Is(err, errors.ErrPermission) {
		require.NoError(t, err, "verifying a key")
	}
	return err == nil
}

func TestIntegrationChangeKeyLoad(t *testing.T) {
	ctx := ctxT(t)
	p := smallPool(t)
	P := p.Name
	cs, _ := clients(t)
	c := cs["text"]
	dir := ztest.Dir(t)
	status := func(d interface {
		KeyStatus(context.Context) (zfs.KeyStatus, error)
	}) zfs.KeyStatus {
		t.Helper()
		st, err := d.KeyStatus(ctx)
		require.NoError(t, err)
		return st
	}
	encrypted := func(name string, enc *zfs.Encryption, props map[string]string) *zfs.Filesystem {
		t.Helper()
		fs, err := c.CreateFilesystem(ctx, P+"/"+name, zfs.CreateOptions{Encryption: enc, Properties: props})
		require.NoError(t, err)
		require.NoError(t, fs.Unmount(ctx, zfs.UnmountOptions{UnloadKey: true}))
		require.Equal(t, zfs.KeyUnavailable, status(fs))
		return fs
	}
	const old, next = "old passphrase", "new passphrase"
	const iters = 100000 // the minimum: PBKDF2 is slow in an emulated guest

	t.Run("passphrase prompt", func(t *testing.T) {
		fs := encrypted("p", &zfs.Encryption{Format: zfs.KeyPassphrase, Key: strings.NewReader(old), PBKDF2Iters: iters}, nil)
		// Without the key, nothing can change.
		assert.ErrorIs(t, fs.ChangeKey(ctx, zfs.ChangeKeyOptions{Key: strings.NewReader(next)}), errors.ErrKeyNotLoaded)
		// A wrong current key changes nothing and loads nothing.
		err := fs.ChangeKey(ctx, zfs.ChangeKeyOptions{Load: true, CurrentKey: strings.NewReader("wrong passphrase"), Key: strings.NewReader(next)})
		assert.ErrorIs(t, err, errors.ErrPermission)
		assert.Equal(t, zfs.KeyUnavailable, status(fs))
		require.NoError(t, fs.ChangeKey(ctx, zfs.ChangeKeyOptions{Load: true, CurrentKey: strings.NewReader(old), Key: strings.NewReader(next), PBKDF2Iters: iters}))
		assert.Equal(t, zfs.KeyAvailable, status(fs), "loaded and changed")
		assert.False(t, keyOK(ctx, t, fs.LoadKey, old), "old key no longer works")
		assert.True(t, keyOK(ctx, t, fs.LoadKey, next), "new key works")
		require.NoError(t, fs.Mount(ctx, zfs.MountOptions{}))

		// Already loaded: CurrentKey is not read as the new key (a bare
		// `zfs change-key -l` reading both from one stdin would take it as
		// the new key).
		require.NoError(t, fs.ChangeKey(ctx, zfs.ChangeKeyOptions{Load: true, CurrentKey: strings.NewReader(next), Key: strings.NewReader("third passphrase"), PBKDF2Iters: iters}))
		assert.True(t, keyOK(ctx, t, fs.LoadKey, "third passphrase"))
		assert.False(t, keyOK(ctx, t, fs.LoadKey, next))
	})

	t.Run("raw prompt to hex", func(t *testing.T) {
		r1, hex := strings.Repeat("a", 32), strings.Repeat("3c", 32)
		fs := encrypted("r", &zfs.Encryption{Format: zfs.KeyRaw, Key: strings.NewReader(r1)}, nil)
		require.NoError(t, fs.ChangeKey(ctx, zfs.ChangeKeyOptions{Load: true, CurrentKey: strings.NewReader(r1), Format: zfs.KeyHex, Key: strings.NewReader(hex)}))
		assert.Equal(t, zfs.KeyAvailable, status(fs))
		ps, err := fs.Get(ctx, "keyformat", "keylocation")
		require.NoError(t, err)
		assert.Equal(t, "hex", ps.Property("keyformat").Value)
		assert.Equal(t, "prompt", ps.Property("keylocation").Value)
		assert.True(t, keyOK(ctx, t, fs.LoadKey, hex))
		assert.False(t, keyOK(ctx, t, fs.LoadKey, strings.Repeat("00", 32)))
	})

	t.Run("file location with -l", func(t *testing.T) {
		keyFile := filepath.Join(dir, "hexkey")
		hex := strings.Repeat("5e", 32)
		require.NoError(t, os.WriteFile(keyFile, []byte(hex), 0o600))
		fs := encrypted("f", &zfs.Encryption{Format: zfs.KeyHex}, map[string]string{"keylocation": "file://" + keyFile})
		// zfs change-key -l loads the current key from the file and reads
		// only the new key on standard input.
		require.NoError(t, fs.ChangeKey(ctx, zfs.ChangeKeyOptions{Load: true, Format: zfs.KeyPassphrase, Key: strings.NewReader(next), PBKDF2Iters: iters}))
		assert.Equal(t, zfs.KeyAvailable, status(fs))
		assert.True(t, keyOK(ctx, t, fs.LoadKey, next))
		// A volume works the same way.
		vol, err := c.CreateVolume(ctx, P+"/fv", zfs.VolumeOptions{Size: 4 << 20, Sparse: true, Properties: map[string]string{"keylocation": "file://" + keyFile}, Encryption: &zfs.Encryption{Format: zfs.KeyHex}})
		require.NoError(t, err)
		settle(t)
		require.NoError(t, vol.UnloadKey(ctx, false))
		hex2 := strings.Repeat("6f", 32)
		require.NoError(t, vol.ChangeKey(ctx, zfs.ChangeKeyOptions{Load: true, Key: strings.NewReader(hex2)}))
		assert.Equal(t, zfs.KeyAvailable, status(vol))
		assert.True(t, keyOK(ctx, t, vol.LoadKey, hex2))
	})

	t.Run("inherit", func(t *testing.T) {
		parent, err := c.CreateFilesystem(ctx, P+"/par", zfs.CreateOptions{Encryption: &zfs.Encryption{Format: zfs.KeyHex, Key: strings.NewReader(strings.Repeat("0a", 32))}})
		require.NoError(t, err)
		childKey := strings.Repeat("0b", 32)
		child, err := c.CreateFilesystem(ctx, P+"/par/ch", zfs.CreateOptions{Encryption: &zfs.Encryption{Format: zfs.KeyHex, Key: strings.NewReader(childKey)}})
		require.NoError(t, err)
		require.NoError(t, child.Unmount(ctx, zfs.UnmountOptions{UnloadKey: true}))
		assert.ErrorIs(t, child.ChangeKey(ctx, zfs.ChangeKeyOptions{Inherit: true}), errors.ErrKeyNotLoaded)
		require.NoError(t, child.ChangeKey(ctx, zfs.ChangeKeyOptions{Inherit: true, Load: true, CurrentKey: strings.NewReader(childKey)}))
		ps, err := child.Get(ctx, "encryptionroot", "keystatus", "keylocation")
		require.NoError(t, err)
		assert.Equal(t, parent.Name(), ps.Property("encryptionroot").Value)
		assert.Equal(t, "available", ps.Property("keystatus").Value)
		assert.Equal(t, "none", ps.Property("keylocation").Value)
		assert.Error(t, child.ChangeKey(ctx, zfs.ChangeKeyOptions{Inherit: true}), "no longer an encryption root")

		// -i -l loading from a file.
		keyFile := filepath.Join(dir, "childkey")
		require.NoError(t, os.WriteFile(keyFile, []byte(strings.Repeat("a", 32)), 0o600))
		ch2, err := c.CreateFilesystem(ctx, P+"/par/ch2", zfs.CreateOptions{Properties: map[string]string{"keylocation": "file://" + keyFile}, Encryption: &zfs.Encryption{Format: zfs.KeyRaw}})
		require.NoError(t, err)
		require.NoError(t, ch2.Unmount(ctx, zfs.UnmountOptions{UnloadKey: true}))
		require.NoError(t, ch2.ChangeKey(ctx, zfs.ChangeKeyOptions{Inherit: true, Load: true}))
		ps, err = ch2.Get(ctx, "encryptionroot")
		require.NoError(t, err)
		assert.Equal(t, parent.Name(), ps.Property("encryptionroot").Value)
	})
}

func TestIntegrationVolumeDevice(t *testing.T) {
	ctx := ctxT(t)
	p := smallPool(t)
	P := p.Name
	cs, _ := clients(t)
	c := cs["text"]
	wait := func(v *zfs.Volume) (string, error) {
		wctx, cancel := context.WithTimeout(ctx, 2*time.Minute) // the lab guest is emulated
		defer cancel()
		return v.WaitDevice(wctx)
	}
	const size = 12 << 20
	vol, err := c.CreateVolume(ctx, P+"/v", zfs.VolumeOptions{Size: size})
	require.NoError(t, err)
	assert.Equal(t, "/dev/zvol/"+P+"/v", vol.DevicePath())
	dev, err := wait(vol)
	require.NoError(t, err)
	if dev != vol.DevicePath() { // no udev
		assert.Regexp(t, `^/dev/zd[0-9]+$`, dev)
	}
	fi, err := os.Stat(dev)
	require.NoError(t, err)
	assert.True(t, fi.Mode()&os.ModeDevice != 0 && fi.Mode()&os.ModeCharDevice == 0, "a block device: %v", fi.Mode())

	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	require.NoError(t, err)
	end, err := f.Seek(0, io.SeekEnd)
	require.NoError(t, err)
	assert.Equal(t, int64(size), end, "device size is volsize")
	data := make([]byte, 64<<10)
	_, _ = rand.Read(data)
	_, err = f.WriteAt(data, 1<<20)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
	f, err = os.Open(dev)
	require.NoError(t, err)
	got := make([]byte, len(data))
	_, err = f.ReadAt(got, 1<<20)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	assert.Equal(t, data, got)
	ztest.Run(t, "zpool", "sync", P)
	ps, err := vol.Get(ctx, "logicalreferenced")
	require.NoError(t, err)
	lr, err := ps.Property("logicalreferenced").Bytes()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, lr, uint64(len(data)), "the data reached the volume")

	// Without the udev link, the kernel's /dev/zdN node is found.
	node, err := filepath.EvalSymlinks(dev)
	require.NoError(t, err)
	settle(t) // closing a written device makes udev re-run its rules
	if dev == vol.DevicePath() {
		require.NoError(t, os.Remove(dev))
	}
	got2, err := wait(vol)
	require.NoError(t, err)
	assert.Equal(t, node, got2)

	// Volumes that get no device node.
	none, err := c.CreateVolume(ctx, P+"/none", zfs.VolumeOptions{Size: 4 << 20, Sparse: true, Properties: map[string]string{"volmode": "none"}})
	require.NoError(t, err)
	_, err = wait(none)
	assert.ErrorIs(t, err, errors.ErrNotSupported)
	enc, err := c.CreateVolume(ctx, P+"/enc", zfs.VolumeOptions{Size: 4 << 20, Sparse: true, Encryption: &zfs.Encryption{Format: zfs.KeyHex, Key: strings.NewReader(strings.Repeat("7a", 32))}})
	require.NoError(t, err)
	_, err = wait(enc)
	require.NoError(t, err)
	settle(t)
	require.NoError(t, enc.UnloadKey(ctx, false))
	_, err = wait(enc)
	assert.ErrorIs(t, err, errors.ErrKeyNotLoaded)

	// A volume that is gone, even while its link and node linger.
	gone, err := c.CreateVolume(ctx, P+"/gone", zfs.VolumeOptions{Size: 4 << 20, Sparse: true})
	require.NoError(t, err)
	_, err = wait(gone)
	require.NoError(t, err)
	settle(t)
	require.NoError(t, gone.Destroy(ctx, zfs.DestroyOptions{}))
	_, err = wait(gone)
	assert.ErrorIs(t, err, errors.ErrNotExist)
}

// settle waits for udev to finish processing events, if udev is there, so
// that it does not hold a device open (or re-create a link) at the wrong
// moment.
func settle(t *testing.T) {
	t.Helper()
	_, _ = ztest.Try("udevadm", "settle", "-t", "60")
}

func TestIntegrationDeferDestroy(t *testing.T) {
	ctx := ctxT(t)
	p := smallPool(t)
	P := p.Name
	cs, _ := clients(t)
	c := cs["text"]
	fs, err := c.CreateFilesystem(ctx, P+"/d", zfs.CreateOptions{})
	require.NoError(t, err)
	deferred := func(name string) bool {
		t.Helper()
		s, err := c.Snapshot(ctx, name)
		require.NoError(t, err, "%s still exists", name)
		ps, err := s.Get(ctx, "defer_destroy")
		require.NoError(t, err)
		on, err := ps.Property("defer_destroy").Bool()
		require.NoError(t, err)
		return on
	}
	gone := func(name string) bool {
		_, err := c.Snapshot(ctx, name)
		return errors.Is(err, errors.ErrNotExist)
	}

	// A held snapshot: marked, destroyed when the hold is released.
	held, err := fs.CreateSnapshot(ctx, "held", zfs.SnapshotOptions{})
	require.NoError(t, err)
	require.NoError(t, held.Hold(ctx, "keep", zfs.HoldOptions{}))
	heldErr := errors.ErrHeld
	if v, err := c.Version(ctx); err == nil && !v.AtLeast(2, 2) {
		heldErr = errors.ErrBusy // 2.1 says only "dataset is busy"
	}
	assert.ErrorIs(t, held.Destroy(ctx, zfs.DestroyOptions{}), heldErr)
	assert.False(t, deferred(held.Name()))
	plan, err := c.DestroyDryRun(ctx, held.Name(), zfs.DestroyOptions{Defer: true})
	require.NoError(t, err)
	assert.Equal(t, []string{held.Name()}, plan.Destroy, "a dry run lists what would only be marked")
	require.NoError(t, held.Destroy(ctx, zfs.DestroyOptions{Defer: true}))
	assert.True(t, deferred(held.Name()))
	require.NoError(t, held.Destroy(ctx, zfs.DestroyOptions{Defer: true}), "marking again succeeds")
	holds, err := held.Holds(ctx, zfs.HoldOptions{})
	require.NoError(t, err)
	assert.Len(t, holds, 1)
	require.NoError(t, held.Release(ctx, "keep", zfs.HoldOptions{}))
	assert.True(t, gone(held.Name()), "released: destroyed")

	// A cloned snapshot: marked, destroyed with its last clone.
	cl, err := fs.CreateSnapshot(ctx, "cl", zfs.SnapshotOptions{})
	require.NoError(t, err)
	clone, err := cl.Clone(ctx, P+"/clone", zfs.CloneOptions{})
	require.NoError(t, err)
	assert.ErrorIs(t, cl.Destroy(ctx, zfs.DestroyOptions{}), errors.ErrHasClones)
	require.NoError(t, cl.Destroy(ctx, zfs.DestroyOptions{Defer: true}))
	assert.True(t, deferred(cl.Name()))
	require.NoError(t, clone.Destroy(ctx, zfs.DestroyOptions{}))
	assert.True(t, gone(cl.Name()), "clone destroyed: snapshot destroyed")

	// A snapshot that is neither goes at once; a missing one is an error.
	free, err := fs.CreateSnapshot(ctx, "free", zfs.SnapshotOptions{})
	require.NoError(t, err)
	require.NoError(t, free.Destroy(ctx, zfs.DestroyOptions{Defer: true}))
	assert.True(t, gone(free.Name()))
	assert.ErrorIs(t, c.Destroy(ctx, P+"/d@nope", zfs.DestroyOptions{Defer: true}), errors.ErrNotExist)

	// A batch: the held one is marked, the others go, no error.
	var batch []string
	for _, s := range []string{"a", "b", "c"} {
		snap, err := fs.CreateSnapshot(ctx, s, zfs.SnapshotOptions{})
		require.NoError(t, err)
		batch = append(batch, snap.Name())
	}
	require.NoError(t, c.Hold(ctx, "keep", batch[:1], zfs.HoldOptions{}))
	require.NoError(t, c.DestroySnapshots(ctx, batch, zfs.DestroyOptions{Defer: true}))
	assert.True(t, deferred(batch[0]))
	assert.True(t, gone(batch[1]))
	assert.True(t, gone(batch[2]))
	require.NoError(t, c.Release(ctx, "keep", batch[:1], zfs.HoldOptions{}))
	assert.True(t, gone(batch[0]))
}
