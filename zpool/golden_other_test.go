package zpool

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func poolsText(t *testing.T, name string) []*Pool {
	t.Helper()
	ps, err := parsePoolsText(golden(t, name))
	require.NoError(t, err, name)
	return ps
}

func poolsJSON(t *testing.T, name string) []*Pool {
	t.Helper()
	ps, err := parsePoolsJSON(golden(t, name))
	require.NoError(t, err, name)
	return ps
}

// TestPoolsTextMatchesJSON checks that `zpool get -H -p all` and
// `zpool get -j --json-int all` give the same typed pools.
func TestPoolsTextMatchesJSON(t *testing.T) {
	for _, layout := range []string{"single", "mirror", "raidz", "mix", "draid", "nofeat"} {
		t.Run(layout, func(t *testing.T) {
			ts, js := poolsText(t, layout+"-get.txt"), poolsJSON(t, layout+"-get.json")
			require.Len(t, ts, 1)
			require.Len(t, js, 1)
			tp, jp := *ts[0], *js[0]
			assert.Equal(t, "gz"+layout, tp.Name)
			// load_guid is clamped to INT64_MAX in OpenZFS 2.3 JSON output.
			isLoadGUID := func(p zfs.Property) bool { return p.Name == "load_guid" }
			tp.Properties = slices.DeleteFunc(tp.Properties, isLoadGUID)
			jp.Properties = slices.DeleteFunc(jp.Properties, isLoadGUID)
			assert.Equal(t, tp.Properties, jp.Properties)
			assert.Equal(t, tp, jp)
			assert.NotZero(t, tp.GUID)
			assert.NotEqual(t, uint64(1<<63-1), jp.GUID, "the JSON guid property is not used")
			assert.Equal(t, Online, tp.Health)
			assert.Equal(t, tp.Size, tp.Allocated+tp.Free)
			assert.Equal(t, labDir+"root", tp.AltRoot)
			assert.Equal(t, "none", tp.CacheFile)
			assert.Equal(t, 1.0, tp.DedupRatio)
			assert.Equal(t, "wait", tp.FailMode)
			assert.True(t, tp.Delegation)
			assert.False(t, tp.ReadOnly)
			assert.Zero(t, tp.Version)
			assert.NotEmpty(t, tp.Features)
		})
	}
}

func TestPoolsGolden(t *testing.T) {
	single := poolsText(t, "single-get.txt")[0]
	assert.Equal(t, FeatureActive, single.Features["lz4_compress"])
	assert.Equal(t, FeatureEnabled, single.Features["async_destroy"])
	assert.Equal(t, zfs.Property{Name: "autotrim", Value: "off", Source: zfs.Source{Kind: zfs.SourceDefault}}, single.Properties.Property("autotrim"))
	assert.Equal(t, zfs.Property{Name: "altroot", Value: labDir + "root", Source: zfs.Source{Kind: zfs.SourceLocal}}, single.Properties.Property("altroot"))
	assert.Equal(t, zfs.SourceNone, single.Properties.Property("size").Source.Kind)
	// The typed accessors of zfs properties read pool properties too.
	size, err := single.Properties.Property("size").Bytes()
	require.NoError(t, err)
	assert.Equal(t, single.Size, size)
	trim, err := single.Properties.Property("autotrim").Bool()
	require.NoError(t, err)
	assert.False(t, trim)
	dedup, err := single.Properties.Property("dedupratio").Ratio()
	require.NoError(t, err)
	assert.Equal(t, single.DedupRatio, dedup)
	assert.Equal(t, "default", single.Properties.Property("autotrim").Source.String())
	_, err = single.Properties.Property("bootfs").Uint()
	assert.ErrorIs(t, err, zfs.ErrNoValue)
	assert.GreaterOrEqual(t, single.Fragmentation, 0)

	nofeat := poolsJSON(t, "nofeat-get.json")[0]
	assert.Equal(t, FeatureEnabled, nofeat.Features["async_destroy"])
	assert.Equal(t, FeatureDisabled, nofeat.Features["lz4_compress"])
	assert.Equal(t, -1, nofeat.Fragmentation, "unknown without spacemap_histogram")

	// zpool list -j has the same shape as zpool get -j; its GUID is fixed
	// from pool_guid too.
	listed := poolsJSON(t, "single-list-o.json")[0]
	assert.Equal(t, single.GUID, listed.GUID)
	assert.Equal(t, single.Size, listed.Size)
	assert.Equal(t, single.Health, listed.Health)

	all := poolsText(t, "all-get.txt")
	names := map[string]bool{}
	for _, p := range all {
		names[p.Name] = true
		assert.NotZero(t, p.Size, p.Name)
	}
	assert.True(t, names["gzsingle"] && names["gzmirror"] && len(all) > 2)

	user := poolsText(t, "get-user.txt")[0]
	assert.Equal(t, zfs.Property{Name: "comment", Value: "hello", Source: zfs.Source{Kind: zfs.SourceLocal}}, user.Properties.Property("comment"))
	assert.Equal(t, zfs.Property{Name: "org.example:tag", Value: "blue", Source: zfs.Source{Kind: zfs.SourceLocal}}, user.Properties.Property("org.example:tag"))
	assert.Equal(t, "hello", user.Comment)
	userJSON := poolsJSON(t, "get-user.json")[0]
	assert.Equal(t, user.Properties, userJSON.Properties)

	ro := poolsText(t, "import-ro-get.txt")[0]
	assert.Equal(t, "gzrenamed", ro.Name)
	assert.True(t, ro.ReadOnly)

	ck := poolsText(t, "checkpoint-get.txt")[0]
	assert.NotZero(t, ck.Checkpoint)
}

func TestPoolsParseErrors(t *testing.T) {
	for _, in := range []string{"tank\tsize\n", "tank\tsize\tx\t-\n"} {
		_, err := parsePoolsText([]byte(in))
		assert.Error(t, err, "%q", in)
	}
	for _, in := range []string{"{", `{"pools":[]}`, `{"pools":{"a":{"properties":{"size":{"value":"x"}}}}}`} {
		_, err := parsePoolsJSON([]byte(in))
		assert.Error(t, err, "%q", in)
	}
	// A value holding a tab is kept whole.
	ps, err := parsePoolsText([]byte("tank\tcomment\ta\tb\tlocal\n"))
	require.NoError(t, err)
	assert.Equal(t, "a\tb", ps[0].Comment)
}

func TestImportListGolden(t *testing.T) {
	pools, err := parseImportList(golden(t, "import-list.txt"))
	require.NoError(t, err)
	require.Len(t, pools, 3)
	byName := map[string]*ImportablePool{}
	for _, p := range pools {
		byName[p.Name] = p
		assert.NotZero(t, p.GUID, p.Name)
		require.NotNil(t, p.Root, p.Name)
		assert.Equal(t, p.Name, p.Root.Name)
	}
	rz := byName["gzraidz"]
	require.NotNil(t, rz)
	assert.Equal(t, Online, rz.State)
	assert.Empty(t, rz.Status)
	assert.Equal(t, "The pool can be imported using its name or numeric identifier.", rz.Action)
	assert.Equal(t, []string{"gzraidz type=root class=normal state=ONLINE errors=0/0/0 slow=0",
		"  raidz1-0 type=raidz class=normal state=ONLINE errors=0/0/0 slow=0",
		"    " + labDir + "r1 type=file class=normal state=ONLINE errors=0/0/0 slow=0 path=" + labDir + "r1",
		"    " + labDir + "r2 type=file class=normal state=ONLINE errors=0/0/0 slow=0 path=" + labDir + "r2",
		"    " + labDir + "r3 type=file class=normal state=ONLINE errors=0/0/0 slow=0 path=" + labDir + "r3",
	}, summary([]*Vdev{rz.Root}))

	dr := byName["gzdraid"]
	require.NotNil(t, dr)
	assert.Equal(t, Degraded, dr.State)
	assert.Equal(t, "One or more devices are missing from the system.", dr.Status)
	assert.Equal(t, "ZFS-8000-2Q", dr.MsgID)
	d5 := dr.Root.Children[0].Children[4]
	assert.Equal(t, labDir+"d5", d5.Name)
	assert.Equal(t, Unavail, d5.State)
	assert.Equal(t, AuxOpenFailed, d5.Aux)
	require.Len(t, dr.Spares, 1)
	assert.Equal(t, TypeDistributedSpare, dr.Spares[0].Type)

	mix := byName["gzmix"]
	require.NotNil(t, mix)
	assert.Equal(t, TypeSpare, mix.Root.Children[0].Children[0].Type)
	assert.Len(t, mix.Cache, 1)
	assert.Len(t, mix.Spares, 2)
	assert.Len(t, mix.Dedup, 1)
	require.Len(t, mix.Special, 1)
	assert.Len(t, mix.Special[0].Children, 2)
	require.Len(t, mix.Logs, 1)
	assert.Equal(t, ClassLog, mix.Logs[0].Children[0].Class)

	destroyed, err := parseImportList(golden(t, "import-destroyed.txt"))
	require.NoError(t, err)
	require.Len(t, destroyed, 2)
	for _, p := range destroyed {
		assert.True(t, p.Destroyed, p.Name)
		assert.Equal(t, Online, p.State, p.Name)
	}
	assert.Equal(t, "gznofeat", destroyed[0].Name)

	none, err := parseImportList(nil)
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestHistoryGolden(t *testing.T) {
	evs, err := parseHistory(golden(t, "scrub-done-history.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, evs)
	first := evs[0]
	assert.Equal(t, HistoryInternal, first.Kind)
	assert.Equal(t, uint64(4), first.TXG)
	assert.True(t, strings.HasPrefix(first.Text, "create pool version 5000"), first.Text)
	assert.Equal(t, "gozfs-lab", first.Host)
	assert.Equal(t, -1, first.UID)
	assert.False(t, first.Time.IsZero())
	assert.Equal(t, HistoryInternal, evs[1].Kind)
	assert.Equal(t, "set feature@async_destroy=enabled", evs[1].Text)

	var cmds, ioctls int
	for _, ev := range evs {
		switch ev.Kind {
		case HistoryCommand:
			cmds++
			assert.True(t, strings.HasPrefix(ev.Text, "zpool "), ev.Text)
			assert.Equal(t, 0, ev.UID)
			assert.Equal(t, "root", ev.User)
			assert.Equal(t, "gozfs-lab", ev.Host)
			assert.Equal(t, "linux", ev.Zone)
			assert.NotContains(t, ev.Text, "[user")
		case HistoryIoctl:
			ioctls++
			assert.Equal(t, "scrub", ev.Text)
			assert.Contains(t, ev.Details, "    input:\n        scan_type: ")
			assert.NotContains(t, ev.Details, "[user")
			assert.Equal(t, "root", ev.User)
		}
	}
	assert.GreaterOrEqual(t, cmds, 4, "create and three scrubs")
	assert.GreaterOrEqual(t, ioctls, 3)
	var create *HistoryEvent
	for i := range evs {
		if evs[i].Kind == HistoryCommand {
			create = &evs[i]
			break
		}
	}
	require.NotNil(t, create)
	assert.True(t, strings.HasPrefix(create.Text, "zpool create -f -R "+labDir+"root -o cachefile=none gzraidz raidz1 "), create.Text)

	plain, err := parseHistory(golden(t, "scrub-done-history-plain.txt"))
	require.NoError(t, err)
	require.Len(t, plain, cmds)
	for _, ev := range plain {
		assert.Equal(t, HistoryCommand, ev.Kind)
		assert.Equal(t, -1, ev.UID)
		assert.Empty(t, ev.Host)
	}
	assert.Equal(t, create.Text, plain[0].Text)
	assert.Equal(t, create.Time, plain[0].Time)
}

// iostatSamples feeds a golden file to the iostat parser line by line and
// records after which line each sample was delivered.
func iostatSamples(t *testing.T, name string, opts IostatOptions) ([]*IostatSample, []int) {
	t.Helper()
	p := newIostatParser(opts)
	var (
		got   []*IostatSample
		lines []int
	)
	for i, line := range strings.Split(string(golden(t, name)), "\n") {
		for _, s := range p.line(line) {
			got = append(got, s)
			lines = append(lines, i+1)
		}
	}
	for _, s := range p.flush() {
		got = append(got, s)
		lines = append(lines, -1)
	}
	return got, lines
}

func TestIostatGolden(t *testing.T) {
	two := IostatOptions{Pools: []string{"gzsingle", "gzmirror"}}
	got, at := iostatSamples(t, "all-iostat-t.txt", two)
	require.Len(t, got, 2)
	assert.Equal(t, []int{3, 6}, at, "each sample is delivered with its last pool line")
	for _, s := range got {
		require.Len(t, s.Pools, 2)
		assert.Equal(t, "gzmirror", s.Pools[0].Name)
		assert.NotZero(t, s.Pools[0].Alloc)
		assert.NotZero(t, s.Pools[0].Free)
		assert.False(t, s.Time.IsZero())
	}
	assert.Equal(t, time.Second, got[1].Time.Sub(got[0].Time))

	// Without pool names a sample ends at the next timestamp.
	got, at = iostatSamples(t, "all-iostat-t.txt", IostatOptions{})
	require.Len(t, got, 2)
	assert.Equal(t, []int{4, -1}, at)

	// -y: the skipped first interval prints a bare timestamp.
	got, _ = iostatSamples(t, "all-iostat-ty.txt", IostatOptions{Pools: []string{"gzsingle"}})
	require.Len(t, got, 2)
	assert.Equal(t, IOStats{Alloc: got[0].Pools[0].Alloc, Free: got[0].Pools[0].Free}, got[0].Pools[0].IOStats, "idle pool")

	// The -v display: the vdev tree, classes, one sample per timestamp.
	got, at = iostatSamples(t, "all-iostat-v-t.txt", IostatOptions{Pools: []string{"gzmix", "gzsingle"}, Vdevs: true})
	require.Len(t, got, 2)
	assert.NotEqual(t, -1, at[0])
	for _, s := range got {
		require.Len(t, s.Pools, 2)
		mix := s.Pool("gzmix")
		require.NotNil(t, mix)
		var classes []string
		for _, v := range mix.Vdevs {
			classes = append(classes, v.Name+":"+string(v.Class))
		}
		assert.Equal(t, []string{"mirror-0:normal", "raidz2-1:normal", labDir + "dd1:dedup", "mirror-3:special", "mirror-2:log", labDir + "c1:cache"}, classes)
		assert.Equal(t, "spare-0", mix.Vdevs[0].Children[0].Name)
		assert.Len(t, mix.Vdevs[0].Children[0].Children, 2)
		assert.Len(t, mix.Vdevs[1].Children, 4)
		assert.NotZero(t, mix.Vdevs[1].Free)
		single := s.Pool("gzsingle")
		require.NotNil(t, single)
		require.Len(t, single.Vdevs, 1)
		assert.Equal(t, labDir+"f1", single.Vdevs[0].Name)
	}

	got, _ = iostatSamples(t, "all-iostat-v-all.txt", IostatOptions{Vdevs: true})
	require.Len(t, got, 1)
	assert.Greater(t, len(got[0].Pools), 2)
	assert.True(t, got[0].Time.IsZero(), "no -T u")

	got, _ = iostatSamples(t, "resilver-iostat-v.txt", IostatOptions{Vdevs: true})
	require.Len(t, got, 1)
	assert.Equal(t, "replacing-0", got[0].Pools[0].Vdevs[0].Children[0].Name)
}

// TestErrorKinds replays the standard error zpool printed in the lab for
// failed operations and checks the error kinds callers can match.
func TestErrorKinds(t *testing.T) {
	ctx := context.Background()
	replayErrors(t, golden, func(t *testing.T) (*Client, *commandtest.Fake) { return newTest(t, false) }, []errorCase{
		{"err-status-missing.json", []string{"zpool", "status", "-j", "--json-int", "-v", "-s", "-t", "-i", "nosuchpool"},
			func(c *Client) error { _, err := c.Status(ctx, "nosuchpool"); return err }, errors.ErrNotExist},
		{"err-get-missing.txt", []string{"zpool", "get", "-j", "--json-int", "all", "nosuchpool"},
			func(c *Client) error { _, err := c.Pool(ctx, "nosuchpool"); return err }, errors.ErrNotExist},
		{"err-destroy-missing.txt", []string{"zpool", "destroy", "nosuchpool"},
			func(c *Client) error { return c.Destroy(ctx, "nosuchpool", DestroyOptions{}) }, errors.ErrNotExist},
		{"err-export-missing.txt", []string{"zpool", "export", "nosuchpool"},
			func(c *Client) error { return c.Export(ctx, "nosuchpool", ExportOptions{}) }, errors.ErrNotExist},
		{"err-history-missing.txt", []string{"zpool", "history", "-l", "nosuchpool"},
			func(c *Client) error { _, err := c.History(ctx, "nosuchpool", HistoryOptions{}); return err }, errors.ErrNotExist},
		{"err-iostat-missing.txt", []string{"zpool", "iostat", "-p", "-T", "u", "-H", "nosuchpool"},
			func(c *Client) error {
				_, err := c.Iostat(ctx, 0, IostatOptions{Pools: []string{"nosuchpool"}})
				return err
			}, errors.ErrNotExist},
		{"wait-missing.txt", []string{"zpool", "wait", "-t", "scrub", "nosuchpool"},
			func(c *Client) error { return c.Wait(ctx, "nosuchpool", ActivityScrub) }, errors.ErrNotExist},
		{"import-missing.txt", []string{"zpool", "import", "-d", "/d", "nosuchpool"},
			func(c *Client) error {
				return c.Import(ctx, "nosuchpool", ImportOptions{Source: ImportSource{Dirs: []string{"/d"}}})
			}, errors.ErrNotExist},
		{"err-create-exists.txt", []string{"zpool", "create", "gzsingle", "/d/n1"},
			func(c *Client) error {
				return c.Create(ctx, "gzsingle", Layout{Vdevs: []VdevSpec{Disk("/d/n1")}}, CreateOptions{})
			}, errors.ErrExist},
		{"import-exists.txt", []string{"zpool", "import", "gzmix", "gzsingle"},
			func(c *Client) error { return c.Import(ctx, "gzmix", ImportOptions{NewName: "gzsingle"}) }, errors.ErrExist},
		{"checkpoint-again.txt", []string{"zpool", "checkpoint", "gzsingle"},
			func(c *Client) error { return c.Checkpoint(ctx, "gzsingle") }, errors.ErrExist},
		{"err-checkpoint-discard-none.txt", []string{"zpool", "checkpoint", "-d", "gzsingle"},
			func(c *Client) error { return c.DiscardCheckpoint(ctx, "gzsingle", false) }, errors.ErrNotExist},
		{"set-bad.txt", []string{"zpool", "set", "nosuchprop=1", "gzsingle"},
			func(c *Client) error { return c.Set(ctx, "gzsingle", "nosuchprop", "1") }, errors.ErrInvalidArgument},
		{"err-offline-nodev.txt", []string{"zpool", "offline", "gzmirror", "/d/nosuchdev"},
			func(c *Client) error { return c.Offline(ctx, "gzmirror", OfflineOptions{}, "/d/nosuchdev") }, errors.ErrNotExist},
	})
}

// TestGoldenFilesCommitted guards against a capture run that lost files.
func TestGoldenFilesCommitted(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(capDir, "*"))
	require.NoError(t, err)
	assert.Greater(t, len(files), 150)
	_, err = os.Stat(filepath.Join(capDir, "version.txt"))
	assert.NoError(t, err)
}
